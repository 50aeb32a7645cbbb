//! `missing-principal`: a statement of a resource-based or trust policy with
//! no `Principal` (Access Analyzer's "Missing principal").

use crate::lint::{Check, Emitter, PolicyContext};

/// Flags statements without `Principal` or `NotPrincipal` in documents the
/// input says are resource-based or trust policies: those must name whom they
/// apply to, and IAM or the service rejects them.
pub struct MissingPrincipal;

impl Check for MissingPrincipal {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        if !cx.kind.names_principals() {
            return;
        }
        for statement in cx
            .policy
            .statements
            .iter()
            .filter(|s| s.principal.is_none())
        {
            let opening = whittle_syntax::Span::new(statement.span.start, statement.span.start + 1);
            out.at(opening)
                .note("add a \"Principal\", such as {\"AWS\": \"arn:aws:iam::123456789012:root\"} or {\"Service\": \"lambda.amazonaws.com\"}")
                .emit("the statement has no \"Principal\": every statement of a resource-based or trust policy must name whom it applies to");
        }
    }
}
