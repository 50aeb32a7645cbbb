//! `missing-or-old-version`: no `Version`, or the 2008 language version.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_syntax::Span;

/// Flags policies that fall back to the 2008-10-17 language, where policy
/// variables such as `${aws:username}` are plain text.
pub struct MissingOrOldVersion;

impl Check for MissingOrOldVersion {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let policy = cx.policy;
        match &policy.version {
            None if policy.span.end > policy.span.start => {
                let opening = Span::new(policy.span.start, policy.span.start + 1);
                out.at(opening)
                    .note("add \"Version\": \"2012-10-17\" as the first element")
                    .emit("the policy has no \"Version\": IAM treats it as 2008-10-17, where policy variables are not substituted");
            }
            Some(version) if version.value == "2008-10-17" => {
                out.at(version.span)
                    .note("use \"2012-10-17\", the current version of the policy language")
                    .emit("\"Version\": \"2008-10-17\" is the old policy language: policy variables such as ${aws:username} are not substituted");
            }
            _ => {}
        }
    }
}
