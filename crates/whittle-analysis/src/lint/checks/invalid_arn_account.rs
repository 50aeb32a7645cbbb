//! `invalid-arn-account`: a Resource ARN whose account is neither a 12-digit
//! account ID nor empty (Access Analyzer's "Invalid ARN account").

use super::helpers::arn_parts::{is_account, is_literal, resource_arns};
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags Resource and NotResource ARNs whose account part is written out and
/// is no account ID: `arn:aws:sqs:us-east-1:12345:jobs`, `…:my-account:…`.
pub struct InvalidArnAccount;

impl Check for InvalidArnAccount {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for (value, parts) in resource_arns(cx.policy) {
            let account = parts.account;
            if account.is_empty() || !is_literal(account) || is_account(account) {
                continue;
            }
            out.at(value.span)
            .note("write the 12-digit ID of the account (\"123456789012\"), \"*\", or nothing where the service's ARNs have no account")
            .emit(format!(
                "the account \"{account}\" in \"{}\" is not an account ID: an account ID has 12 digits",
                value.value
            ));
        }
    }
}
