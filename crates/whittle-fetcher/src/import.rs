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
    let mut details: AuthorizationDetails = typed(path, value)?;
    name_attached_policies(&mut details);
    Ok(details)
}

/// `value` as a `T`, lenient where real exports differ from IAM's model:
/// a `null` (boto3 writes `"PermissionsBoundaryUsageCount": null`) is read as
/// an absent field. An error names the field and its line and column.
fn typed<T: serde::de::DeserializeOwned>(path: &Path, mut value: Value) -> Result<T, ImportError> {
    remove_nulls(&mut value);
    serde_path_to_error::deserialize(value).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.into_inner().to_string();
        ImportError {
            path: path.to_owned(),
            position: position_of(path, &field),
            message: if field == "." {
                inner
            } else {
                format!("{field}: {inner}")
            },
        }
    })
}

/// Drops every object member whose value is `null`.
fn remove_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(remove_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(remove_nulls),
        _ => {}
    }
}

/// The line and column of the element at `field` (`RoleDetailList[3].Tags`)
/// in the file, read again only when there is an error to place.
fn position_of(path: &Path, field: &str) -> Option<(usize, usize)> {
    let text = whittle_model::limits::IMPORT.read_to_string(path).ok()?;
    let root = whittle_syntax::parse_json(&text).ok()?;
    let mut node = &root;
    for segment in segments(field) {
        let next = match (segment, &node.value) {
            (Segment::Index(i), whittle_syntax::Value::Array(items)) => items.get(i),
            (Segment::Key(key), _) => node.get(key),
            _ => None,
        };
        // The deepest element that exists: a missing field is placed at
        // the object that lacks it.
        let Some(next) = next else { break };
        node = next;
    }
    let position = whittle_syntax::SourceFile::new("", text).position(node.span.start);
    Some((position.line, position.column))
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// The parts of a serde_path_to_error path: `a.b[2].c`.
fn segments(field: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in field.split('.').filter(|p| !p.is_empty()) {
        let (key, indices) = part
            .split_once('[')
            .map_or((part, ""), |(k, rest)| (k, rest));
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        for index in indices.split('[') {
            if let Some(Ok(i)) = index.strip_suffix(']').map(str::parse) {
                out.push(Segment::Index(i));
            }
        }
    }
    out
}

/// Fills in `PolicyName` of attached policies that lack it (moto omits it)
/// from the policy's ARN, whose last part is the name.
fn name_attached_policies(details: &mut AuthorizationDetails) {
    let attached = details
        .user_detail_list
        .iter_mut()
        .flat_map(|u| u.attached_managed_policies.iter_mut())
        .chain(
            details
                .group_detail_list
                .iter_mut()
                .flat_map(|g| g.attached_managed_policies.iter_mut()),
        )
        .chain(
            details
                .role_detail_list
                .iter_mut()
                .flat_map(|r| r.attached_managed_policies.iter_mut()),
        );
    for policy in attached.filter(|p| p.policy_name.is_empty()) {
        policy.policy_name = policy
            .policy_arn
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
    }
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
    typed(path, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("details.json");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn nulls_and_fields_moto_omits_are_accepted() {
        // As boto3's json.dump writes an export, and as moto answers.
        let (_dir, path) = details_file(
            r#"{"UserDetailList": [], "GroupDetailList": null,
  "RoleDetailList": [{"RoleName": "app", "Arn": "arn:aws:iam::123456789012:role/app", "Path": null,
    "RoleId": null, "CreateDate": null, "PermissionsBoundary": null, "Tags": null, "RoleLastUsed": {},
    "RolePolicyList": [],
    "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::123456789012:policy/team/ReadOnly"}]}],
  "Policies": [{"PolicyName": "ReadOnly", "Arn": "arn:aws:iam::123456789012:policy/team/ReadOnly",
    "PermissionsBoundaryUsageCount": null, "AttachmentCount": 1, "IsAttachable": true,
    "DefaultVersionId": "v1", "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true,
      "Document": "%7B%22Statement%22%3A%20%5B%5D%7D", "CreateDate": null}]}]}"#,
        );
        let details = read_details(&path).unwrap();
        let role = &details.role_detail_list[0];
        assert_eq!(role.attached_managed_policies[0].policy_name, "ReadOnly");
        assert!(role.permissions_boundary.is_none() && role.tags.is_empty());
        assert_eq!(details.policies[0].permissions_boundary_usage_count, 0);
    }

    #[test]
    fn a_wrong_type_is_placed_at_its_line_and_column_and_named() {
        let (_dir, path) = details_file(
            "{\"RoleDetailList\": [\n  {\"RoleName\": \"a\", \"Arn\": \"arn:aws:iam::1:role/a\"},\n  {\"RoleName\": 5, \"Arn\": \"arn:aws:iam::1:role/b\"}\n]}\n",
        );
        let error = read_details(&path).unwrap_err();
        assert_eq!(error.position, Some((3, 16)), "{error}");
        assert!(
            error
                .message
                .starts_with("RoleDetailList[1].RoleName: invalid type: integer `5`"),
            "{error}"
        );

        // A missing required field is placed at the object that lacks it.
        let (_dir, path) =
            details_file("{\"RoleDetailList\": [\n  {\"Arn\": \"arn:aws:iam::1:role/a\"}\n]}\n");
        let error = read_details(&path).unwrap_err();
        assert_eq!(error.position, Some((2, 3)), "{error}");
        assert!(
            error.message.contains("missing field `RoleName`"),
            "{error}"
        );
        assert!(error.to_string().contains("details.json:2:3: "), "{error}");
    }
}
