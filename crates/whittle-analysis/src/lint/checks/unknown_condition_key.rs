//! `unknown-condition-key`: a condition key that neither AWS nor the statement's
//! services define.
//!
//! Also the table of AWS global condition keys with their value types, and
//! [`key_types`], which other condition checks use to look a key up.

use crate::catalog::{Catalog, Service};
use crate::expand::has_wildcard;
use crate::lint::{Check, Emitter, PolicyContext};
use crate::policy::{Condition, Statement};
use crate::suggest::closest;

use super::resource_mismatch::Pattern;

/// Flags condition keys no service of the statement and no global key matches.
pub struct UnknownConditionKey;

impl Check for UnknownConditionKey {
    fn name(&self) -> &'static str {
        "unknown-condition-key"
    }

    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let catalog = cx.catalog();
        for statement in &cx.policy.statements {
            if statement.conditions.is_empty() {
                continue;
            }
            let Some(services) = statement_services(catalog, statement) else {
                continue;
            };
            for condition in &statement.conditions {
                let key = condition.key.value.as_str();
                if judged(key) && !is_known(catalog, &services, key) {
                    report(catalog, &services, condition, out);
                }
            }
        }
    }
}

/// An AWS global condition key and the types of value it holds.
pub(super) struct GlobalKey {
    /// The key as AWS documents it; `${TagKey}` stands for any tag key.
    pub key: &'static str,
    /// Catalog value types (`String`, `Date`, …); `aws:EpochTime` has two.
    pub types: &'static [&'static str],
}

const fn global(key: &'static str, types: &'static [&'static str]) -> GlobalKey {
    GlobalKey { key, types }
}

const STRING: &[&str] = &["String"];
const STRINGS: &[&str] = &["ArrayOfString"];
const ARN: &[&str] = &["ARN"];
const BOOL: &[&str] = &["Bool"];
const DATE: &[&str] = &["Date"];
const NUMERIC: &[&str] = &["Numeric"];
const IP: &[&str] = &["IPAddress"];

/// The global condition keys of AWS's "AWS global condition context keys" page.
pub(super) const GLOBAL_KEYS: &[GlobalKey] = &[
    global("aws:CalledVia", STRINGS),
    global("aws:CalledViaFirst", STRING),
    global("aws:CalledViaLast", STRING),
    global("aws:CurrentTime", DATE),
    global("aws:Ec2InstanceSourcePrivateIPv4", IP),
    global("aws:Ec2InstanceSourceVpc", STRING),
    global("aws:EpochTime", &["Date", "Numeric"]),
    global("aws:FederatedProvider", STRING),
    global("aws:IsMcpServiceAction", BOOL),
    global("aws:MultiFactorAuthAge", NUMERIC),
    global("aws:MultiFactorAuthPresent", BOOL),
    global("aws:PrincipalAccount", STRING),
    global("aws:PrincipalArn", ARN),
    global("aws:PrincipalIsAWSService", BOOL),
    global("aws:PrincipalOrgID", STRING),
    global("aws:PrincipalOrgPaths", STRINGS),
    global("aws:PrincipalServiceName", STRING),
    global("aws:PrincipalServiceNamesList", STRINGS),
    global("aws:PrincipalTag/${TagKey}", STRING),
    global("aws:PrincipalType", STRING),
    global("aws:Referer", STRING),
    global("aws:RequestedRegion", STRING),
    global("aws:RequestTag/${TagKey}", STRING),
    global("aws:ResourceAccount", STRING),
    global("aws:ResourceOrgID", STRING),
    global("aws:ResourceOrgPaths", STRINGS),
    global("aws:ResourceTag/${TagKey}", STRING),
    global("aws:SecureTransport", BOOL),
    global("aws:SourceAccount", STRING),
    global("aws:SourceArn", ARN),
    global("aws:SourceIdentity", STRING),
    global("aws:SourceIp", IP),
    global("aws:SourceOrgID", STRING),
    global("aws:SourceOrgPaths", STRINGS),
    global("aws:SourceVpc", STRING),
    global("aws:SourceVpcArn", ARN),
    global("aws:SourceVpce", STRING),
    global("aws:TagKeys", STRINGS),
    global("aws:TokenIssueTime", DATE),
    global("aws:UserAgent", STRING),
    global("aws:userid", STRING),
    global("aws:username", STRING),
    global("aws:ViaAWSService", BOOL),
    global("aws:VpcSourceIp", IP),
];

/// The value types of a key, from the global keys or from the service its prefix
/// names; `None` for a key neither defines.
pub(super) fn key_types<'c>(catalog: &'c Catalog, key: &str) -> Option<Vec<&'c str>> {
    if let Some(global) = global_key(key) {
        return Some(global.types.to_vec());
    }
    let (prefix, _) = key.split_once(':')?;
    let service = catalog.service(prefix)?;
    service
        .record
        .conditions
        .iter()
        .find(|c| same_key(&c.key, key))
        .map(|c| vec![c.value_type.as_str()])
}

