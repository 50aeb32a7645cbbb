//! Condition keys and the types of value they hold: AWS's global condition
//! context keys, and the keys each service defines in the catalog.

use crate::catalog::Catalog;
use crate::pattern::Pattern;

/// An AWS global condition key and the types of value it holds.
pub struct GlobalKey {
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
pub const GLOBAL_KEYS: &[GlobalKey] = &[
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
pub fn key_types<'c>(catalog: &'c Catalog, key: &str) -> Option<Vec<&'c str>> {
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
pub fn global_key(key: &str) -> Option<&'static GlobalKey> {
    GLOBAL_KEYS.iter().find(|g| same_key(g.key, key))
}

/// True when `key` is `template`: case-insensitively, with `${Name}` or `<name>`
/// standing for any text, as does the tail of catalog keys written
/// `secretsmanager:ResourceTag/tag-key` or `glacier:ResourceTag/`.
pub fn same_key(template: &str, key: &str) -> bool {
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
}
