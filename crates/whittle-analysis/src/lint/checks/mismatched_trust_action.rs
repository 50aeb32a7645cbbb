//! `mismatched-trust-action`: a trust policy statement whose assume-role
//! action does not fit its principal — `sts:AssumeRoleWithWebIdentity` for a
//! SAML provider, `sts:AssumeRoleWithSAML` for an account, `sts:AssumeRole`
//! alone for an identity provider (Access Analyzer's "Mismatched action for
//! principal").

use super::helpers::written::as_written;
use crate::input::DocumentKind;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::expand::has_wildcard;
use whittle_policy::policy::{Principal, Statement};

/// The three ways to assume a role, and the principals each is for.
const ASSUME: &str = "sts:AssumeRole";
const SAML: &str = "sts:AssumeRoleWithSAML";
const WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";

/// Flags each principal of an Allow statement in a trust policy for which none
/// of the statement's assume-role actions works. Statements whose actions
/// have wildcards or use NotAction are not judged.
pub struct MismatchedTrustAction;

impl Check for MismatchedTrustAction {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        if cx.kind != DocumentKind::Trust {
            return;
        }
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(actions) = assume_actions(statement) else {
                continue;
            };
            let Some(Principal::Typed(kinds)) = statement.principal.as_ref().map(|p| &p.value)
            else {
                continue;
            };
            for (kind, values) in kinds {
                for value in values {
                    let needed = match kind.value.as_str() {
                        "AWS" | "Service" => ASSUME,
                        "Federated" if value.value.contains(":saml-provider/") => SAML,
                        "Federated" => WEB_IDENTITY,
                        _ => continue,
                    };
                    if actions.contains(&needed) {
                        continue;
                    }
                    // A value the input could not resolve is named by its kind.
                    let who = if as_written(out, value.span, &value.value) {
                        format!("\"{}\"", value.value)
                    } else {
                        format!("this {} principal", kind.value)
                    };
                    out.at(value.span)
                        .note("accounts, roles and services assume a role with sts:AssumeRole, SAML providers with sts:AssumeRoleWithSAML, OIDC providers with sts:AssumeRoleWithWebIdentity")
                        .emit(format!(
                            "{who} cannot assume the role with {}: it needs {needed}",
                            actions.join(" or ")
                        ));
                }
            }
        }
    }
}

/// The assume-role actions of the statement in canonical case; `None` when it
/// has none, or when a wildcard or NotAction leaves them unclear.
fn assume_actions(statement: &Statement) -> Option<Vec<&'static str>> {
    let action = statement.action.as_ref().filter(|a| !a.negated)?;
    let mut found = Vec::new();
    for value in &action.values {
        let text = value.value.as_str();
        if has_wildcard(text) {
            return None;
        }
        if let Some(&canonical) = [ASSUME, SAML, WEB_IDENTITY]
            .iter()
            .find(|a| a.eq_ignore_ascii_case(text))
        {
            found.push(canonical);
        }
    }
    (!found.is_empty()).then_some(found)
}
