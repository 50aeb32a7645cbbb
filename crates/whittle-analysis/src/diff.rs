//! Access diffs between two versions of a set of policies (like IAM Access
//! Analyzer's CheckNoNewAccess): per policy, the actions added and removed at
//! the level of expanded actions, and those widened from named resources to
//! every resource, with the risk categories of the new access, and checks that
//! no change grants forbidden access (like CheckAccessNotGranted).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::diagnostics::InputFailure;
use crate::input::DocumentKind;
use crate::lint::{FileOutcome, read_contents};
use crate::rules::{Rule, RuleCommand, RuleSet, Severity};
use whittle_policy::ActionSet;
use whittle_policy::catalog::Catalog;
use whittle_policy::expand::{Expander, WildcardMatcher, wildcard_matcher};
use whittle_policy::permissions::{PolicyScope, policy_permissions};
use whittle_policy::policy::{ConditionValue, Policy, Principal};
use whittle_policy::unknown;
use whittle_syntax::{Position, SourceFile};

/// What one policy document allows.
#[derive(Debug, Clone)]
pub struct PolicyAccess {
    /// The file, relative to the root compared.
    pub path: String,
    /// The document inside the file, for files holding several.
    pub subject: Option<String>,
    /// Actions allowed and not explicitly denied.
    pub allowed: ActionSet,
    /// Of those, the actions allowed on every resource.
    pub anywhere: ActionSet,
    /// The actions allowed (and not explicitly denied) on each Resource value
    /// the document names.
    pub by_resource: BTreeMap<String, ActionSet>,
    /// Of the allowed actions, those some statement allows with no Condition.
    pub unconditional: ActionSet,
    /// What sort of policy the document is.
    pub kind: DocumentKind,
    /// For a trust or resource-based policy, whom it lets in: one entry per
    /// principal with its conditions (see [`principals`]); empty for identity
    /// policies.
    pub principals: BTreeSet<Grantee>,
    /// The file as the user named it (for locations in reports).
    pub display: String,
    /// Where the document starts in the file.
    pub start: Position,
    /// The first grammar violation of the document, where it is: IAM would
    /// refuse the document, so what it allows is not known.
    pub problem: Option<(Position, String)>,
}

impl PolicyAccess {
    /// The key that pairs the old and new versions of a document.
    pub fn key(&self) -> String {
        label(&self.path, self.subject.as_deref())
    }
}

/// A document named by its file and, for files holding several, its subject.
fn label(path: &str, subject: Option<&str>) -> String {
    match subject {
        Some(subject) => format!("{path} {subject}"),
        None => path.to_owned(),
    }
}

/// The documents of one file and what each allows (for trust and
/// resource-based policies, also whom they let in); `Err` when the file cannot
/// be read (with the position), `Ok(empty)` when it holds no policy.
pub fn file_access(
    path: &str,
    file: &SourceFile,
    expander: &Expander<'_>,
) -> Result<Vec<PolicyAccess>, InputFailure> {
    let contents = match read_contents(file) {
        Ok(contents) => contents,
        Err(FileOutcome::Unrecognised) => return Ok(Vec::new()),
        Err(FileOutcome::Failed(failure)) => return Err(failure),
        Err(FileOutcome::Linted { .. }) => return Ok(Vec::new()),
    };
    let now = jiff::Timestamp::now();
    Ok(contents
        .documents
        .iter()
        .map(|document| {
            let (mut access, problem) = document_access(document, expander, now);
            access.path = path.to_owned();
            access.display = file.path().to_string();
            access.start = file.position(document.node.span.start);
            access.problem = problem.map(|p| (file.position(p.span.start), p.message));
            access
        })
        .collect())
}

