//! The lint engine: runs every check over every policy document of an input and
//! collects [`Finding`]s with exact locations.

pub mod checks;

use std::sync::Arc;

use crate::catalog::Catalog;
use crate::expand::{ActionSet, Expander};
use crate::input::{self, InputError, InputKind};
use crate::policy::{Policy, Statement};
use crate::rules::{Rule, RuleError, RuleSet, Severity};
use crate::source::{Position, SourceFile, Span};

/// Where a finding points: a file, a range in it, and the document it is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The file as the user named it.
    pub path: Arc<str>,
    /// First character of the offending element.
    pub start: Position,
    /// One past its last character.
    pub end: Position,
    /// The policy inside the file, for files that hold several (e.g.
    /// `role/deploy inline policy "ci"`); `None` for a bare policy file.
    pub subject: Option<String>,
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
}

/// A check: the code behind one rule.
pub trait Check: Send + Sync {
    /// The kebab-case name of the rule this check implements.
    fn name(&self) -> &'static str;
    /// Inspects one policy document and reports through `out`.
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>);
}

/// What a check sees of one policy document.
pub struct PolicyContext<'a> {
    /// The parsed document.
    pub policy: &'a Policy,
    /// Expands action patterns (cached across the run).
    pub expander: &'a Expander<'a>,
}

impl PolicyContext<'_> {
    /// The catalog actions are checked against.
    pub fn catalog(&self) -> &Catalog {
        self.expander.catalog()
    }

    /// The catalog actions a statement applies to: the expansion of `Action`, or
    /// the complement of `NotAction`'s; `None` when it has neither.
    pub fn matched_actions(&self, statement: &Statement) -> Option<ActionSet> {
        let element = statement.action.as_ref()?;
        let named = self
            .expander
            .expand_all(element.values.iter().map(|v| v.value.as_str()));
        Some(if element.negated {
            named.complement()
        } else {
            named
        })
    }
}

/// Collects the findings of one rule on one document.
pub struct Emitter<'a> {
    rule: &'a Arc<Rule>,
    file: &'a SourceFile,
    subject: Option<&'a str>,
    findings: &'a mut Vec<Finding>,
}

impl<'a> Emitter<'a> {
    /// Starts a finding about the element at `span`.
    pub fn at(&mut self, span: Span) -> FindingBuilder<'_, 'a> {
        FindingBuilder {
            severity: self.rule.severity,
            emitter: self,
            span,
            notes: Vec::new(),
        }
    }
}

/// A finding under construction; [`FindingBuilder::emit`] records it.
pub struct FindingBuilder<'e, 'a> {
    emitter: &'e mut Emitter<'a>,
    span: Span,
    severity: Severity,
    notes: Vec<String>,
}

impl FindingBuilder<'_, '_> {
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

    /// Records the finding with its message.
    pub fn emit(self, message: impl Into<String>) {
        let emitter = self.emitter;
        let location = Location {
            path: Arc::clone(emitter.file.path()),
            start: emitter.file.position(self.span.start),
            end: emitter.file.position(self.span.end),
            subject: emitter.subject.map(str::to_owned),
        };
        emitter.findings.push(Finding {
            rule: Arc::clone(emitter.rule),
            severity: self.severity,
            message: message.into(),
            location,
            notes: self.notes,
        });
    }
}

/// Why a file could not be linted (exit code 2).
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

/// The outcome of linting one file.
#[derive(Debug, Clone)]
pub enum FileOutcome {
    /// The file was read; it held `documents` policy documents.
    Linted {
        /// What the file was recognised as.
        kind: InputKind,
        /// How many policy documents it held.
        documents: usize,
        /// The findings, sorted by position.
        findings: Vec<Finding>,
    },
    /// The file is valid JSON but none of the recognised shapes.
    Unrecognised,
    /// The file could not be read as JSON or holds a broken embedded document.
    Failed(InputFailure),
}

/// Runs the checks of a [`RuleSet`] over input files.
pub struct Linter<'c> {
    expander: Expander<'c>,
    checks: Vec<(Arc<Rule>, Box<dyn Check>)>,
}

impl<'c> Linter<'c> {
    /// A linter running every check whose rule is in `rules`.
    pub fn new(catalog: &'c Catalog, rules: &RuleSet) -> Result<Self, RuleError> {
        let mut pairs = Vec::new();
        for check in checks::all() {
            let rule = rules.get(check.name()).ok_or_else(|| RuleError::Invalid {
                file: format!("rules/{}.toml", check.name()),
                message: "the check has no rule file".to_owned(),
            })?;
            pairs.push((Arc::clone(rule), check));
        }
        Ok(Self {
            expander: Expander::new(catalog),
            checks: pairs,
        })
    }

    /// The expander shared by all checks of this linter.
    pub fn expander(&self) -> &Expander<'c> {
        &self.expander
    }

    /// Lints every policy document of one file.
    pub fn lint_file(&self, file: &SourceFile) -> FileOutcome {
        let root = match file.parse_json() {
            Ok(root) => root,
            Err(error) => {
                return FileOutcome::Failed(InputFailure {
                    path: Arc::clone(file.path()),
                    position: Some(error.position),
                    message: format!("invalid JSON: {}", error.message),
                });
            }
        };
        let (kind, documents) = match input::documents(&root) {
            Ok(found) => found,
            Err(InputError::Unrecognised) => return FileOutcome::Unrecognised,
            Err(InputError::Document { span, message }) => {
                return FileOutcome::Failed(InputFailure {
                    path: Arc::clone(file.path()),
                    position: Some(file.position(span.start)),
                    message,
                });
            }
        };
        let mut findings = Vec::new();
        for document in &documents {
            let policy = Policy::parse(&document.node);
            self.lint_policy(file, document.subject.as_deref(), &policy, &mut findings);
        }
        findings.sort_by(|a, b| (&a.location, &a.rule.name).cmp(&(&b.location, &b.rule.name)));
        FileOutcome::Linted {
            kind,
            documents: documents.len(),
            findings,
        }
    }

    /// Runs every check over one parsed policy.
    pub fn lint_policy(
        &self,
        file: &SourceFile,
        subject: Option<&str>,
        policy: &Policy,
        findings: &mut Vec<Finding>,
    ) {
        let cx = PolicyContext {
            policy,
            expander: &self.expander,
        };
        for (rule, check) in &self.checks {
            let mut emitter = Emitter {
                rule,
                file,
                subject,
                findings,
            };
            check.check(&cx, &mut emitter);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_has_a_check_and_every_check_a_rule() {
        let rules = RuleSet::embedded().unwrap();
        let checks: Vec<&str> = checks::all().iter().map(|c| c.name()).collect();
        for rule in rules.iter() {
            assert!(
                checks.contains(&rule.name.as_str()),
                "rule {} has no check",
                rule.name
            );
        }
        assert!(Linter::new(Catalog::embedded(), &rules).is_ok());
    }
}
