//! `variable-requires-version`: policy variables in a document without
//! `"Version": "2012-10-17"`, where IAM reads them as literal text (Access
//! Analyzer's "Variable unsupported in version").

use super::helpers::variables::has_variable;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::ConditionValue;

/// Flags the first value with a policy variable in a policy whose Version is
/// missing or 2008-10-17.
pub struct VariableRequiresVersion;

impl Check for VariableRequiresVersion {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let version = cx.policy.version.as_ref().map(|v| v.value.as_str());
        if version == Some("2012-10-17") {
            return;
        }
        let resources = cx
            .policy
            .statements
            .iter()
            .flat_map(|s| s.resource.iter().flat_map(|r| &r.values))
            .map(|v| (v.value.as_str(), v.span));
        let conditions = cx
            .policy
            .statements
            .iter()
            .flat_map(|s| &s.conditions)
            .flat_map(|c| &c.values)
            .filter_map(|v| match &v.value {
                ConditionValue::String(text) => Some((text.as_str(), v.span)),
                _ => None,
            });
        let Some((text, span)) = resources.chain(conditions).find(|(t, _)| has_variable(t)) else {
            return;
        };
        let why = match version {
            None => "the policy has no \"Version\"",
            Some(_) => "the policy's \"Version\" is 2008-10-17",
        };
        out.at(span)
            .note("add \"Version\": \"2012-10-17\": variables were introduced with it")
            .emit(format!(
                "\"{text}\" holds a policy variable, but {why}: IAM matches the variable's text literally"
            ));
    }
}
