//! Reads AWS's machine-readable service reference
//! (<https://servicereference.us-east-1.amazonaws.com/>): an index of services
//! and one JSON document per service, converted into catalog [`ServiceRecord`]s.
//!
//! Unlike the Service Authorization Reference tables, it says per action whether
//! IAM reports it in action-level last-accessed data (`SupportedBy` →
//! `IAM Action Last Accessed`), which the recommender needs.

use serde::Deserialize;

use super::{AccessLevel, ActionRecord, ActionResource, ConditionKey, ResourceType, ServiceRecord};

/// The `SupportedBy` key that marks actions tracked in last-accessed reports.
const LAST_ACCESSED: &str = "IAM Action Last Accessed";

/// One entry of the service reference index.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IndexEntry {
    /// The service prefix, e.g. `s3`.
    pub service: String,
    /// Where the service's document is.
    pub url: String,
}

/// Parses the index document: `[{"service": "s3", "url": "https://…/v1/s3/s3.json"}, …]`.
pub fn parse_index(json: &[u8]) -> Result<Vec<IndexEntry>, serde_json::Error> {
    serde_json::from_slice(json)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ServiceDocument {
    name: String,
    #[serde(default)]
    actions: Vec<ActionDocument>,
    #[serde(default)]
    resources: Vec<ResourceDocument>,
    #[serde(default)]
    condition_keys: Vec<ConditionKeyDocument>,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ActionDocument {
    name: String,
    #[serde(default)]
    action_condition_keys: Vec<String>,
    #[serde(default)]
    annotations: Option<Annotations>,
    #[serde(default)]
    resources: Vec<NamedResource>,
    #[serde(default)]
    supported_by: Option<std::collections::BTreeMap<String, bool>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Annotations {
    #[serde(default)]
    properties: Properties,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Properties {
    #[serde(default)]
    is_list: bool,
    #[serde(default)]
    is_permission_management: bool,
    #[serde(default)]
    is_tagging_only: bool,
    #[serde(default)]
    is_write: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NamedResource {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResourceDocument {
    name: String,
    #[serde(default, rename = "ARNFormats")]
    arn_formats: Vec<String>,
    #[serde(default)]
    condition_keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConditionKeyDocument {
    name: String,
    #[serde(default)]
    types: Vec<String>,
}

/// A service document converted to a catalog record, with the document's version.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedService {
    /// The service as a catalog record.
    pub record: ServiceRecord,
    /// The document's `Version` (e.g. `v1.3`), when given.
    pub version: Option<String>,
}

/// Parses one service document.
pub fn parse_service(json: &[u8]) -> Result<ParsedService, serde_json::Error> {
    let document: ServiceDocument = serde_json::from_slice(json)?;
    let mut actions: Vec<ActionRecord> = document.actions.into_iter().map(action).collect();
    actions.sort_by(|a, b| a.name.cmp(&b.name));
    let record = ServiceRecord {
        name: document.name.clone(),
        prefix: document.name,
        actions,
        resources: document
            .resources
            .into_iter()
            .map(|r| ResourceType {
                resource_type: r.name,
                arns: r.arn_formats,
                conditions: r.condition_keys,
            })
            .collect(),
        conditions: document
            .condition_keys
            .into_iter()
            .map(|c| ConditionKey {
                key: c.name,
                value_type: c.types.join("|"),
            })
            .collect(),
    };
    Ok(ParsedService {
        record,
        version: document.version,
    })
}

fn action(document: ActionDocument) -> ActionRecord {
    let properties = document
        .annotations
        .map(|a| a.properties)
        .unwrap_or_default();
    // The reference marks a tagging action as both write and tagging-only, and a
    // permissions-management action as both write and permissions management;
    // the more specific level wins, as in the Service Authorization Reference.
    let access = if properties.is_permission_management {
        AccessLevel::PermissionsManagement
    } else if properties.is_tagging_only {
        AccessLevel::Tagging
    } else if properties.is_write {
        AccessLevel::Write
    } else if properties.is_list {
        AccessLevel::List
    } else {
        AccessLevel::Read
    };
    ActionRecord {
        name: document.name,
        access,
        resources: document
            .resources
            .into_iter()
            .map(|r| ActionResource {
                resource_type: r.name,
                required: false,
            })
            .collect(),
        conditions: document.action_condition_keys,
        tracked: Some(
            document
                .supported_by
                .is_some_and(|s| s.get(LAST_ACCESSED).copied().unwrap_or(false)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, CatalogFile, CatalogSource, FORMAT};

    fn fixture(path: &str) -> Vec<u8> {
        let root = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/service-reference/"
        );
        std::fs::read(format!("{root}{path}")).expect("the fixture is checked in")
    }

    #[test]
    fn the_index_lists_services_and_urls() {
        let index = parse_index(&fixture("index.json")).unwrap();
        let services: Vec<&str> = index.iter().map(|e| e.service.as_str()).collect();
        assert_eq!(services, ["iam", "s3", "sts"]);
        assert_eq!(
            index[1].url,
            "https://servicereference.us-east-1.amazonaws.com/v1/s3/s3.json"
        );
    }

    #[test]
    fn actions_get_access_levels_resources_and_tracking() {
        let iam = parse_service(&fixture("v1/iam/iam.json")).unwrap();
        assert_eq!(iam.record.prefix, "iam");
        let action = |name: &str| iam.record.actions.iter().find(|a| a.name == name).unwrap();
        assert_eq!(
            action("AttachRolePolicy").access,
            AccessLevel::PermissionsManagement
        );
        assert_eq!(action("TagRole").access, AccessLevel::Tagging);
        assert_eq!(action("ListRoles").access, AccessLevel::List);
        assert_eq!(action("GetRole").access, AccessLevel::Read);
        assert_eq!(action("CreateAccessKey").access, AccessLevel::Write);
        assert_eq!(action("PassRole").tracked, Some(false));
        assert_eq!(action("GetRole").tracked, Some(true));
        assert!(
            action("GetRole")
                .resources
                .iter()
                .any(|r| r.resource_type == "role")
        );
        let role = iam
            .record
            .resources
            .iter()
            .find(|r| r.resource_type == "role")
            .unwrap();
        assert!(role.arns[0].starts_with("arn:${Partition}:iam::${Account}:role/"));
        assert!(iam.version.is_some());
    }

    #[test]
    fn a_parsed_service_reference_overlays_the_embedded_catalog() {
        let services = ["v1/iam/iam.json", "v1/s3/s3.json", "v1/sts/sts.json"]
            .map(|p| parse_service(&fixture(p)).unwrap().record);
        let catalog = Catalog::with_overlay(CatalogFile {
            format: FORMAT,
            source: CatalogSource {
                name: "AWS service reference".into(),
                version: "v1.4".into(),
                date: "2026-11-24".into(),
                license: None,
            },
            services: services.to_vec(),
        });
        let s3 = catalog.service("s3").unwrap();
        assert_eq!(catalog.service_actions(s3).len(), 7);
        let get = catalog.action(catalog.action_id("s3:GetObject").unwrap());
        assert_eq!(get.record.tracked, Some(false));
        assert_eq!(
            s3.record.name, "Amazon S3",
            "the embedded readable name is kept"
        );
        // Services the overlay does not hold keep their embedded data.
        assert!(catalog.action_id("ec2:RunInstances").is_some());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse_service(b"{\"Actions\": 3}").is_err());
        assert!(parse_index(b"{}").is_err());
    }
}
