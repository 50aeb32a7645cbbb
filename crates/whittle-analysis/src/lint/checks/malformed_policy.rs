//! `malformed-policy`: the document breaks IAM's policy grammar.

use crate::lint::{Check, Emitter, PolicyContext};

/// Reports every grammar violation the parser collected.
pub struct MalformedPolicy;

impl Check for MalformedPolicy {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for problem in &cx.policy.problems {
            out.at(problem.span).emit(problem.message.clone());
        }
    }
}