/// What one document allows, with no file yet. A trust policy says who may
/// assume a role, not what the role may do: it is compared by the principals
/// it trusts. A resource-based policy is compared by both its actions and its
/// principals.
fn document_access(
    document: &crate::input::EmbeddedDocument,
    expander: &Expander<'_>,
    now: jiff::Timestamp,
) -> (PolicyAccess, Option<whittle_policy::policy::Problem>) {
    let empty = ActionSet::empty(expander.catalog().len());
    let mut access = PolicyAccess {
        path: String::new(),
        subject: document.subject.clone(),
        allowed: empty.clone(),
        anywhere: empty.clone(),
        by_resource: BTreeMap::new(),
        unconditional: empty,
        kind: document.kind,
        principals: BTreeSet::new(),
        display: String::new(),
        start: Position { line: 1, column: 1 },
        problem: None,
    };
    if document.kind == DocumentKind::Trust {
        let policy = Policy::parse_trust(&document.node);
        let scope = PolicyScope::resolve(&policy, expander, now);
        access.principals = principals(&policy, &scope, document.kind, expander);
        let problem = policy.problems.into_iter().next();
        return (access, problem);
    }
    let policy = Policy::parse(&document.node);
    let scope = PolicyScope::resolve(&policy, expander, now);
    let permissions = policy_permissions(&scope, expander.catalog().len());
    for statement in scope
        .statements
        .iter()
        .filter(|s| s.grants() && !s.conditional)
    {
        access.unconditional.union_with(&statement.actions);
    }
    access.unconditional.subtract(&permissions.denied);
    access.allowed = permissions.effective();
    access.anywhere = permissions.effective_on_any_resource();
    access.by_resource = by_resource(&policy, &scope, &permissions.denied);
    access.principals = principals(&policy, &scope, document.kind, expander);
    let problem = policy.problems.into_iter().next();
    (access, problem)
}

/// Why the new side cannot be compared: a document IAM would refuse (its
/// grammar is broken, so what it allows is unknown), or a file that held
/// policies before and, still there, holds none whittle can read — calling
/// either a removal would let a change through unread.
pub fn unreadable_new(
    old: &[PolicyAccess],
    new: &[PolicyAccess],
    new_files: &BTreeSet<String>,
) -> Vec<InputFailure> {
    let mut out: Vec<InputFailure> = new
        .iter()
        .filter_map(|access| {
            let (position, message) = access.problem.as_ref()?;
            Some(InputFailure {
                path: access.display.as_str().into(),
                position: Some(*position),
                message: format!(
                    "not a valid policy ({message}): IAM would refuse it, so what it allows is unknown"
                ),
            })
        })
        .collect();
    let now: BTreeSet<&str> = new.iter().map(|a| a.path.as_str()).collect();
    let mut before: Vec<&PolicyAccess> = old
        .iter()
        .filter(|a| new_files.contains(&a.path) && !now.contains(a.path.as_str()))
        .collect();
    before.dedup_by(|a, b| a.path == b.path);
    out.extend(before.into_iter().map(|a| InputFailure {
        path: a.path.as_str().into(),
        position: None,
        message: "in the new version: held a policy before and holds none whittle can read now, so it is not counted as removed"
            .to_owned(),
    }));
    out
}

/// The actions each Allow statement grants (less what is explicitly denied),
/// gathered by the Resource values it names. NotResource is left out: it
/// covers every resource, which [`PolicyAccess::anywhere`] tells.
fn by_resource(
    policy: &Policy,
    scope: &PolicyScope,
    denied: &ActionSet,
) -> BTreeMap<String, ActionSet> {
    let mut out: BTreeMap<String, ActionSet> = BTreeMap::new();
    for resolved in scope.statements.iter().filter(|s| s.grants()) {
        let Some(resource) = policy
            .statement(resolved.index)
            .and_then(|s| s.resource.as_ref())
            .filter(|r| !r.negated)
        else {
            continue;
        };
        let mut actions = resolved.actions.clone();
        actions.subtract(denied);
        for value in &resource.values {
            match out.get_mut(&value.value) {
                Some(set) => set.union_with(&actions),
                None => {
                    out.insert(value.value.clone(), actions.clone());
                }
            }
        }
    }
    out
}

