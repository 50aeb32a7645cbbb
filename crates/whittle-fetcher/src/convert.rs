//! From the SDK's types to the snapshot model, keeping every field IAM returns
//! and decoding each policy document exactly once (the IAM API URL-encodes
//! them and the SDK passes them through as they came).

use aws_sdk_iam::types as sdk;
use aws_smithy_types::DateTime;
use jiff::Timestamp;
use serde_json::Map;
use whittle_model as model;
use whittle_model::decode_document;

/// A timestamp from the SDK's; `None` if out of range.
pub fn timestamp(t: &DateTime) -> Option<Timestamp> {
    Timestamp::new(t.secs(), t.subsec_nanos() as i32).ok()
}

/// Like [`timestamp`], treating the epoch as absent: the SDK fills a required
/// date IAM left out (an unfinished job's completion date) with zero.
pub fn present(t: &DateTime) -> Option<Timestamp> {
    (t.secs() != 0 || t.subsec_nanos() != 0)
        .then(|| timestamp(t))
        .flatten()
}

fn opt(t: Option<&DateTime>) -> Option<Timestamp> {
    t.and_then(timestamp)
}

fn text(s: Option<String>) -> String {
    s.unwrap_or_default()
}

fn inline(list: Option<Vec<sdk::PolicyDetail>>) -> Vec<model::PolicyDetail> {
    list.unwrap_or_default()
        .into_iter()
        .map(|p| model::PolicyDetail {
            policy_name: text(p.policy_name),
            policy_document: decode_document(p.policy_document.as_deref().unwrap_or("")),
        })
        .collect()
}

fn attached(list: Option<Vec<sdk::AttachedPolicy>>) -> Vec<model::AttachedPolicy> {
    list.unwrap_or_default()
        .into_iter()
        .map(|p| model::AttachedPolicy {
            policy_name: text(p.policy_name),
            policy_arn: text(p.policy_arn),
        })
        .collect()
}

fn boundary(b: Option<sdk::AttachedPermissionsBoundary>) -> Option<model::PermissionsBoundary> {
    let b = b?;
    Some(model::PermissionsBoundary {
        permissions_boundary_type: b
            .permissions_boundary_type
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
        permissions_boundary_arn: b.permissions_boundary_arn?,
    })
}

fn tags(list: Option<Vec<sdk::Tag>>) -> Vec<model::Tag> {
    list.unwrap_or_default()
        .into_iter()
        .map(|t| model::Tag {
            key: t.key,
            value: t.value,
        })
        .collect()
}

/// A user.
pub fn user(u: sdk::UserDetail) -> model::UserDetail {
    model::UserDetail {
        path: text(u.path),
        user_name: text(u.user_name),
        user_id: text(u.user_id),
        arn: text(u.arn),
        create_date: opt(u.create_date.as_ref()),
        user_policy_list: inline(u.user_policy_list),
        group_list: u.group_list.unwrap_or_default(),
        attached_managed_policies: attached(u.attached_managed_policies),
        permissions_boundary: boundary(u.permissions_boundary),
        tags: tags(u.tags),
        extra: Map::new(),
    }
}

/// A group.
pub fn group(g: sdk::GroupDetail) -> model::GroupDetail {
    model::GroupDetail {
        path: text(g.path),
        group_name: text(g.group_name),
        group_id: text(g.group_id),
        arn: text(g.arn),
        create_date: opt(g.create_date.as_ref()),
        group_policy_list: inline(g.group_policy_list),
        attached_managed_policies: attached(g.attached_managed_policies),
        extra: Map::new(),
    }
}

