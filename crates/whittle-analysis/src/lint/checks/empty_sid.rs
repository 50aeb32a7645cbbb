//! `empty-sid`: a `Sid` written as the empty string.

use crate::lint::{Check, Emitter, PolicyContext};

/// Flags `"Sid": ""`.
pub struct EmptySid;

impl Check for EmptySid {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for sid in cx.policy.statements.iter().filter_map(|s| s.sid.as_ref()) {
            if sid.value.is_empty() {
                out.at(sid.span)
                    .note("name the statement, or remove the Sid")
                    .emit("the Sid is an empty string");
            }
        }
    }
}
