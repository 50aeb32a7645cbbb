//! `missing-tag-key`: a tag condition key without the tag key it tests,
//! `aws:ResourceTag` instead of `aws:ResourceTag/owner` (Access Analyzer's
//! "Missing tag key in condition").

use crate::lint::{Check, Emitter, PolicyContext};

/// The tag keys that take a tag key after a slash, by what follows the
/// service prefix.
const TAG_KEYS: [&str; 4] = [
    "ResourceTag",
    "RequestTag",
    "PrincipalTag",
    "RequestObjectTag",
];

/// Flags condition keys such as `aws:ResourceTag`, `aws:RequestTag/` or
/// `ec2:ResourceTag` that name no tag key.
pub struct MissingTagKey;

impl Check for MissingTagKey {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                let key = condition.key.value.as_str();
                let Some((_, name)) = key.split_once(':') else {
                    continue;
                };
                let name = name.strip_suffix('/').unwrap_or(name);
                let Some(tag) = TAG_KEYS.iter().find(|t| t.eq_ignore_ascii_case(name)) else {
                    continue;
                };
                let head = key.trim_end_matches('/');
                out.at(condition.key.span)
                    .note(format!(
                        "write the tag key after a slash: \"{head}/owner\" tests the tag \"owner\""
                    ))
                    .emit(format!(
                        "\"{key}\" names no tag key: {tag} keys are written \"{head}/tag-key\", and this one matches no request"
                    ));
            }
        }
    }
}
