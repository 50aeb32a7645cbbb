//! Which actions the tag condition key `aws:ResourceTag/…` applies to, from the
//! catalog: the keys an action lists, and those of the resource types it acts
//! on. `aws:RequestTag/…` and `aws:TagKeys` are left out: the catalog misses
//! them on actions that carry them (`sqlworkbench:CreateConnection`, which
//! AWS's own managed policies condition on `aws:RequestTag`).

use whittle_policy::ActionSet;
use whittle_policy::catalog::{Action, Catalog};
use whittle_policy::policy::Condition;

use super::conditions::is_key_required;
use crate::lint::PolicyContext;

/// The catalog's name for the tag key family `key` belongs to, if it is one
/// this module judges.
pub(in crate::lint::checks) fn tag_family(key: &str) -> Option<&'static str> {
    key.get(..16)
        .is_some_and(|head| head.eq_ignore_ascii_case("aws:ResourceTag/"))
        .then_some("aws:ResourceTag/${TagKey}")
}

/// True when the catalog says `action` carries the key family `family`.
pub(in crate::lint::checks) fn supports(catalog: &Catalog, action: &Action, family: &str) -> bool {
    if action
        .record
        .conditions
        .iter()
        .any(|k| k.eq_ignore_ascii_case(family))
    {
        return true;
    }
    let Some(service) = catalog.services().get(action.service) else {
        return false;
    };
    action.record.resources.iter().any(|used| {
        service
            .record
            .resources
            .iter()
            .filter(|r| r.resource_type == used.resource_type)
            .any(|r| r.conditions.iter().any(|k| k.eq_ignore_ascii_case(family)))
    })
}

/// The tag conditions of a statement that are false for a request without the
/// key (so that they decide nothing for an action that never carries it), each
/// with its key family.
pub(in crate::lint::checks) fn required_tag_conditions(
    conditions: &[Condition],
) -> impl Iterator<Item = (&Condition, &'static str)> {
    conditions.iter().filter_map(|c| {
        let family = tag_family(&c.key.value)?;
        is_key_required(&c.operator.value).then_some((c, family))
    })
}

/// The actions of `actions` that do not carry `family`: how many, and a text
/// naming a few (`ec2:DescribeInstances, lambda:ListFunctions and 13 more; by
/// service ec2 (12), lambda (3)`), with at most `most` of each.
pub(in crate::lint::checks) fn unsupported(
    catalog: &Catalog,
    actions: &ActionSet,
    family: &str,
    most: usize,
) -> Option<(usize, String)> {
    let mut per_service: Vec<(usize, usize)> = Vec::new();
    let mut examples: Vec<&str> = Vec::new();
    let mut total = 0;
    for id in actions.iter() {
        let action = catalog.action(id);
        if supports(catalog, action, family) {
            continue;
        }
        total += 1;
        if examples.len() < most {
            examples.push(&action.qualified_name);
        }
        match per_service.iter_mut().find(|(s, _)| *s == action.service) {
            Some((_, n)) => *n += 1,
            None => per_service.push((action.service, 1)),
        }
    }
    if total == 0 {
        return None;
    }
    per_service.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut named: Vec<String> = per_service
        .iter()
        .take(most)
        .map(|(s, n)| {
            let prefix = catalog
                .services()
                .get(*s)
                .map_or("?", |service| service.record.prefix.as_str());
            format!("{prefix} ({n})")
        })
        .collect();
    if per_service.len() > most {
        named.push(format!("and {} more services", per_service.len() - most));
    }
    let mut text = examples.join(", ");
    if total > examples.len() {
        text.push_str(&format!(" and {} more", total - examples.len()));
    }
    if per_service.len() > 1 {
        text.push_str(&format!("; by service {}", named.join(", ")));
    }
    Some((total, text))
}

/// A tag condition of a statement that some of the statement's actions never
/// carry the key of: the statement does not apply to those actions.
pub(in crate::lint::checks) struct UnsupportedTagCondition<'p> {
    /// The condition.
    pub condition: &'p Condition,
    /// True when the statement names its actions with NotAction.
    pub negated: bool,
    /// How many actions never carry the key.
    pub count: usize,
    /// A few of their services, for the message.
    pub services: String,
}

/// The unsupported tag conditions of the Allow (`allow`) or Deny statements
/// of a policy.
pub(in crate::lint::checks) fn unsupported_tag_conditions<'p>(
    cx: &'p PolicyContext<'_>,
    allow: bool,
) -> impl Iterator<Item = UnsupportedTagCondition<'p>> {
    cx.policy
        .statements
        .iter()
        .filter(move |s| s.is_allow() == allow)
        .filter_map(|statement| Some((statement, cx.matched_actions(statement)?)))
        .flat_map(move |(statement, actions)| {
            let negated = statement.action.as_ref().is_some_and(|a| a.negated);
            required_tag_conditions(&statement.conditions).filter_map(move |(condition, family)| {
                let (count, services) = unsupported(cx.catalog(), actions, family, 3)?;
                Some(UnsupportedTagCondition {
                    condition,
                    negated,
                    count,
                    services,
                })
            })
        })
}
