//! Principal-level analysis of account exports: each user and role is judged by
//! everything that applies to it — inline policies, attached managed policies,
//! for users their groups' policies, limited by its permissions boundary — so that
//! an escalation needing actions from several policies is found, and an explicit
//! Deny in one policy cancels an Allow in another.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Finding, Logical, LogicalKind, Related};
use crate::input::{Account, Contents, PrincipalEntry};
use crate::lint::distinct::Distinct;
use crate::lint::graph::{Builder, Danger, Edges, Export, Node};
use crate::lint::{ChainContext, Linter, PrincipalContext, Target};
use whittle_policy::ActionSet;
use whittle_policy::permissions::Permissions;
use whittle_syntax::SourceFile;

/// The rule that reports administrator access.
const FULL_ADMIN: &str = "full-admin-access";
/// The tag of the rules that find a way to escalate privileges.
const ESCALATION: &str = "privilege-escalation";
/// How many holders of a managed policy a note names.
const NAMED_HOLDERS: usize = 10;

/// A principal's permissions together with where each piece came from.
struct Holdings<'a> {
    permissions: Permissions,
    /// Indices of the documents of every policy that applies.
    sources: Vec<usize>,
    /// Attached or boundary policies the export does not contain.
    missing: Vec<&'a str>,
    /// The boundary's description, when one limits the principal.
    boundary: Option<&'a str>,
    /// The boundary's document.
    boundary_index: Option<usize>,
}

/// Lints every user and role of `account`; returns how many were judged.
pub(super) fn lint_account(
    linter: &Linter<'_>,
    file: &SourceFile,
    contents: &Contents,
    account: &Account,
    documents: &Distinct,
    findings: &mut Vec<Finding>,
) -> usize {
    let cx = AccountContext {
        linter,
        file,
        contents,
        account,
        documents,
        alone: Alone::of(linter, documents),
        groups: account
            .groups
            .iter()
            .map(|g| (g.name.as_str(), g))
            .collect(),
    };
    // Which managed policy each document is, so that a principal's holdings
    // are looked up by what it holds, not by every policy of the account.
    let managed: HashMap<usize, Vec<&str>> =
        account
            .managed
            .iter()
            .fold(HashMap::new(), |mut managed, (arn, &index)| {
                managed.entry(index).or_default().push(arn.as_str());
                managed
            });
    let judged = policy_findings(findings);
    let edges = Edges::of(linter.expander.catalog(), &linter.action_rules);
    let mut holders: HashMap<&str, Vec<Holder>> = HashMap::new();
    let mut nodes = Vec::with_capacity(account.principals.len());
    for principal in &account.principals {
        let holdings = cx.holdings(principal);
        let subject = format!("{} {}", principal.kind.as_str(), principal.arn);
        for arn in holdings
            .sources
            .iter()
            .filter_map(|i| managed.get(i))
            .flatten()
        {
            let denies = judged
                .get(*arn)
                .into_iter()
                .flatten()
                .filter(|rule| !cx.carries(&holdings.permissions, rule))
                .cloned()
                .collect();
            holders.entry(arn).or_default().push(Holder {
                subject: subject.clone(),
                denies,
            });
        }
        let before = findings.len();
        cx.lint_principal(principal, &holdings, &subject, findings);
        let notes = context_notes(&holdings);
        for finding in &mut findings[before..] {
            finding.notes.extend(notes.iter().cloned());
        }
        let (holds, pass_rules) = edges.held(&holdings.permissions);
        nodes.push(Node {
            entry: principal,
            danger: cx.danger(&holdings.permissions),
            sources: holdings.sources,
            boundary: holdings.boundary_index,
            pass_rules,
            holds,
        });
    }
    note_holders(findings, &holders);
    cx.report_chains(&edges, &nodes, findings);
    account.principals.len()
}

/// One holder of a managed policy, and the rules of the policy's findings
/// that its other policies cancel (an explicit Deny, a boundary).
struct Holder {
    subject: String,
    denies: Vec<String>,
}

