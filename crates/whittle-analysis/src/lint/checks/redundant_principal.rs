//! `redundant-principal`: an assumed-role session listed next to the role it
//! belongs to, which already covers it.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::Principal;

/// Flags `arn:…:sts::ACCOUNT:assumed-role/ROLE/SESSION` principals whose role
/// `arn:…:iam::ACCOUNT:role/[PATH/]ROLE` the same element names.
pub struct RedundantPrincipal;

impl Check for RedundantPrincipal {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            let Some(principal) = &statement.principal else {
                continue;
            };
            let Principal::Typed(kinds) = &principal.value else {
                continue;
            };
            let aws: Vec<_> = kinds
                .iter()
                .filter(|(kind, _)| kind.value == "AWS")
                .flat_map(|(_, values)| values)
                .collect();
            let roles: Vec<(&str, &str, &str)> =
                aws.iter().filter_map(|v| role(&v.value)).collect();
            if roles.is_empty() {
                continue;
            }
            for value in &aws {
                let Some((account, name)) = session(&value.value) else {
                    continue;
                };
                let Some((_, _, parent)) =
                    roles.iter().find(|(a, n, _)| *a == account && *n == name)
                else {
                    continue;
                };
                out.at(value.span)
                    .note("remove the assumed-role principal")
                    .emit(format!(
                        "the session \"{}\" is covered by its role \"{parent}\", listed in the same principal",
                        value.value
                    ));
            }
        }
    }
}

/// `(account, role name, ARN)` of `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
fn role(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (_, service, _, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let path = resource
        .strip_prefix("role/")
        .filter(|_| service == "iam")?;
    let name = path.rsplit('/').next()?;
    (!name.is_empty() && !name.contains(['*', '?'])).then_some((account, name, arn))
}

/// `(account, role name)` of `arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION`.
fn session(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (_, service, _, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let tail = resource
        .strip_prefix("assumed-role/")
        .filter(|_| service == "sts")?;
    let (name, _session) = tail.split_once('/')?;
    Some((account, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_matched_to_their_role_by_account_and_name() {
        assert_eq!(
            role("arn:aws:iam::111122223333:role/ops/deploy"),
            Some((
                "111122223333",
                "deploy",
                "arn:aws:iam::111122223333:role/ops/deploy"
            ))
        );
        assert_eq!(
            session("arn:aws:sts::111122223333:assumed-role/deploy/ci"),
            Some(("111122223333", "deploy"))
        );
        assert_eq!(role("arn:aws:iam::111122223333:role/deploy-*"), None);
        assert_eq!(session("arn:aws:iam::111122223333:user/x"), None);
    }
}
