//! GetServiceLastAccessedDetails and GetServiceLastAccessedDetailsWithEntities
//! results in the AWS CLI's shape, every page merged. Everything the API returns
//! is kept; a tracked action that was never used has no `LastAccessedTime`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The state of a last-accessed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    /// Still running.
    InProgress,
    /// Done; the report is complete.
    Completed,
    /// Failed; `Error` says why.
    Failed,
}

impl JobStatus {
    /// IAM's name for the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "IN_PROGRESS",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
        }
    }
}

/// Why a job failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorDetails {
    /// What went wrong.
    pub message: String,
    /// IAM's error code.
    pub code: String,
}

/// GetServiceLastAccessedDetails, all pages merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LastAccessedDetails {
    /// The job's state.
    pub job_status: JobStatus,
    /// `SERVICE_LEVEL` or `ACTION_LEVEL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_type: Option<String>,
    /// When the job was created.
    pub job_creation_date: Option<Timestamp>,
    /// Every service the principal's policies allow, with its last use.
    #[serde(default)]
    pub services_last_accessed: Vec<ServiceLastAccessed>,
    /// When the job completed (the report's "as of" time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_completion_date: Option<Timestamp>,
    /// Why the job failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetails>,
}

/// One service of a last-accessed report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceLastAccessed {
    /// The service's name, e.g. `Amazon S3`.
    pub service_name: String,
    /// The service's namespace (action prefix), e.g. `s3`.
    pub service_namespace: String,
    /// The last authenticated use inside the tracking period; absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_authenticated: Option<Timestamp>,
    /// The entity (user or role ARN) that used it last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_authenticated_entity: Option<String>,
    /// The region it was last used in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_authenticated_region: Option<String>,
    /// How many entities used it (for group and policy reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_authenticated_entities: Option<i32>,
    /// Action-level data, for services whose actions IAM tracks; absent for
    /// services it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracked_actions_last_accessed: Option<Vec<TrackedActionLastAccessed>>,
}

/// One tracked action of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrackedActionLastAccessed {
    /// The action's name without its prefix, e.g. `GetObject`.
    pub action_name: String,
    /// The entity that used it last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed_entity: Option<String>,
    /// When it was last used; absent when never within the tracking period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed_time: Option<Timestamp>,
    /// The region it was last used in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed_region: Option<String>,
}

/// GetServiceLastAccessedDetailsWithEntities for one service, all pages merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EntitiesDetails {
    /// The job's state.
    pub job_status: JobStatus,
    /// When the job was created.
    pub job_creation_date: Option<Timestamp>,
    /// When the job completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_completion_date: Option<Timestamp>,
    /// Each entity that the policy or group applies to, with its last use.
    #[serde(default)]
    pub entity_details_list: Vec<EntityDetails>,
    /// Why the job failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetails>,
}

/// One entity of a with-entities report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EntityDetails {
    /// Who the entity is.
    pub entity_info: EntityInfo,
    /// When it last used the service; absent when never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_authenticated: Option<Timestamp>,
}

/// An entity named in a with-entities report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EntityInfo {
    /// The entity's ARN.
    pub arn: String,
    /// The entity's name.
    pub name: String,
    /// `USER`, `ROLE`, `GROUP`, `POLICY` or `AWS_MANAGED_POLICY`.
    #[serde(rename = "Type")]
    pub entity_type: String,
    /// The entity's unique id.
    pub id: String,
    /// The entity's path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_cli_output_is_read_and_never_used_actions_have_no_time() {
        let cli = r#"{
            "JobStatus": "COMPLETED", "JobType": "ACTION_LEVEL",
            "JobCreationDate": "2026-10-01T12:00:00.123000+00:00",
            "ServicesLastAccessed": [
                {"ServiceName": "Amazon S3", "ServiceNamespace": "s3",
                 "LastAuthenticated": "2026-09-30T08:00:00+00:00",
                 "LastAuthenticatedEntity": "arn:aws:iam::123456789012:role/app",
                 "LastAuthenticatedRegion": "eu-west-1", "TotalAuthenticatedEntities": 1,
                 "TrackedActionsLastAccessed": [
                    {"ActionName": "GetObject", "LastAccessedTime": "2026-09-30T08:00:00+00:00",
                     "LastAccessedEntity": "arn:aws:iam::123456789012:role/app",
                     "LastAccessedRegion": "eu-west-1"},
                    {"ActionName": "PutObject"}]},
                {"ServiceName": "AWS Identity and Access Management", "ServiceNamespace": "iam",
                 "TotalAuthenticatedEntities": 0}],
            "JobCompletionDate": "2026-10-01T12:00:05+00:00", "IsTruncated": false}"#;
        let details: LastAccessedDetails = serde_json::from_str(cli).unwrap();
        assert_eq!(details.job_status, JobStatus::Completed);
        let s3 = &details.services_last_accessed[0];
        let tracked = s3.tracked_actions_last_accessed.as_ref().unwrap();
        assert!(tracked[0].last_accessed_time.is_some());
        assert!(tracked[1].last_accessed_time.is_none());
        let iam = &details.services_last_accessed[1];
        assert!(iam.last_authenticated.is_none());
        assert!(iam.tracked_actions_last_accessed.is_none());
        // Written back, the shape is the CLI's.
        let json = serde_json::to_value(&details).unwrap();
        assert_eq!(
            json["ServicesLastAccessed"][0]["TrackedActionsLastAccessed"][1],
            serde_json::json!({"ActionName": "PutObject"})
        );
    }
}
