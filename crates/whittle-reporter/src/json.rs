//! The JSON report, schema `whittle.lint/v1` (documented in the README): stable
//! field names, one object per finding, positions 1-based.

use serde::Serialize;
use whittle_analysis::{Finding, InputFailure, Severity};
use whittle_policy::CatalogSource;

use crate::LintReport;

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool<'a>,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
    catalog: Vec<CatalogEntry<'a>>,
}

/// One source of the action catalog, as the JSON report and the SARIF run's
/// properties name it.
#[derive(Serialize)]
pub(crate) struct CatalogEntry<'a> {
    name: &'a str,
    version: &'a str,
    date: &'a str,
}

impl<'a> From<&'a CatalogSource> for CatalogEntry<'a> {
    fn from(source: &'a CatalogSource) -> Self {
        CatalogEntry {
            name: &source.name,
            version: &source.version,
            date: &source.date,
        }
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    rule_id: &'a str,
    severity: Severity,
    tags: &'a [String],
    message: &'a str,
    location: JsonLocation<'a>,
    notes: &'a [String],
    fingerprint: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    subject: Option<&'a str>,
    sid: Option<&'a str>,
    /// The principal, or the managed policy (or inline policy's holder), by ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<JsonResource<'a>>,
}

#[derive(Serialize)]
struct JsonResource<'a> {
    kind: &'static str,
    arn: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    inline_policy: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonError<'a> {
    path: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    documents: usize,
    skipped: usize,
    unreadable: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    ignored: usize,
    baselined: usize,
}

/// Renders the report as pretty-printed JSON (schema `whittle.lint/v1`).
pub fn lint_json(report: &LintReport<'_>) -> String {
    let document = Document {
        schema: "whittle.lint/v1",
        tool: Tool {
            name: "whittle",
            version: report.run.tool_version,
            catalog: report.run.catalog.iter().map(CatalogEntry::from).collect(),
        },
        findings: report
            .run
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| finding(f, report.run.fingerprints.get(i).map(String::as_str)))
            .collect(),
        errors: report.run.failures.iter().map(error).collect(),
        summary: Summary {
            files: report.files,
            documents: report.documents,
            skipped: report.skipped,
            unreadable: report.run.failures.len(),
            findings: report.run.findings.len(),
            errors: report.run.count(Severity::Error),
            warnings: report.run.count(Severity::Warning),
            notes: report.run.count(Severity::Note),
            ignored: report.ignored,
            baselined: report.baselined,
        },
    };
    pretty(&document)
}

/// A JSON document pretty-printed with a final newline, as every JSON report
/// and suggested policy is written.
pub(crate) fn pretty(document: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(document)
        .expect("JSON documents serialise: their maps have string keys");
    text.push('\n');
    text
}

fn finding<'a>(f: &'a Finding, fingerprint: Option<&'a str>) -> JsonFinding<'a> {
    JsonFinding {
        rule: &f.rule.name,
        rule_id: &f.rule.id,
        severity: f.severity,
        tags: &f.rule.tags,
        message: &f.message,
        location: JsonLocation {
            path: &f.location.path,
            line: f.location.start.line,
            column: f.location.start.column,
            end_line: f.location.end.line,
            end_column: f.location.end.column,
            subject: f.location.subject.as_deref(),
            sid: f.location.sid.as_deref(),
            resource: f.location.logical.as_ref().map(|l| JsonResource {
                kind: l.kind.as_str(),
                arn: &l.arn,
                inline_policy: l.name.as_deref(),
            }),
        },
        notes: &f.notes,
        fingerprint,
    }
}

fn error(e: &InputFailure) -> JsonError<'_> {
    JsonError {
        path: &e.path,
        line: e.position.map(|p| p.line),
        column: e.position.map(|p| p.column),
        message: &e.message,
    }
}
