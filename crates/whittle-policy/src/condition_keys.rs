//! Condition keys and the types of value they hold: AWS's global condition
//! context keys, and the keys each service defines in the catalog.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::catalog::{Catalog, Service};
use crate::pattern::Pattern;

/// An AWS global condition key and the types of value it holds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalKey {
    /// The key as AWS documents it; `${TagKey}` stands for any tag key.
    pub key: String,
    /// Catalog value types (`String`, `ARN`, `Bool`, `Date`, `Numeric`,
    /// `IPAddress`, `ArrayOfString`); `aws:EpochTime` has two.
    pub types: Vec<String>,
    /// True when a request can hold several values (`aws:TagKeys`).
    #[serde(default)]
    pub multivalued: bool,
    /// For a key AWS no longer documents, the key to use instead.
    #[serde(default)]
    pub deprecated: Option<String>,
    /// Where the deprecation is recorded.
    #[serde(default)]
    pub deprecation_source: Option<String>,
}

/// Where the table of global keys was taken from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalKeysSource {
    /// The page's title.
    pub name: String,
    /// The page's address.
    pub url: String,
    /// When the table was compared with the page (YYYY-MM-DD).
    pub date: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GlobalKeysFile {
    source: GlobalKeysSource,
    key: Vec<GlobalKey>,
}

static GLOBAL_KEYS_DATA: &str = include_str!("../data/global-condition-keys.toml");

fn global_keys_file() -> &'static GlobalKeysFile {
    static FILE: OnceLock<GlobalKeysFile> = OnceLock::new();
    FILE.get_or_init(|| {
        toml::from_str(GLOBAL_KEYS_DATA).expect("data/global-condition-keys.toml is valid (tested)")
    })
}

/// AWS's global condition keys (`data/global-condition-keys.toml`, from the
/// IAM User Guide's "AWS global condition context keys" page), with the
/// cross-service keys that page lists and the deprecated keys still in use.
pub fn global_keys() -> &'static [GlobalKey] {
    &global_keys_file().key
}

/// Where [`global_keys`] was taken from, and when.
pub fn global_keys_source() -> &'static GlobalKeysSource {
    &global_keys_file().source
}

/// The value types of a key, from the global keys or from the service its prefix
/// names; `None` for a key neither defines.
pub fn key_types<'c>(catalog: &'c Catalog, key: &str) -> Option<Vec<&'c str>> {
    if let Some(global) = global_key(key) {
        return Some(global.types.iter().map(String::as_str).collect());
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
    global_keys().iter().find(|g| same_key(&g.key, key))
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
                .map(|s| KeyIndex::of(mentions(catalog, s)))
                .collect(),
            all: KeyIndex::of(catalog.services().iter().flat_map(|s| mentions(catalog, s))),
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
fn mentions<'c>(catalog: &'c Catalog, service: &'c Service) -> impl Iterator<Item = &'c str> {
    let record = &service.record;
    let keys = record.conditions.iter().map(|c| c.key.as_str());
    let of_resources = record.resources.iter().flat_map(|r| &r.conditions);
    let of_actions = catalog
        .service_actions(service)
        .iter()
        .flat_map(|a| &a.record.conditions);
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
    fn the_global_keys_of_data_perimeters_are_known() {
        for key in [
            "aws:VpceAccount",
            "aws:VpceOrgID",
            "aws:VpceOrgPaths",
            "aws:AssumedRoot",
            "aws:ChatbotSourceArn",
        ] {
            let global = global_key(key).unwrap_or_else(|| panic!("{key} is unknown"));
            assert!(global.deprecated.is_none(), "{key}");
        }
        assert!(global_key("aws:VpceOrgPaths").unwrap().multivalued);
        assert!(!global_key("aws:VpceOrgID").unwrap().multivalued);
        assert_eq!(global_key("aws:AssumedRoot").unwrap().types, ["Bool"]);
        assert!(
            global_keys_source()
                .url
                .starts_with("https://docs.aws.amazon.com/IAM/")
        );
    }

    #[test]
    fn deprecated_keys_name_a_known_replacement() {
        let owner = global_key("aws:SourceOwner").unwrap();
        assert_eq!(owner.deprecated.as_deref(), Some("aws:SourceAccount"));
        for key in global_keys() {
            let known = [
                "String",
                "ArrayOfString",
                "ARN",
                "Bool",
                "Date",
                "Numeric",
                "IPAddress",
            ];
            assert!(
                !key.types.is_empty() && key.types.iter().all(|t| known.contains(&t.as_str())),
                "{}",
                key.key
            );
            assert_eq!(
                key.multivalued,
                key.types == ["ArrayOfString"],
                "{}",
                key.key
            );
            if let Some(replacement) = &key.deprecated {
                let replacement = global_key(replacement).unwrap();
                assert!(replacement.deprecated.is_none(), "{}", key.key);
                assert!(key.deprecation_source.is_some(), "{}", key.key);
            }
        }
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
        let all = distinct(catalog.services().iter().flat_map(|s| mentions(catalog, s)));
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
            let own = distinct(mentions(catalog, &catalog.services()[i]));
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
