//! Property tests of the recommender over generated policies and usage: the
//! suggestion never grants more than the original, keeps every used and every
//! untracked action and every Deny, and is a fixed point (recommending again
//! with the same data changes nothing).

use proptest::prelude::*;
use serde_json::{Value, json};
use whittle_analysis::recommend::{RecommendOptions, Usage, UsageIndex, grants, recommend};
use whittle_model::Snapshot;
use whittle_policy::{ActionSet, Catalog, Expander};

const ROLE: &str = "arn:aws:iam::123456789012:role/generated";
const AS_OF: &str = "2026-11-20T00:00:00Z";

const PATTERNS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:Get*",
    "s3:*",
    "s3:List*",
    "ec2:Describe*",
    "ec2:RunInstances",
    "sqs:*",
    "sqs:SendMessage",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:*",
    "kms:Decrypt",
    "sts:AssumeRole",
    "logs:*",
];
const SERVICES: &[(&str, &[&str])] = &[
    (
        "s3",
        &["GetObject", "PutObject", "ListBucket", "DeleteObject"],
    ),
    ("ec2", &["RunInstances", "DescribeInstances"]),
    ("sqs", &["SendMessage", "ReceiveMessage"]),
    ("dynamodb", &["GetItem", "Query", "PutItem"]),
    ("kms", &[]),
    ("sts", &[]),
    ("logs", &["CreateLogGroup"]),
];
/// Last-use times: inside the 90-day window, before it, or never.
const TIMES: &[Option<&str>] = &[
    Some("2026-11-18T00:00:00Z"),
    Some("2026-03-01T00:00:00Z"),
    None,
];

fn statement() -> impl Strategy<Value = Value> {
    (
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.15),
        prop::collection::vec(prop::sample::select(PATTERNS), 1..4),
        prop::bool::ANY,
    )
        .prop_map(|(allow, negated, actions, with_sid)| {
            let mut s = json!({"Effect": if allow { "Allow" } else { "Deny" }});
            if with_sid {
                s["Sid"] = json!("Generated");
            }
            s[if negated { "NotAction" } else { "Action" }] = json!(actions);
            s["Resource"] = json!("*");
            s
        })
}

fn services() -> impl Strategy<Value = Vec<Value>> {
    let one = |(ns, actions): (&'static str, &'static [&'static str])| {
        (
            prop::sample::select(TIMES),
            prop::bool::weighted(0.9),
            prop::collection::vec(prop::sample::select(TIMES), actions.len()),
        )
            .prop_map(move |(last, listed, times)| {
                let mut s = json!({"ServiceName": ns, "ServiceNamespace": ns});
                if let Some(t) = last {
                    s["LastAuthenticated"] = json!(t);
                }
                if !actions.is_empty() {
                    s["TrackedActionsLastAccessed"] = actions
                        .iter()
                        .zip(&times)
                        .map(|(a, t)| match t {
                            Some(t) => json!({"ActionName": a, "LastAccessedTime": t}),
                            None => json!({"ActionName": a}),
                        })
                        .collect();
                }
                listed.then_some(s)
            })
    };
    SERVICES
        .iter()
        .map(|&s| one(s).boxed())
        .collect::<Vec<_>>()
        .prop_map(|all| all.into_iter().flatten().collect())
}

fn snapshot(policy: &Value, services: &[Value]) -> Snapshot {
    let text = json!({
        "schema": "whittle.snapshot/v1", "account_id": "123456789012",
        "fetched_at": "2026-11-19T00:00:00Z", "complete": true,
        "tool": {"name": "whittle", "version": "test", "catalog": null},
        "source": {"kind": "import", "files": []},
        "authorization_details": {"RoleDetailList": [{
            "RoleName": "generated", "Arn": ROLE, "CreateDate": "2024-01-01T00:00:00Z",
            "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": policy}]}]},
        "reports": [{"arn": ROLE, "kind": "role", "job_id": null, "last_accessed": {
            "JobStatus": "COMPLETED", "JobType": "ACTION_LEVEL",
            "JobCreationDate": "2026-11-19T00:00:00Z", "JobCompletionDate": "2026-11-19T00:00:00Z",
            "ServicesLastAccessed": services}}],
        "errors": [], "stats": {"api_calls": 0, "wall_time_ms": 0}
    });
    Snapshot::parse("generated", &text.to_string()).unwrap()
}

fn allowed(document: &Value, expander: &Expander<'_>) -> ActionSet {
    let mut set = ActionSet::empty(expander.catalog().len());
    for grant in grants(document, expander, "") {
        set.union_with(&grant.actions);
    }
    set
}

