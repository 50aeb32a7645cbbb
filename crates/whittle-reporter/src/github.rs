//! GitHub Actions annotations: one workflow command per finding (`::error file=…`),
//! so findings show up on the pull request's changed lines without a code-scanning
//! upload, up to GitHub's limit per step, then the table's summary line.

use std::path::Path;

use whittle_analysis::{Finding, InputFailure, Severity};

use crate::{ArtifactPath, LintReport, message_with_notes, table};

/// Renders the report as GitHub Actions workflow commands, one line per finding
/// and per unreadable input, then a plain summary line.
///
/// File paths are relative to `base` (the working directory, which in a workflow
/// is the checkout). Findings on standard input carry no `file`; their position
/// goes into the message instead.
///
/// GitHub shows at most [`ANNOTATIONS_PER_KIND`] errors, warnings and notices
/// per step and drops the rest silently. Past that, findings are plain log lines
/// (`path:line:column: severity rule: message`), and a first notice says how
/// many are not annotated.
pub fn lint_github(report: &LintReport<'_>, base: &Path) -> String {
    let commands: Vec<(&str, String)> = report
        .run
        .findings
        .iter()
        .map(|f| (kind(f.severity), finding_command(f, base)))
        .chain(
            report
                .run
                .failures
                .iter()
                .map(|f| ("error", failure_command(f, base))),
        )
        .collect();
    let count = |kind: &str| commands.iter().filter(|(k, _)| *k == kind).count();
    let over: usize = ["error", "warning", "notice"]
        .iter()
        .map(|kind| count(kind).saturating_sub(ANNOTATIONS_PER_KIND))
        .sum();
    let mut out = String::new();
    let mut shown = std::collections::HashMap::new();
    if over > 0 {
        // The notice takes one of the notices' places; notices past it overflow too.
        let over = over + usize::from(count("notice") >= ANNOTATIONS_PER_KIND);
        out.push_str(&command_line(
            "notice",
            &[("title", "whittle".to_owned())],
            &format!(
                "{over} findings are listed in the log only: GitHub annotates at most {ANNOTATIONS_PER_KIND} errors, warnings and notices per step. Upload --format sarif to code scanning to see every finding."
            ),
        ));
        out.push('\n');
        shown.insert("notice", 1);
    }
    for (index, (kind, command)) in commands.iter().enumerate() {
        let annotated = shown.entry(*kind).or_insert(0usize);
        if *annotated < ANNOTATIONS_PER_KIND {
            *annotated += 1;
            out.push_str(command);
        } else if let Some(finding) = report.run.findings.get(index) {
            out.push_str(&log_line(finding));
        } else {
            out.push_str(&report.run.failures[index - report.run.findings.len()].to_string());
        }
        out.push('\n');
    }
    out.push_str(&table::summary(report));
    out.push('\n');
    out
}

/// Annotations of one kind (error, warning, notice) GitHub shows per step.
pub const ANNOTATIONS_PER_KIND: usize = 10;

fn kind(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// A finding past GitHub's annotation limit, as a plain log line.
fn log_line(finding: &Finding) -> String {
    let l = &finding.location;
    format!(
        "{}:{}: {} {} ({}): {}",
        l.path,
        l.start,
        finding.severity,
        finding.rule.name,
        finding.rule.id,
        finding.message.replace(['\r', '\n'], " ")
    )
}

fn finding_command(finding: &Finding, base: &Path) -> String {
    let l = &finding.location;
    let command = kind(finding.severity);
    let mut message = message_with_notes(finding);
    let mut properties = Vec::new();
    match ArtifactPath::new(&l.path, base).to_slash_path() {
        Some(file) => {
            // GitHub takes columns only for an annotation on one line.
            let one_line = l.start.line == l.end.line;
            properties.push(("file", file));
            properties.push(("line", l.start.line.to_string()));
            if one_line {
                properties.push(("col", l.start.column.to_string()));
            }
            properties.push(("endLine", l.end.line.to_string()));
            if one_line {
                properties.push(("endColumn", l.end.column.to_string()));
            }
        }
        None => message = format!("{}:{}: {message}", l.path, l.start),
    }
    let title = format!("{} ({})", finding.rule.name, finding.rule.id);
    properties.push(("title", title));
    command_line(command, &properties, &message)
}

fn failure_command(failure: &InputFailure, base: &Path) -> String {
    let mut properties = Vec::new();
    let mut message = failure.message.clone();
    match ArtifactPath::new(&failure.path, base).to_slash_path() {
        Some(file) => {
            properties.push(("file", file));
            if let Some(position) = failure.position {
                properties.push(("line", position.line.to_string()));
                properties.push(("col", position.column.to_string()));
            }
        }
        None => message = failure.to_string(),
    }
    command_line("error", &properties, &message)
}

/// `::command key=value,…::message`, every part escaped.
fn command_line(command: &str, properties: &[(&str, String)], message: &str) -> String {
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    let separator = if properties.is_empty() { "" } else { " " };
    format!(
        "::{command}{separator}{}::{}",
        properties.join(","),
        escape_data(message)
    )
}

/// Escapes a command's message the way the Actions runner unescapes it.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as a message, and `:` and `,`, which delimit properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_first_then_line_breaks() {
        assert_eq!(escape_data("100%\r\nnext"), "100%25%0D%0Anext");
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_data("a: b, c"), "a: b, c");
    }

    #[test]
    fn properties_also_escape_colons_and_commas() {
        assert_eq!(
            escape_property("full-admin-access (WH101), line 3: 50%\n"),
            "full-admin-access (WH101)%2C line 3%3A 50%25%0A"
        );
    }

    #[test]
    fn command_lines_join_properties_with_commas() {
        let properties = [("file", "a,b.json".to_owned()), ("line", "3".to_owned())];
        assert_eq!(
            command_line("warning", &properties, "two\nlines"),
            "::warning file=a%2Cb.json,line=3::two%0Alines"
        );
        assert_eq!(command_line("error", &[], "bare"), "::error::bare");
    }
}
