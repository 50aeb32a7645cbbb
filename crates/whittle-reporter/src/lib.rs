//! Every report and summary whittle prints: lint findings as a terminal table,
//! the `whittle.lint/v1` JSON document, SARIF 2.1.0 and GitHub Actions
//! annotations; access diffs as lines, `whittle.diff/v1` JSON and Markdown;
//! recommendations as diffs, tables and `whittle.recommend/v1` JSON; the SARIF
//! log of any command's findings; last-accessed reports as the AWS CLI prints
//! them and as tables; the rule list and rule documentation; what whittle says
//! about its catalog; the summaries of fetch, import and catalog update; and
//! the shell form of a plan (documents and AWS CLI scripts).
//! The v1 JSON documents have JSON Schemas in `schemas/`.
//!
//! Renderers take the analysis's results (findings, changes, recommendations,
//! snapshots) and return text; they add no analysis of their own, never fetch
//! or parse policies, and write nothing: the CLI writes what they return.
//! Error messages and progress lines are the CLI's.

mod catalog;
mod diff;
mod github;
mod json;
mod last_accessed;
mod recommend;
mod rules;
mod sarif;
mod shell;
mod snapshot;
mod source_patch;
mod table;

pub use catalog::{
    CatalogCache, CatalogSummary, CatalogUpdate, action_count, action_names, catalog_info,
    catalog_update_summary, version_info,
};
pub use diff::{DiffReport, diff_json, diff_markdown, diff_table};
pub use github::{ANNOTATIONS_PER_KIND, lint_github};
pub use json::lint_json;
pub use last_accessed::{
    entities_json, entities_table, job_started_json, last_accessed_json, last_accessed_table,
};
pub use recommend::{
    plan_written, pretty, recommend_diff, recommend_json, recommend_notes, recommend_table,
    snapshot_errors, title,
};
pub use rules::{rule_explanation, rule_list};
pub use sarif::{findings_sarif, lint_sarif};
pub use shell::{PLAN_MARKER, ShellFile, plan_shell, quote as shell_quote};
pub use snapshot::{AccountFetch, accounts_summary, snapshot_summary};
pub use source_patch::{source_notes, source_patch};
pub use table::{DEFAULT_WIDTH, accepted_findings, baseline_written, lint_table, terminal_width};

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use whittle_analysis::{Finding, InputFailure, Rule, Severity};
use whittle_policy::CatalogSource;

/// The findings of one run of any command, with what identifies them: the
/// input of the SARIF log ([`findings_sarif`]) that lint, diff and recommend
/// write, and the core of a [`LintReport`].
#[derive(Debug, Clone, Copy)]
pub struct FindingsReport<'a> {
    /// whittle's version.
    pub tool_version: &'a str,
    /// The catalog data the run used.
    pub catalog: &'a [CatalogSource],
    /// Every rule the run applied (SARIF lists them all, with or without findings).
    pub rules: &'a [Arc<Rule>],
    /// Findings, in the order to show them.
    pub findings: &'a [Finding],
    /// The stable fingerprint of each finding (`whittle_analysis::diagnostics::fingerprints`).
    pub fingerprints: &'a [String],
    /// Inputs that could not be read: the run did not fully succeed.
    pub failures: &'a [InputFailure],
}

impl FindingsReport<'_> {
    /// The number of findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Everything one `whittle lint` run produced, ready to render: its findings
/// and how many inputs it read, skipped and set aside.
#[derive(Debug, Clone, Copy)]
pub struct LintReport<'a> {
    /// The findings, rules and unreadable inputs.
    pub run: FindingsReport<'a>,
    /// Number of files read.
    pub files: usize,
    /// Number of policy documents linted.
    pub documents: usize,
    /// Files skipped while walking directories because they hold no policy.
    pub skipped: usize,
    /// Findings accepted by `[[ignore]]` entries of whittle.toml (not listed).
    pub ignored: usize,
    /// Findings accepted by the baseline (not listed).
    pub baselined: usize,
    /// Findings suppressed where the policy is written (`whittle: ignore`
    /// comments, CloudFormation `Metadata`); listed only with
    /// `--show-suppressed`, then among the findings with a note saying so.
    pub suppressed: usize,
}

