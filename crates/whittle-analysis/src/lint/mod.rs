//! The lint engine: runs every rule over every policy document of an input — code
//! checks and action-set rules alike — and, for account exports, over every user's
//! and role's effective permissions. Findings carry exact locations.

pub(crate) mod action_rules;
pub mod checks;
mod distinct;
pub mod graph;
mod key_policy;
mod principals;
pub mod suppress;
mod work;

use std::sync::{Arc, OnceLock};

use jiff::Timestamp;
use rayon::prelude::*;

pub use action_rules::{ActionRule, Verdict};

use crate::diagnostics::{
    Finding, FindingBuilder, FlowStep, InputFailure, Location, Logical, LogicalKind, Related,
};
use crate::input::{self, DocumentKind, InputError, InputKind, PrincipalKind};
use crate::rules::{Rule, RuleCommand, RuleError, RuleSet, Severity};
use whittle_policy::ActionSet;
use whittle_policy::catalog::Catalog;
use whittle_policy::condition_keys::CatalogKeys;
use whittle_policy::expand::Expander;
use whittle_policy::permissions::{Permissions, PolicyScope};
use whittle_policy::policy::{ConditionValue, Policy, Statement};
use whittle_policy::unknown;
use whittle_syntax::{Node, Position, SourceFile, Span};

/// A check: the code behind one rule, named by its file in `checks/`
/// ([`checks::all`] pairs each check with its rule's name).
pub trait Check: Send + Sync {
    /// Inspects one policy document and reports through `out`.
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>);
    /// Inspects one principal's effective permissions (account exports only).
    fn check_principal(&self, _cx: &PrincipalContext<'_>, _out: &mut Emitter<'_>) {}
    /// Inspects the chain by which a principal of an account export reaches
    /// an administrator or an escalating principal ([`graph`]).
    fn check_chain(&self, _cx: &ChainContext<'_>, _out: &mut Emitter<'_>) {}
}

/// What a check sees of one policy document.
pub struct PolicyContext<'a> {
    /// The parsed document.
    pub policy: &'a Policy,
    /// The document's JSON, as written.
    pub node: &'a Node,
    /// What sort of policy it is, when the input says.
    pub kind: DocumentKind,
    /// Its statements resolved against the catalog.
    pub scope: &'a PolicyScope,
    /// What the document grants on its own, computed once for every check.
    pub permissions: &'a Permissions,
    /// Expands action patterns (cached across the run).
    pub expander: &'a Expander<'a>,
    /// The catalog's condition keys, indexed on first use in the run.
    condition_keys: &'a OnceLock<CatalogKeys>,
}

impl PolicyContext<'_> {
    /// The catalog actions are checked against.
    pub fn catalog(&self) -> &Catalog {
        self.expander.catalog()
    }

    /// The condition keys every service of the catalog mentions, indexed once
    /// per run rather than compared one by one for each condition.
    pub fn condition_keys(&self) -> &CatalogKeys {
        self.condition_keys
            .get_or_init(|| CatalogKeys::of(self.catalog()))
    }

    /// The catalog actions a statement applies to: the expansion of `Action`, or
    /// the complement of `NotAction`'s; `None` when it has neither.
    pub fn matched_actions(&self, statement: &Statement) -> Option<&ActionSet> {
        self.scope.statement(statement.index).map(|s| &s.named)
    }

    /// What an Allow statement can actually grant: its actions less those that
    /// can never apply ([`whittle_policy::permissions::StatementScope::inert`])
    /// and those an unconditional Deny of the same policy takes away on every
    /// resource. `None` when it has no Action or NotAction.
    pub fn granted(&self, statement: &Statement) -> Option<ActionSet> {
        let scope = self.scope.statement(statement.index)?;
        let mut actions = scope.actions.clone();
        actions.subtract(&self.permissions.denied);
        Some(actions)
    }
}

/// What a check sees of one principal of an account export.
pub struct PrincipalContext<'a> {
    /// User or role.
    pub kind: PrincipalKind,
    /// The principal's ARN.
    pub arn: &'a str,
    /// Where the principal's entry is in the file.
    pub span: Span,
    /// Everything its policies allow and deny together.
    pub permissions: &'a Permissions,
    /// The catalog.
    pub catalog: &'a Catalog,
}

