//! `arn-account-not-allowed`: an account in an ARN of a resource whose ARNs
//! have none, such as an S3 bucket (Access Analyzer's "ARN account not
//! allowed").

use super::helpers::arn_parts::{candidate_fields, is_literal, resource_arns};
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags Resource and NotResource ARNs with an account where every ARN format
/// of the service that the value could be written for has an empty account.
pub struct ArnAccountNotAllowed;

impl Check for ArnAccountNotAllowed {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for (value, parts) in resource_arns(cx.policy) {
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
