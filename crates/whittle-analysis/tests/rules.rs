//! One test per rule, named by the rule (`cargo test -p whittle-analysis --test
//! rules full-admin-access`), over its fixtures in `testdata/rules/<rule-name>/`:
//! each bad fixture must produce at least one finding of that rule, each good one
//! none, and every rule must have at least one fixture of each kind. The findings
//! of every rule on each fixture, not only the rule's own, are pinned in
//! `tests/snapshots/rules__<rule-name>.snap`, so that a change to any rule shows
//! as a diff wherever it changes a finding (`INSTA_UPDATE=always` or
//! `cargo insta review` to accept).
//!
//! - lint rules: `bad-*.json` and `good-*.json` are linted as they are, with
//!   dates judged as of 2026-11-20T00:00:00Z;
//! - recommend rules: the fixtures are snapshots, recommended as of
//!   2026-11-20T00:00:00Z with the default options;
//! - diff rules: the fixtures are pairs `<name>.old.json` and `<name>.new.json`,
//!   compared with `--deny-new privilege-escalation`.
//!
//! A second test per rule, of kind `example`, holds the rule's documentation to
//! what it says: its `example` fires the rule and its `use_instead` does not.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use jiff::Timestamp;
use libtest_mimic::{Arguments, Failed, Trial};
use whittle_analysis::lint::LintOptions;
use whittle_analysis::recommend::{self, RecommendOptions};
use whittle_analysis::{FileOutcome, Finding, Linter, Rule, RuleCommand, RuleSet, diff};
use whittle_model::Snapshot;
use whittle_policy::{Catalog, Expander};
use whittle_syntax::SourceFile;

/// The time lint and recommend judge dates and windows against.
const AS_OF: &str = "2026-11-20T00:00:00Z";

static RULES: LazyLock<RuleSet> =
    LazyLock::new(|| RuleSet::embedded().expect("the embedded rules are valid"));

static LINTER: LazyLock<Linter<'static>> = LazyLock::new(|| {
    let options = LintOptions { now: as_of() };
    Linter::new(Catalog::embedded(), &RULES, options).expect("every lint rule has a check")
});

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for rule in RULES.iter() {
        let name = rule.name.clone();
        trials.push(Trial::test(rule.name.clone(), move || fixtures_test(&name)));
        let name = rule.name.clone();
        trials
            .push(Trial::test(rule.name.clone(), move || example_test(&name)).with_kind("example"));
    }
    libtest_mimic::run(&args, trials).exit();
}

fn as_of() -> Timestamp {
    AS_OF.parse().expect("AS_OF is a timestamp")
}

fn rule(name: &str) -> &'static Rule {
    RULES.get(name).expect("trials are made from the rule set")
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/rules")
}

/// The fixture at `path`, named by its path relative to `testdata/rules`.
fn fixture(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path
        .strip_prefix(fixtures_dir())
        .expect("fixtures are under testdata/rules")
        .display()
        .to_string();
    SourceFile::new(name, text)
}

/// What whittle reports on one input: its findings, and the documents or files
/// it could not read.
struct Report {
    /// The file the findings are located in (for diff, the new side).
    path: String,
    findings: Vec<Finding>,
    failures: Vec<String>,
}

impl Report {
    fn of(file: &SourceFile, findings: Vec<Finding>) -> Self {
        Report {
            path: file.path().to_string(),
            findings,
            failures: Vec::new(),
        }
    }

    fn of_rule<'r>(&'r self, rule: &'r Rule) -> impl Iterator<Item = &'r Finding> {
        self.findings
            .iter()
            .filter(move |f| f.rule.name == rule.name)
    }
}

fn lint(file: &SourceFile) -> Report {
    let (findings, failures) = match LINTER.lint_file(file) {
        FileOutcome::Linted {
            findings, failures, ..
        } => (findings, failures.iter().map(ToString::to_string).collect()),
        FileOutcome::Unrecognised => (
            Vec::new(),
            vec![format!("{}: not an input whittle reads", file.path())],
        ),
        FileOutcome::Failed(failure) => (Vec::new(), vec![failure.to_string()]),
    };
    Report {
        failures,
        ..Report::of(file, findings)
    }
}

fn recommend(file: &SourceFile) -> Report {
    let snapshot = Snapshot::parse(file.path(), file.text())
        .unwrap_or_else(|e| panic!("{}: {e}", file.path()));
    let options = RecommendOptions {
        as_of: as_of(),
        ..RecommendOptions::default()
    };
    let all = recommend::recommend(&snapshot, Catalog::embedded(), &options)
        .unwrap_or_else(|e| panic!("{}: {e}", file.path()));
    Report::of(file, recommend::findings(&all, file, &RULES).1)
}

/// The access `new` adds to `old`, judged with `--deny-new privilege-escalation`;
/// findings are located in `new`.
fn compare(old: &SourceFile, new: &SourceFile) -> Report {
    let expander = Expander::new(Catalog::embedded());
    let side = |file: &SourceFile| {
        diff::file_access(new.path(), file, &expander)
            .unwrap_or_else(|e| panic!("{}: {e}", file.path()))
    };
    let categories = diff::categories(&RULES, &expander);
    let changes = diff::compare(&side(old), &side(new), &categories, Catalog::embedded());
    let deny = ["privilege-escalation".to_owned()];
    let violations = diff::violations(&changes, &deny, &categories, &expander);
    Report::of(
        new,
        diff::findings(&changes, &violations, &RULES, Catalog::embedded()).1,
    )
}