/// What a check sees of a principal that can become a dangerous one.
pub struct ChainContext<'a> {
    /// The principal's ARN.
    pub arn: &'a str,
    /// Where the principal's entry is in the file.
    pub span: Span,
    /// The shortest chain from it to an administrator or escalating principal.
    pub chain: &'a graph::Chain,
}

/// Collects the findings of one rule on one document or principal.
pub struct Emitter<'a> {
    rule: &'a Arc<Rule>,
    file: &'a SourceFile,
    subject: Option<&'a str>,
    logical: Option<&'a Logical>,
    statements: Option<&'a StatementSpans<'a>>,
    findings: &'a mut Vec<Finding>,
    /// Where each finding was emitted, when its document's findings are to be
    /// placed at other copies of it as well ([`distinct`]).
    spans: Option<&'a mut Vec<Span>>,
}

impl<'a> Emitter<'a> {
    /// The file's text at `span`, as written (empty for a span outside it):
    /// lets a check tell a value written out from one an input resolved, such
    /// as a CloudFormation `!Sub` whose unknowns became `*`.
    pub fn source(&self, span: Span) -> &str {
        self.file.text().get(span.start..span.end).unwrap_or("")
    }

    /// Starts a finding about the element at `span`.
    pub fn at(&mut self, span: Span) -> SpanFinding<'_, 'a> {
        SpanFinding {
            builder: Finding::builder(self.rule),
            emitter: self,
            span,
        }
    }
}

/// A finding about one element under construction; [`SpanFinding::emit`]
/// locates it in the file and records it.
#[must_use = "a finding is recorded only when emitted"]
pub struct SpanFinding<'e, 'a> {
    emitter: &'e mut Emitter<'a>,
    span: Span,
    builder: FindingBuilder,
}

impl SpanFinding<'_, '_> {
    /// Overrides the rule's default severity for this finding.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.builder = self.builder.severity(severity);
        self
    }

    /// Adds an explanation or hint.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.builder = self.builder.note(note);
        self
    }

    /// Adds a place that explains the finding.
    pub fn related(mut self, related: Related) -> Self {
        self.builder = self.builder.related(related);
        self
    }

    /// Appends a step to the chain the finding describes.
    pub fn step(mut self, step: FlowStep) -> Self {
        self.builder = self.builder.step(step);
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
            logical: emitter.logical.cloned(),
            sid: emitter.statements.and_then(|s| s.sid_at(self.span)),
            definition: None,
        };
        let text = emitter
            .file
            .text()
            .get(self.span.start..self.span.end)
            .unwrap_or("");
        let finding = self.builder.anchor(text).build(location, message);
        emitter.findings.push(finding);
        if let Some(spans) = emitter.spans.as_deref_mut() {
            spans.push(self.span);
        }
    }
}

/// The statements of a document by where they are written, to tell which one
/// a finding is in (for its Sid) without a pass over all of them per finding.
struct StatementSpans<'a> {
    statements: &'a [Statement],
    /// True when starts and ends both ascend, as for the items of a JSON
    /// array: then the statements around a span are found by binary search.
    ordered: bool,
}

impl<'a> StatementSpans<'a> {
    fn of(policy: &'a Policy) -> Self {
        let statements = &policy.statements[..];
        let ordered = statements.windows(2).all(|pair| {
            pair[0].span.start <= pair[1].span.start && pair[0].span.end <= pair[1].span.end
        });
        Self {
            statements,
            ordered,
        }
    }

    /// The Sid of the one statement that contains `span` (none when the
    /// document was embedded as a string and every statement shares the
    /// string's span).
    fn sid_at(&self, span: Span) -> Option<String> {
        let contains = |s: &Statement| s.span.start <= span.start && span.end <= s.span.end;
        let statement = if self.ordered {
            work::count(1);
            // Those starting at or before the span are a prefix; of those, the
            // ones ending at or after it are a suffix, since ends ascend too.
            let starts = self
                .statements
                .partition_point(|s| s.span.start <= span.start);
            let ends = self.statements[..starts].partition_point(|s| s.span.end < span.end);
            match &self.statements[ends..starts] {
                [one] => one,
                _ => return None,
            }
        } else {
            work::count(self.statements.len());
            let mut containing = self.statements.iter().filter(|s| contains(s));
            let statement = containing.next()?;
            if containing.next().is_some() {
                return None;
            }
            statement
        };
        debug_assert!(contains(statement));
        statement.sid.as_ref().map(|sid| sid.value.clone())
    }
}