/// Per Resource value of `after`, the actions it allows there that `before`
/// allowed only elsewhere: not on that value nor on any pattern covering it
/// (`arn:aws:s3:::*` covers `arn:aws:s3:::reports`). Actions `before` did not
/// allow at all (`added`) are left out; a value of `*` is
/// [`PolicyChange::widened`]. With the sides swapped, the resources an action
/// is no longer allowed on.
fn new_resources(
    before: &PolicyAccess,
    after: &PolicyAccess,
    added: &ActionSet,
) -> Vec<(String, ActionSet)> {
    let matchers: Vec<(WildcardMatcher, &ActionSet)> = before
        .by_resource
        .iter()
        .filter_map(|(pattern, actions)| Some((wildcard_matcher(pattern)?, actions)))
        .collect();
    let mut out = Vec::new();
    for (resource, actions) in &after.by_resource {
        if resource == "*" {
            continue;
        }
        let mut newly = actions.clone();
        newly.subtract(added);
        newly.subtract(&before.anywhere);
        for (matcher, covered) in &matchers {
            if newly.is_empty() {
                break;
            }
            if matcher.is_match(resource) {
                newly.subtract(covered);
            }
        }
        if !newly.is_empty() {
            out.push((unknown::display(resource).into_owned(), newly));
        }
    }
    out
}

/// Whom a trust or resource-based policy lets in: for each Allow statement
/// (of a trust policy, each that grants an `sts:AssumeRole*` action), each
/// principal (`AWS arn:…`, `Service ecs-tasks.amazonaws.com`, `Federated …`,
/// or `everyone` for `"*"` and `{"AWS": "*"}`) followed by the statement's
/// conditions, if any. Empty for other sorts of documents.
pub fn principals(
    policy: &Policy,
    scope: &PolicyScope,
    kind: DocumentKind,
    expander: &Expander<'_>,
) -> BTreeSet<Grantee> {
    let mut out = BTreeSet::new();
    if !kind.names_principals() {
        return out;
    }
    let assume = expander.expand("sts:AssumeRole*");
    for statement in policy.statements.iter().filter(|s| s.is_allow()) {
        let assumes = scope
            .statement(statement.index)
            .is_some_and(|s| assume.meets(|i| s.named.word(i)));
        let applies = kind != DocumentKind::Trust || assumes;
        let Some(principal) = statement.principal.as_ref().filter(|_| applies) else {
            continue;
        };
        let mut who: Vec<String> = match &principal.value {
            Principal::Any => vec!["everyone".to_owned()],
            Principal::Typed(kinds) => kinds
                .iter()
                .flat_map(|(kind, values)| {
                    values
                        .iter()
                        .map(move |v| match (kind.value.as_str(), v.value.as_str()) {
                            ("AWS", "*") => "everyone".to_owned(),
                            (kind, value) => format!("{kind} {}", unknown::display(value)),
                        })
                })
                .collect(),
        };
        if principal.negated {
            who = vec![format!("everyone but {}", who.join(", "))];
        }
        let conditions: BTreeSet<String> = statement
            .conditions
            .iter()
            .map(|c| {
                let values: Vec<String> = c
                    .values
                    .iter()
                    .map(|v| match &v.value {
                        ConditionValue::String(s) => unknown::display(s).into_owned(),
                        ConditionValue::Bool(b) => b.to_string(),
                        ConditionValue::Number(n) => n.clone(),
                    })
                    .collect();
                format!("{} {} {}", c.operator.value, c.key.value, values.join("|"))
            })
            .collect();
        for who in who {
            out.insert(Grantee {
                who,
                conditions: conditions.clone(),
            });
        }
    }
    out
}

/// A principal a trust or resource-based policy lets in, with the conditions
/// of the statement that does. Shown as `AWS arn:… if StringEquals key value`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grantee {
    /// `AWS arn:…`, `Service …`, `Federated …`, `everyone` or `everyone but …`.
    pub who: String,
    /// The statement's conditions, each `Operator key value|value`.
    pub conditions: BTreeSet<String>,
}

impl Grantee {
    /// Everyone, with no condition.
    pub fn is_everyone(&self) -> bool {
        self.who.starts_with("everyone") && self.conditions.is_empty()
    }