fn options() -> RecommendOptions {
    RecommendOptions {
        as_of: AS_OF.parse().unwrap(),
        ..RecommendOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn suggestions_keep_what_is_used_or_unknown_and_never_grant_more(
        statements in prop::collection::vec(statement(), 1..5),
        services in services(),
    ) {
        let catalog = Catalog::embedded();
        let expander = Expander::new(catalog);
        let policy = json!({"Version": "2012-10-17", "Statement": statements});
        let snap = snapshot(&policy, &services);
        let all = recommend(&snap, catalog, &options()).unwrap();
        let suggested = match all.recommendations.first() {
            None => return Ok(()),
            Some(r) => r.suggested.clone().unwrap_or_else(|| json!({"Statement": []})),
        };
        let before = allowed(&policy, &expander);
        let after = allowed(&suggested, &expander);
        // Never a new permission.
        prop_assert!(after.is_subset(&before));
        // Used and untracked actions stay.
        let report = snap.report(ROLE).unwrap();
        let index = UsageIndex::new(report, all.window_start);
        for id in before.iter() {
            let usage = index.classify(catalog, id);
            if matches!(usage, Usage::Used(_) | Usage::Untracked | Usage::NotReported) {
                prop_assert!(after.contains(id), "{} ({usage:?}) was dropped", catalog.action(id).qualified_name);
            }
        }
        // Every Deny statement survives unchanged, in order.
        let denies = |doc: &Value| -> Vec<Value> {
            doc["Statement"].as_array().into_iter().flatten()
                .filter(|s| s["Effect"] == "Deny").cloned().collect()
        };
        prop_assert_eq!(denies(&policy), denies(&suggested));
        // Recommending again on the suggestion with the same data changes nothing.
        if suggested["Statement"].as_array().is_some_and(|s| !s.is_empty()) {
            let again = recommend(&snapshot(&suggested, &services), catalog, &options()).unwrap();
            prop_assert!(again.recommendations.is_empty(), "{:#?}", again.recommendations);
        }
    }
}

/// The fixtures of `recommend --source`, read once.
fn source_fixtures() -> Vec<(String, String)> {
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/recommend/source"
    );
    let mut out = Vec::new();
    for dir in ["terraform", "cloudformation"] {
        let mut entries: Vec<_> = std::fs::read_dir(format!("{root}/{dir}"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            out.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Damaged source (bytes cut out, brackets, quotes and newlines put in)
    /// never makes `recommend --source` panic, and every file it patches
    /// still parses.
    #[test]
    fn damaged_source_is_patched_safely_or_not_at_all(
        file in 0usize..6,
        at in 0.0f64..1.0,
        cut in 0usize..40,
        insert in prop::collection::vec(prop::sample::select(vec!["[", "]", ",", "\"", "\n", "#", " ", "- ", "{", "}", "=", "\"s3:*\""]), 0..4),
    ) {
        let fixtures = source_fixtures();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/recommend/account.json");
        let snapshot = Snapshot::read(std::path::Path::new(path)).unwrap();
        let options = RecommendOptions {
            as_of: AS_OF.parse().unwrap(),
            strategy: whittle_analysis::recommend::Strategy::InPlace,
            ..RecommendOptions::default()
        };
        let all = recommend(&snapshot, Catalog::embedded(), &options).unwrap();
        let (name, text) = &fixtures[file % fixtures.len()];
        let mut start = ((text.len() as f64) * at) as usize;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + cut).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let damaged = format!("{}{}{}", &text[..start], insert.concat(), &text[end..]);
        // The files of one project: the other defines the same policies.
        let dir = name.split('/').next().unwrap();
        let files: Vec<whittle_syntax::SourceFile> = fixtures
            .iter()
            .filter(|(n, _)| n.starts_with(dir))
            .map(|(n, t)| whittle_syntax::SourceFile::new(n.as_str(), if n == name { damaged.as_str() } else { t.as_str() }))
            .collect();
        let report = whittle_analysis::recommend::patch_sources(&all, &snapshot.authorization_details, &files);
        for patched in &report.files {
            let file = whittle_syntax::SourceFile::new(patched.path.clone(), patched.after.clone());
            prop_assert!(file.parse().is_ok(), "{} no longer parses:\n{}", patched.path, patched.after);
        }
        // Damage outside the policies leaves the patch as it was.
        if damaged == *text {
            prop_assert_eq!(report.outcomes.iter().filter(|o| o.result.is_ok()).count(), 5);
        }
    }
}
