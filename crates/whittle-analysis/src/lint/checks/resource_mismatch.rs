//! `resource-mismatch`: a Resource ARN that none of the statement's actions acts on.
//!
//! Each action names the resource types it can be scoped to; each type has ARN
//! formats such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`. A value is
//! reported only when it cannot match any format of any of the statement's actions,
//! reading every `${Variable}` of a format and every wildcard or policy variable of
//! the value as "any run of characters": only certain mismatches are findings.
//! The catalog's resource data includes the reviewed corrections of
//! `whittle-policy/data/corrections.toml` (CodeConnections ARNs for CodeStar
//! Connections actions, Session Manager sessions for `ssmmessages`, …).
//!
//! Then, per action of a statement with several: an action (or every action of
//! a wildcard) that can act on none of the statement's resources never applies.
//! Actions that cannot be limited to a resource are evaluated only against
//! `"Resource": "*"`; next to specific ARNs only, they never apply either — a
//! note: IAM accepts it, AWS's own policies do it often (about 490 actions in its
//! managed policies), and the catalog may lag behind a service that added
//! resource types.
//!
//! Also [`Pattern`], the matcher for catalog templates other checks use.

use std::collections::HashSet;

use crate::lint::{Check, Emitter, PolicyContext};
use crate::rules::Severity;
use whittle_policy::ActionSet;
use whittle_policy::catalog::{Catalog, ResourceType, Service};
use whittle_policy::policy::{Element, Statement};
use whittle_syntax::Spanned;

use whittle_policy::arn::parse_arn;
use whittle_policy::pattern::Pattern;

/// Statements matching more actions than this (a wildcard such as `*`) are not judged.
const MAX_ACTIONS: usize = 2_000;
/// Statements whose Action values times Resource ARNs exceed this are not
/// judged per action: the work stays bounded on generated policies.
const MAX_PAIRS: usize = 100_000;
/// How many expected ARN formats a finding lists.
const MAX_FORMATS_SHOWN: usize = 3;

/// Flags Resource ARNs no action of their statement can act on.
pub struct ResourceMismatch;

impl Check for ResourceMismatch {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            let Some(resource) = judged_resources(statement) else {
                continue;
            };
            let Some(actions) = cx.matched_actions(statement) else {
                continue;
            };
            let count = actions.count();
            if count == 0 || count > MAX_ACTIONS {
                continue;
            }
            let targets = Targets::of(cx.catalog(), actions);
            let mut arns = Vec::with_capacity(resource.values.len());
            let mut accepted = false;
            for value in &resource.values {
                let Some(arn) = SpecificArn::of(value) else {
                    continue;
                };
                if targets.accepts(&arn) {
                    accepted = true;
                } else {
                    report(cx.catalog(), actions, &targets, &arn, value, out);
                }
                arns.push(arn);
            }
            // When no ARN fits any action, the findings above say it all.
            if accepted && arns.len() == resource.values.len() {
                report_actions(cx, statement, &arns, out);
            }
        }
    }
}

/// Reports each Action value of a statement with several whose actions can
/// act on none of `arns` (every Resource value of the statement).
fn report_actions(
    cx: &PolicyContext<'_>,
    statement: &Statement,
    arns: &[SpecificArn],
    out: &mut Emitter<'_>,
) {
    let Some(action) = &statement.action else {
        return;
    };
    // With one Action value, the per-ARN findings already say it all.
    if action.values.len() < 2 || action.values.len().saturating_mul(arns.len()) > MAX_PAIRS {
        return;
    }
    let catalog = cx.catalog();
    for value in &action.values {
        let set = cx.expander.expand(&value.value);
        let count = set.count();
        if count == 0 || count > MAX_ACTIONS {
            continue;
        }
        let targets = Targets::of(catalog, &set);
        if arns.iter().any(|arn| targets.accepts(arn)) {
            continue;
        }
        let subject = if count == 1 {
            format!("\"{}\"", value.value)
        } else {
            format!("none of the {count} actions of \"{}\"", value.value)
        };
        if targets.formats.is_empty() {
            out.at(value.span)
                .severity(Severity::Note)
                .note("IAM evaluates an action without resource types only against \"Resource\": \"*\"; give it a statement of its own on \"*\", narrowed with conditions")
                .emit(format!(
                    "{subject} never applies: it cannot be limited to a resource, and the statement lists only specific ARNs"
                ));
        } else {
            let verb = if count == 1 { "acts" } else { "act" };
            out.at(value.span)
                .note(expected_formats(&targets))
                .emit(format!(
                    "{subject} {verb} on none of the statement's resources: it never applies"
                ));
        }
    }
}

/// The Resource element of a statement this check can judge: one with Action
/// (not NotAction) and Resource (not NotResource).
fn judged_resources(statement: &Statement) -> Option<&Element> {
    let action = statement.action.as_ref()?;
    let resource = statement.resource.as_ref()?;
    (!action.negated && !resource.negated).then_some(resource)
}

/// A valid Resource ARN that does not name every resource.
struct SpecificArn {
    pattern: Pattern,
    /// The service part, lowercased.
    service: String,
    /// True when the resource part is only wildcards (`arn:aws:s3:::*`): every
    /// resource of the service, which services also match against actions
    /// without resource types (AWS documents `s3:ListAllMyBuckets` on
    /// `arn:aws:s3:::*`).
    service_wide: bool,
}

impl SpecificArn {
    fn of(value: &Spanned<String>) -> Option<Self> {
        let Ok(Some(arn)) = parse_arn(&value.value) else {
            return None;
        };
        let every = Element {
            negated: false,
            key_span: value.span,
            values: vec![value.clone()],
        };
        (!every.covers_every_resource()).then(|| Self {
            pattern: Pattern::policy(&value.value),
            service: arn.service.to_ascii_lowercase(),
            service_wide: arn.resource.chars().all(|c| c == '*'),
        })
    }
}