/// The outcome of linting one file.
#[derive(Debug, Clone)]
pub enum FileOutcome {
    /// The file was read.
    Linted {
        /// What the file was recognised as.
        kind: InputKind,
        /// How many policy documents it held.
        documents: usize,
        /// How many users and roles were judged by their effective permissions.
        principals: usize,
        /// The findings, sorted by position.
        findings: Vec<Finding>,
        /// Documents inside the file that could not be read (the rest was
        /// linted), and malformed inline suppressions.
        failures: Vec<InputFailure>,
        /// Findings silenced by inline suppressions ([`suppress`]), with reasons.
        suppressed: Vec<suppress::Suppressed>,
    },
    /// The file is valid JSON but none of the recognised shapes.
    Unrecognised,
    /// The file could not be read as JSON or holds nothing readable.
    Failed(InputFailure),
}

/// Settings of a lint run.
#[derive(Debug, Clone, Copy)]
pub struct LintOptions {
    /// The time date conditions are judged against.
    pub now: Timestamp,
}

impl Default for LintOptions {
    fn default() -> Self {
        Self {
            now: Timestamp::now(),
        }
    }
}

/// Runs the rules of a [`RuleSet`] over input files.
pub struct Linter<'c> {
    expander: Expander<'c>,
    condition_keys: OnceLock<CatalogKeys>,
    checks: Vec<(Arc<Rule>, Box<dyn Check>)>,
    action_rules: Vec<(Arc<Rule>, ActionRule)>,
    options: LintOptions,
}

impl<'c> Linter<'c> {
    /// A linter running every lint rule of `rules`: each code rule with its check,
    /// each action-set rule compiled against the catalog.
    pub fn new(
        catalog: &'c Catalog,
        rules: &RuleSet,
        options: LintOptions,
    ) -> Result<Self, RuleError> {
        let expander = Expander::new(catalog);
        let mut all_checks = checks::all();
        let mut checks = Vec::new();
        let mut action_rules = Vec::new();
        for rule in rules.of(RuleCommand::Lint) {
            if let Some(matches) = &rule.matches {
                action_rules.push((Arc::clone(rule), ActionRule::compile(matches, &expander)));
                continue;
            }
            let Some(i) = all_checks.iter().position(|(name, _)| *name == rule.name) else {
                return Err(RuleError::Invalid {
                    file: format!("{}.toml", rule.name),
                    message: format!(
                        "rule \"{}\" has neither a [match] section nor a check in code",
                        rule.name
                    ),
                });
            };
            checks.push((Arc::clone(rule), all_checks.swap_remove(i).1));
        }
        Ok(Self {
            expander,
            condition_keys: OnceLock::new(),
            checks,
            action_rules,
            options,
        })
    }

