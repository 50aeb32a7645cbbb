//! The terminal table of a lint run: one row per finding, then a one-line
//! summary; and the lint run's other lines for standard error.

use std::path::Path;

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL};

/// Width used when the output is not a terminal (CI logs, files).
pub const DEFAULT_WIDTH: u16 = 120;

/// The width of the terminal standard output is connected to, if it is one.
pub fn terminal_width() -> Option<u16> {
    Table::new().width()
}
use whittle_analysis::{Finding, Severity};

use crate::LintReport;

/// An empty table in whittle's style, `width` characters wide.
pub(crate) fn new_table(header: &[&str], width: u16) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    table.set_width(width);
    table
}

/// Renders findings as a table `width` characters wide, then a summary line.
pub fn lint_table(report: &LintReport<'_>, width: u16) -> String {
    let mut out = String::new();
    if !report.run.findings.is_empty() {
        let mut table = new_table(&["Severity", "Rule", "Location", "Message"], width);
        for finding in report.run.findings {
            table.add_row([
                finding.severity.to_string(),
                format!("{}\n{}", finding.rule.name, finding.rule.id),
                location(finding),
                message(finding),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

fn location(finding: &Finding) -> String {
    let l = &finding.location;
    let mut text = format!("{}:{}:{}", l.path, l.start.line, l.start.column);
    if let Some(subject) = &l.subject {
        text.push('\n');
        text.push_str(subject);
    }
    text
}

fn message(finding: &Finding) -> String {
    let mut text = finding.message.clone();
    for note in &finding.notes {
        text.push_str("\n• ");
        text.push_str(note);
    }
    text
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn summary(report: &LintReport<'_>) -> String {
    let mut text = if report.run.findings.is_empty() {
        "No findings".to_owned()
    } else {
        format!(
            "{} ({}, {}, {})",
            plural(report.run.findings.len(), "finding", "findings"),
            plural(report.run.count(Severity::Error), "error", "errors"),
            plural(report.run.count(Severity::Warning), "warning", "warnings"),
            plural(report.run.count(Severity::Note), "note", "notes"),
        )
    };
    text.push_str(&format!(
        " in {} from {}",
        plural(report.documents, "policy", "policies"),
        plural(report.files, "file", "files")
    ));
    if report.skipped > 0 {
        text.push_str(&format!(
            "; {} without policies skipped",
            plural(report.skipped, "file", "files")
        ));
    }
    if !report.run.failures.is_empty() {
        text.push_str(&format!(
            "; {} could not be read",
            plural(report.run.failures.len(), "file", "files")
        ));
    }
    if report.ignored + report.baselined > 0 {
        text.push_str(&format!(
            "; {} accepted by whittle.toml, {} by the baseline",
            plural(report.ignored, "finding", "findings"),
            report.baselined
        ));
    }
    if report.suppressed > 0 {
        text.push_str(&format!("; {} suppressed inline", report.suppressed));
    }
    text.push('.');
    text
}

/// What `--write-baseline` wrote, for standard error.
pub fn baseline_written(findings: usize, path: &Path) -> String {
    format!(
        "wrote {findings} findings to the baseline {}\n",
        path.display()
    )
}

/// How many findings whittle.toml and the baseline accepted, for standard
/// error beside a report that does not say (SARIF, GitHub annotations); empty
/// when none was.
pub fn accepted_findings(report: &LintReport<'_>) -> String {
    if report.ignored + report.baselined + report.suppressed == 0 {
        return String::new();
    }
    format!(
        "{} findings accepted by whittle.toml, {} by the baseline, {} suppressed inline\n",
        report.ignored, report.baselined, report.suppressed
    )
}
