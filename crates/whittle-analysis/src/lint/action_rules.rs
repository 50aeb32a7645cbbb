//! Action-set rules: rules declared as data (`[match]` in `rules/*.toml`) that
//! report when a policy or principal is granted certain actions.

use crate::lint::{Emitter, PolicyContext};
use crate::rules::{ActionMatch, Rule, Severity};
use whittle_policy::catalog::{AccessLevel, Catalog};
use whittle_policy::expand::Expander;
use whittle_policy::permissions::{Permissions, StatementScope};
use whittle_policy::policy::Effect;
use whittle_policy::{ActionId, ActionSet};

/// How many action names a message lists per group before "and N more".
const LISTED: usize = 3;

/// An action-set rule compiled against the catalog: one action set per group.
#[derive(Debug, Clone)]
pub struct ActionRule {
    groups: Vec<ActionSet>,
    any_resource: bool,
    lower_on_named_resources: bool,
    ignore_self_service: bool,
    /// `iam:PassRole` (its id, and the set of it alone) and the services it
    /// must reach (with their `.cn` spellings), when the rule names them.
    passed_to: Option<(ActionId, ActionSet, Vec<String>)>,
}

/// What an action-set rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Per group, the granted actions that matched.
    pub matched: Vec<ActionSet>,
    /// True when the rule lowers such grants and some group is granted only on
    /// named resources, not on `*` or every resource of a type (`role/*`): the
    /// access is real but reaches only those.
    pub scoped: bool,
}

impl ActionRule {
    /// Expands the rule's patterns once, keeping only the access levels it names.
    pub fn compile(matches: &ActionMatch, expander: &Expander<'_>) -> Self {
        let catalog = expander.catalog();
        let groups = matches
            .groups()
            .into_iter()
            .map(|patterns| {
                let mut set = expander.expand_all(patterns.iter().map(String::as_str));
                if !matches.access_levels.is_empty() {
                    let mut filtered = ActionSet::empty(catalog.len());
                    for id in set.iter() {
                        let access = catalog.action(id).record.access;
                        // The Write level means changes to resources; writes
                        // of data only (kms:Decrypt, sqs:SendMessage, per the
                        // catalog's corrections) are not counted.
                        let counted = access != AccessLevel::Write || !catalog.writes_data_only(id);
                        if counted && matches.access_levels.contains(&access) {
                            filtered.insert(id);
                        }
                    }
                    set = filtered;
                }
                set
            })
            .collect();
        let passed_to = catalog
            .action_id("iam:PassRole")
            .filter(|_| !matches.passed_to.is_empty())
            .map(|id| {
                let services = matches
                    .passed_to
                    .iter()
                    .flat_map(|s| [s.clone(), format!("{s}.cn")])
                    .collect();
                let mut only = ActionSet::empty(catalog.len());
                only.insert(id);
                (id, only, services)
            });
        Self {
            groups,
            passed_to,
            any_resource: matches.any_resource,
            lower_on_named_resources: matches.lower_on_named_resources,
            ignore_self_service: matches.ignore_self_service,
        }
    }

    /// The compiled action sets, one per group.
    pub fn groups(&self) -> &[ActionSet] {
        &self.groups
    }

    /// True when the rule only counts grants on every resource.
    pub fn any_resource(&self) -> bool {
        self.any_resource
    }

    /// Checks `permissions`: every group must be granted. Statements that can
    /// never apply grant nothing here; `statement-never-applies` reports them.
    pub fn evaluate(&self, permissions: &Permissions) -> Option<Verdict> {
        if !self.might_match(permissions) {
            return None;
        }
        let mut usable = if self.any_resource {
            permissions.effective_on_any_resource()
        } else if self.ignore_self_service {
            permissions.effective_beyond_self()
        } else {
            permissions.effective()
        };
        let mut broadly = permissions.effective_broadly();
        if let Some((pass_role, only, services)) = &self.passed_to
            && usable.contains(*pass_role)
        {
            // iam:PassRole counts only where it may hand roles to the rule's
            // service, and is broad only where such a grant is.
            match permissions.pass_role_to(services) {
                None => {
                    usable.subtract(only);
                    broadly.subtract(only);
                }
                Some(false) => broadly.subtract(only),
                Some(true) => {}
            }
        }
        let matched = self.match_groups(&usable)?;
        let scoped = self.lower_on_named_resources
            && matched.iter().any(|group| {
                let mut broad = group.clone();
                broad.intersect_with(&broadly);
                broad.is_empty()
            });
        Some(Verdict { matched, scoped })
    }

