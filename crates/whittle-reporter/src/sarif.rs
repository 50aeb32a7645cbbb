//! The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers: every
//! rule with its documentation, one result per finding with its exact region, the
//! IAM resource it is about and a fingerprint that survives moved lines.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;
use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, CodeFlow, Invocation, Location, LogicalLocation, Message,
    MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Suppression, ThreadFlow, ThreadFlowLocation, Tool, ToolComponent,
};
use whittle_analysis::diagnostics::{FlowStep, Logical, LogicalKind, Related};
use whittle_analysis::{Finding, InputFailure, Rule, Severity};

use crate::json::CatalogEntry;
use crate::{ArtifactPath, FindingsReport, LintReport, message_with_notes};

/// The schema URI GitHub and schemastore document for SARIF 2.1.0.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The project page, `tool.driver.informationUri`.
const INFORMATION_URI: &str = "https://github.com/whittle-iam/whittle";
/// The base every relative artifact URI is resolved against: the directory the
/// report was made for. Its absolute location is deliberately not recorded
/// (`originalUriBaseIds`), so the report does not depend on where the checkout is.
const SRCROOT: &str = "%SRCROOT%";
/// The `partialFingerprints` key for [`fingerprints`]; bump the version when
/// the fields it hashes change.
const FINGERPRINT_KEY: &str = "whittleFindingHash/v1";

/// Characters escaped in a URI path segment: everything RFC 3986 does not allow
/// there, plus `:`, which in a relative reference's first segment would read as a
/// scheme.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b':')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Renders a lint report as a SARIF 2.1.0 log with one run: the findings as
/// [`findings_sarif`] has them, and the run's counts of files, documents,
/// skipped and unreadable inputs under `properties.summary`.
///
/// File URIs are relative to `base` (the working directory) and marked with
/// `uriBaseId` `%SRCROOT%`; files outside it get absolute `file://` URIs.
pub fn lint_sarif(report: &LintReport<'_>, base: &Path) -> String {
    let summary = RunSummary {
        files: report.files,
        documents: report.documents,
        skipped: report.skipped,
        unreadable: report.run.failures.len(),
    };
    log(&report.run, base, Some(summary))
}

/// Renders findings (of lint, diff or recommend) as a SARIF 2.1.0 log with one
/// run: every rule with its documentation, one result per finding, and the
/// unreadable inputs as tool execution notifications.
///
/// File URIs are relative to `base`, as in [`lint_sarif`].
pub fn findings_sarif(report: &FindingsReport<'_>, base: &Path) -> String {
    log(report, base, None)
}

/// What a lint run read, in the run's properties.
#[derive(Serialize)]
struct RunSummary {
    files: usize,
    documents: usize,
    skipped: usize,
    unreadable: usize,
}

fn log(report: &FindingsReport<'_>, base: &Path, summary: Option<RunSummary>) -> String {
    let rule_indices: HashMap<&str, usize> = report
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| (rule.id.as_str(), i))
        .collect();
    // The analysis's fingerprints, so that code scanning and baselines recognise
    // a finding by the same identity.
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .zip(
            report
                .fingerprints
                .iter()
                .cloned()
                .chain(std::iter::repeat(String::new())),
        )
        .map(|(finding, fingerprint)| {
            let artifact = artifact_location(&finding.location.path, base);
            let index = rule_indices.get(finding.rule.id.as_str()).copied();
            let mut result = result(finding, artifact, index, fingerprint);
            result.code_flows = code_flows(&finding.flow, base);
            result
        })
        .collect();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver(report)).build())
        .invocations(vec![invocation(report.failures, base)])
        .column_kind(json!("unicodeCodePoints"))
        .results(results)
        .properties(run_properties(report, summary))
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut text = serde_json::to_string_pretty(&log).expect(
        "the SARIF log serialises: it holds only strings, numbers and maps with string keys",
    );
    text.push('\n');
    text
}

fn driver(report: &FindingsReport<'_>) -> ToolComponent {
    ToolComponent::builder()
        .name("whittle")
        .version(report.tool_version)
        .information_uri(INFORMATION_URI)
        .rules(
            report
                .rules
                .iter()
                .map(|rule| descriptor(rule))
                .collect::<Vec<_>>(),
        )
        .build()
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    ReportingDescriptor::builder()
        .id(&rule.id)
        .name(&rule.name)
        .short_description(text(rule.summary.trim()))
        .full_description(text(&format!(
            "{}\n\n{}",
            rule.what.trim(),
            rule.why.trim()
        )))
        .help(help(rule))
        .default_configuration(
            ReportingConfiguration::builder()
                // SARIF's level names are whittle's severity names.
                .level(json!(rule.severity.as_str()))
                .build(),
        )
        .properties(properties(rule))
        .build()
}

