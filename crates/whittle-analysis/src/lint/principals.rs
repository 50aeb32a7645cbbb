//! Principal-level analysis of account exports: each user and role is judged by
//! everything that applies to it — inline policies, attached managed policies,
//! for users their groups' policies, limited by its permissions boundary — so that
//! an escalation needing actions from several policies is found, and an explicit
//! Deny in one policy cancels an Allow in another.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Finding, Logical, LogicalKind, Related};
use crate::input::{Account, Contents, PrincipalEntry};
use crate::lint::{Linter, PrincipalContext, Target};
use whittle_policy::ActionSet;
use whittle_policy::permissions::Permissions;
use whittle_syntax::SourceFile;

/// A principal's permissions together with where each piece came from.
struct Holdings<'a> {
    permissions: Permissions,
    /// Indices of the documents of every policy that applies.
    sources: Vec<usize>,
    /// Attached or boundary policies the export does not contain.
    missing: Vec<&'a str>,
    /// The boundary's description, when one limits the principal.
    boundary: Option<&'a str>,
}

/// Lints every user and role of `account`; returns how many were judged.
pub(super) fn lint_account(
    linter: &Linter<'_>,
    file: &SourceFile,
    contents: &Contents,
    account: &Account,
    documents: &[Permissions],
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
    let mut holders: HashMap<&str, Vec<String>> = HashMap::new();
    for principal in &account.principals {
        let holdings = cx.holdings(principal);
        let subject = format!("{} {}", principal.kind.as_str(), principal.arn);
        for arn in holdings
            .sources
            .iter()
            .filter_map(|i| managed.get(i))
            .flatten()
        {
            holders.entry(arn).or_default().push(subject.clone());
        }
        let before = findings.len();
        cx.lint_principal(principal, &holdings, &subject, findings);
        let notes = context_notes(&holdings);
        for finding in &mut findings[before..] {
            finding.notes.extend(notes.iter().cloned());
        }
    }
    note_holders(findings, &holders);
    account.principals.len()
}

/// What each document triggers on its own: the principal-level pass reports
/// only what no single policy of the principal explains (cross-policy
/// findings).
struct Alone {
    /// Per document: whether it grants everything on every resource.
    admin: Vec<bool>,
    /// Per document, per action-set rule of the linter: whether it fires.
    fires: Vec<Vec<bool>>,
}

impl Alone {
    fn of(linter: &Linter<'_>, documents: &[Permissions]) -> Self {
        Alone {
            admin: documents
                .iter()
                .map(|d| d.effective_on_any_resource().is_full())
                .collect(),
            fires: documents
                .iter()
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
}

/// One account export being judged principal by principal.
struct AccountContext<'a> {
    linter: &'a Linter<'a>,
    file: &'a SourceFile,
    contents: &'a Contents,
    account: &'a Account,
    documents: &'a [Permissions],
    alone: Alone,
    groups: HashMap<&'a str, &'a crate::input::GroupEntry>,
}

impl<'a> AccountContext<'a> {
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
            if holdings.sources.iter().any(|&i| self.alone.admin[i]) {
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
            if holdings.sources.iter().any(|&i| self.alone.fires[i][r]) {
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

/// Says who holds each managed policy a finding is about, or that nobody does.
fn note_holders(findings: &mut [Finding], holders: &HashMap<&str, Vec<String>>) {
    for finding in findings.iter_mut() {
        let Some(logical) = &finding.location.logical else {
            continue;
        };
        if logical.kind != LogicalKind::Policy || logical.name.is_some() {
            continue;
        }
        match holders.get(logical.arn.as_str()) {
            Some(names) => finding.notes.push(format!("held by {}", names.join(", "))),
            None => finding
                .notes
                .push("attached to no user or role in the export".to_owned()),
        }
    }
}

fn holdings<'a>(
    principal: &'a PrincipalEntry,
    account: &'a Account,
    groups: &HashMap<&str, &'a crate::input::GroupEntry>,
    documents: &[Permissions],
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
        permissions.merge(&documents[index]);
    }
    let mut holdings = Holdings {
        permissions,
        sources,
        missing,
        boundary: None,
    };
    if let Some(boundary) = &principal.boundary {
        match account.managed.get(boundary) {
            Some(&index) => {
                holdings.permissions.limit_to(&documents[index]);
                holdings.boundary = Some(boundary);
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
    documents: &[Permissions],
    catalog: &whittle_policy::catalog::Catalog,
    group: usize,
) -> String {
    let Some(first) = matched.iter().next() else {
        return String::new();
    };
    let granted_by: Vec<&str> = holdings
        .sources
        .iter()
        .filter(|&&i| documents[i].allowed.contains(first))
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
    documents: &[Permissions],
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
            part.intersect_with(&documents[i].allowed);
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