/// A role.
pub fn role(r: sdk::RoleDetail) -> model::RoleDetail {
    model::RoleDetail {
        path: text(r.path),
        role_name: text(r.role_name),
        role_id: text(r.role_id),
        arn: text(r.arn),
        create_date: opt(r.create_date.as_ref()),
        assume_role_policy_document: r
            .assume_role_policy_document
            .as_deref()
            .map(decode_document),
        instance_profile_list: r
            .instance_profile_list
            .unwrap_or_default()
            .into_iter()
            .map(|p| model::InstanceProfile {
                path: p.path,
                instance_profile_name: p.instance_profile_name,
                instance_profile_id: p.instance_profile_id,
                arn: p.arn,
                create_date: timestamp(&p.create_date),
                extra: Map::new(),
            })
            .collect(),
        role_policy_list: inline(r.role_policy_list),
        attached_managed_policies: attached(r.attached_managed_policies),
        permissions_boundary: boundary(r.permissions_boundary),
        tags: tags(r.tags),
        role_last_used: r.role_last_used.map(|u| model::RoleLastUsed {
            last_used_date: opt(u.last_used_date.as_ref()),
            region: u.region,
        }),
        extra: Map::new(),
    }
}

/// A managed policy with its versions.
pub fn policy(p: sdk::ManagedPolicyDetail) -> model::ManagedPolicyDetail {
    model::ManagedPolicyDetail {
        policy_name: text(p.policy_name),
        policy_id: text(p.policy_id),
        arn: text(p.arn),
        path: text(p.path),
        default_version_id: text(p.default_version_id),
        attachment_count: p.attachment_count.unwrap_or_default(),
        permissions_boundary_usage_count: p.permissions_boundary_usage_count.unwrap_or_default(),
        is_attachable: p.is_attachable,
        description: p.description,
        create_date: opt(p.create_date.as_ref()),
        update_date: opt(p.update_date.as_ref()),
        policy_version_list: p
            .policy_version_list
            .unwrap_or_default()
            .into_iter()
            .map(|v| model::PolicyVersion {
                document: decode_document(v.document.as_deref().unwrap_or("")),
                version_id: text(v.version_id),
                is_default_version: v.is_default_version,
                create_date: opt(v.create_date.as_ref()),
            })
            .collect(),
        extra: Map::new(),
    }
}

/// A job status.
pub fn status(s: &sdk::JobStatusType) -> model::JobStatus {
    match s {
        sdk::JobStatusType::Completed => model::JobStatus::Completed,
        sdk::JobStatusType::Failed => model::JobStatus::Failed,
        _ => model::JobStatus::InProgress,
    }
}

/// A job's error, its text redacted (it is the endpoint's).
pub fn error(e: Option<sdk::ErrorDetails>) -> Option<model::ErrorDetails> {
    e.map(|e| model::ErrorDetails {
        message: crate::redact::redact(&e.message),
        code: crate::redact::redact(&e.code),
    })
}

/// One service of a report.
pub fn service(s: sdk::ServiceLastAccessed) -> model::ServiceLastAccessed {
    model::ServiceLastAccessed {
        service_name: s.service_name,
        service_namespace: s.service_namespace,
        last_authenticated: opt(s.last_authenticated.as_ref()),
        last_authenticated_entity: s.last_authenticated_entity,
        last_authenticated_region: s.last_authenticated_region,
        total_authenticated_entities: s.total_authenticated_entities,
        tracked_actions_last_accessed: s.tracked_actions_last_accessed.map(|actions| {
            actions
                .into_iter()
                .map(|a| model::TrackedActionLastAccessed {
                    action_name: text(a.action_name),
                    last_accessed_entity: a.last_accessed_entity,
                    last_accessed_time: opt(a.last_accessed_time.as_ref()),
                    last_accessed_region: a.last_accessed_region,
                })
                .collect()
        }),
    }
}

/// One entity of a with-entities report.
pub fn entity(e: sdk::EntityDetails) -> Option<model::EntityDetails> {
    let info = e.entity_info?;
    Some(model::EntityDetails {
        entity_info: model::EntityInfo {
            arn: info.arn,
            name: info.name,
            entity_type: info.r#type.as_str().to_owned(),
            id: info.id,
            path: info.path,
        },
        last_authenticated: opt(e.last_authenticated.as_ref()),
    })
}