    /// Whether this names the principal of `was` under every condition `was`
    /// had, and more.
    fn narrows(&self, was: &Grantee) -> bool {
        self.who == was.who
            && was.conditions.is_subset(&self.conditions)
            && was.conditions.len() < self.conditions.len()
    }
}

impl std::fmt::Display for Grantee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.who)?;
        let mut separator = " if ";
        for condition in &self.conditions {
            write!(f, "{separator}{condition}")?;
            separator = " and ";
        }
        Ok(())
    }
}

/// How one policy's access changed.
#[derive(Debug, Clone)]
pub struct PolicyChange {
    /// The file, relative to the root compared.
    pub path: String,
    /// The file as named (the new version's, or the old one's if it is gone).
    pub display: String,
    /// Where the document starts in it.
    pub start: Position,
    /// The document inside it.
    pub subject: Option<String>,
    /// `added`, `removed` or `changed`.
    pub status: &'static str,
    /// Actions allowed now that were not before.
    pub added: ActionSet,
    /// Actions allowed before that are not now.
    pub removed: ActionSet,
    /// Actions allowed before on named resources only, now on every resource.
    pub widened: ActionSet,
    /// Actions allowed before on other resources only, now also on this
    /// Resource value: (value, actions).
    pub new_resources: Vec<(String, ActionSet)>,
    /// Actions still allowed elsewhere but no longer on this Resource value.
    pub removed_resources: Vec<(String, ActionSet)>,
    /// Actions allowed before only under a Condition, now with none.
    pub unconditioned: ActionSet,
    /// What sort of policy the document is.
    pub kind: DocumentKind,
    /// Principals a trust or resource-based policy newly lets in (see
    /// [`principals`]).
    pub principals_added: Vec<Grantee>,
    /// Principals it let in under fewer conditions (or none) and now only under
    /// more (the entries with their new conditions).
    pub principals_narrowed: Vec<Grantee>,
    /// Principal entries it no longer has.
    pub principals_removed: Vec<Grantee>,
    /// Risk categories (rule tags) of the added and widened actions, and
    /// `resource-exposure` for a policy newly letting everyone in.
    pub categories: BTreeSet<String>,
}

impl PolicyChange {
    /// The document: its file and, for files holding several, its subject.
    pub fn label(&self) -> String {
        label(&self.path, self.subject.as_deref())
    }

    /// The risk categories of the new access, comma-separated.
    pub fn risks(&self) -> String {
        let categories: Vec<&str> = self.categories.iter().map(String::as_str).collect();
        categories.join(", ")
    }

    /// Every action the change newly allows somewhere: added, widened to every
    /// resource, freed of its conditions, or allowed on a further resource.
    pub fn new_access(&self) -> ActionSet {
        let mut all = self.added.clone();
        all.union_with(&self.widened);
        all.union_with(&self.unconditioned);
        for (_, actions) in &self.new_resources {
            all.union_with(actions);
        }
        all
    }
}

/// The risk categories and the actions that fall in each: the tags of the
/// action-set rules, each with the union of the rule's action groups (limited
/// to the access levels the rule names).
pub fn categories(rules: &RuleSet, expander: &Expander<'_>) -> BTreeMap<String, ActionSet> {
    let mut out: BTreeMap<String, ActionSet> = BTreeMap::new();
    for rule in rules.iter() {
        let Some(matches) = &rule.matches else {
            continue;
        };
        let compiled = crate::lint::action_rules::ActionRule::compile(matches, expander);
        let mut set = ActionSet::empty(expander.catalog().len());
        for group in compiled.groups() {
            set.union_with(group);
        }
        for tag in &rule.tags {
            out.entry(tag.clone())
                .or_insert_with(|| ActionSet::empty(expander.catalog().len()))
                .union_with(&set);
        }
    }
    out
}

