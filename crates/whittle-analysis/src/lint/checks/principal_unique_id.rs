//! `principal-unique-id`: an `AWS` principal written as the unique ID of a
//! user or role (`AIDA…`, `AROA…`) instead of its ARN (Access Analyzer's
//! "Invalid user reference" and "Invalid role reference").

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::Principal;

/// Flags `AWS` principal values that are IAM unique IDs of users (`AIDA`) or
/// roles (`AROA`). IAM writes such an ID itself when the user or role a policy
/// names is deleted; one written by hand stops matching once the principal is
/// re-created.
pub struct PrincipalUniqueId;

impl Check for PrincipalUniqueId {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            let Some(Principal::Typed(kinds)) = statement.principal.as_ref().map(|p| &p.value)
            else {
                continue;
            };
            for (_, values) in kinds.iter().filter(|(k, _)| k.value == "AWS") {
                for value in values {
                    let Some(what) = unique_id(&value.value) else {
                        continue;
                    };
                    out.at(value.span)
                        .note(format!(
                            "name the {what} by its ARN, such as \"arn:aws:iam::123456789012:{what}/name\"; if IAM wrote this ID, the {what} it named was deleted"
                        ))
                        .emit(format!(
                            "\"{}\" is the unique ID of an IAM {what}: it stops matching when the {what} is deleted and re-created",
                            value.value
                        ));
                }
            }
        }
    }
}

/// `user` or `role` for an IAM unique ID of one: its prefix, then at least 16
/// capitals and digits.
fn unique_id(text: &str) -> Option<&'static str> {
    let (what, rest) = if let Some(rest) = text.strip_prefix("AIDA") {
        ("user", rest)
    } else if let Some(rest) = text.strip_prefix("AROA") {
        ("role", rest)
    } else {
        return None;
    };
    (rest.len() >= 16
        && rest
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
    .then_some(what)
}
