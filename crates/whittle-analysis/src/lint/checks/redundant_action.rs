//! `redundant-action`: an action already covered by another in the same element.

use std::collections::HashMap;

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::expand::has_wildcard;

/// Flags values of an Action/NotAction element that add nothing: duplicates
/// (IAM compares case-insensitively) and actions another pattern already covers.
pub struct RedundantAction;

/// The service prefix of an action pattern (all of it when there is no colon).
fn prefix(pattern: &str) -> &str {
    pattern
        .split_once(':')
        .map_or(pattern, |(prefix, _)| prefix)
}

impl Check for RedundantAction {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            let Some(action) = &statement.action else {
                continue;
            };
            let values = &action.values;
            let sets: Vec<_> = values
                .iter()
                .map(|v| cx.expander.expand(&v.value))
                .collect();
            let wildcards: Vec<usize> = (0..values.len())
                .filter(|&i| has_wildcard(&values[i].value) && !sets[i].is_empty())
                .collect();
            let mut first_seen: HashMap<String, usize> = HashMap::new();
            for (i, value) in values.iter().enumerate() {
                let lower = value.value.to_ascii_lowercase();
                if let Some(&earlier) = first_seen.get(&lower) {
                    out.at(value.span).emit(format!(
                        "\"{}\" is listed twice (IAM compares actions case-insensitively; first as \"{}\")",
                        value.value, values[earlier].value
                    ));
                    continue;
                }
                first_seen.insert(lower, i);
                if sets[i].is_empty() {
                    continue;
                }
                // Equal sets written differently: the later one is the redundant one.
                // Only a pattern of the same service, or a cross-service one, can
                // cover this one; comparing prefixes first keeps big lists linear.
                let service = prefix(&value.value);
                let cover = wildcards.iter().copied().find(|&j| {
                    j != i
                        && {
                            let other = prefix(&values[j].value);
                            has_wildcard(other) || other.eq_ignore_ascii_case(service)
                        }
                        && !values[j].value.eq_ignore_ascii_case(&values[i].value)
                        && sets[i].is_subset(&sets[j])
                        && (sets[i] != sets[j] || j < i)
                });
                if let Some(j) = cover {
                    out.at(value.span)
                        .note(format!("remove \"{}\"", value.value))
                        .emit(format!(
                            "\"{}\" is already covered by \"{}\"",
                            value.value, values[j].value
                        ));
                }
            }
        }
    }
}
