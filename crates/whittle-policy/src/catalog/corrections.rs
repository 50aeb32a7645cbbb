//! Reviewed corrections to AWS's action data, from `data/corrections.toml`:
//! access levels AWS's data gets wrong, Write actions that only move data,
//! services known under two ARN prefixes, resource types AWS's data omits, and
//! the prefixes of retired services. Every row records its source and reason.
//!
//! `apply` corrects catalog records as a catalog is built, so every rule
//! reads corrected data; rows that no longer match the data (AWS fixed it, or
//! an overlay catalog lacks the action) are skipped.

use std::sync::OnceLock;

use serde::Deserialize;

use super::{AccessLevel, ActionResource, ResourceType, ServiceRecord};

static DATA: &str = include_str!("../../data/corrections.toml");

/// The corrections file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Corrections {
    /// Access levels to correct.
    #[serde(default)]
    pub access: Vec<AccessCorrection>,
    /// Write actions that create, change or delete no resource.
    #[serde(default)]
    pub data_write: Vec<DataWrite>,
    /// Services whose resources also go by another prefix's ARNs.
    #[serde(default)]
    pub arn_alias: Vec<ArnAlias>,
    /// Resource types actions act on that AWS's data omits.
    #[serde(default)]
    pub resource: Vec<ExtraResource>,
    /// Prefixes of retired services.
    #[serde(default)]
    pub retired: Vec<RetiredService>,
}

/// An access level AWS's data gets wrong.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessCorrection {
    /// `prefix:Action` names.
    pub actions: Vec<String>,
    /// The level AWS's data gives; the row applies only while it still does.
    pub aws: AccessLevel,
    /// The level the actions have.
    pub level: AccessLevel,
    /// Where the facts come from.
    pub source: String,
    /// Why the correction is right.
    pub reason: String,
}

/// Write actions that only move data through an existing resource.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataWrite {
    /// `prefix:Action` names.
    pub actions: Vec<String>,
    /// Where the facts come from.
    pub source: String,
    /// Why they change no infrastructure.
    pub reason: String,
}

/// One service under two prefixes: each one's ARNs are the other's resources.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArnAlias {
    /// A service prefix of the catalog.
    pub service: String,
    /// The other prefix its resources' ARNs go by.
    pub alias: String,
    /// Where the facts come from.
    pub source: String,
    /// Why the two are one.
    pub reason: String,
}

/// A resource type that actions act on and AWS's data omits.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraResource {
    /// `prefix:Action` names.
    pub actions: Vec<String>,
    /// The resource type's name.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Its ARN format, with `${…}` placeholders as in the catalog.
    pub arn: String,
    /// Where the facts come from.
    pub source: String,
    /// Why the actions act on it.
    pub reason: String,
}

/// A service AWS retired: its prefix is no longer in the service reference.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetiredService {
    /// The service prefix.
    pub prefix: String,
    /// The service's name.
    pub service: String,
    /// Where the facts come from.
    pub source: String,
    /// Why it is listed.
    pub reason: String,
}

impl Corrections {
    /// The corrections embedded in this build.
    pub fn embedded() -> &'static Corrections {
        static CORRECTIONS: OnceLock<Corrections> = OnceLock::new();
        CORRECTIONS
            .get_or_init(|| toml::from_str(DATA).expect("data/corrections.toml is valid (tested)"))
    }

    /// The retired service whose prefix is `prefix`, case-insensitively.
    pub fn retired(&self, prefix: &str) -> Option<&RetiredService> {
        self.retired
            .iter()
            .find(|r| r.prefix.eq_ignore_ascii_case(prefix))
    }

    /// Every action the `data_write` rows name.
    pub fn data_writes(&self) -> impl Iterator<Item = &str> {
        self.data_write
            .iter()
            .flat_map(|row| row.actions.iter().map(String::as_str))
    }
}

/// Corrects `records` (sorted or not) in place: access levels, extra resource
/// types, and ARN formats of aliased services.
pub(super) fn apply(corrections: &Corrections, records: &mut [ServiceRecord]) {
    for row in &corrections.access {
        for name in &row.actions {
            if let Some(action) = find_action(records, name)
                && action.access == row.aws
            {
                action.access = row.level;
            }
        }
    }
    for row in &corrections.resource {
        add_resource(records, row);
    }
    for row in &corrections.arn_alias {
        alias(records, &row.service, &row.alias);
        alias(records, &row.alias, &row.service);
    }
}

fn service_mut<'r>(
    records: &'r mut [ServiceRecord],
    prefix: &str,
) -> Option<&'r mut ServiceRecord> {
    records
        .iter_mut()
        .find(|s| s.prefix.eq_ignore_ascii_case(prefix))
}

fn find_action<'r>(
    records: &'r mut [ServiceRecord],
    qualified: &str,
) -> Option<&'r mut super::ActionRecord> {
    let (prefix, name) = qualified.split_once(':')?;
    service_mut(records, prefix)?
        .actions
        .iter_mut()
        .find(|a| a.name.eq_ignore_ascii_case(name))
}

/// Gives each named action the row's resource type, defining it in the
/// action's service when the service lacks it.
fn add_resource(records: &mut [ServiceRecord], row: &ExtraResource) {
    for name in &row.actions {
        let Some((prefix, action_name)) = name.split_once(':') else {
            continue;
        };
        let Some(service) = service_mut(records, prefix) else {
            continue;
        };
        let Some(action) = service
            .actions
            .iter_mut()
            .find(|a| a.name.eq_ignore_ascii_case(action_name))
        else {
            continue;
        };
        if !action
            .resources
            .iter()
            .any(|r| r.resource_type == row.resource_type)
        {
            action.resources.push(ActionResource {
                resource_type: row.resource_type.clone(),
                required: false,
            });
        }
        match service
            .resources
            .iter_mut()
            .find(|r| r.resource_type == row.resource_type)
        {
            Some(kind) if !kind.arns.contains(&row.arn) => kind.arns.push(row.arn.clone()),
            Some(_) => {}
            None => service.resources.push(ResourceType {
                resource_type: row.resource_type.clone(),
                arns: vec![row.arn.clone()],
                conditions: Vec::new(),
            }),
        }
    }
}