    /// The expander shared by all rules of this linter.
    pub fn expander(&self) -> &Expander<'c> {
        &self.expander
    }

    /// Lints every policy document of one file and, for account exports, every
    /// user's and role's effective permissions.
    pub fn lint_file(&self, file: &SourceFile) -> FileOutcome {
        let (root, mut contents) = match read_parsed(file) {
            Ok(read) => read,
            Err(outcome) => return outcome,
        };
        let failure = |position, message| InputFailure {
            path: Arc::clone(file.path()),
            position,
            message,
        };
        let from_iam = contents.kind.is_from_iam();
        // Principal-level analysis needs each document's permissions; a file of
        // loose policies does not, and keeps none.
        let keep = contents.account.is_some();
        let groups = distinct::Groups::of(file.text(), &contents.documents, from_iam);
        groups.release_copies(&mut contents.documents);
        let evaluate = |&i: &usize| self.evaluate(file, &contents.documents[i], from_iam, keep);
        // The documents of a file with many (an account export) are linted on
        // every core; their results are taken in document order.
        let evaluated: Vec<Evaluation> = if groups.representatives.len() >= PARALLEL_DOCUMENTS {
            groups.representatives.par_iter().map(evaluate).collect()
        } else {
            groups.representatives.iter().map(evaluate).collect()
        };
        let mut findings = Vec::new();
        for (i, document) in contents.documents.iter().enumerate() {
            let evaluation = &evaluated[groups.of[i]];
            evaluation.place(
                file,
                document,
                groups.shift(&contents.documents, i),
                &mut findings,
            );
        }
        let kept: Vec<_> = evaluated.into_iter().filter_map(|e| e.kept).collect();
        let principals = match &contents.account {
            Some(account) => {
                let distinct = distinct::Distinct::new(&groups, &contents.documents, kept);
                principals::lint_account(self, file, &contents, account, &distinct, &mut findings)
            }
            None => 0,
        };
        findings.sort_by(|a, b| (&a.location, &a.rule.name).cmp(&(&b.location, &b.rule.name)));
        let mut failures: Vec<InputFailure> = contents
            .errors
            .iter()
            .map(|e| failure(Some(file.position(e.span.start)), e.message.clone()))
            .collect();
        let (findings, suppressed) =
            self.suppress(file, root.as_ref(), &contents, findings, &mut failures);
        FileOutcome::Linted {
            kind: contents.kind,
            documents: contents.documents.len(),
            principals,
            findings,
            failures,
            suppressed,
        }
    }

    /// Lints one document as it is written at its place in `file`; its
    /// findings are then placed there and at every copy of its text
    /// ([`Evaluation::place`]). With `keep`, also what it grants and its
    /// parse, for the principal-level analysis.
    fn evaluate(
        &self,
        file: &SourceFile,
        document: &input::EmbeddedDocument,
        from_iam: bool,
        keep: bool,
    ) -> Evaluation {
        let mut findings = Vec::new();
        let mut spans = Vec::new();
        let mut policy = if document.kind == DocumentKind::Trust {
            Policy::parse_trust(&document.node)
        } else {
            Policy::parse(&document.node)
        };
        let unknowns = UnknownValues::of(file, &policy);
        let this_key = key_policy::scope_to_this_key(document, &mut policy);
        let scope = PolicyScope::resolve(&policy, &self.expander, self.options.now);
        let logical = logical_of(document);
        let statements = StatementSpans::of(&policy);
        let target = Target {
            file,
            subject: document.subject.as_deref(),
            logical: logical.as_ref(),
            statements: Some(&statements),
        };
        let origin = Origin { from_iam };
        let mut out = Collected {
            findings: &mut findings,
            spans: &mut spans,
        };
        let granted = self.lint_policy(target, document, origin, &policy, &scope, &mut out);
        // Notes about the text, which every copy of it shares: their verdicts
        // compare places inside the document only.
        let later = findings
            .iter()
            .map(|finding| {
                [
                    this_key.note(file, &finding.location),
                    conditions_note(file, &document.conditions, &finding.location),
                    unknowns.note(finding),
                ]
                .into_iter()
                .flatten()
                .collect()
            })
            .collect();
        Evaluation {
            findings,
            spans,
            later,
            kept: keep.then_some((granted, distinct::Parsed { policy, scope })),
        }
    }

    /// Reads the file's inline suppressions and splits `findings` by them; a
    /// malformed suppression, or one naming no rule this linter runs, becomes
    /// a failure at its line.
    fn suppress(
        &self,
        file: &SourceFile,
        root: Option<&whittle_syntax::Node>,
        contents: &input::Contents,
        findings: Vec<Finding>,
        failures: &mut Vec<InputFailure>,
    ) -> (Vec<Finding>, Vec<suppress::Suppressed>) {
        let mut errors = Vec::new();
        let mut suppressions = Vec::new();
        let syntax = if file.is_hcl() {
            Some(suppress::Syntax::Hcl)
        } else if file.is_yaml() {
            Some(suppress::Syntax::Yaml)
        } else {
            None
        };
        if let Some(syntax) = syntax {
            let (found, bad) = suppress::comments(file, root, syntax);
            suppressions.extend(found);
            errors.extend(bad);
        }
        let resources = root.and_then(|r| r.get("Resources"));
        for document in &contents.documents {
            let Some(definition) = &document.definition else {
                continue;
            };
            let Some(resource) = resources.and_then(|r| r.get(&definition.id)) else {
                continue;
            };
            match suppress::metadata(file, resource, definition.span) {
                Some(Ok(s)) if !suppressions.contains(&s) => suppressions.push(s),
                Some(Err(e)) if !errors.contains(&e) => errors.push(e),
                _ => {}
            }
        }
        let names: Vec<&str> = self
            .checks
            .iter()
            .map(|(r, _)| r)
            .chain(self.action_rules.iter().map(|(r, _)| r))
            .flat_map(|r| [r.name.as_str(), r.id.as_str()])
            .collect();
        let mut messages = Vec::new();
        for s in &suppressions {
            for rule in &s.rules {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(rule)) {
                    let hint = suppress::closest(rule, &names)
                        .map(|n| format!("; did you mean \"{n}\"?"))
                        .unwrap_or_default();
                    messages.push((
                        s.written,
                        format!("whittle: ignore: no rule is called \"{rule}\"{hint}"),
                    ));
                }
            }
        }
        for e in errors {
            failures.push(InputFailure {
                path: Arc::clone(file.path()),
                position: Some(file.position(e.offset)),
                message: e.message,
            });
        }
        for (line, message) in messages {
            failures.push(InputFailure {
                path: Arc::clone(file.path()),
                position: Some(whittle_syntax::Position { line, column: 1 }),
                message,
            });
        }
        suppress::apply(findings, &suppressions)
    }

    /// Runs every rule over one parsed policy; returns what the policy grants.
    fn lint_policy(
        &self,
        target: Target<'_>,
        document: &input::EmbeddedDocument,
        origin: Origin,
        policy: &Policy,
        scope: &PolicyScope,
        out: &mut Collected<'_>,
    ) -> Permissions {
        let permissions =
            whittle_policy::permissions::policy_permissions(scope, self.expander.catalog().len());
        let cx = PolicyContext {
            policy,
            node: &document.node,
            kind: document.kind,
            scope,
            permissions: &permissions,
            expander: &self.expander,
            condition_keys: &self.condition_keys,
        };
        for (rule, check) in &self.checks {
            if origin.from_iam && rule.rejected_by_iam {
                continue;
            }
            // The actions of AWS's own text (a SAM policy template): not the
            // user's to fix. What the user's parameters put in it is still judged.
            if document.written_by_aws && rule.about_authored_text {
                continue;
            }
            check.check(&cx, &mut target.recording(rule, out));
        }
        // An administrator policy can do everything each risk rule looks for;
        // full-admin-access says so once instead of every rule repeating it. A
        // trust policy grants no actions to a holder: the action-set rules do
        // not apply.
        if document.kind == DocumentKind::Trust || permissions.effective_on_any_resource().is_full()
        {
            return permissions;
        }
        for (rule, action_rule) in &self.action_rules {
            if let Some(verdict) = action_rule.evaluate(&permissions) {
                action_rule.report_policy(&verdict, rule, &cx, &mut target.recording(rule, out));
            }
        }
        permissions
    }
}

