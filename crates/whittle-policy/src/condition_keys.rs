//! Condition keys and the types of value they hold: AWS's global condition
//! context keys, and the keys each service defines in the catalog.

use std::collections::HashSet;

use crate::catalog::{Catalog, Service};
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

/// The condition keys a set of catalog entries mentions, indexed so that
/// whether one of them is a key ([`same_key`]) costs a lookup and a pass over
/// the few templates, not a comparison with every mention: the catalog
/// mentions about 19,000 keys, 1,600 distinct, 140 of them templates.
#[derive(Debug, Default)]
pub struct KeyIndex {
    /// The keys, lowercased (ASCII).
    exact: HashSet<String>,
    /// Keys with `${…}` or `<…>` placeholders: the text before the first
    /// placeholder, lowercased, and the key as a pattern.
    templates: Vec<(String, Pattern)>,
    /// The heads of keys with a generic tail (`…/tag-key`, `…/`), lowercased,
    /// `/` included.
    tails: Vec<String>,
}

impl KeyIndex {
    /// Indexes `keys`, as the catalog writes them.
    pub fn of<'k>(keys: impl IntoIterator<Item = &'k str>) -> Self {
        let mut index = KeyIndex::default();
        let mut templates = HashSet::new();
        for key in keys {
            if let Some(head) = generic_head(key) {
                let head = head.to_ascii_lowercase();
                if !index.tails.contains(&head) {
                    index.tails.push(head);
                }
                continue;
            }
            index.exact.insert(key.to_ascii_lowercase());
            if key.contains(['$', '<']) && templates.insert(key) {
                let before = key.find(['$', '<']).unwrap_or(key.len());
                index
                    .templates
                    .push((key[..before].to_ascii_lowercase(), Pattern::template(key)));
            }
        }
        index
    }

    /// True when some indexed key is `key` ([`same_key`]).
    pub fn contains(&self, key: &str) -> bool {
        let starts_with = |head: &str| {
            key.as_bytes()
                .get(..head.len())
                .is_some_and(|k| k.eq_ignore_ascii_case(head.as_bytes()))
        };
        self.exact.contains(&key.to_ascii_lowercase())
            || self
                .tails
                .iter()
                .any(|head| key.len() > head.len() && starts_with(head))
            || self
                .templates
                .iter()
                .any(|(before, pattern)| starts_with(before) && pattern.matches(key))
    }
}

/// Every condition key each service of a catalog mentions (its own, its
/// resource types' and its actions'), indexed per service and for them all.
#[derive(Debug)]
pub struct CatalogKeys {
    services: Vec<KeyIndex>,
    all: KeyIndex,
}

impl CatalogKeys {
    /// Indexes the keys of every service of `catalog`.
    pub fn of(catalog: &Catalog) -> Self {
        Self {
            services: catalog
                .services()
                .iter()
                .map(|s| KeyIndex::of(mentions(s)))
                .collect(),
            all: KeyIndex::of(catalog.services().iter().flat_map(mentions)),
        }
    }

    /// The keys of the service at `index` in [`Catalog::services`].
    pub fn service(&self, index: usize) -> &KeyIndex {
        &self.services[index]
    }

    /// The keys of every service.
    pub fn all(&self) -> &KeyIndex {
        &self.all
    }
}

/// Every condition key a service's catalog entry mentions: its own, its
/// resource types' and its actions'.
fn mentions(service: &Service) -> impl Iterator<Item = &str> {
    let record = &service.record;
    let keys = record.conditions.iter().map(|c| c.key.as_str());
    let of_resources = record.resources.iter().flat_map(|r| &r.conditions);
    let of_actions = record.actions.iter().flat_map(|a| &a.conditions);
    keys.chain(of_resources.chain(of_actions).map(String::as_str))
}

/// The head of a catalog key with a generic tail: `secretsmanager:ResourceTag/`
/// for `secretsmanager:ResourceTag/tag-key`, `glacier:ResourceTag/` for itself.
fn generic_head(template: &str) -> Option<&str> {
    template
        .strip_suffix("/tag-key")
        .map(|h| &template[..=h.len()])
        .or_else(|| template.ends_with('/').then_some(template))
}

/// True when `key` is `template`: case-insensitively, with `${Name}` or `<name>`
/// standing for any text, as does the tail of catalog keys written
/// `secretsmanager:ResourceTag/tag-key` or `glacier:ResourceTag/`.
pub fn same_key(template: &str, key: &str) -> bool {
    // A generic tail is checked first: the template itself, with no tag key, is
    // not a key anyone can send.
    if let Some(head) = generic_head(template) {
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
    fn the_index_knows_the_keys_same_key_knows() {
        let catalog = Catalog::embedded();
        let keys = CatalogKeys::of(catalog);
        // Each distinct key once, in the order of their first mention.
        fn distinct<'k>(keys: impl Iterator<Item = &'k str>) -> Vec<&'k str> {
            let mut seen = HashSet::new();
            keys.filter(|k| seen.insert(*k)).collect()
        }
        let all = distinct(catalog.services().iter().flat_map(mentions));
        let mut probes: Vec<String> = all.iter().step_by(13).map(|k| k.to_string()).collect();
        probes.extend(all.iter().step_by(11).map(|k| k.to_uppercase()));
        probes.extend(all.iter().step_by(7).map(|k| format!("{k}x")));
        probes.extend(
            [
                "aws:RequestTag/team",
                "s3:ExistingObjectTag/t",
                "S3:existingobjecttag/",
                "secretsmanager:ResourceTag/owner",
                "secretsmanager:ResourceTag/",
                "glacier:ResourceTag/team",
                "glacier:ResourceTag/",
                "ec2:NoSuchKey",
                "agent.example.buildkite.dev:build_branch",
                "",
            ]
            .map(str::to_owned),
        );
        for probe in &probes {
            let expected = all.iter().any(|k| same_key(k, probe));
            assert_eq!(keys.all().contains(probe), expected, "{probe}");
        }
        for prefix in ["s3", "ec2", "secretsmanager", "glacier"] {
            let i = catalog.service_index(prefix).unwrap();
            let own = distinct(mentions(&catalog.services()[i]));
            for probe in &probes {
                let expected = own.iter().any(|k| same_key(k, probe));
                assert_eq!(
                    keys.service(i).contains(probe),
                    expected,
                    "{prefix}: {probe}"
                );
            }
        }
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
