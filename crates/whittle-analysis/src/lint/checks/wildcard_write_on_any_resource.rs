//! `wildcard-write-on-any-resource`: a wildcard action that expands to Write
//! actions, allowed on every resource.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::catalog::AccessLevel;

/// Flags wildcard action patterns (other than `*` and `service:*`, which have
/// their own rules) that grant Write actions on `"Resource": "*"`.
pub struct WildcardWriteOnAnyResource;

impl Check for WildcardWriteOnAnyResource {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        super::helpers::wildcards::report(cx, out, &[AccessLevel::Write], "Write");
    }
}