    /// A quick test, without allocating, that every group is granted at least
    /// in part: most rules fail it for most policies.
    fn might_match(&self, p: &Permissions) -> bool {
        let base = if self.any_resource {
            &p.allowed_on_any_resource
        } else if self.ignore_self_service {
            &p.allowed_beyond_self
        } else {
            &p.allowed
        };
        self.groups
            .iter()
            .all(|group| group.meets(|i| base.word(i) & !p.denied.word(i)))
    }

    /// False for a statement whose `iam:PassRole` cannot reach the rule's
    /// services (so that the finding points at one that can).
    fn passes_to_service(&self, statement: &StatementScope) -> bool {
        match (&self.passed_to, &statement.pass_role) {
            (Some((_, _, services)), Some(grant)) => services.iter().any(|s| grant.admits(s)),
            _ => true,
        }
    }

    fn match_groups(&self, granted: &ActionSet) -> Option<Vec<ActionSet>> {
        self.groups
            .iter()
            .map(|group| {
                let mut hit = group.clone();
                hit.intersect_with(granted);
                (!hit.is_empty()).then_some(hit)
            })
            .collect()
    }

    /// Reports a verdict on one policy at the statement that grants the first group.
    pub(crate) fn report_policy(
        &self,
        verdict: &Verdict,
        rule: &Rule,
        cx: &PolicyContext<'_>,
        out: &mut Emitter<'_>,
    ) {
        let first = &verdict.matched[0];
        let granting = cx.scope.statements.iter().find(|s| {
            s.effect == Effect::Allow
                && (!self.any_resource || s.any_resource)
                && s.actions.meets(|i| first.word(i))
                && self.passes_to_service(s)
        });
        let span = granting.map_or(cx.policy.span, |s| s.action_span);
        let mut finding = out.at(span);
        if verdict.scoped {
            finding = finding.severity(lower(rule.severity)).note(
                "lowered one level: part of it is granted only on named resources, not on every resource of its type, so it reaches only those; review what they allow",
            );
        }
        if self.any_resource {
            finding = finding.note("granted on every resource (\"Resource\": \"*\"); scope it to the resources that need it");
        }
        finding.emit(format!(
            "{}: the policy grants {}",
            rule.summary,
            describe(&verdict.matched, cx.catalog())
        ));
    }
}

/// One severity level lower (a note stays a note).
pub(crate) fn lower(severity: Severity) -> Severity {
    match severity {
        Severity::Error => Severity::Warning,
        Severity::Warning | Severity::Note => Severity::Note,
    }
}

/// "iam:PassRole with ec2:RunInstances", listing up to three actions per group.
pub(crate) fn describe(groups: &[ActionSet], catalog: &Catalog) -> String {
    groups
        .iter()
        .map(|group| catalog.list(group, LISTED))
        .collect::<Vec<_>>()
        .join(" with ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;
    use whittle_policy::catalog::Catalog;

    fn passrole_ec2(policy: &str) -> Option<Verdict> {
        let catalog = Catalog::embedded();
        let expander = Expander::new(catalog);
        let rules = RuleSet::embedded().unwrap();
        let rule = rules
            .iter()
            .find(|r| r.name == "privesc-passrole-ec2")
            .unwrap();
        let compiled = ActionRule::compile(rule.matches.as_ref().unwrap(), &expander);
        let parsed = whittle_policy::Policy::parse(&whittle_syntax::parse_json(policy).unwrap());
        let now = "2026-11-20T00:00:00Z".parse().unwrap();
        let scope = whittle_policy::permissions::PolicyScope::resolve(&parsed, &expander, now);
        compiled.evaluate(&whittle_policy::permissions::policy_permissions(
            &scope,
            catalog.len(),
        ))
    }

    #[test]
    fn passed_to_admits_the_china_spelling_and_nothing_else() {
        let with = |service: &str| {
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}},
                    {{"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
                    "Condition":{{"StringEquals":{{"iam:PassedToService":"{service}"}}}}}}]}}"#
            )
        };
        let china = passrole_ec2(&with("ec2.amazonaws.com.cn")).unwrap();
        assert!(!china.scoped);
        assert!(passrole_ec2(&with("ecs.amazonaws.com")).is_none());
    }

    #[test]
    fn every_pattern_of_every_action_rule_names_real_actions() {
        let expander = Expander::new(Catalog::embedded());
        for rule in RuleSet::embedded().unwrap().iter() {
            let Some(matches) = &rule.matches else {
                continue;
            };
            for pattern in matches.groups().into_iter().flatten() {
                assert!(
                    !expander.expand(pattern).is_empty(),
                    "rule {}: \"{pattern}\" matches no action",
                    rule.name
                );
            }
        }
    }
}
