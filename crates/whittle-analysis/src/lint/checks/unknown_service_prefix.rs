//! `unknown-service-prefix`: an action whose service prefix is not in the action
//! catalog.
//!
//! A prefix close to a known one is a misspelling (an error, with the
//! suggestion). Otherwise whittle cannot tell a typo from a service AWS retired
//! or one newer than the catalog: a retired service the corrections data lists
//! is named as such, and any other prefix is a warning that says what whittle
//! knows, not that AWS has no such service.

use super::helpers::suggest::closest;
use crate::lint::{Check, Emitter, PolicyContext};
use crate::rules::Severity;
use whittle_policy::catalog::corrections::Corrections;
use whittle_policy::expand::{has_wildcard, wildcard_matcher};
use whittle_policy::unknown;

/// The longest service prefix AWS could add; its longest today is under 40.
const MAX_PREFIX: usize = 64;

/// True when `prefix` could be an AWS service prefix: letters (IAM ignores
/// their case), digits and hyphens, not too long. Anything else, a wildcard
/// matching no service included, is a mistake.
fn plausible(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.len() <= MAX_PREFIX
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Flags action patterns whose service part matches no known service.
pub struct UnknownServicePrefix;

impl Check for UnknownServicePrefix {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let catalog = cx.catalog();
        let prefixes = || catalog.services().iter().map(|s| s.record.prefix.as_str());
        for statement in &cx.policy.statements {
            let Some(action) = &statement.action else {
                continue;
            };
            // An unresolved value may be any action.
            for value in action
                .values
                .iter()
                .filter(|v| !unknown::contains(&v.value))
            {
                let Some((prefix, name)) = value.value.split_once(':') else {
                    continue;
                };
                let known = if has_wildcard(prefix) {
                    wildcard_matcher(prefix).is_some_and(|m| prefixes().any(|p| m.is_match(p)))
                } else {
                    catalog.service(prefix).is_some()
                };
                if known {
                    continue;
                }
                let mut finding = out.at(value.span);
                if !statement.is_allow() {
                    finding = finding.note("in a Deny statement an unknown action denies nothing");
                }
                let retired = (!has_wildcard(prefix))
                    .then(|| Corrections::embedded().retired(prefix))
                    .flatten();
                if let Some(retired) = retired {
                    finding
                        .severity(Severity::Warning)
                        .note(retired.source.clone())
                        .emit(format!(
                            "\"{}\": {}, the service of the prefix \"{prefix}\", was retired; the action matches nothing",
                            value.value, retired.service
                        ));
                } else if let Some(near) =
                    closest(prefix, prefixes()).or_else(|| (!plausible(prefix)).then_some(""))
                {
                    if !near.is_empty() {
                        finding = finding.note(format!("did you mean \"{near}:{name}\"?"));
                    }
                    finding.emit(format!(
                        "\"{}\": no AWS service uses the prefix \"{prefix}\"",
                        value.value
                    ));
                } else {
                    finding
                        .severity(Severity::Warning)
                        .note("a service retired or newer than the catalog, or a misspelling: `whittle catalog update` fetches AWS's current service reference")
                        .emit(format!(
                            "\"{}\": no service in whittle's action catalog (data of {}) uses the prefix \"{prefix}\"",
                            value.value,
                            catalog.date()
                        ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::plausible;

    #[test]
    fn only_prefixes_aws_could_use_may_be_newer_than_the_catalog() {
        assert!(plausible("securityagent"));
        assert!(plausible("sagemaker-groundtruth-synthetic"));
        assert!(plausible("SecurityAgent"));
        assert!(!plausible("S3 "));
        assert!(!plausible("s*"));
        assert!(!plausible(&"a".repeat(65)));
    }
}