/// Pairs old and new documents by file and subject and reports every change.
pub fn compare(
    old: &[PolicyAccess],
    new: &[PolicyAccess],
    categories: &BTreeMap<String, ActionSet>,
    catalog: &Catalog,
) -> Vec<PolicyChange> {
    let index = |all: &[PolicyAccess]| -> BTreeMap<String, PolicyAccess> {
        all.iter().map(|p| (p.key(), p.clone())).collect()
    };
    let (old, new) = (index(old), index(new));
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let empty = ActionSet::empty(catalog.len());
    let mut changes = Vec::new();
    for key in keys {
        let (before, after) = (old.get(key), new.get(key));
        let status = match (before, after) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            _ => "changed",
        };
        let was = before.map_or(&empty, |p| &p.allowed);
        let is = after.map_or(&empty, |p| &p.allowed);
        let mut added = is.clone();
        added.subtract(was);
        let mut removed = was.clone();
        removed.subtract(is);
        let mut widened = after.map_or_else(|| empty.clone(), |p| p.anywhere.clone());
        widened.subtract(before.map_or(&empty, |p| &p.anywhere));
        widened.intersect_with(was);
        let no_one = BTreeSet::new();
        let (trusted_before, trusted_after) = (
            before.map_or(&no_one, |p| &p.principals),
            after.map_or(&no_one, |p| &p.principals),
        );
        // A principal already trusted under fewer conditions (or none) that
        // now comes with more is narrowed, not newly trusted.
        let (principals_narrowed, principals_added): (Vec<Grantee>, Vec<Grantee>) = trusted_after
            .difference(trusted_before)
            .cloned()
            .partition(|entry| trusted_before.iter().any(|was| entry.narrows(was)));
        let principals_removed: Vec<Grantee> =
            trusted_before.difference(trusted_after).cloned().collect();
        let mut unconditioned = after.map_or_else(|| empty.clone(), |p| p.unconditional.clone());
        unconditioned.subtract(before.map_or(&empty, |p| &p.unconditional));
        unconditioned.intersect_with(was);
        let (new_resources, removed_resources) = match (before, after) {
            (Some(b), Some(a)) => (new_resources(b, a, &added), new_resources(a, b, &removed)),
            _ => (Vec::new(), Vec::new()),
        };
        if added.is_empty()
            && removed.is_empty()
            && widened.is_empty()
            && new_resources.is_empty()
            && removed_resources.is_empty()
            && unconditioned.is_empty()
            && principals_added.is_empty()
            && principals_narrowed.is_empty()
            && principals_removed.is_empty()
            && status == "changed"
        {
            continue;
        }
        let either = after.or(before).expect("one side exists");
        let mut change = PolicyChange {
            path: either.path.clone(),
            display: either.display.clone(),
            start: either.start,
            subject: either.subject.clone(),
            status,
            kind: either.kind,
            categories: BTreeSet::new(),
            added,
            removed,
            widened,
            new_resources,
            removed_resources,
            unconditioned,
            principals_added,
            principals_narrowed,
            principals_removed,
        };
        let new_access = change.new_access();
        change.categories = categories
            .iter()
            .filter(|(_, set)| set.meets(|i| new_access.word(i)))
            .map(|(tag, _)| tag.clone())
            .chain(
                change
                    .principals_added
                    .iter()
                    .any(Grantee::is_everyone)
                    .then(|| "resource-exposure".to_owned()),
            )
            .collect();
        changes.push(change);
    }
    changes
}

/// A forbidden grant found by `--deny-new`.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The change it is found in.
    pub change: usize,
    /// The policy's file and subject.
    pub policy: String,
    /// The category or action pattern that forbids it.
    pub rule: String,
    /// The actions newly granted that it forbids.
    pub actions: Vec<String>,
}