/// The rules of the findings on each managed policy (by ARN).
fn policy_findings(findings: &[Finding]) -> HashMap<String, Vec<String>> {
    let mut judged: HashMap<String, Vec<String>> = HashMap::new();
    for finding in findings {
        let Some(logical) = &finding.location.logical else {
            continue;
        };
        if logical.kind != LogicalKind::Policy || logical.name.is_some() {
            continue;
        }
        let rules = judged.entry(logical.arn.clone()).or_default();
        if !rules.contains(&finding.rule.name) {
            rules.push(finding.rule.name.clone());
        }
    }
    judged
}

/// What each document triggers on its own: the principal-level pass reports
/// only what no single policy of the principal explains (cross-policy
/// findings).
struct Alone<'a> {
    documents: &'a Distinct,
    /// Per group of documents: whether it grants everything on every resource.
    admin: Vec<bool>,
    /// Per group, per action-set rule of the linter: whether it fires.
    fires: Vec<Vec<bool>>,
}

impl<'a> Alone<'a> {
    fn of(linter: &Linter<'_>, documents: &'a Distinct) -> Self {
        let groups = (0..documents.groups()).map(|g| documents.group_permissions(g));
        Alone {
            documents,
            admin: groups
                .clone()
                .map(|d| d.effective_on_any_resource().is_full())
                .collect(),
            fires: groups
                .map(|d| {
                    linter
                        .action_rules
                        .iter()
                        .map(|(_, rule)| rule.evaluate(d).is_some())
                        .collect()
                })
                .collect(),
        }
    }

    /// Whether document `i` grants everything on every resource on its own.
    fn admin(&self, i: usize) -> bool {
        self.admin[self.documents.group(i)]
    }

    /// Whether action-set rule `r` fires on document `i` on its own.
    fn fires(&self, i: usize, r: usize) -> bool {
        self.fires[self.documents.group(i)][r]
    }
}

/// One account export being judged principal by principal.
struct AccountContext<'a> {
    linter: &'a Linter<'a>,
    file: &'a SourceFile,
    contents: &'a Contents,
    account: &'a Account,
    documents: &'a Distinct,
    alone: Alone<'a>,
    groups: HashMap<&'a str, &'a crate::input::GroupEntry>,
}

impl<'a> AccountContext<'a> {
    /// Whether a principal with `permissions` still has what the finding of
    /// `rule` on one of its policies reports; rules whose verdict cannot be
    /// recomputed on a principal count as carried.
    fn carries(&self, permissions: &Permissions, rule: &str) -> bool {
        if rule == FULL_ADMIN {
            return permissions.effective_on_any_resource().is_full();
        }
        match self
            .linter
            .action_rules
            .iter()
            .find(|(r, _)| r.name == rule)
        {
            Some((_, action_rule)) => action_rule.evaluate(permissions).is_some(),
            None => true,
        }
    }

    /// Why a principal with `permissions` is dangerous to become: it is an
    /// administrator, or an escalation rule fires on it (on every resource of
    /// the kind it needs, not only on named ones).
    fn danger(&self, permissions: &Permissions) -> Option<Danger> {
        if permissions.effective_on_any_resource().is_full() {
            return Some(Danger::Admin);
        }
        self.linter
            .action_rules
            .iter()
            .filter(|(rule, _)| rule.tags.iter().any(|t| t == ESCALATION))
            .find(|(_, action_rule)| {
                action_rule
                    .evaluate(permissions)
                    .is_some_and(|verdict| !verdict.scoped)
            })
            .map(|(rule, _)| Danger::Escalates(rule.name.clone()))
    }