/// The finding's message with each note on a line of its own, as `- note`: the
/// plain-text form of the machine-read reports (SARIF, GitHub annotations).
pub(crate) fn message_with_notes(finding: &Finding) -> String {
    let mut text = finding.message.clone();
    for note in &finding.notes {
        text.push_str("\n- ");
        text.push_str(note);
    }
    text
}

/// The path findings on standard input carry; the CLI names stdin this way, and
/// the SARIF and GitHub renderers recognise it because it names no file.
pub const STDIN_PATH: &str = "<stdin>";

/// A finding's file as seen from the directory a report is rendered for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArtifactPath {
    /// Standard input ([`STDIN_PATH`]).
    Stdin,
    /// Inside the base directory: the path's segments below it, no `.` or `..`.
    Relative(Vec<String>),
    /// Outside the base directory. `root` is true for an absolute path, whose
    /// `prefix` is the Windows drive (`C:`) if any; a relative path that climbs
    /// above a relative base keeps its leading `..` segments.
    Outside {
        prefix: Option<String>,
        root: bool,
        segments: Vec<String>,
    },
}

impl ArtifactPath {
    /// Resolves `path` (as the user named it) against `base`, lexically: the
    /// renderers are pure functions, so symbolic links are not followed.
    pub(crate) fn new(path: &str, base: &Path) -> Self {
        if path == STDIN_PATH {
            return Self::Stdin;
        }
        let full = normalize(&base.join(path));
        if let Ok(inside) = full.strip_prefix(normalize(base))
            && !inside.components().any(|c| c == Component::ParentDir)
        {
            return Self::Relative(inside.components().map(segment).collect());
        }
        let mut prefix = None;
        let mut root = false;
        let mut segments = Vec::new();
        for component in full.components() {
            match component {
                Component::Prefix(p) => prefix = Some(p.as_os_str().to_string_lossy().into_owned()),
                Component::RootDir => root = true,
                other => segments.push(segment(other)),
            }
        }
        Self::Outside {
            prefix,
            root,
            segments,
        }
    }

    /// The path with `/` separators, for display (GitHub's `file=`); `None` for stdin.
    pub(crate) fn to_slash_path(&self) -> Option<String> {
        match self {
            Self::Stdin => None,
            Self::Relative(segments) => Some(segments.join("/")),
            Self::Outside {
                prefix,
                root,
                segments,
            } => Some(format!(
                "{}{}{}",
                prefix.as_deref().unwrap_or(""),
                if *root { "/" } else { "" },
                segments.join("/")
            )),
        }
    }
}

/// Drops `.` segments and folds `name/..` pairs without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                // `/..` is `/`; a relative path keeps climbing.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

fn segment(component: Component<'_>) -> String {
    component.as_os_str().to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relative(path: &str, base: &str) -> ArtifactPath {
        ArtifactPath::new(path, Path::new(base))
    }

    #[test]
    fn paths_under_the_base_become_relative() {
        let inside = ArtifactPath::Relative(vec!["policies".into(), "a.json".into()]);
        assert_eq!(relative("policies/a.json", "/repo"), inside);
        assert_eq!(relative("./policies/x/../a.json", "/repo"), inside);
        assert_eq!(relative("/repo/policies/a.json", "/repo/"), inside);
        assert_eq!(relative("policies/a.json", "."), inside);
        assert_eq!(relative("policies/a.json", ""), inside);
    }

    #[test]
    fn paths_outside_the_base_stay_whole() {
        assert_eq!(
            relative("../b.json", "/repo/sub")
                .to_slash_path()
                .as_deref(),
            Some("/repo/b.json")
        );
        assert_eq!(
            relative("/../etc/b.json", "/repo")
                .to_slash_path()
                .as_deref(),
            Some("/etc/b.json")
        );
        assert_eq!(
            relative("../../b.json", "sub").to_slash_path().as_deref(),
            Some("../b.json")
        );
        assert_eq!(relative(STDIN_PATH, "/repo"), ArtifactPath::Stdin);
    }
}
