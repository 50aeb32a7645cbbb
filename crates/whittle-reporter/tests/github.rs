//! GitHub Actions annotations: one escaped workflow command per finding and per
//! unreadable input, then the summary line.

mod support;

use std::path::Path;

use whittle_reporter::{STDIN_PATH, lint_github};

use support::{BASE, POLICY, POLICY_PATH};

fn render(findings: &[whittle_analysis::Finding]) -> String {
    let failures = support::failures();
    let rules = support::rules_of(findings);
    support::with_report(findings, &rules, &failures, |report| {
        lint_github(report, Path::new(BASE))
    })
}

#[test]
fn snapshot() {
    insta::assert_snapshot!(render(&support::lint(POLICY_PATH, POLICY)));
}

#[test]
fn messages_and_properties_are_escaped() {
    let mut finding = support::lint(POLICY_PATH, POLICY).remove(0);
    finding.location.path = "/work/repo/odd, name: 100%.json".into();
    finding.message = "50% of it\r\nthe rest".into();
    finding.notes = vec!["see a, b: c".into()];
    let text = render(&[finding]);
    let first = text.lines().next().expect("one line per finding");
    assert_eq!(
        first,
        "::warning file=odd%2C name%3A 100%25.json,line=1,col=1,endLine=1,endColumn=2,\
         title=missing-or-old-version (WH004)::50%25 of it%0D%0Athe rest%0A- see a, b: c"
    );
}

#[test]
fn findings_on_stdin_carry_their_position_in_the_message() {
    let mut finding = support::lint(POLICY_PATH, POLICY).remove(0);
    finding.location.path = STDIN_PATH.into();
    finding.notes.clear();
    let text = render(&[finding.clone()]);
    assert_eq!(
        text.lines().next(),
        Some(
            format!(
                "::warning title=missing-or-old-version (WH004)::<stdin>:1:1: {}",
                finding.message
            )
            .as_str()
        )
    );
}
