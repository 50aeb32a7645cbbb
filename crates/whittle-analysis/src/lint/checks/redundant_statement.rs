//! `redundant-statement`: an Allow statement another statement already covers.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::Statement;

/// Flags unconditional Allow statements whose actions and resources another
/// unconditional Allow statement of the same policy already grants.
pub struct RedundantStatement;

impl Check for RedundantStatement {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let candidates: Vec<&Statement> = cx
            .policy
            .statements
            .iter()
            .filter(|s| s.is_allow() && s.conditions.is_empty() && s.principal.is_none())
            .collect();
        for statement in &candidates {
            let Some(actions) = cx.matched_actions(statement).filter(|a| !a.is_empty()) else {
                continue;
            };
            let cover = candidates.iter().find(|other| {
                other.index != statement.index
                    && cx.matched_actions(other).is_some_and(|o| {
                        actions.is_subset(o)
                            // Identical statements: the later one is the redundant one.
                            && (actions != o || other.index < statement.index)
                    })
                    && resources_covered(statement, other)
            });
            if let Some(other) = cover {
                let name = |s: &Statement| match &s.sid {
                    Some(sid) => format!("statement {} (\"{}\")", s.index + 1, sid.value),
                    None => format!("statement {}", s.index + 1),
                };
                out.at(statement.span)
                    .note(format!(
                        "remove it, or merge what differs into {}",
                        name(other)
                    ))
                    .emit(format!(
                        "{} grants nothing that {} does not already grant",
                        name(statement),
                        name(other)
                    ));
            }
        }
    }
}

/// True when every resource of `statement` is among `other`'s, or `other`
/// covers every resource.
fn resources_covered(statement: &Statement, other: &Statement) -> bool {
    let (Some(mine), Some(theirs)) = (&statement.resource, &other.resource) else {
        return false;
    };
    if mine.negated || theirs.negated {
        return false;
    }
    theirs.covers_every_resource()
        || mine
            .values
            .iter()
            .all(|m| theirs.values.iter().any(|t| t.value == m.value))
}
