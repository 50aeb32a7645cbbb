//! `duplicate-sid`: two statements share a `Sid`.

use std::collections::HashMap;

use crate::lint::{Check, Emitter, PolicyContext};

/// Flags every statement whose `Sid` an earlier statement already used.
pub struct DuplicateSid;

impl Check for DuplicateSid {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let mut first_use = HashMap::new();
        for statement in &cx.policy.statements {
            let Some(sid) = &statement.sid else { continue };
            match first_use.get(sid.value.as_str()) {
                Some(&first) => out
                    .at(sid.span)
                    .note(format!("statement {} already uses this Sid", first + 1))
                    .emit(format!(
                        "duplicate Sid \"{}\": Sids must be unique within a policy",
                        sid.value
                    )),
                None => {
                    first_use.insert(sid.value.as_str(), statement.index);
                }
            }
        }
    }
}