/// The rule's tags and, for rules about security rather than validity,
/// GitHub code scanning's `security-severity` from the rule's data (with the
/// `security` tag it requires), so that alerts are ranked critical, high,
/// medium or low.
fn properties(rule: &Rule) -> PropertyBag {
    let mut tags = rule.tags.clone();
    let Some(score) = rule.security_severity() else {
        return PropertyBag::builder().tags(tags).build();
    };
    tags.push("security".to_owned());
    let extra = BTreeMap::from([("security-severity".to_owned(), json!(format!("{score:.1}")))]);
    PropertyBag::builder()
        .tags(tags)
        .additional_properties(extra)
        .build()
}

fn text(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text).build()
}

/// The rule's documentation in ruff's shape, as `whittle explain` prints it.
fn help(rule: &Rule) -> MultiformatMessageString {
    let (what, why) = (rule.what.trim(), rule.why.trim());
    let (example, use_instead) = (rule.example.trim(), rule.use_instead.trim());
    let text = format!(
        "What it does\n{what}\n\nWhy is this bad?\n{why}\n\n\
         Example\n{example}\n\nUse instead\n{use_instead}"
    );
    // Examples are policy documents, or commands (`aws iam delete-role …`).
    let fence = |code: &str| if code.starts_with('{') { "json" } else { "sh" };
    let markdown = format!(
        "## What it does\n\n{what}\n\n## Why is this bad?\n\n{why}\n\n\
         ## Example\n\n```{}\n{example}\n```\n\n## Use instead\n\n```{}\n{use_instead}\n```",
        fence(example),
        fence(use_instead)
    );
    MultiformatMessageString::builder()
        .text(text)
        .markdown(markdown)
        .build()
}

fn result_level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Note => ResultLevel::Note,
    }
}

/// The catalog the run used and, for lint, what it read.
fn run_properties(report: &FindingsReport<'_>, summary: Option<RunSummary>) -> PropertyBag {
    let catalog: Vec<CatalogEntry<'_>> = report.catalog.iter().map(CatalogEntry::from).collect();
    let mut properties = BTreeMap::from([("catalog".to_owned(), to_value(&catalog))]);
    if let Some(summary) = summary {
        properties.insert("summary".to_owned(), to_value(&summary));
    }
    PropertyBag::builder()
        .additional_properties(properties)
        .build()
}

fn to_value(value: &impl Serialize) -> Value {
    serde_json::to_value(value).expect("property values hold only strings and numbers")
}

fn result(
    finding: &Finding,
    artifact: ArtifactLocation,
    rule_index: Option<usize>,
    fingerprint: String,
) -> SarifResult {
    let l = &finding.location;
    let mut location = physical_location(artifact, Some(region(l)));
    let mut properties = BTreeMap::new();
    if let Some(subject) = &l.subject {
        properties.insert("subject".to_owned(), json!(subject));
    }
    if let Some(logical) = &l.logical {
        location.logical_locations = Some(vec![logical_location(logical)]);
        properties.insert("subjectKind".to_owned(), json!(logical.kind.as_str()));
    }
    let mut result = SarifResult::builder()
        .rule_id(&finding.rule.id)
        .level(result_level(finding.severity))
        .message(Message::builder().text(message_with_notes(finding)).build())
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_owned(), fingerprint)]))
        .build();
    // A finding of a rule the report does not list (a caller's mistake) still
    // names its rule by id; an index would point at the wrong rule.
    result.rule_index = rule_index.map(count);
    if !finding.related.is_empty() {
        result.related_locations = Some(
            finding
                .related
                .iter()
                .enumerate()
                .map(|(id, related)| related_location(id, related))
                .collect(),
        );
    }
    if let Some(reason) = &finding.suppressed {
        // Suppressed where the policy is written: code scanning shows it as such.
        result.suppressions = Some(vec![
            Suppression::builder()
                .kind(json!("inSource"))
                .justification(reason.as_str())
                .build(),
        ]);
    }
    if !properties.is_empty() {
        result.properties = Some(
            PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        );
    }
    result
}

/// The region of a finding's or a step's location.
fn region(l: &whittle_analysis::Location) -> Region {
    Region::builder()
        .start_line(count(l.start.line))
        .start_column(count(l.start.column))
        .end_line(count(l.end.line))
        .end_column(count(l.end.column))
        .build()
}

/// The chain a finding describes (who can become whom, hop by hop) as one
/// code flow of one thread flow: each hop at the statement that makes it,
/// with the hop as its message and the IAM resource as a logical location.
fn code_flows(flow: &[FlowStep], base: &Path) -> Option<Vec<CodeFlow>> {
    if flow.is_empty() {
        return None;
    }
    let locations = flow
        .iter()
        .enumerate()
        .map(|(order, step)| {
            let l = &step.location;
            let mut location = physical_location(artifact_location(&l.path, base), Some(region(l)));
            location.message = Some(Message::builder().text(&step.message).build());
            location.logical_locations = l
                .logical
                .as_ref()
                .map(|logical| vec![logical_location(logical)]);
            if let Some(subject) = &l.subject {
                location.properties = Some(
                    PropertyBag::builder()
                        .additional_properties(BTreeMap::from([(
                            "subject".to_owned(),
                            json!(subject),
                        )]))
                        .build(),
                );
            }
            ThreadFlowLocation::builder()
                .location(location)
                .execution_order(count(order + 1))
                .build()
        })
        .collect::<Vec<_>>();
    Some(vec![
        CodeFlow::builder()
            .message(
                Message::builder()
                    .text(format!("{} hops", flow.len()))
                    .build(),
            )
            .thread_flows(vec![ThreadFlow::builder().locations(locations).build()])
            .build(),
    ])
}