/// Adds to every resource type of `service` its ARN formats under `alias`.
fn alias(records: &mut [ServiceRecord], service: &str, alias: &str) {
    let Some(record) = service_mut(records, service) else {
        return;
    };
    let from = format!(":{}:", record.prefix);
    let to = format!(":{alias}:");
    for kind in &mut record.resources {
        let extra: Vec<String> = kind
            .arns
            .iter()
            .filter(|arn| arn.contains(&from))
            .map(|arn| arn.replacen(&from, &to, 1))
            .filter(|arn| !kind.arns.contains(arn))
            .collect();
        kind.arns.extend(extra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// The embedded catalog without corrections, as AWS's data has it.
    fn uncorrected() -> Vec<ServiceRecord> {
        crate::catalog::embedded_file().services
    }

    fn names(corrections: &Corrections) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for row in &corrections.access {
            names.extend(row.actions.iter().map(String::as_str));
        }
        names.extend(corrections.data_writes());
        for row in &corrections.resource {
            names.extend(row.actions.iter().map(String::as_str));
        }
        names
    }

    #[test]
    fn every_row_has_a_source_and_a_reason() {
        let c = Corrections::embedded();
        let texts = c
            .access
            .iter()
            .map(|r| (&r.source, &r.reason))
            .chain(c.data_write.iter().map(|r| (&r.source, &r.reason)))
            .chain(c.arn_alias.iter().map(|r| (&r.source, &r.reason)))
            .chain(c.resource.iter().map(|r| (&r.source, &r.reason)))
            .chain(c.retired.iter().map(|r| (&r.source, &r.reason)));
        for (source, reason) in texts {
            assert!(!source.trim().is_empty() && !reason.trim().is_empty());
        }
    }

    #[test]
    fn every_row_names_what_the_catalog_holds() {
        let c = Corrections::embedded();
        let catalog = Catalog::embedded();
        for name in names(c) {
            assert!(
                catalog.action_id(name).is_some(),
                "{name} is not in the catalog"
            );
        }
        let raw = uncorrected();
        let level = |name: &str| {
            let (prefix, action) = name.split_once(':').unwrap();
            raw.iter()
                .find(|s| s.prefix == prefix)
                .and_then(|s| s.actions.iter().find(|a| a.name == action))
                .map(|a| a.access)
        };
        for row in &c.access {
            for name in &row.actions {
                assert_eq!(
                    level(name),
                    Some(row.aws),
                    "{name}: AWS's data changed; review the row"
                );
            }
        }
        for row in &c.data_write {
            for name in &row.actions {
                assert_eq!(
                    level(name),
                    Some(AccessLevel::Write),
                    "{name} is not a Write action"
                );
            }
        }
        for row in &c.arn_alias {
            assert!(catalog.service(&row.service).is_some(), "{}", row.service);
            assert!(catalog.service(&row.alias).is_some(), "{}", row.alias);
        }
        for row in &c.retired {
            assert!(
                catalog.service(&row.prefix).is_none(),
                "{} is in the catalog: not retired",
                row.prefix
            );
        }
    }

    #[test]
    fn corrections_take_effect_in_the_catalog() {
        let catalog = Catalog::embedded();
        let action = |name: &str| catalog.action(catalog.action_id(name).unwrap());
        assert_eq!(
            action("datazone:GetIamPortalLoginUrl").record.access,
            AccessLevel::Read
        );
        assert_eq!(
            action("backup:ListIndexedRecoveryPointsForSearch")
                .record
                .access,
            AccessLevel::List
        );
        // Real permissions management stays.
        assert_eq!(
            action("s3:PutObjectAcl").record.access,
            AccessLevel::PermissionsManagement
        );
        assert!(catalog.writes_data_only(catalog.action_id("kms:Decrypt").unwrap()));
        assert!(!catalog.writes_data_only(catalog.action_id("kms:ScheduleKeyDeletion").unwrap()));
        let open = action("ssmmessages:OpenDataChannel");
        assert!(
            open.record
                .resources
                .iter()
                .any(|r| r.resource_type == "session")
        );
        let connections = catalog.service("codestar-connections").unwrap();
        assert!(connections.record.resources.iter().any(|r| {
            r.arns
                .iter()
                .any(|a| a.starts_with("arn:${Partition}:codeconnections:"))
        }));
    }

    /// Every read-named action AWS labels Permissions management is reviewed:
    /// a new one in a catalog refresh fails here until a row judges it.
    #[test]
    fn every_read_named_permissions_management_action_is_reviewed() {
        let c = Corrections::embedded();
        let reviewed: Vec<&str> = c
            .access
            .iter()
            .flat_map(|r| r.actions.iter().map(String::as_str))
            .collect();
        const READ_VERBS: [&str; 6] = ["Get", "List", "Describe", "BatchGet", "Search", "View"];
        for service in uncorrected() {
            for action in &service.actions {
                let reads =
                    READ_VERBS.iter().any(|v| action.name.starts_with(v)) || action.name == "GET";
                let name = format!("{}:{}", service.prefix, action.name);
                if reads && action.access == AccessLevel::PermissionsManagement {
                    assert!(reviewed.contains(&name.as_str()), "{name} is not reviewed");
                }
            }
        }
    }
}
