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

#[test]
fn findings_past_githubs_limit_per_step_are_log_lines_and_a_notice_counts_them() {
    let findings = support::lint(POLICY_PATH, POLICY);
    let error = findings
        .iter()
        .find(|f| f.severity == whittle_analysis::Severity::Error)
        .expect("the policy has an error")
        .clone();
    let mut many = vec![error; whittle_reporter::ANNOTATIONS_PER_KIND + 2];
    many.extend(
        findings
            .iter()
            .filter(|f| f.severity == whittle_analysis::Severity::Warning)
            .cloned(),
    );
    let warnings = many.len() - whittle_reporter::ANNOTATIONS_PER_KIND - 2;
    let text = render(&many);
    let lines: Vec<&str> = text.lines().collect();
    // Two findings and the unreadable inputs (errors too) are past the limit.
    let over = 2 + support::failures().len();
    assert!(
        lines[0].starts_with(&format!(
            "::notice title=whittle::{over} findings are listed in the log only"
        )),
        "{text}"
    );
    let errors = lines.iter().filter(|l| l.starts_with("::error")).count();
    assert_eq!(errors, whittle_reporter::ANNOTATIONS_PER_KIND, "{text}");
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::warning")).count(),
        warnings
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(POLICY_PATH) && l.contains(" error ")),
        "{text}"
    );
}