/// Runs the command of `rule` on one fixture; for diff rules `path` is the
/// `.old.json` half of a pair.
fn run(rule: &Rule, path: &Path) -> Report {
    match rule.command {
        RuleCommand::Lint => lint(&fixture(path)),
        RuleCommand::Recommend => recommend(&fixture(path)),
        RuleCommand::Diff => {
            let new = PathBuf::from(path.display().to_string().replace(".old.json", ".new.json"));
            compare(&fixture(path), &fixture(&new))
        }
    }
}

/// The fixtures of `rule`: (bad, good), each file standing for one case.
fn fixtures(rule: &Rule) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let dir = fixtures_dir().join(&rule.name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("fixture directories are readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| rule.command != RuleCommand::Diff || name(p).ends_with(".old.json"))
        .collect();
    files.sort();
    files.into_iter().partition(|p| name(p).starts_with("bad"))
}

fn name(path: &Path) -> String {
    path.file_name()
        .expect("fixtures are files")
        .to_string_lossy()
        .into_owned()
}

/// Bad fixtures fire the rule, good ones do not; every finding on them matches
/// the rule's snapshot.
fn fixtures_test(name: &str) -> Result<(), Failed> {
    let rule = rule(name);
    let (bad, good) = fixtures(rule);
    let mut failures = Vec::new();
    if bad.is_empty() {
        failures.push(format!("{name}: no bad fixture"));
    }
    if good.is_empty() {
        failures.push(format!("{name}: no good fixture"));
    }
    let mut snapshot = String::new();
    for path in &bad {
        let report = run(rule, path);
        if report.of_rule(rule).next().is_none() {
            failures.push(format!("{}: expected a {name} finding", report.path));
        }
        render(&mut snapshot, &report)?;
    }
    for path in &good {
        let report = run(rule, path);
        for finding in report.of_rule(rule) {
            failures.push(format!(
                "{}:{}: unexpected {name}: {}",
                report.path, finding.location.start, finding.message
            ));
        }
        render(&mut snapshot, &report)?;
    }
    if !failures.is_empty() {
        return Err(failures.join("\n").into());
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_description(format!(
        "every finding on the fixtures of {name} (testdata/rules/{name}/)"
    ));
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, snapshot));
    Ok(())
}

/// One line per finding, `path:line:col severity rule message`, with its
/// subject, notes and related places indented below; `path: no findings` for a
/// fixture without any.
fn render(out: &mut String, report: &Report) -> std::fmt::Result {
    for failure in &report.failures {
        writeln!(out, "{failure} (not read)")?;
    }
    if report.findings.is_empty() && report.failures.is_empty() {
        writeln!(out, "{}: no findings", report.path)?;
    }
    for finding in &report.findings {
        render_finding(out, finding)?;
    }
    Ok(())
}

fn render_finding(out: &mut String, finding: &Finding) -> std::fmt::Result {
    let location = &finding.location;
    writeln!(
        out,
        "{}:{} {} {} {}",
        location.path, location.start, finding.severity, finding.rule.name, finding.message
    )?;
    if let Some(subject) = &location.subject {
        writeln!(out, "    in: {subject}")?;
    }
    for note in &finding.notes {
        writeln!(out, "    note: {note}")?;
    }
    for related in &finding.related {
        writeln!(out, "    related: {}: {}", related.subject, related.message)?;
    }
    for step in &finding.flow {
        writeln!(out, "    step at {}: {}", step.location.start, step.message)?;
    }
    Ok(())
}

/// The rule's `example` fires it and its `use_instead` does not.
///
/// - lint rules: each text is linted as a policy document file;
/// - diff rules: `example` replacing `use_instead` fires the rule, and
///   `use_instead` replacing `example` (the fix) does not;
/// - recommend rules: their texts illustrate findings that need last-accessed
///   data, which a rule file does not hold; they must be non-empty, and valid JSON
///   when they are JSON.
fn example_test(name: &str) -> Result<(), Failed> {
    let rule = rule(name);
    let example = SourceFile::new(format!("{name}: example"), rule.example.clone());
    let fixed = SourceFile::new(format!("{name}: use_instead"), rule.use_instead.clone());
    let (fires, clean) = match rule.command {
        RuleCommand::Lint => (lint(&example), lint(&fixed)),
        RuleCommand::Diff => (compare(&fixed, &example), compare(&example, &fixed)),
        RuleCommand::Recommend => return illustrations(rule),
    };
    let mut failures = Vec::new();
    if fires.of_rule(rule).next().is_none() {
        let mut found = String::new();
        render(&mut found, &fires)?;
        failures.push(format!(
            "{name}: the example does not fire the rule; whittle reports:\n{found}"
        ));
    }
    for finding in clean.of_rule(rule) {
        let mut found = String::new();
        render_finding(&mut found, finding)?;
        failures.push(format!("{name}: use_instead fires the rule:\n{found}"));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n").into())
    }
}

/// The texts of a recommend rule: non-empty, and valid JSON when they look like JSON.
fn illustrations(rule: &Rule) -> Result<(), Failed> {
    for (field, text) in [
        ("example", &rule.example),
        ("use_instead", &rule.use_instead),
    ] {
        let text = text.trim();
        if text.is_empty() {
            return Err(format!("{}: {field} is empty", rule.name).into());
        }
        if text.starts_with('{')
            && let Err(e) = serde_json::from_str::<serde_json::Value>(text)
        {
            return Err(format!("{}: {field} is not valid JSON: {e}", rule.name).into());
        }
    }
    Ok(())
}