/// Parses a file (JSON, or YAML for CloudFormation templates) and finds the
/// policy documents it holds. The error is the outcome to report: invalid, or
/// not an input whittle knows.
pub fn read_contents(file: &SourceFile) -> Result<input::Contents, FileOutcome> {
    read_parsed(file).map(|(_, contents)| contents)
}

/// [`read_contents`], keeping the file's tree for inline suppressions (none for an
/// account export, whose documents are moved out of it).
fn read_parsed(
    file: &SourceFile,
) -> Result<(Option<whittle_syntax::Node>, input::Contents), FileOutcome> {
    let failure = |position, message| InputFailure {
        path: Arc::clone(file.path()),
        position,
        message,
    };
    let root = match file.parse() {
        Ok(root) => root,
        // YAML that is no template (a Helm chart, say) is not ours to judge.
        Err(_)
            if file.is_yaml()
                && !file.text().contains("AWS::")
                && !file.text().contains("AWSTemplateFormatVersion") =>
        {
            return Err(FileOutcome::Unrecognised);
        }
        Err(error) => {
            return Err(FileOutcome::Failed(failure(
                Some(error.position),
                error.message,
            )));
        }
    };
    match input::read_owned(root) {
        (Ok(contents), root) => Ok((root, contents)),
        (Err(InputError::Unrecognised), _) => Err(FileOutcome::Unrecognised),
        (Err(InputError::Document(error)), _) => Err(FileOutcome::Failed(failure(
            Some(file.position(error.span.start)),
            error.message,
        ))),
    }
}

/// How many documents a file must hold for them to be linted in parallel:
/// below, the threads cost more than they save (and a test's tally of the
/// work, kept per thread, sees it all).
const PARALLEL_DOCUMENTS: usize = 16;