    /// Builds the graph of who can become whom and lets each check see the
    /// chain of every principal that reaches a dangerous one.
    fn report_chains(&self, edges: &Edges, nodes: &[Node<'_>], findings: &mut Vec<Finding>) {
        let export = Export {
            file: self.file,
            contents: self.contents,
            documents: self.documents,
            catalog: self.linter.expander.catalog(),
            edges,
        };
        for (i, chain) in Builder::new(&export, nodes).chains() {
            let entry = nodes[i].entry;
            let subject = format!("{} {}", entry.kind.as_str(), entry.arn);
            let logical = Logical {
                kind: LogicalKind::Principal,
                arn: entry.arn.clone(),
                name: None,
            };
            let target = Target {
                file: self.file,
                subject: Some(&subject),
                logical: Some(&logical),
                statements: None,
            };
            let cx = ChainContext {
                arn: &entry.arn,
                span: entry.span,
                chain: &chain,
            };
            for (rule, check) in &self.linter.checks {
                check.check_chain(&cx, &mut target.emitter(rule, findings));
            }
        }
    }

    fn holdings(&self, principal: &'a PrincipalEntry) -> Holdings<'a> {
        holdings(
            principal,
            self.account,
            &self.groups,
            self.documents,
            self.linter.expander.catalog().len(),
        )
    }

    /// Runs the principal-level checks (for an administrator) or the
    /// action-set rules (for everyone else) on one principal's permissions.
    fn lint_principal(
        &self,
        principal: &PrincipalEntry,
        holdings: &Holdings<'_>,
        subject: &str,
        findings: &mut Vec<Finding>,
    ) {
        let catalog = self.linter.expander.catalog();
        let logical = Logical {
            kind: LogicalKind::Principal,
            arn: principal.arn.clone(),
            name: None,
        };
        let target = Target {
            file: self.file,
            subject: Some(subject),
            logical: Some(&logical),
            statements: None,
        };
        if holdings.permissions.effective_on_any_resource().is_full() {
            // Risk rules are implied by administrator access and not repeated.
            if holdings.sources.iter().any(|&i| self.alone.admin(i)) {
                return;
            }
            let cx = PrincipalContext {
                kind: principal.kind,
                arn: &principal.arn,
                span: principal.span,
                permissions: &holdings.permissions,
                catalog,
            };
            for (rule, check) in &self.linter.checks {
                check.check_principal(&cx, &mut target.emitter(rule, findings));
            }
            return;
        }
        for (r, (rule, action_rule)) in self.linter.action_rules.iter().enumerate() {
            if holdings.sources.iter().any(|&i| self.alone.fires(i, r)) {
                continue;
            }
            let Some(verdict) = action_rule.evaluate(&holdings.permissions) else {
                continue;
            };
            let mut out = target.emitter(rule, findings);
            let mut finding = out.at(principal.span);
            if verdict.scoped {
                finding = finding.severity(super::action_rules::lower(rule.severity)).note(
                    "lowered one level: part of it is granted only on named resources, so it reaches only those",
                );
            }
            for (group, matched) in verdict.matched.iter().enumerate() {
                finding = finding.note(provenance(
                    matched,
                    holdings,
                    self.contents,
                    self.documents,
                    catalog,
                    group,
                ));
            }
            for related in granting_policies(
                &verdict.matched,
                holdings,
                self.contents,
                self.documents,
                catalog,
            ) {
                finding = finding.related(related);
            }
            finding.emit(format!(
                "{}: {subject} can use {} through its policies together",
                rule.summary,
                super::action_rules::describe(&verdict.matched, catalog)
            ));
        }
    }
}

/// Says who holds each managed policy a finding is about, or that nobody does,
/// and marks the holders whose other policies deny what the finding reports.
fn note_holders(findings: &mut [Finding], holders: &HashMap<&str, Vec<Holder>>) {
    for finding in findings.iter_mut() {
        let Some(logical) = &finding.location.logical else {
            continue;
        };
        if logical.kind != LogicalKind::Policy || logical.name.is_some() {
            continue;
        }
        let Some(all) = holders.get(logical.arn.as_str()) else {
            finding
                .notes
                .push("attached to no user or role in the export".to_owned());
            continue;
        };
        let (denied, using): (Vec<&Holder>, Vec<&Holder>) = all
            .iter()
            .partition(|h| h.denies.contains(&finding.rule.name));
        if !using.is_empty() {
            finding.notes.push(format!("held by {}", named(&using)));
        }
        if !denied.is_empty() {
            finding.notes.push(format!(
                "held by {}, whose other policies deny this access (an explicit Deny or a permissions boundary){}",
                named(&denied),
                if using.is_empty() {
                    ": no holder can use it"
                } else {
                    ""
                }
            ));
        }
    }
}

/// Up to [`NAMED_HOLDERS`] holders by name, and how many more.
fn named(holders: &[&Holder]) -> String {
    let names: Vec<&str> = holders
        .iter()
        .take(NAMED_HOLDERS)
        .map(|h| h.subject.as_str())
        .collect();
    let more = holders.len().saturating_sub(NAMED_HOLDERS);
    if more == 0 {
        names.join(", ")
    } else {
        format!(
            "{} principals: {} and {more} more",
            holders.len(),
            names.join(", ")
        )
    }
}

fn holdings<'a>(
    principal: &'a PrincipalEntry,
    account: &'a Account,
    groups: &HashMap<&str, &'a crate::input::GroupEntry>,
    documents: &Distinct,
    len: usize,
) -> Holdings<'a> {
    let mut sources: Vec<usize> = Vec::new();
    let mut missing: Vec<&'a str> = Vec::new();
    let mut attach = |sources: &mut Vec<usize>, arns: &'a [String]| {
        for arn in arns {
            match account.managed.get(arn) {
                Some(&index) => sources.push(index),
                None => missing.push(arn),
            }
        }
    };
    sources.extend(&principal.inline);
    attach(&mut sources, &principal.attached);
    for name in &principal.groups {
        if let Some(group) = groups.get(name.as_str()) {
            sources.extend(&group.inline);
            attach(&mut sources, &group.attached);
        }
    }
    // A principal may hold thousands of inline policies: repeats are found
    // through a set, not by searching the list for each.
    let mut seen = HashSet::new();
    sources.retain(|&index| seen.insert(index));
    let mut permissions = Permissions::empty(len);
    for &index in &sources {
        permissions.merge(documents.permissions(index));
    }
    let mut holdings = Holdings {
        permissions,
        sources,
        missing,
        boundary: None,
        boundary_index: None,
    };
    if let Some(boundary) = &principal.boundary {
        match account.managed.get(boundary) {
            Some(&index) => {
                holdings.permissions.limit_to(documents.permissions(index));
                holdings.boundary = Some(boundary);
                holdings.boundary_index = Some(index);
            }
            None => holdings.missing.push(boundary),
        }
    }
    holdings
}

