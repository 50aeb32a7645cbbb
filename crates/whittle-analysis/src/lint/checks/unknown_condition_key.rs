//! `unknown-condition-key`: a condition key that neither AWS nor the statement's
//! services define.
//!
//! The table of AWS global condition keys lives in
//! `whittle_policy::condition_keys` (data from AWS's reference), shared with
//! the other condition checks. A global key AWS no longer documents
//! (`aws:SourceOwner`) is known here; `deprecated-condition-key` reports it.

use super::helpers::suggest::closest;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::catalog::{Catalog, Service};
use whittle_policy::expand::has_wildcard;
use whittle_policy::policy::{Condition, Statement};
use whittle_policy::unknown;

use crate::rules::Severity;
use whittle_policy::condition_keys::{CatalogKeys, global_key, global_keys};

/// The most edits that make a service key a misspelling of a known one rather
/// than a key the catalog does not know yet.
const TYPO_EDITS: usize = 2;

/// Flags condition keys no service of the statement and no global key matches.
pub struct UnknownConditionKey;

impl Check for UnknownConditionKey {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let catalog = cx.catalog();
        for statement in &cx.policy.statements {
            if statement.conditions.is_empty() {
                continue;
            }
            let services = statement_services(catalog, statement);
            for condition in &statement.conditions {
                let key = condition.key.value.as_str();
                // A key the input leaves unresolved may be any key.
                let Some(services) = services.as_ref().filter(|_| !unknown::contains(key)) else {
                    continue;
                };
                if judged(key) && !is_known(cx.condition_keys(), services, key) {
                    let services: Vec<&Service> =
                        services.iter().map(|&i| &catalog.services()[i]).collect();
                    report(catalog, &services, condition, out);
                }
            }
        }
    }
}

/// The services of the statement's actions, as indices into
/// [`Catalog::services`]; `None` when they cannot be told with certainty:
/// NotAction, a wildcard service (`*`, `*:Get*`) or an unknown one.
fn statement_services(catalog: &Catalog, statement: &Statement) -> Option<Vec<usize>> {
    let action = statement.action.as_ref().filter(|a| !a.negated)?;
    let mut services: Vec<usize> = Vec::new();
    for value in &action.values {
        let (prefix, _) = value.value.split_once(':')?;
        if has_wildcard(prefix) {
            return None;
        }
        let service = catalog.service_index(prefix)?;
        if !services.contains(&service) {
            services.push(service);
        }
    }
    (!services.is_empty()).then_some(services)
}

/// False for keys of identity providers (`accounts.google.com:aud`,
/// `oidc.eks…/id/…:sub`), which no catalog lists in full.
fn judged(key: &str) -> bool {
    let prefix = key.split_once(':').map_or("", |(p, _)| p);
    !prefix.contains(['.', '/'])
}

/// True when the key is global, mentioned by one of `services` (its own keys,
/// its resource types' or its actions'), or — for a service prefix other than
/// `aws` — by any service (cross-service keys such as `ec2:SourceInstanceARN`
/// work with other services' actions).
fn is_known(keys: &CatalogKeys, services: &[usize], key: &str) -> bool {
    global_key(key).is_some()
        || services.iter().any(|&s| keys.service(s).contains(key))
        || (!key.to_ascii_lowercase().starts_with("aws:") && keys.all().contains(key))
}

/// Emits the finding for one unknown key.
fn report(catalog: &Catalog, services: &[&Service], condition: &Condition, out: &mut Emitter<'_>) {
    let key = condition.key.value.as_str();
    let prefix = key.split_once(':').map(|(p, _)| p);
    let owner = prefix.and_then(|p| catalog.service(p));
    let message = match (prefix, owner) {
        (Some(p), _) if p.eq_ignore_ascii_case("aws") => {
            format!("\"{key}\" is not an AWS global condition key")
        }
        (_, Some(service)) => format!(
            "\"{key}\" is not a condition key of {}",
            service.record.name
        ),
        _ => format!("\"{key}\" is not a condition key of {}", names(services)),
    };
    let mut finding = out.at(condition.key.span);
    let near = suggestion(services, owner, key);
    let global = prefix.is_some_and(|p| p.eq_ignore_ascii_case("aws"));
    let typo = near.as_deref().is_some_and(|near| {
        strsim::damerau_levenshtein(&key.to_ascii_lowercase(), &near.to_ascii_lowercase())
            <= TYPO_EDITS
    });
    if let Some(near) = &near {
        finding = finding.note(format!("did you mean \"{near}\"?"));
    }
    if !global && !typo {
        // A service key close to none the catalog knows may be newer than the
        // catalog (AWS's own managed policies use some): say what whittle knows.
        finding
            .severity(Severity::Warning)
            .note("a key newer than the catalog, or a misspelling: `whittle catalog update` fetches AWS's current service reference")
            .emit(format!("{message} in whittle's action catalog (data of {})", catalog.date()));
        return;
    }
    finding
        .note("a key that is never in the request makes the condition never match, or always match with IfExists or a negated operator")
        .emit(message);
}

/// "Amazon S3" or "Amazon S3 or AWS KMS".
fn names(services: &[&Service]) -> String {
    let names: Vec<&str> = services.iter().map(|s| s.record.name.as_str()).collect();
    names.join(" or ")
}

/// The known key closest to `key`: among the global keys and those of the
/// statement's services and of the service the key's prefix names. For keys
/// such as `aws:ResourceTags/team`, the part up to `/` is compared with
/// templates like `aws:ResourceTag/${TagKey}` and the tag is kept.
fn suggestion(services: &[&Service], owner: Option<&Service>, key: &str) -> Option<String> {
    let service_keys = services
        .iter()
        .copied()
        .chain(owner)
        .flat_map(|s| s.record.conditions.iter().map(|c| c.key.as_str()));
    let known: Vec<&str> = global_keys()
        .iter()
        .filter(|g| g.deprecated.is_none())
        .map(|g| g.key.as_str())
        .chain(service_keys)
        .collect();
    match key.split_once('/') {
        Some((head, tail)) => {
            let heads = known
                .iter()
                .filter_map(|k| k.split_once('/').map(|(h, _)| h));
            closest(head, heads).map(|h| format!("{h}/{tail}"))
        }
        None => {
            let plain = known.iter().copied().filter(|k| !k.contains(['$', '<']));
            closest(key, plain).map(str::to_owned)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_provider_keys_are_not_judged() {
        assert!(!judged("accounts.google.com:aud"));
        assert!(!judged("oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub"));
        assert!(judged("s3:prefix"));
        assert!(judged("SourceIp"));
    }

    #[test]
    fn tag_keys_keep_their_tag_in_suggestions() {
        let catalog = Catalog::embedded();
        let s3 = catalog.service("s3").unwrap();
        assert_eq!(
            suggestion(&[s3], None, "aws:ResourceTags/team").as_deref(),
            Some("aws:ResourceTag/team")
        );
        assert_eq!(
            suggestion(&[s3], None, "s3:prefx").as_deref(),
            Some("s3:prefix")
        );
    }

    #[test]
    fn cross_service_keys_are_known_with_other_services_actions() {
        let catalog = Catalog::embedded();
        let keys = CatalogKeys::of(catalog);
        let s3 = [catalog.service_index("s3").unwrap()];
        assert!(is_known(&keys, &s3, "ec2:SourceInstanceARN"));
        assert!(!is_known(&keys, &s3, "ec2:NoSuchKey"));
        assert!(!is_known(&keys, &s3, "aws:NoSuchKey"));
    }
}