/// Where a document was read from, which decides what can be wrong with it.
#[derive(Clone, Copy)]
struct Origin {
    /// True for documents IAM returned (CLI output, account exports): they
    /// passed IAM's validation, so rules about what IAM rejects do not run.
    from_iam: bool,
}

/// Where the findings of one document or principal go.
#[derive(Clone, Copy)]
struct Target<'a> {
    file: &'a SourceFile,
    subject: Option<&'a str>,
    logical: Option<&'a Logical>,
    statements: Option<&'a StatementSpans<'a>>,
}

impl<'a> Target<'a> {
    fn emitter(self, rule: &'a Arc<Rule>, findings: &'a mut Vec<Finding>) -> Emitter<'a> {
        Emitter {
            rule,
            file: self.file,
            subject: self.subject,
            logical: self.logical,
            statements: self.statements,
            findings,
            spans: None,
        }
    }

    /// An emitter that also records where each finding is.
    fn recording(self, rule: &'a Arc<Rule>, out: &'a mut Collected<'_>) -> Emitter<'a> {
        let mut emitter = self.emitter(rule, &mut *out.findings);
        emitter.spans = Some(&mut *out.spans);
        emitter
    }
}

/// The findings of one document and the span each was emitted at.
struct Collected<'a> {
    findings: &'a mut Vec<Finding>,
    spans: &'a mut Vec<Span>,
}

/// What linting one document found, at the place it was evaluated.
struct Evaluation {
    /// Located at the evaluated document, with its subject and owner.
    findings: Vec<Finding>,
    /// Per finding, where it was emitted.
    spans: Vec<Span>,
    /// Per finding, the notes about the text (after the document's assumption).
    later: Vec<Vec<String>>,
    /// What the document grants and its parse, when kept.
    kept: Option<(Permissions, distinct::Parsed)>,
}

impl Evaluation {
    /// Adds the findings to `out` as they are for `document`, which holds the
    /// evaluated text `shift` bytes further on in `file`.
    fn place(
        &self,
        file: &SourceFile,
        document: &input::EmbeddedDocument,
        shift: isize,
        out: &mut Vec<Finding>,
    ) {
        let logical = logical_of(document);
        for ((finding, &span), later) in self.findings.iter().zip(&self.spans).zip(&self.later) {
            let mut finding = finding.clone();
            let location = &mut finding.location;
            if shift != 0 {
                let span = distinct::shifted(span, shift);
                location.start = file.position(span.start);
                location.end = file.position(span.end);
            }
            location.subject.clone_from(&document.subject);
            location.logical.clone_from(&logical);
            location.definition = document.definition.as_ref().map(|d| d.id.clone());
            finding.notes.extend(document.assumption.iter().cloned());
            finding.notes.extend(later.iter().cloned());
            out.push(finding);
        }
    }
}

/// The IAM resource a document belongs to, as findings name it.
pub(crate) fn logical_of(document: &input::EmbeddedDocument) -> Option<Logical> {
    document.owner.as_ref().map(|owner| Logical {
        kind: if document.kind == DocumentKind::Trust {
            LogicalKind::TrustPolicy
        } else {
            LogicalKind::Policy
        },
        arn: owner.arn.clone(),
        name: owner.inline_name.clone(),
    })
}

