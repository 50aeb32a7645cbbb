//! `deprecated-condition-key`: a global condition key AWS no longer documents
//! (`aws:SourceOwner`), reported with the documented key to use instead.
//!
//! The keys and their replacements come from
//! `whittle-policy/data/global-condition-keys.toml`; `unknown-condition-key`
//! treats them as known, so each such key gets this finding only.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::condition_keys::global_key;

/// Flags condition keys the global key table marks deprecated.
pub struct DeprecatedConditionKey;

impl Check for DeprecatedConditionKey {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for condition in cx.policy.statements.iter().flat_map(|s| &s.conditions) {
            let key = condition.key.value.as_str();
            let Some(global) = global_key(key) else {
                continue;
            };
            let Some(replacement) = &global.deprecated else {
                continue;
            };
            let mut finding = out.at(condition.key.span);
            if let Some(source) = &global.deprecation_source {
                finding = finding.note(source.clone());
            }
            finding
                .note(format!(
                    "AWS may stop setting \"{key}\" in requests; \"{replacement}\" is the documented key"
                ))
                .emit(format!(
                    "\"{key}\" is a deprecated global condition key: use \"{replacement}\""
                ));
        }
    }
}
