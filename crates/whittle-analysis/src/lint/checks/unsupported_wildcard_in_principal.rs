//! `unsupported-wildcard-in-principal`: a wildcard inside a principal, such as
//! `arn:aws:iam::*:role/app` or `*.amazonaws.com` (Access Analyzer's
//! "Unsupported wildcard in principal").

use super::helpers::written::as_written;
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags principal values with `*` or `?` other than `{"AWS": "*"}`, the one
/// wildcard IAM reads in a principal: IAM matches principals exactly, so a
/// pattern matches no principal (or IAM rejects the policy). A wildcard an
/// input made up for an unresolved template value is not reported.
pub struct UnsupportedWildcardInPrincipal;

impl Check for UnsupportedWildcardInPrincipal {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let principals = cx
            .policy
            .statements
            .iter()
            .filter_map(|s| s.principal.as_ref())
            .flat_map(|p| p.typed_values());
        for (kind, value) in principals {
            let text = value.value.as_str();
            if !text.contains(['*', '?'])
                || (kind.value == "AWS" && text == "*")
                || !as_written(out, value.span, text)
            {
                continue;
            }
            out.at(value.span)
                .note("name the principals in full, and narrow a broad principal with a condition such as aws:PrincipalArn with ArnLike, or aws:PrincipalOrgID")
                .emit(format!(
                    "\"{text}\" has a wildcard, which \"{}\" principals do not support: it matches no principal",
                    kind.value
                ));
        }
    }
}
