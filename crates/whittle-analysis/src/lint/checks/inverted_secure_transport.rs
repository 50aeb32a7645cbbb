//! `inverted-secure-transport`: an `aws:SecureTransport` condition the wrong
//! way round — a Deny of requests made over TLS, an Allow of plain HTTP only.

use super::helpers::conditions::bool_conditions;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::Effect;

/// Flags Deny statements conditioned on `aws:SecureTransport` being `true` and
/// Allow statements conditioned on it being `false`.
pub struct InvertedSecureTransport;

impl Check for InvertedSecureTransport {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for (condition, values) in bool_conditions(statement, "aws:SecureTransport") {
                match statement.effect.value {
                    Effect::Deny if values == [true] => {
                        out.at(condition.key.span)
                            .note("deny when aws:SecureTransport is \"false\" to refuse requests not made over TLS")
                            .emit("the statement denies requests made over TLS (aws:SecureTransport true) and lets plain HTTP through");
                    }
                    Effect::Allow if values == [false] => {
                        out.at(condition.key.span)
                            .note("allow when aws:SecureTransport is \"true\", or drop the condition")
                            .emit("the statement allows only requests made without TLS (aws:SecureTransport false)");
                    }
                    _ => {}
                }
            }
        }
    }
}
