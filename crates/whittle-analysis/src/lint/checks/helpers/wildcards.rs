//! Shared by the rules about wildcard actions on every resource: which pattern
//! grants which access levels.

use crate::lint::{Emitter, PolicyContext};
use whittle_policy::catalog::AccessLevel;
use whittle_policy::expand::has_wildcard;

/// Reports every wildcard pattern of an Allow statement on `*` that expands to
/// actions of `levels`, skipping `*` and `service:*` (full-admin-access and
/// service-wide-wildcard cover those).
pub(in crate::lint::checks) fn report(
    cx: &PolicyContext<'_>,
    out: &mut Emitter<'_>,
    levels: &[AccessLevel],
    label: &str,
) {
    let catalog = cx.catalog();
    for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
        let (Some(action), Some(resource)) = (&statement.action, &statement.resource) else {
            continue;
        };
        if action.negated || !resource.covers_every_resource() {
            continue;
        }
        for value in &action.values {
            if !has_wildcard(&value.value) || is_whole_service(&value.value) {
                continue;
            }
            let matched: Vec<&str> = cx
                .expander
                .expand(&value.value)
                .iter()
                .map(|id| catalog.action(id))
                .filter(|a| levels.contains(&a.record.access))
                .map(|a| a.qualified_name.as_str())
                .collect();
            let Some(first) = matched.first() else {
                continue;
            };
            let example = if matched.len() > 1 {
                format!("{first} and {} more", matched.len() - 1)
            } else {
                (*first).to_owned()
            };
            out.at(value.span)
                .note(
                    "list the actions the workload needs, or scope the statement to its resources",
                )
                .emit(format!(
                    "\"{}\" on every resource grants {} {label} action{} ({example})",
                    value.value,
                    matched.len(),
                    if matched.len() == 1 { "" } else { "s" }
                ));
        }
    }
}

/// `*`, `*:*` or `service:*`: the whole catalog or a whole service.
fn is_whole_service(pattern: &str) -> bool {
    match pattern.split_once(':') {
        None => pattern.chars().all(|c| c == '*'),
        Some((_, action)) => !action.is_empty() && action.chars().all(|c| c == '*'),
    }
}
