//! GitHub Actions annotations: one workflow command per finding (`::error file=…`),
//! so findings show up on the pull request's changed lines without a code-scanning
//! upload, then the table's summary line.

use std::path::Path;

use whittle_analysis::{Finding, InputFailure, Severity};

use crate::{ArtifactPath, LintReport, message_with_notes, table};

/// Renders the report as GitHub Actions workflow commands, one line per finding
/// and per unreadable input, then a plain summary line.
///
/// File paths are relative to `base` (the working directory, which in a workflow
/// is the checkout). Findings on standard input carry no `file`; their position
/// goes into the message instead.
pub fn lint_github(report: &LintReport<'_>, base: &Path) -> String {
    let mut out = String::new();
    for finding in report.findings {
        out.push_str(&finding_command(finding, base));
        out.push('\n');
    }
    for failure in report.failures {
        out.push_str(&failure_command(failure, base));
        out.push('\n');
    }
    out.push_str(&table::summary(report));
    out.push('\n');
    out
}

fn finding_command(finding: &Finding, base: &Path) -> String {
    let l = &finding.location;
    let command = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
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