/// The note for a finding at `location` inside branches of CloudFormation
/// `Fn::If`s: which conditions what it reports holds under.
fn conditions_note(
    file: &SourceFile,
    conditions: &[crate::input::Conditional],
    location: &Location,
) -> Option<String> {
    let mut names: Vec<&str> = conditions
        .iter()
        .filter(|c| {
            let (start, end) = (file.position(c.span.start), file.position(c.span.end));
            start <= location.end && location.start <= end
        })
        .map(|c| c.condition.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    (!names.is_empty()).then(|| {
        format!(
            "depends on the CloudFormation condition{} {}: what is reported here is in a branch of Fn::If",
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        )
    })
}

/// The values of one document that hold unresolved parts
/// ([`whittle_policy::unknown`]), to say on exactly the findings whose
/// verdict depends on one that it does.
struct UnknownValues {
    values: Vec<UnknownValue>,
    /// True when the document was written as a string (a Terraform policy
    /// argument): every element's span is the string's, so only what depends
    /// on a statement's resources can be told apart.
    embedded: bool,
}

struct UnknownValue {
    /// Where the value is written.
    at: (Position, Position),
    /// The statement it is in.
    statement: (Position, Position),
    /// True for a Resource or NotResource value, on which every action-set
    /// rule's verdict in the statement depends ("on every resource", "only on
    /// named resources").
    resource: bool,
    labels: Vec<String>,
}

impl UnknownValues {
    fn of(file: &SourceFile, policy: &Policy) -> Self {
        let span = |s: Span| (file.position(s.start), file.position(s.end));
        let mut values = Vec::new();
        for statement in &policy.statements {
            let mut push = |value: &str, at: Span, resource: bool| {
                if unknown::contains(value) {
                    values.push(UnknownValue {
                        at: span(at),
                        statement: span(statement.span),
                        resource,
                        labels: unknown::labels(value).map(str::to_owned).collect(),
                    });
                }
            };
            for value in statement.action.iter().flat_map(|a| &a.values) {
                push(&value.value, value.span, false);
            }
            for value in statement.resource.iter().flat_map(|r| &r.values) {
                push(&value.value, value.span, true);
            }
            for (_, value) in statement.principal.iter().flat_map(|p| p.typed_values()) {
                push(&value.value, value.span, false);
            }
            for condition in &statement.conditions {
                for value in &condition.values {
                    if let ConditionValue::String(text) = &value.value {
                        push(text, value.span, false);
                    }
                }
            }
        }
        let embedded = policy.statements.iter().all(|s| s.span == policy.span);
        Self { values, embedded }
    }

    /// The note for `finding` when what it reports depends on an unresolved
    /// value: one inside the element it points at or, for an action-set rule,
    /// a Resource of its statement.
    fn note(&self, finding: &Finding) -> Option<String> {
        let (start, end) = (&finding.location.start, &finding.location.end);
        let overlaps = |(a, b): &(Position, Position)| a <= end && start <= b;
        let contains = |(a, b): &(Position, Position)| a <= start && end <= b;
        let action_rule = finding.rule.matches.is_some();
        let mut labels: Vec<&str> = self
            .values
            .iter()
            .filter(|v| {
                let resources = action_rule && v.resource;
                if self.embedded {
                    resources
                } else {
                    overlaps(&v.at) || (resources && contains(&v.statement))
                }
            })
            .flat_map(|v| v.labels.iter().map(String::as_str))
            .collect();
        labels.sort_unstable();
        labels.dedup();
        let first = labels.first()?;
        let named = if labels.len() == 1 {
            format!("{{{first}}}")
        } else {
            format!("{{{first}}} and {} more", labels.len() - 1)
        };
        Some(format!(
            "depends on {named}, which the input leaves unresolved: it was read as a value whittle cannot know, neither \"*\" nor nothing"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_rule_has_a_check_and_every_check_a_rule() {
        let rules = RuleSet::embedded().unwrap();
        for (name, _) in checks::all() {
            let rule = rules
                .get(name)
                .unwrap_or_else(|| panic!("check {name} has no rule file"));
            assert!(
                rule.matches.is_none(),
                "{} has both a check and a [match]",
                rule.name
            );
        }
        assert!(Linter::new(Catalog::embedded(), &rules, LintOptions::default()).is_ok());
    }

    #[test]
    fn the_work_per_statement_is_bounded() {
        // Comparing every pair of statements (redundant-statement), or looking
        // through every statement for each finding's Sid, counts n² here.
        let n = 2_000;
        let catalog = Catalog::embedded();
        let rules = RuleSet::embedded().unwrap();
        let linter = Linter::new(catalog, &rules, LintOptions::default()).unwrap();
        let documents = [
            (
                "distinct",
                crate::bench_support::statements::distinct(catalog, n),
            ),
            ("identical", crate::bench_support::statements::identical(n)),
        ];
        for (name, document) in documents {
            let text = serde_json::to_string_pretty(&document).unwrap();
            let file = SourceFile::new(format!("{name}.json"), text);
            work::take();
            let FileOutcome::Linted { findings, .. } = linter.lint_file(&file) else {
                panic!("{name} is linted");
            };
            let compared = work::take();
            assert!(!findings.is_empty(), "{name}");
            assert!(
                compared <= 4 * n,
                "{name}: {compared} comparisons for {n} statements"
            );
        }
    }
}
