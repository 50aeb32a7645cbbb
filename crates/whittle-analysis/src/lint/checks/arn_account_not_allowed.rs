//! `arn-account-not-allowed`: an account in an ARN of a resource whose ARNs
//! have none, such as an S3 bucket (Access Analyzer's "ARN account not
//! allowed").

use super::helpers::arn_parts::{ArnParts, candidate_fields, is_literal};
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags Resource and NotResource ARNs with an account where every ARN format
/// of the service that the value could be written for has an empty account.
pub struct ArnAccountNotAllowed;

impl Check for ArnAccountNotAllowed {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            let Some(resource) = &statement.resource else {
                continue;
            };
            for value in &resource.values {
                let Some(parts) = ArnParts::of(&value.value) else {
                    continue;
                };
                if parts.account.is_empty() || !is_literal(parts.account) {
                    continue;
                }
                let fields = candidate_fields(cx.catalog(), &value.value);
                if fields.is_empty() || fields.iter().any(|(_, account)| !account.is_empty()) {
                    continue;
                }
                out.at(value.span)
                    .note(format!(
                        "{} ARNs of this kind have no account: leave the fifth part, the account, empty",
                        parts.service
                    ))
                    .emit(format!(
                        "\"{}\" names the account \"{}\", but {} does not put an account in these ARNs: the ARN matches no resource",
                        value.value, parts.account, parts.service
                    ));
            }
        }
    }
}
