//! `wildcard-in-arn-service`: a Resource ARN whose service part is a partial
//! wildcard, such as `arn:aws:*code*:…`.

use crate::lint::{Check, Emitter, PolicyContext};

/// Flags Resource/NotResource ARNs whose service has `*` or `?` but is not `*`
/// alone (which says "any service" and is judged as any resource elsewhere).
pub struct WildcardInArnService;

impl Check for WildcardInArnService {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            let Some(resource) = &statement.resource else {
                continue;
            };
            for value in &resource.values {
                let Some(service) = value
                    .value
                    .strip_prefix("arn:")
                    .and_then(|r| r.split(':').nth(1))
                else {
                    continue;
                };
                if !service.contains(['*', '?']) || service.chars().all(|c| c == '*') {
                    continue;
                }
                out.at(value.span)
                    .note("name the service in the ARN")
                    .emit(format!(
                        "the service \"{service}\" of the ARN is a wildcard: it matches the resources of every service whose name fits, including ones AWS adds later"
                    ));
            }
        }
    }
}
