//! `empty-principal`: a Principal or NotPrincipal element that names no one.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::Principal;

/// Flags `"Principal": {}` and principal elements whose every list is empty.
pub struct EmptyPrincipal;

impl Check for EmptyPrincipal {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            let Some(principal) = &statement.principal else {
                continue;
            };
            let Principal::Typed(kinds) = &principal.value else {
                continue;
            };
            let key = if principal.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            if kinds.is_empty() {
                out.at(principal.key_span)
                    .note("name the principals, or remove the statement")
                    .emit(format!(
                        "\"{key}\" is an empty object: the statement applies to no one"
                    ));
                continue;
            }
            if kinds
                .iter()
                .all(|(_, values)| values.iter().all(|v| v.value.is_empty()))
            {
                out.at(principal.key_span)
                    .note("name the principals, or remove the statement")
                    .emit(format!(
                        "\"{key}\" lists no principal: the statement applies to no one"
                    ));
            }
        }
    }
}