/// Checks every change against `deny` (risk categories or action patterns).
pub fn violations(
    changes: &[PolicyChange],
    deny: &[String],
    categories: &BTreeMap<String, ActionSet>,
    expander: &Expander<'_>,
) -> Vec<Violation> {
    let catalog = expander.catalog();
    let forbidden: Vec<(String, Arc<ActionSet>)> = deny
        .iter()
        .map(|d| {
            let set = categories
                .get(d)
                .map(|s| Arc::new(s.clone()))
                .unwrap_or_else(|| expander.expand(d));
            (d.clone(), set)
        })
        .collect();
    let assume = expander.expand("sts:AssumeRole*");
    let mut out = Vec::new();
    for (index, change) in changes.iter().enumerate() {
        for (rule, set) in &forbidden {
            let mut hit = change.new_access();
            hit.intersect_with(set);
            let mut actions: Vec<String> = catalog.names(&hit).map(str::to_owned).collect();
            // A policy newly letting everyone in is forbidden by the
            // resource-exposure category; a trust policy newly trusting anyone
            // grants sts:AssumeRole, forbidden by a pattern that covers it.
            let trust = change.kind == DocumentKind::Trust;
            let mut covers = (*assume).clone();
            covers.intersect_with(set);
            let forbidden_principal = |entry: &&Grantee| {
                if categories.contains_key(rule) {
                    rule == "resource-exposure" && entry.is_everyone()
                } else {
                    trust && !covers.is_empty()
                }
            };
            actions.extend(
                change
                    .principals_added
                    .iter()
                    .filter(forbidden_principal)
                    .map(|entry| {
                        if trust {
                            format!("sts:AssumeRole by {entry}")
                        } else {
                            format!("access by {entry}")
                        }
                    }),
            );
            if actions.is_empty() {
                continue;
            }
            out.push(Violation {
                change: index,
                policy: change.label(),
                rule: rule.clone(),
                actions,
            });
        }
    }
    out
}

/// "newly grants A, B and 3 more; newly lets X assume the role" (or, for a
/// resource-based policy, "newly lets X in").
fn what_is_new(change: &PolicyChange, catalog: &Catalog) -> String {
    let trusted = &change.principals_added;
    let mut parts = Vec::new();
    let mut actions = change.added.clone();
    actions.union_with(&change.widened);
    if !actions.is_empty() {
        parts.push(format!("newly grants {}", catalog.list(&actions, 12)));
    }
    if !change.unconditioned.is_empty() {
        parts.push(format!(
            "grants {} with no condition",
            catalog.list(&change.unconditioned, 12)
        ));
    }
    for (resource, actions) in change.new_resources.iter().take(3) {
        parts.push(format!(
            "grants {} on {resource} too",
            catalog.list(actions, 4)
        ));
    }
    if change.new_resources.len() > 3 {
        parts.push(format!(
            "and on {} more resources",
            change.new_resources.len() - 3
        ));
    }
    if !trusted.is_empty() {
        let what = if change.kind == DocumentKind::Trust {
            "assume the role"
        } else {
            "in"
        };
        let trusted: Vec<String> = trusted.iter().map(ToString::to_string).collect();
        parts.push(format!("newly lets {} {what}", trusted.join("; ")));
    }
    parts.join("; ")
}

