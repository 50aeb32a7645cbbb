//! Diagnostics: what every command reports. A [`Finding`] names its rule, says
//! what is wrong and where ([`Location`], [`Related`] places), and is built by
//! one [`FindingBuilder`]; [`fingerprints`] and [`Baseline`] identify findings
//! across runs.

mod baseline;
mod fingerprint;

pub use baseline::{Baseline, BaselineError};
pub use fingerprint::fingerprints;

/// The most characters of a user's value a message repeats.
pub const ECHO_LIMIT: usize = 120;

/// `text` as a message repeats it: whole when short, else its first
/// [`ECHO_LIMIT`] characters and how many more there are (a 640 KB action
/// name must not become a 640 KB message).
pub fn echo(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(ECHO_LIMIT) {
        None => text.into(),
        Some((end, _)) => format!(
            "{}… ({} more characters)",
            &text[..end],
            text[end..].chars().count()
        )
        .into(),
    }
}

use std::borrow::Cow;
use std::sync::Arc;

use whittle_policy::unknown;

use whittle_syntax::Position;

use crate::rules::{Rule, Severity};

/// What kind of IAM resource a logical location names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogicalKind {
    /// A policy: "this policy grants X".
    Policy,
    /// A user or role: "this principal can do X".
    Principal,
    /// A role's trust policy: "X can assume this role". The ARN is the role's.
    TrustPolicy,
}

impl LogicalKind {
    /// The kind's name in reports: `policy`, `principal` or `trust-policy`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogicalKind::Policy => "policy",
            LogicalKind::Principal => "principal",
            LogicalKind::TrustPolicy => "trust-policy",
        }
    }
}

/// The IAM resource a finding is about, for findings on account exports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Logical {
    /// What is named.
    pub kind: LogicalKind,
    /// The managed policy's or principal's ARN; for an inline policy, the ARN of
    /// the user, group or role that holds it.
    pub arn: String,
    /// The inline policy's name, for inline policies.
    pub name: Option<String>,
}

/// Where a finding points: a file, a range in it, and the document it is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The file as the user named it.
    pub path: Arc<str>,
    /// First character of the offending element.
    pub start: Position,
    /// One past its last character.
    pub end: Position,
    /// The policy or principal inside the file, for files that hold several (e.g.
    /// `role/deploy inline policy "ci"`); `None` for a bare policy file.
    pub subject: Option<String>,
    /// The IAM resource the finding is about, when the input says.
    pub logical: Option<Logical>,
    /// The Sid of the statement the finding is in, if it has one.
    pub sid: Option<String>,
    /// The CloudFormation logical id or Terraform resource address that
    /// defines the policy, for findings in templates and configurations.
    pub definition: Option<String>,
}

/// One problem found by a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule that found it.
    pub rule: Arc<Rule>,
    /// The severity (the rule's default unless the check says otherwise).
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where.
    pub location: Location,
    /// Further explanations and hints, e.g. "did you mean …".
    pub notes: Vec<String>,
    /// Other places that explain the finding: the policies that together grant a
    /// cross-policy escalation, say.
    pub related: Vec<Related>,
    /// The steps of a chain the finding describes, in order (who can become
    /// whom, hop by hop); empty for most findings.
    pub flow: Vec<FlowStep>,
    /// The source text of the element the finding points at (at most 200 bytes):
    /// with the rule and location it identifies the finding across runs even when
    /// lines move, for fingerprints and baselines.
    pub anchor: String,
    /// Set on a finding an inline suppression (`whittle: ignore`) covers, when
    /// it is shown anyway (`--show-suppressed`): the suppression's reason.
    pub suppressed: Option<String>,
}

/// The longest anchor kept, in bytes.
pub const ANCHOR_LIMIT: usize = 200;

/// Another place that explains a finding, with what it holds: one of the
/// policies behind a cross-policy escalation, say.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Related {
    /// The policy's label (e.g. `role/deploy inline policy "ci"`).
    pub subject: String,
    /// The IAM resource, when the input names it.
    pub logical: Option<Logical>,
    /// What this place contributes, e.g. "grants iam:PassRole".
    pub message: String,
}

/// One step of a chain a finding describes: a hop from one principal to
/// another, at the statement that makes it possible.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FlowStep {
    /// The statement that makes the hop (e.g. the trust policy's statement that
    /// lets the principal assume the role).
    pub location: Location,
    /// The hop, e.g. `role/ci can assume role/admin (trust policy of role/admin,
    /// statement "TrustCi")`.
    pub message: String,
}

impl Finding {
    /// Starts a finding of `rule`, at the rule's default severity.
    pub fn builder(rule: &Arc<Rule>) -> FindingBuilder {
        FindingBuilder {
            rule: Arc::clone(rule),
            severity: rule.severity,
            notes: Vec::new(),
            related: Vec::new(),
            flow: Vec::new(),
            anchor: None,
        }
    }
}

/// A finding under construction: every finding of lint, diff and recommend is
/// made by [`FindingBuilder::build`].
#[derive(Debug, Clone)]
#[must_use = "a finding is recorded only when built"]
pub struct FindingBuilder {
    rule: Arc<Rule>,
    severity: Severity,
    notes: Vec<String>,
    related: Vec<Related>,
    flow: Vec<FlowStep>,
    anchor: Option<String>,
}

impl FindingBuilder {
    /// Overrides the rule's default severity for this finding.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Adds an explanation or hint.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Adds a place that explains the finding.
    pub fn related(mut self, related: Related) -> Self {
        self.related.push(related);
        self
    }

    /// Appends a step to the chain the finding describes.
    pub fn step(mut self, step: FlowStep) -> Self {
        self.flow.push(step);
        self
    }

    /// Sets the text that identifies the finding across runs (cut to
    /// [`ANCHOR_LIMIT`] bytes); without one the message is the anchor.
    pub fn anchor(mut self, anchor: impl AsRef<str>) -> Self {
        // Cut before copying: a lint finding's anchor is the source of its
        // element, all of a document embedded as a string.
        let anchor = anchor.as_ref();
        let mut end = anchor.len().min(ANCHOR_LIMIT);
        while !anchor.is_char_boundary(end) {
            end -= 1;
        }
        self.anchor = Some(anchor[..end].to_owned());
        self
    }

    /// The finding at `location`, saying `message`.
    /// Unresolved values in the message and notes are shown as `{label}`
    /// ([`whittle_policy::unknown::display`]).
    pub fn build(self, location: Location, message: impl Into<String>) -> Finding {
        let shown = |text: String| match unknown::display(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(shown) => shown,
        };
        let message = shown(message.into());
        Finding {
            anchor: self.anchor.unwrap_or_else(|| message.clone()),
            rule: self.rule,
            severity: self.severity,
            message,
            location,
            notes: self.notes.into_iter().map(shown).collect(),
            related: self.related,
            flow: self.flow,
            suppressed: None,
        }
    }
}

/// Why an input, or part of it, could not be linted (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFailure {
    /// The file as the user named it.
    pub path: Arc<str>,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for InputFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some(p) => write!(f, "{}:{}: {}", self.path, p, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}
