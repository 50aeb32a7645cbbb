//! `oidc-trust-without-subject`: a trust policy that lets an OpenID Connect
//! provider's tokens assume the role without a condition on who the token was
//! issued to — any GitHub repository, any GitLab project, any pod of the cluster.

use crate::input::DocumentKind;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::{ConditionValue, Principal, Statement};

/// Flags Allow statements of trust policies that trust a web-identity (OIDC)
/// provider for `sts:AssumeRoleWithWebIdentity` with no `StringEquals` or
/// `StringLike` condition on the provider's subject claim (`<provider>:sub`;
/// `cognito-identity.amazonaws.com:aud`, the identity pool, for Cognito), or
/// with one that matches every subject (`*`, `repo:*`).
pub struct OidcTrustWithoutSubject;

/// Identity providers that are not OIDC providers of the account.
const NOT_OIDC: [&str; 2] = ["saml-provider/", "www.amazon.com"];

impl Check for OidcTrustWithoutSubject {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        if cx.kind != DocumentKind::Trust {
            return;
        }
        let Some(web_identity) = cx.catalog().action_id("sts:AssumeRoleWithWebIdentity") else {
            return;
        };
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            if !cx
                .matched_actions(statement)
                .is_some_and(|a| a.contains(web_identity))
            {
                continue;
            }
            let Some(principal) = statement.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            let Principal::Typed(kinds) = &principal.value else {
                continue;
            };
            let providers = kinds
                .iter()
                .filter(|(kind, _)| kind.value == "Federated")
                .flat_map(|(_, values)| values);
            for provider in providers {
                let Some(host) = provider_host(&provider.value) else {
                    continue;
                };
                let claim = if host == "cognito-identity.amazonaws.com" {
                    "aud"
                } else {
                    "sub"
                };
                let key = format!("{host}:{claim}");
                if restricts(statement, &key, is_github(host)) {
                    continue;
                }
                // A provider the input leaves unresolved: a condition on some
                // unresolved provider's claim may be the one that pins it.
                let suffix = format!(":{claim}");
                if whittle_policy::unknown::contains(host)
                    && statement.conditions.iter().any(|c| {
                        whittle_policy::unknown::contains(&c.key.value)
                            && c.key.value.to_ascii_lowercase().ends_with(&suffix)
                    })
                {
                    continue;
                }
                let written = statement
                    .conditions
                    .iter()
                    .any(|c| c.key.value.eq_ignore_ascii_case(&key));
                let how = if written {
                    format!(
                        "a condition on {key} that does not pin the subject (a pattern every subject or, for GitHub, every owner matches, or an IfExists operator)"
                    )
                } else {
                    format!("no condition on {key}")
                };
                out.at(provider.span)
                    .note(format!(
                        "add a StringEquals (or StringLike) condition on {key} naming the subjects that may assume the role, e.g. \"repo:my-org/my-repo:ref:refs/heads/main\" for GitHub"
                    ))
                    .emit(format!(
                        "the role trusts tokens of {host} with {how}: any identity that provider issues tokens to — another organisation's repository or project, for a shared CI provider — can assume it"
                    ));
            }
        }
    }
}

/// The provider's host and path as IAM names its condition keys: the part after
/// `oidc-provider/` of a provider ARN, or a bare provider name such as
/// `accounts.google.com`. `None` for SAML providers and Login with Amazon.
fn provider_host(federated: &str) -> Option<&str> {
    if NOT_OIDC.iter().any(|n| federated.contains(n)) {
        return None;
    }
    match federated.split_once(":oidc-provider/") {
        Some((_, host)) => Some(host),
        None if federated.starts_with("arn:") => None,
        None => Some(federated),
    }
}

/// Whether a condition on `key` (any case) limits the subjects: a positive
/// string match with some value that is more than wildcards (and, for GitHub,
/// names the repository's owner).
fn restricts(statement: &Statement, key: &str, github: bool) -> bool {
    statement.conditions.iter().any(|condition| {
        condition.key.value.eq_ignore_ascii_case(key)
            && matches!(condition.operator.value.base, "StringEquals" | "StringLike")
            && !condition.operator.value.if_exists
            && condition.values.iter().all(|value| match &value.value {
                ConditionValue::String(s) => {
                    !(matches_everything(s) || (github && admits_any_owner(s)))
                }
                _ => true,
            })
    })
}

/// GitHub Actions' issuer, on github.com (`token.actions.githubusercontent.com`)
/// or GitHub Enterprise Cloud with a custom issuer
/// (`token.actions.githubusercontent.com/<enterprise>`).
fn is_github(host: &str) -> bool {
    host.starts_with("token.actions.githubusercontent.com")
}

/// A GitHub subject pattern that any repository owner's workflows can satisfy:
/// one starting with a wildcard, or `repo:<owner>/…` whose owner has one
/// (`repo:*/*`, `repo:*/deploy:*`, `repo:my-org*/app:*`, which admits
/// `my-org-evil`).
fn admits_any_owner(pattern: &str) -> bool {
    if pattern.starts_with(['*', '?']) {
        return true;
    }
    let Some(rest) = pattern.strip_prefix("repo:") else {
        return false;
    };
    let owner = rest.split(['/', ':']).next().unwrap_or(rest);
    owner.is_empty() || owner.contains(['*', '?'])
}

/// `*`, `?*`, `repo:*` and the like: a subject pattern every token satisfies.
fn matches_everything(pattern: &str) -> bool {
    let rest = pattern.strip_prefix("repo:").unwrap_or(pattern);
    rest.chars().all(|c| c == '*' || c == '?') && rest.contains('*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_are_named_as_their_condition_keys() {
        assert_eq!(
            provider_host(
                "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
            ),
            Some("token.actions.githubusercontent.com")
        );
        assert_eq!(
            provider_host(
                "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
            ),
            Some("oidc.eks.eu-west-1.amazonaws.com/id/ABC")
        );
        assert_eq!(
            provider_host("cognito-identity.amazonaws.com"),
            Some("cognito-identity.amazonaws.com")
        );
        assert_eq!(
            provider_host("arn:aws:iam::123456789012:saml-provider/okta"),
            None
        );
        assert_eq!(provider_host("www.amazon.com"), None);
    }

    #[test]
    fn only_patterns_made_of_wildcards_match_every_subject() {
        assert!(matches_everything("*") && matches_everything("repo:*"));
        assert!(
            !matches_everything("repo:my-org/*")
                && !matches_everything("system:serviceaccount:ns:app")
        );
    }

    #[test]
    fn github_subjects_must_name_the_owner() {
        for any in [
            "repo:*/*",
            "repo:*/deploy:ref:refs/heads/main",
            "repo:my-org*/app:*",
            "*:ref:refs/heads/main",
            "repo:my-org*",
        ] {
            assert!(admits_any_owner(any), "{any}");
        }
        for pinned in [
            "repo:my-org/*",
            "repo:my-org/app:ref:refs/heads/main",
            "repo:my-org/app-*:environment:prod",
            "repository_owner_id:123:repo:x",
        ] {
            assert!(!admits_any_owner(pinned), "{pinned}");
        }
    }
}