/// The changes that add access, and the violations, as findings located at
/// each document. Returns the diff rules of `rules` (`new-access`,
/// `denied-new-access`) with the findings; a rule missing from `rules`
/// reports nothing. New access in a risk category is raised to a warning.
pub fn findings(
    changes: &[PolicyChange],
    violations: &[Violation],
    rules: &RuleSet,
    catalog: &Catalog,
) -> (Vec<Arc<Rule>>, Vec<crate::diagnostics::Finding>) {
    use crate::diagnostics::{Finding, Location};
    let (new_access_rule, denied_rule) = (rules.get("new-access"), rules.get("denied-new-access"));
    let at = |change: &PolicyChange| Location {
        path: Arc::from(change.display.as_str()),
        start: change.start,
        end: Position {
            line: change.start.line,
            column: change.start.column + 1,
        },
        subject: change.subject.clone(),
        logical: None,
        sid: None,
        definition: None,
    };
    let mut out = Vec::new();
    let changed = changes
        .iter()
        .filter(|c| !c.new_access().is_empty() || !c.principals_added.is_empty());
    for (rule, change) in new_access_rule
        .iter()
        .flat_map(|rule| changed.clone().map(move |change| (rule, change)))
    {
        let risk = if change.categories.is_empty() {
            String::new()
        } else {
            format!(" ({})", change.risks())
        };
        let severity = if change.categories.is_empty() {
            rule.severity
        } else {
            rule.severity.max(Severity::Warning)
        };
        let finding = Finding::builder(rule)
            .severity(severity)
            .anchor(format!(
                "{} {}",
                change.path,
                change.subject.as_deref().unwrap_or("")
            ))
            .build(
                at(change),
                format!("{}{risk}", what_is_new(change, catalog)),
            );
        out.push(finding);
    }
    for (rule, violation) in denied_rule
        .iter()
        .flat_map(|rule| violations.iter().map(move |violation| (rule, violation)))
    {
        let change = &changes[violation.change];
        let finding = Finding::builder(rule)
            .anchor(format!("{} {}", violation.policy, violation.rule))
            .build(
                at(change),
                format!(
                    "newly grants {} (denied by --deny-new {})",
                    violation.actions.join(", "),
                    violation.rule
                ),
            );
        out.push(finding);
    }
    (rules.sorted_of(RuleCommand::Diff), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(path: &str, policy: &str) -> Vec<PolicyAccess> {
        let expander = Expander::new(Catalog::embedded());
        file_access(path, &SourceFile::new(path, policy), &expander).unwrap()
    }

    fn names(set: &ActionSet) -> Vec<String> {
        set.iter()
            .map(|id| Catalog::embedded().action(id).qualified_name.clone())
            .collect()
    }

    #[test]
    fn an_unresolved_resource_is_covered_by_itself_and_by_wildcards_only() {
        let catalog = Catalog::embedded();
        let template = |resource: &str| {
            format!(
                r#"{{"Resources": {{"P": {{"Type": "AWS::IAM::ManagedPolicy", "Properties": {{"PolicyDocument":
                {{"Statement": [{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": {resource}}}]}}}}}}}}}}"#
            )
        };
        let on = |resource: &str| access("t.json", &template(resource));
        let compare = |old: &str, new: &str| compare(&on(old), &on(new), &BTreeMap::new(), catalog);
        let bucket = r#"{"Fn::Sub": "${Bucket.Arn}/*"}"#;
        let other = r#"{"Fn::Sub": "${Other.Arn}/*"}"#;
        // The same unresolved value on both sides: nothing new.
        assert!(compare(bucket, bucket).is_empty());
        // Another one may be another bucket: new, and shown as written.
        let changes = compare(bucket, other);
        let [(resource, actions)] = changes[0].new_resources.as_slice() else {
            panic!("{changes:?}")
        };
        assert_eq!(resource, "{Other.Arn}/*");
        assert_eq!(names(actions), ["s3:GetObject"]);
        // "*" before covers it; it does not make "*" after any narrower.
        assert!(
            compare(r#""*""#, bucket)
                .iter()
                .all(|c| c.new_resources.is_empty())
        );
        assert!(!compare(bucket, r#""*""#)[0].widened.is_empty());
    }

    #[test]
    fn trust_entries_name_principals_with_their_conditions() {
        let policy = Policy::parse_trust(
            &whittle_syntax::parse_json(
                r#"{"Statement":[
                {"Effect":"Allow","Principal":{"AWS":["*","arn:aws:iam::1:root"]},"Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity",
                 "Condition":{"StringEquals":{"accounts.google.com:aud":["a","b"]}}},
                {"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:TagSession"},
                {"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}"#,
            )
            .unwrap(),
        );
        let expander = Expander::new(Catalog::embedded());
        let now = "2026-11-24T00:00:00Z".parse().unwrap();
        let scope = PolicyScope::resolve(&policy, &expander, now);
        let entries: Vec<String> = principals(&policy, &scope, DocumentKind::Trust, &expander)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            entries,
            [
                "AWS arn:aws:iam::1:root",
                "Federated accounts.google.com if StringEquals accounts.google.com:aud a|b",
                "everyone",
            ]
        );
        let grantee = |who: &str, conditions: &[&str]| Grantee {
            who: who.to_owned(),
            conditions: conditions.iter().map(|c| (*c).to_owned()).collect(),
        };
        assert!(
            grantee("everyone", &[]).is_everyone()
                && !grantee("everyone", &["StringEquals aws:PrincipalOrgID o-1"]).is_everyone()
        );
        // Actions match as IAM matches them: a wildcard, any case.
        let wildcard = Policy::parse_trust(
            &whittle_syntax::parse_json(
                r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"STS:Assume*"}]}"#,
            )
            .unwrap(),
        );
        let scope = PolicyScope::resolve(&wildcard, &expander, now);
        assert_eq!(
            principals(&wildcard, &scope, DocumentKind::Trust, &expander),
            BTreeSet::from([grantee("Service ecs-tasks.amazonaws.com", &[])])
        );
        let narrows = |now: &Grantee, was: &Grantee| now.narrows(was);
        assert!(
            narrows(&grantee("X", &["A", "B"]), &grantee("X", &["A"]))
                && narrows(&grantee("X", &["A"]), &grantee("X", &[]))
        );
        assert!(
            !narrows(&grantee("X", &["B"]), &grantee("X", &["A"]))
                && !narrows(&grantee("Y", &["A"]), &grantee("X", &[]))
        );
        // A condition value with " and " in it is one condition.
        assert_eq!(
            grantee("X", &["StringEquals k a and b"]).to_string(),
            "X if StringEquals k a and b"
        );
    }

    #[test]
    fn narrowing_is_a_removal_and_widening_an_addition_with_its_categories() {
        let catalog = Catalog::embedded();
        let expander = Expander::new(catalog);
        let rules = RuleSet::embedded().unwrap();
        let categories = categories(&rules, &expander);
        let old = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#,
        );
        let new = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}"#,
        );
        let changes = compare(&old, &new, &categories, catalog);
        assert!(changes[0].added.is_empty());
        assert!(!changes[0].removed.is_empty());

        let new = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": ["s3:*", "iam:PassRole"], "Resource": "*"}]}"#,
        );
        let changes = compare(&old, &new, &categories, catalog);
        assert_eq!(names(&changes[0].added), ["iam:PassRole"]);
        assert!(changes[0].categories.contains("privilege-escalation"));
        // iam:PassRole changes no resource policy: categories follow the rules'
        // access levels.
        assert!(!changes[0].categories.contains("resource-exposure"));
        let hits = violations(
            &changes,
            &["privilege-escalation".to_owned()],
            &categories,
            &expander,
        );
        assert_eq!(hits[0].actions, ["iam:PassRole"]);
        let hits = violations(&changes, &["iam:Pass*".to_owned()], &categories, &expander);
        assert_eq!(hits.len(), 1);
        assert!(violations(&changes, &["ec2:*".to_owned()], &categories, &expander).is_empty());
    }

    #[test]
    fn widening_a_resource_to_every_resource_is_new_access() {
        let catalog = Catalog::embedded();
        let expander = Expander::new(catalog);
        let categories = categories(&RuleSet::embedded().unwrap(), &expander);
        let old = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/app"}]}"#,
        );
        let new = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}"#,
        );
        let changes = compare(&old, &new, &categories, catalog);
        assert!(changes[0].added.is_empty());
        assert_eq!(names(&changes[0].widened), ["iam:PassRole"]);
        let hits = violations(
            &changes,
            &["privilege-escalation".to_owned()],
            &categories,
            &expander,
        );
        assert_eq!(hits[0].actions, ["iam:PassRole"]);
        // And back: narrowing the resource is no new access.
        assert!(
            compare(&new, &old, &categories, catalog)
                .iter()
                .all(|c| c.added.is_empty() && c.widened.is_empty())
        );
    }

    #[test]
    fn a_new_deny_or_not_action_changes_access_as_iam_would() {
        let catalog = Catalog::embedded();
        let categories = BTreeMap::new();
        let old = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}"#,
        );
        let denied = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}]}"#,
        );
        let changes = compare(&old, &denied, &categories, catalog);
        assert!(changes[0].added.is_empty());
        assert!(
            names(&changes[0].removed)
                .iter()
                .all(|n| n.starts_with("iam:Delete"))
        );
        let not_action = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}"#,
        );
        let changes = compare(&old, &not_action, &categories, catalog);
        assert!(changes[0].added.count() > 10_000);
        assert_eq!(changes[0].removed.count(), old[0].allowed.count());
    }
}
