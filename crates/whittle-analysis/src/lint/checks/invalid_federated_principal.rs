//! `invalid-federated-principal`: a `Federated` principal of a trust policy
//! that is neither an identity provider's domain nor the ARN of a SAML or OIDC
//! provider (Access Analyzer's "Invalid federated principal syntax in role
//! trust policy").

use super::helpers::arn_parts::is_literal;
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags `Federated` values written out in full that are not
/// `arn:…:iam::<account>:saml-provider/…` or `…:oidc-provider/…`, nor a host
/// name such as `cognito-identity.amazonaws.com` or `accounts.google.com`.
pub struct InvalidFederatedPrincipal;

impl Check for InvalidFederatedPrincipal {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let providers = cx
            .policy
            .statements
            .iter()
            .filter_map(|s| s.principal.as_ref())
            .flat_map(|p| p.typed_values())
            .filter(|(kind, _)| kind.value == "Federated");
        for (_, value) in providers {
            let text = value.value.as_str();
            if !is_literal(text) || is_provider(text) {
                continue;
            }
            out.at(value.span)
                .note("write the provider's ARN, \"arn:aws:iam::123456789012:saml-provider/Name\" or \"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\", or the domain of a web identity provider such as \"cognito-identity.amazonaws.com\"")
                .emit(format!(
                    "\"{text}\" is neither the ARN of a SAML or OIDC provider nor an identity provider's domain"
                ));
        }
    }
}

/// True for the ARN of an account's SAML or OIDC provider, or a host name.
fn is_provider(text: &str) -> bool {
    if let Some(rest) = text.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        return match parts[..] {
            [partition, "iam", "", account, resource] => {
                partition.starts_with("aws")
                    && !account.is_empty()
                    && resource
                        .strip_prefix("saml-provider/")
                        .or_else(|| resource.strip_prefix("oidc-provider/"))
                        .is_some_and(|name| !name.is_empty())
            }
            _ => false,
        };
    }
    let labels: Vec<&str> = text.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_are_arns_or_domains() {
        for ok in [
            "arn:aws:iam::123456789012:saml-provider/Okta",
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
            "arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC",
            "cognito-identity.amazonaws.com",
            "accounts.google.com",
            "www.amazon.com",
            "graph.facebook.com",
        ] {
            assert!(is_provider(ok), "{ok}");
        }
        for bad in [
            "arn:aws:iam::123456789012:role/app",
            "arn:aws:iam::123456789012:saml-provider/",
            "https://token.actions.githubusercontent.com",
            "okta",
            "arn:aws:sts::123456789012:saml-provider/x",
        ] {
            assert!(!is_provider(bad), "{bad}");
        }
    }
}