/// The global key `key` is, if any.
fn global_key(key: &str) -> Option<&'static GlobalKey> {
    GLOBAL_KEYS.iter().find(|g| same_key(g.key, key))
}

/// True when `key` is `template`: case-insensitively, with `${Name}` or `<name>`
/// standing for any text, as does the tail of catalog keys written
/// `secretsmanager:ResourceTag/tag-key` or `glacier:ResourceTag/`.
fn same_key(template: &str, key: &str) -> bool {
    // A generic tail is checked first: the template itself, with no tag key, is
    // not a key anyone can send.
    if let Some(head) = template
        .strip_suffix("/tag-key")
        .map(|h| &template[..=h.len()])
        .or_else(|| template.ends_with('/').then_some(template))
    {
        return key.len() > head.len()
            && key
                .get(..head.len())
                .is_some_and(|k| k.eq_ignore_ascii_case(head));
    }
    template.eq_ignore_ascii_case(key)
        || (template.contains(['$', '<']) && Pattern::template(template).matches(key))
}

/// The services of the statement's actions; `None` when they cannot be told
/// with certainty: NotAction, a wildcard service (`*`, `*:Get*`) or an unknown one.
fn statement_services<'c>(catalog: &'c Catalog, statement: &Statement) -> Option<Vec<&'c Service>> {
    let action = statement.action.as_ref().filter(|a| !a.negated)?;
    let mut services: Vec<&Service> = Vec::new();
    for value in &action.values {
        let (prefix, _) = value.value.split_once(':')?;
        if has_wildcard(prefix) {
            return None;
        }
        let service = catalog.service(prefix)?;
        if !services.iter().any(|s| std::ptr::eq(*s, service)) {
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

/// True when the key is global, belongs to one of `services`, or — for a
/// service prefix other than `aws` — is defined by any service (cross-service
/// keys such as `ec2:SourceInstanceARN` work with other services' actions).
fn is_known(catalog: &Catalog, services: &[&Service], key: &str) -> bool {
    global_key(key).is_some()
        || services.iter().any(|s| service_knows(s, key))
        || (!key.to_ascii_lowercase().starts_with("aws:")
            && catalog.services().iter().any(|s| service_knows(s, key)))
}

/// True when the service's catalog entry mentions `key` anywhere.
fn service_knows(service: &Service, key: &str) -> bool {
    let record = &service.record;
    record.conditions.iter().any(|c| same_key(&c.key, key))
        || record
            .resources
            .iter()
            .flat_map(|r| &r.conditions)
            .chain(record.actions.iter().flat_map(|a| &a.conditions))
            .any(|k| same_key(k, key))
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
    if let Some(near) = suggestion(services, owner, key) {
        finding = finding.note(format!("did you mean \"{near}\"?"));
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
    let known: Vec<&str> = GLOBAL_KEYS
        .iter()
        .map(|g| g.key)
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
    fn global_keys_match_case_insensitively_and_with_tag_keys() {
        assert!(global_key("aws:SourceIp").is_some());
        assert!(global_key("AWS:SOURCEIP").is_some());
        assert!(global_key("aws:PrincipalTag/team").is_some());
        assert!(global_key("aws:ResourceTag/aws:cloudformation:stack-id").is_some());
        assert!(global_key("aws:SoruceIp").is_none());
        assert!(global_key("aws:PrincipalTag").is_none());
    }

    #[test]
    fn key_types_come_from_the_global_table_or_the_prefix_service() {
        let catalog = Catalog::embedded();
        assert_eq!(key_types(catalog, "aws:CurrentTime"), Some(vec!["Date"]));
        assert_eq!(
            key_types(catalog, "aws:EpochTime"),
            Some(vec!["Date", "Numeric"])
        );
        assert_eq!(key_types(catalog, "s3:max-keys"), Some(vec!["Numeric"]));
        assert_eq!(
            key_types(catalog, "s3:ExistingObjectTag/team"),
            Some(vec!["String"])
        );
        assert_eq!(key_types(catalog, "s3:nosuchkey"), None);
    }

    #[test]
    fn catalog_keys_with_a_generic_tail_match_any_tag() {
        assert!(same_key(
            "secretsmanager:ResourceTag/tag-key",
            "secretsmanager:ResourceTag/aws:secretsmanager:owningService"
        ));
        assert!(same_key("glacier:ResourceTag/", "glacier:resourcetag/team"));
        assert!(!same_key("glacier:ResourceTag/", "glacier:ResourceTag/"));
        assert!(!same_key(
            "secretsmanager:ResourceTag/tag-key",
            "secretsmanager:ResourceTag"
        ));
    }

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
        let s3 = catalog.service("s3").unwrap();
        assert!(is_known(catalog, &[s3], "ec2:SourceInstanceARN"));
        assert!(!is_known(catalog, &[s3], "ec2:NoSuchKey"));
        assert!(!is_known(catalog, &[s3], "aws:NoSuchKey"));
    }
}