/// What a set of actions can act on.
struct Targets<'c> {
    /// Every format of every resource type of the actions, with its type's name.
    formats: Vec<(&'c str, &'c str, Pattern)>,
    /// The prefixes of the services with actions that have no resource type.
    unscoped: Vec<&'c str>,
}

impl<'c> Targets<'c> {
    fn of(catalog: &'c Catalog, actions: &ActionSet) -> Self {
        let mut seen: HashSet<(usize, &str)> = HashSet::new();
        let mut targets = Self {
            formats: Vec::new(),
            unscoped: Vec::new(),
        };
        for id in actions.iter() {
            let action = catalog.action(id);
            let service = &catalog.services()[action.service];
            if action.record.resources.is_empty()
                && !targets.unscoped.contains(&service.record.prefix.as_str())
            {
                targets.unscoped.push(&service.record.prefix);
            }
            for resource in &action.record.resources {
                if !seen.insert((action.service, resource.resource_type.as_str())) {
                    continue;
                }
                let Some(kind) = resource_type(service, &resource.resource_type) else {
                    continue;
                };
                for arn in &kind.arns {
                    targets.formats.push((
                        kind.resource_type.as_str(),
                        arn.as_str(),
                        Pattern::arn_format(arn),
                    ));
                }
            }
        }
        targets
    }

    /// True when some action of a service matching `service` (an ARN's
    /// service part, which may hold wildcards) has no resource type.
    fn unscoped_in(&self, service: &str) -> bool {
        !self.unscoped.is_empty()
            && whittle_policy::expand::wildcard_matcher(service)
                .is_some_and(|m| self.unscoped.iter().any(|p| m.is_match(p)))
    }

    /// True when some action may act on `arn`: one of the formats can match it,
    /// or it names every resource of a service with actions that have no
    /// resource type.
    fn accepts(&self, arn: &SpecificArn) -> bool {
        self.formats
            .iter()
            .any(|(_, _, f)| f.overlaps(&arn.pattern))
            || (arn.service_wide
                && !self.unscoped.is_empty()
                && whittle_policy::expand::wildcard_matcher(&arn.service)
                    .is_some_and(|m| self.unscoped.iter().any(|p| m.is_match(p))))
    }
}

/// A resource type of a service by name.
fn resource_type<'c>(service: &'c Service, name: &str) -> Option<&'c ResourceType> {
    service
        .record
        .resources
        .iter()
        .find(|r| r.resource_type == name)
}

/// Emits the finding for one value no action acts on: a warning when no action
/// has a resource type (the catalog may lag behind a service), else an error.
fn report(
    catalog: &Catalog,
    actions: &ActionSet,
    targets: &Targets<'_>,
    arn: &SpecificArn,
    value: &Spanned<String>,
    out: &mut Emitter<'_>,
) {
    let count = actions.count();
    let subject = match actions.iter().next().filter(|_| count == 1) {
        Some(id) => catalog.action(id).qualified_name.clone(),
        None => format!("any of the statement's {count} actions"),
    };
    if targets.formats.is_empty() || targets.unscoped_in(&arn.service) {
        let what = if targets.formats.is_empty() && count == 1 {
            format!("{subject} cannot")
        } else if targets.formats.is_empty() {
            format!("none of the statement's {count} actions can")
        } else {
            format!(
                "no action of the statement acts on it, and its {} actions cannot",
                arn.service
            )
        };
        out.at(value.span)
            .severity(Severity::Warning)
            .note("the action catalog lists no resource type for them: IAM then matches only \"Resource\": \"*\"; narrow them with conditions instead")
            .emit(format!("\"{}\" never applies: {what} be limited to a resource", value.value));
        return;
    }
    let mut finding = out.at(value.span);
    let with_objects = format!("{}/*", value.value);
    if SpecificArn::of(&Spanned::new(with_objects.clone(), value.span))
        .is_some_and(|a| targets.accepts(&a))
    {
        finding = finding.note(format!("did you mean \"{with_objects}\"?"));
    }
    finding.note(expected_formats(targets)).emit(format!(
        "\"{}\" is not a resource {subject} acts on",
        value.value
    ));
}

/// "expected a resource of type object (arn:…), …", listing a few formats.
fn expected_formats(targets: &Targets<'_>) -> String {
    let shown: Vec<String> = targets
        .formats
        .iter()
        .take(MAX_FORMATS_SHOWN)
        .map(|(kind, arn, _)| format!("{kind} ({arn})"))
        .collect();
    let more = targets.formats.len().saturating_sub(MAX_FORMATS_SHOWN);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("expected a resource of type {}{tail}", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use whittle_syntax::Span;

    #[test]
    fn actions_without_resource_types_take_only_service_wide_arns() {
        let catalog = Catalog::embedded();
        let arn = |v: &str| SpecificArn::of(&Spanned::new(v.to_owned(), Span::default())).unwrap();
        let mut set = ActionSet::empty(catalog.len());
        set.insert(catalog.action_id("s3:ListAllMyBuckets").unwrap());
        let targets = Targets::of(catalog, &set);
        assert!(targets.formats.is_empty());
        assert!(targets.accepts(&arn("arn:aws:s3:::*")));
        assert!(!targets.accepts(&arn("arn:aws:s3:::reports")));
        assert!(!targets.accepts(&arn("arn:aws:ec2:*:*:*")));
        set.insert(catalog.action_id("s3:GetObject").unwrap());
        let targets = Targets::of(catalog, &set);
        assert!(targets.accepts(&arn("arn:aws:s3:::b/k")));
        assert!(!targets.accepts(&arn("arn:aws:s3:::b")));
    }
}
