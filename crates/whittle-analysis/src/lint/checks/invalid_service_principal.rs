//! `invalid-service-principal`: a `Service` principal that is not written as a
//! service principal, `service-name.amazonaws.com` (Access Analyzer's
//! "Invalid service principal format").

use super::helpers::arn_parts::is_literal;
use crate::lint::{Check, Emitter, PolicyContext};

/// The domains AWS's service principals end in: the commercial partition, the
/// China partition, Alexa's principals, the ISO partitions and the European
/// Sovereign Cloud.
const DOMAINS: [&str; 6] = [
    ".amazonaws.com",
    ".amazonaws.com.cn",
    ".amazon.com",
    ".c2s.ic.gov",
    ".sc2s.sgov.gov",
    ".amazonaws.eu",
];

/// Flags `Service` values written out in full that are not a lowercase host
/// name under one of AWS's service domains: `lambda`, `Lambda.amazonaws.com`,
/// `arn:aws:iam::…`, `https://ec2.amazonaws.com`.
pub struct InvalidServicePrincipal;

impl Check for InvalidServicePrincipal {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let services = cx
            .policy
            .statements
            .iter()
            .filter_map(|s| s.principal.as_ref())
            .flat_map(|p| p.typed_values())
            .filter(|(kind, _)| kind.value == "Service");
        for (_, value) in services {
            let text = value.value.as_str();
            if !is_literal(text) || is_service_principal(text) {
                continue;
            }
            let hint = suggestion(text)
                .map(|s| format!("did you mean \"{s}\"? "))
                .unwrap_or_default();
            out.at(value.span)
                .note(format!(
                    "{hint}a service principal is the service's host name in lowercase, such as \"lambda.amazonaws.com\""
                ))
                .emit(format!(
                    "\"{text}\" is not a service principal: IAM rejects the policy, or the statement matches no service"
                ));
        }
    }
}

/// True for a lowercase host name under one of [`DOMAINS`].
fn is_service_principal(text: &str) -> bool {
    let host_chars = text
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    host_chars
        && DOMAINS.iter().any(|domain| {
            text.strip_suffix(domain).is_some_and(|name| {
                !name.is_empty() && !name.starts_with('.') && !name.ends_with('.')
            })
        })
}

/// The service principal a value probably means: `lambda` →
/// `lambda.amazonaws.com`, capitals lowered.
fn suggestion(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let lower = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower)
        .trim_end_matches('/')
        .to_owned();
    [lower.clone(), format!("{lower}.amazonaws.com")]
        .into_iter()
        .find(|candidate| is_service_principal(candidate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_principals_are_host_names_under_aws_domains() {
        for ok in [
            "lambda.amazonaws.com",
            "logs.us-east-1.amazonaws.com",
            "ec2.amazonaws.com.cn",
            "alexa-appkit.amazon.com",
            "ssm-incidents.amazonaws.com",
        ] {
            assert!(is_service_principal(ok), "{ok}");
        }
        for bad in [
            "lambda",
            "Lambda.amazonaws.com",
            "amazonaws.com",
            "https://ec2.amazonaws.com",
            "ec2.example.com",
        ] {
            assert!(!is_service_principal(bad), "{bad}");
        }
        assert_eq!(
            suggestion("lambda").as_deref(),
            Some("lambda.amazonaws.com")
        );
        assert_eq!(
            suggestion("EC2.amazonaws.com").as_deref(),
            Some("ec2.amazonaws.com")
        );
    }
}
