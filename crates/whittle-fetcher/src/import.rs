//! Snapshots from AWS CLI output, for teams that collect data with their own
//! tooling: `aws iam get-account-authorization-details` and, per principal,
//! `aws iam get-service-last-accessed-details`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use whittle_model::{
    AuthorizationDetails, EntityKind, LastAccessedDetails, Problem, Report, Snapshot, Source, Tool,
    decode_document,
};

/// A file that could not be used, with the position of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}{}: {message}", position.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
pub struct ImportError {
    /// The file.
    pub path: PathBuf,
    /// Line and column (1-based), when known.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl ImportError {
    fn new(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            position: None,
            message: message.into(),
        }
    }

    fn json(path: &Path, error: &serde_json::Error) -> Self {
        Self {
            path: path.to_owned(),
            position: Some((error.line(), error.column())),
            message: error.to_string(),
        }
    }
}

/// Builds a snapshot. A broken authorization-details file is fatal; a broken
/// last-accessed file is recorded for its principal (in the snapshot's errors
/// and in the returned list) and the others are still read.
pub fn import(
    authorization_details: &Path,
    last_accessed: &[(String, PathBuf)],
    tool: Tool,
) -> Result<(Snapshot, Vec<ImportError>), ImportError> {
    let mut files = vec![authorization_details.display().to_string()];
    files.extend(last_accessed.iter().map(|(_, p)| p.display().to_string()));
    let mut snapshot = Snapshot::new(tool, Source::Import { files });
    snapshot.authorization_details = read_details(authorization_details)?;
    snapshot.account_id = snapshot.authorization_details.account_id();
    let mut problems = Vec::new();
    for (arn, path) in last_accessed {
        let Some(kind) = EntityKind::of_arn(arn) else {
            problems.push(ImportError::new(
                path,
                format!("\"{arn}\" is not the ARN of an IAM user, role, group or policy"),
            ));
            continue;
        };
        match read_last_accessed(path) {
            Ok(details) => snapshot.reports.push(Report {
                arn: arn.clone(),
                kind,
                job_id: None,
                last_accessed: details,
                entities: Default::default(),
                api_calls: 0,
            }),
            Err(error) => {
                snapshot.errors.push(Problem {
                    arn: Some(arn.clone()),
                    operation: "GetServiceLastAccessedDetails".to_owned(),
                    code: None,
                    message: error.to_string(),
                });
                problems.push(error);
            }
        }
    }
    snapshot.reports.sort_by(|a, b| a.arn.cmp(&b.arn));
    snapshot.complete = true;
    Ok((snapshot, problems))
}

fn read_json(path: &Path) -> Result<Value, ImportError> {
    let text = whittle_model::limits::IMPORT
        .read_to_string(path)
        .map_err(|e| ImportError::new(path, e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| ImportError::json(path, &e))
}

/// Reads `get-account-authorization-details` output; documents may be JSON or
/// URL-encoded strings (as the raw API returns them) and are decoded once.
fn read_details(path: &Path) -> Result<AuthorizationDetails, ImportError> {
    let mut value = read_json(path)?;
    if [
        "UserDetailList",
        "GroupDetailList",
        "RoleDetailList",
        "Policies",
    ]
    .iter()
    .all(|key| value.get(key).is_none())
    {
        return Err(ImportError::new(
            path,
            "not `aws iam get-account-authorization-details` output (no UserDetailList, GroupDetailList, RoleDetailList or Policies)",
        ));
    }
    if value.get("IsTruncated") == Some(&Value::Bool(true)) {
        return Err(ImportError::new(
            path,
            "the export is truncated (IsTruncated is true): fetch every page, e.g. without --max-items",
        ));
    }
    decode_documents(&mut value);
    serde_json::from_value(value).map_err(|e| ImportError::new(path, e.to_string()))
}

/// Decodes every document held as a string, in place.
fn decode_documents(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let is_document = matches!(
                    key.as_str(),
                    "PolicyDocument" | "Document" | "AssumeRolePolicyDocument"
                );
                match child {
                    Value::String(text) if is_document => *child = decode_document(text),
                    _ => decode_documents(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(decode_documents),
        _ => {}
    }
}

/// Reads `get-service-last-accessed-details` output.
fn read_last_accessed(path: &Path) -> Result<LastAccessedDetails, ImportError> {
    let value = read_json(path)?;
    if value.get("JobStatus").is_none() {
        return Err(ImportError::new(
            path,
            "not `aws iam get-service-last-accessed-details` output (no JobStatus)",
        ));
    }
    if value.get("IsTruncated") == Some(&Value::Bool(true)) {
        return Err(ImportError::new(
            path,
            "the report is truncated (IsTruncated is true): merge every page, e.g. with `whittle access-advisor get --job-id ID`",
        ));
    }
    serde_json::from_value(value).map_err(|e| ImportError::new(path, e.to_string()))
}