/// Which of the principal's policies grant the matched actions of one group.
fn provenance(
    matched: &ActionSet,
    holdings: &Holdings<'_>,
    contents: &Contents,
    documents: &Distinct,
    catalog: &whittle_policy::catalog::Catalog,
    group: usize,
) -> String {
    let Some(first) = matched.iter().next() else {
        return String::new();
    };
    let granted_by: Vec<&str> = holdings
        .sources
        .iter()
        .filter(|&&i| documents.permissions(i).allowed.contains(first))
        .filter_map(|&i| contents.documents[i].subject.as_deref())
        .collect();
    let name = &catalog.action(first).qualified_name;
    let by = if granted_by.is_empty() {
        "no single policy".to_owned()
    } else {
        granted_by.join("; ")
    };
    if group == 0 {
        format!("{name} is granted by {by}")
    } else {
        format!("together with {name}, granted by {by}")
    }
}

/// Each of the principal's policies that grants some of the matched actions,
/// as a related place naming the policy and what it grants.
fn granting_policies(
    matched: &[ActionSet],
    holdings: &Holdings<'_>,
    contents: &Contents,
    documents: &Distinct,
    catalog: &whittle_policy::catalog::Catalog,
) -> Vec<Related> {
    let mut out = Vec::new();
    for &i in &holdings.sources {
        let document = &contents.documents[i];
        let Some(subject) = &document.subject else {
            continue;
        };
        let mut granted = ActionSet::empty(catalog.len());
        for group in matched {
            let mut part = group.clone();
            part.intersect_with(&documents.permissions(i).allowed);
            granted.union_with(&part);
        }
        if granted.is_empty() {
            continue;
        }
        out.push(Related {
            subject: subject.clone(),
            logical: document.owner.as_ref().map(|owner| Logical {
                kind: LogicalKind::Policy,
                arn: owner.arn.clone(),
                name: owner.inline_name.clone(),
            }),
            message: format!("grants {}", catalog.list(&granted, 5)),
        });
    }
    out
}

fn context_notes(holdings: &Holdings<'_>) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(boundary) = holdings.boundary {
        notes.push(format!("limited by the permissions boundary {boundary}"));
    }
    if !holdings.missing.is_empty() {
        notes.push(format!(
            "not in the export, so not counted: {}",
            holdings.missing.join(", ")
        ));
    }
    notes
}
