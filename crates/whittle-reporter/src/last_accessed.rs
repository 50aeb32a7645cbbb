//! `whittle access-advisor`: last-accessed reports as the AWS CLI prints them
//! (JSON with its field names, every page merged), or as tables: one row per
//! service with its tracked actions, or per entity.

use serde::Serialize;
use whittle_model::{EntitiesDetails, LastAccessedDetails};

use crate::table::new_table;

fn when(t: Option<jiff::Timestamp>) -> String {
    t.map_or_else(
        || "never (in the tracking period)".to_owned(),
        |t| t.to_string(),
    )
}

/// A last-accessed report as a table: service, last use, by whom, where, and
/// the tracked actions used (or "not tracked" for service-level-only services).
pub fn last_accessed_table(details: &LastAccessedDetails, width: u16) -> String {
    let mut table = new_table(
        &[
            "Service",
            "Last authenticated",
            "Entity",
            "Region",
            "Tracked actions",
        ],
        width,
    );
    for service in &details.services_last_accessed {
        let actions = match &service.tracked_actions_last_accessed {
            None => "not tracked".to_owned(),
            Some(actions) => actions
                .iter()
                .map(|a| match a.last_accessed_time {
                    Some(t) => format!("{} {t}", a.action_name),
                    None => format!("{} never", a.action_name),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        };
        table.add_row([
            service.service_namespace.clone(),
            when(service.last_authenticated),
            service
                .last_authenticated_entity
                .clone()
                .unwrap_or_default(),
            service
                .last_authenticated_region
                .clone()
                .unwrap_or_default(),
            actions,
        ]);
    }
    let mut out = table.to_string();
    out.push_str(&format!(
        "\njob {}{}\n",
        details.job_status.as_str(),
        details
            .job_completion_date
            .map(|t| format!(", completed {t}"))
            .unwrap_or_default()
    ));
    if let Some(error) = &details.error {
        out.push_str(&format!("error {}: {}\n", error.code, error.message));
    }
    out
}

/// A with-entities report as a table: entity, type, last use.
pub fn entities_table(details: &EntitiesDetails, width: u16) -> String {
    let mut table = new_table(&["Entity", "Type", "Last authenticated"], width);
    for entity in &details.entity_details_list {
        table.add_row([
            entity.entity_info.arn.clone(),
            entity.entity_info.entity_type.clone(),
            when(entity.last_authenticated),
        ]);
    }
    format!("{table}\njob {}\n", details.job_status.as_str())
}

/// `generate`'s output, as the AWS CLI prints it: `{"JobId": …}`.
#[derive(Serialize)]
struct JobStarted<'a> {
    /// The job to read the report of.
    #[serde(rename = "JobId")]
    job_id: &'a str,
}

/// A report with every page merged, as the AWS CLI prints the last page: the
/// report's fields, then `IsTruncated` false, since nothing is left to read.
#[derive(Serialize)]
struct AllPages<'a, T> {
    #[serde(flatten)]
    report: &'a T,
    /// Always false.
    #[serde(rename = "IsTruncated")]
    is_truncated: bool,
}

impl<'a, T: Serialize> AllPages<'a, T> {
    fn json(report: &'a T) -> String {
        crate::json::pretty(&AllPages {
            report,
            is_truncated: false,
        })
    }
}

/// `access-advisor generate`: the started job's id as JSON.
pub fn job_started_json(job_id: &str) -> String {
    crate::json::pretty(&JobStarted { job_id })
}

/// `access-advisor get --output json`: the report with the AWS CLI's field names.
pub fn last_accessed_json(details: &LastAccessedDetails) -> String {
    AllPages::json(details)
}

/// `access-advisor get-with-entities --output json`: the report with the AWS
/// CLI's field names.
pub fn entities_json(details: &EntitiesDetails) -> String {
    AllPages::json(details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untracked_services_and_unused_actions_are_told_apart() {
        let details: LastAccessedDetails = serde_json::from_str(
            r#"{"JobStatus": "COMPLETED", "JobCreationDate": "2026-10-01T12:00:00Z",
                "JobCompletionDate": "2026-10-01T12:00:05Z",
                "ServicesLastAccessed": [
                  {"ServiceName": "Amazon S3", "ServiceNamespace": "s3",
                   "LastAuthenticated": "2026-09-30T08:00:00Z",
                   "TrackedActionsLastAccessed": [{"ActionName": "PutObject"}]},
                  {"ServiceName": "AWS STS", "ServiceNamespace": "sts"}]}"#,
        )
        .unwrap();
        let text = last_accessed_table(&details, 120);
        assert!(text.contains("PutObject never"), "{text}");
        assert!(text.contains("not tracked"), "{text}");
        assert!(text.contains("never (in the tracking period)"), "{text}");
        assert!(
            text.contains("job COMPLETED, completed 2026-10-01T12:00:05Z"),
            "{text}"
        );
    }
}
