//! `redundant-resource`: a value of a Resource or NotResource element that
//! another value of the same element already covers.

use super::helpers::arn_glob::covers;
use crate::lint::{Check, Emitter, PolicyContext};

/// Elements with more wildcard values than this are compared only for exact
/// repeats: the work stays linear in the element's size.
const MAX_PATTERNS: usize = 256;

/// Flags repeated Resource values and values a wildcard value of the same
/// element matches within one path segment per wildcard (see
/// [`covers`]).
pub struct RedundantResource;

impl Check for RedundantResource {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            let Some(resource) = statement.resource.as_ref().filter(|r| r.values.len() > 1) else {
                continue;
            };
            let key = resource.key("Resource");
            let mut seen = std::collections::HashSet::new();
            let patterns: Vec<&str> = resource
                .values
                .iter()
                .map(|v| v.value.as_str())
                .filter(|v| v.contains(['*', '?']))
                .collect();
            let patterns = if patterns.len() > MAX_PATTERNS {
                Vec::new()
            } else {
                patterns
            };
            for value in &resource.values {
                // "*" twice is, in a template, two unresolved values.
                let unresolved = value.value.chars().all(|c| c == '*');
                if !seen.insert(value.value.as_str()) && !unresolved {
                    out.at(value.span)
                        .note("remove the repeated value")
                        .emit(format!("\"{}\" is listed twice in \"{key}\"", value.value));
                    continue;
                }
                let wider = patterns.iter().find(|p| {
                    **p != value.value && covers(p, &value.value) && !(covers(&value.value, p))
                });
                if let Some(wider) = wider {
                    out.at(value.span)
                        .note("remove it, or replace the wildcard with the resources meant if the list was to stay fixed")
                        .emit(format!(
                            "\"{}\" is already covered by \"{wider}\" in the same \"{key}\"",
                            value.value
                        ));
                }
            }
        }
    }
}