/// A place that explains a finding (a policy behind a cross-policy
/// escalation): what it contributes, the IAM resource as a logical location
/// like the result's own, and its subject among the properties, as results
/// have theirs.
fn related_location(id: usize, related: &Related) -> Location {
    let subject = BTreeMap::from([("subject".to_owned(), json!(related.subject))]);
    let mut location = Location::builder()
        .id(count(id))
        .message(Message::builder().text(&related.message).build())
        .properties(
            PropertyBag::builder()
                .additional_properties(subject)
                .build(),
        )
        .build();
    location.logical_locations = related
        .logical
        .as_ref()
        .map(|logical| vec![logical_location(logical)]);
    location
}

/// The IAM resource a finding is about, as a logical location of kind `resource`.
fn logical_location(logical: &Logical) -> LogicalLocation {
    // The last segment of an IAM ARN is the resource's name (`role/path/name`).
    let last = logical
        .arn
        .rsplit(['/', ':'])
        .next()
        .unwrap_or(&logical.arn);
    let name = match (&logical.name, logical.kind) {
        (Some(inline), _) => inline.clone(),
        (None, LogicalKind::TrustPolicy) => format!("{last} trust policy"),
        (None, _) => last.to_owned(),
    };
    let kind = BTreeMap::from([("subjectKind".to_owned(), json!(logical.kind.as_str()))]);
    LogicalLocation::builder()
        .fully_qualified_name(fully_qualified_name(logical))
        .name(name)
        .kind("resource")
        .properties(PropertyBag::builder().additional_properties(kind).build())
        .build()
}

/// A managed policy or principal is named by its ARN. An inline policy has no ARN
/// of its own, so it is named `<holder ARN>#inline-policy:<policy name>`, and a
/// role's trust policy `<role ARN>#trust-policy`: IAM names allow neither `#`
/// nor `:` and the suffix holds no `/`, so the result can never be, or collide
/// with, the ARN of a resource under some IAM path.
fn fully_qualified_name(logical: &Logical) -> String {
    match (&logical.name, logical.kind) {
        (Some(inline), _) => format!("{}#inline-policy:{inline}", logical.arn),
        (None, LogicalKind::TrustPolicy) => format!("{}#trust-policy", logical.arn),
        (None, _) => logical.arn.clone(),
    }
}

/// Where a file is, as a SARIF artifact location.
///
/// Standard input has no URI; it is given the relative URI `stdin` with no
/// `uriBaseId` (so no consumer resolves it against the source root) and the
/// description "standard input".
fn artifact_location(path: &str, base: &Path) -> ArtifactLocation {
    match ArtifactPath::new(path, base) {
        ArtifactPath::Stdin => ArtifactLocation::builder()
            .uri("stdin")
            .description(Message::builder().text("standard input").build())
            .build(),
        ArtifactPath::Relative(segments) => ArtifactLocation::builder()
            .uri(encode(&segments))
            .uri_base_id(SRCROOT)
            .build(),
        ArtifactPath::Outside {
            prefix,
            root: true,
            segments,
        } => {
            // `file:///C:/dir/file.json` on Windows, `file:///dir/file.json` elsewhere.
            let drive = prefix.map(|p| format!("/{p}")).unwrap_or_default();
            ArtifactLocation::builder()
                .uri(format!("file://{drive}/{}", encode(&segments)))
                .build()
        }
        // Above a relative base: a relative reference with its `..`, left for the
        // consumer to resolve.
        ArtifactPath::Outside { segments, .. } => {
            ArtifactLocation::builder().uri(encode(&segments)).build()
        }
    }
}

fn encode(segments: &[String]) -> String {
    segments
        .iter()
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// A location in `artifact`, at `region` when known.
fn physical_location(artifact: ArtifactLocation, region: Option<Region>) -> Location {
    let mut physical = PhysicalLocation::builder()
        .artifact_location(artifact)
        .build();
    physical.region = region;
    Location::builder().physical_location(physical).build()
}

/// Line and column numbers are far below `i64::MAX`; saturate rather than wrap.
fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Unreadable inputs, as tool execution notifications: the run did not succeed.
fn invocation(failures: &[InputFailure], base: &Path) -> Invocation {
    let notifications: Vec<Notification> = failures
        .iter()
        .map(|failure| {
            let artifact = artifact_location(&failure.path, base);
            let region = failure.position.map(|p| {
                Region::builder()
                    .start_line(count(p.line))
                    .start_column(count(p.column))
                    .build()
            });
            Notification::builder()
                .level(json!("error"))
                .message(Message::builder().text(&failure.message).build())
                .locations(vec![physical_location(artifact, region)])
                .build()
        })
        .collect();
    let mut invocation = Invocation::builder()
        .execution_successful(failures.is_empty())
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    invocation
}
