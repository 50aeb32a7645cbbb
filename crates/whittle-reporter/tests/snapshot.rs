//! What `whittle fetch` and `whittle import` print on standard error once a
//! snapshot is written, on the demo snapshot with problems added.

mod support;

use std::path::Path;

use whittle_model::{Problem, Snapshot};
use whittle_reporter::{AccountFetch, accounts_summary, snapshot_summary};

fn snapshot() -> Snapshot {
    Snapshot::read(&support::testdata("recommend/account.json")).expect("the demo snapshot")
}

/// The demo snapshot with an account-wide failure and a principal without data.
fn with_problems() -> Snapshot {
    let mut snapshot = snapshot();
    snapshot.errors = vec![
        Problem {
            arn: None,
            operation: "ListPolicies".into(),
            code: Some("Throttling".into()),
            message: "Rate exceeded".into(),
        },
        Problem {
            arn: Some("arn:aws:iam::123456789012:role/ghost".into()),
            operation: "GenerateServiceLastAccessedDetails".into(),
            code: Some("NoSuchEntity".into()),
            message: "The role with name ghost cannot be found.".into(),
        },
    ];
    snapshot
}

#[test]
fn summary_of_a_complete_snapshot() {
    insta::assert_snapshot!(snapshot_summary(&snapshot(), Path::new("account.json")), @r"
    3 users, 1 groups, 5 roles, 3 managed policies; 5 complete last-accessed reports (0 reused)
    9 API calls (1.1 per principal) in 1.0 s
    wrote account.json
    ");
}

#[test]
fn summary_names_every_principal_without_data() {
    insta::assert_snapshot!(snapshot_summary(
        &with_problems(),
        Path::new("account.json")
    ));
}

#[test]
fn imports_made_no_api_calls() {
    let mut snapshot = snapshot();
    snapshot.stats.api_calls = 0;
    let text = snapshot_summary(&snapshot, Path::new("imported.json"));
    assert!(!text.contains("API calls"), "{text}");
}

#[test]
fn accounts_summary_counts_the_failed_ones() {
    let (complete, partial) = (snapshot(), with_problems());
    let accounts = [
        AccountFetch::Fetched {
            account_id: "111111111111",
            snapshot: &complete,
            path: Path::new("out/111111111111.json"),
        },
        AccountFetch::Failed {
            account_id: "222222222222",
            reason: "as arn:aws:iam::222222222222:role/audit: AccessDenied",
        },
        AccountFetch::Fetched {
            account_id: "333333333333",
            snapshot: &partial,
            path: Path::new("out/333333333333.json"),
        },
    ];
    insta::assert_snapshot!(accounts_summary(&accounts));
    assert_eq!(
        accounts_summary(&accounts[..1]).lines().last(),
        Some("1 of 1 accounts fetched")
    );
}
