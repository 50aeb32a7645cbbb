//! GetAccountAuthorizationDetails in the AWS CLI's shape, with every policy
//! document decoded to JSON. Fields this model does not name are kept in
//! `extra`, so importing AWS CLI output loses nothing.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Every user, group, role and managed policy of an account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthorizationDetails {
    /// Users with their inline policies, groups and attached policies.
    #[serde(default)]
    pub user_detail_list: Vec<UserDetail>,
    /// Groups with their inline and attached policies.
    #[serde(default)]
    pub group_detail_list: Vec<GroupDetail>,
    /// Roles with their trust policies, inline and attached policies.
    #[serde(default)]
    pub role_detail_list: Vec<RoleDetail>,
    /// Managed policies (AWS managed ones only when attached) and their versions.
    #[serde(default)]
    pub policies: Vec<ManagedPolicyDetail>,
}

impl AuthorizationDetails {
    /// Whether a user or role of this ARN is listed.
    pub fn holds_principal(&self, arn: &str) -> bool {
        self.user_detail_list.iter().any(|u| u.arn == arn)
            || self.role_detail_list.iter().any(|r| r.arn == arn)
    }

    /// The 12-digit account id, from the first ARN of a user, role, group or
    /// customer managed policy.
    pub fn account_id(&self) -> Option<String> {
        self.user_detail_list
            .iter()
            .map(|u| u.arn.as_str())
            .chain(self.role_detail_list.iter().map(|r| r.arn.as_str()))
            .chain(self.group_detail_list.iter().map(|g| g.arn.as_str()))
            .chain(self.policies.iter().map(|p| p.arn.as_str()))
            .find_map(account_of)
    }
}

/// The account id of an IAM ARN, if it names one (`aws` for AWS managed
/// policies does not).
pub fn account_of(arn: &str) -> Option<String> {
    arn.split(':')
        .nth(4)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

/// An IAM user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserDetail {
    /// The user's path, e.g. `/`.
    #[serde(default)]
    pub path: String,
    /// The user's name.
    pub user_name: String,
    /// The user's unique id.
    #[serde(default)]
    pub user_id: String,
    /// The user's ARN.
    pub arn: String,
    /// When the user was created.
    pub create_date: Option<Timestamp>,
    /// Inline policies.
    #[serde(default)]
    pub user_policy_list: Vec<PolicyDetail>,
    /// Names of the groups the user is in.
    #[serde(default)]
    pub group_list: Vec<String>,
    /// Attached managed policies.
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    /// The permissions boundary, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<PermissionsBoundary>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Fields not modelled above, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An IAM group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupDetail {
    /// The group's path.
    #[serde(default)]
    pub path: String,
    /// The group's name.
    pub group_name: String,
    /// The group's unique id.
    #[serde(default)]
    pub group_id: String,
    /// The group's ARN.
    pub arn: String,
    /// When the group was created.
    pub create_date: Option<Timestamp>,
    /// Inline policies.
    #[serde(default)]
    pub group_policy_list: Vec<PolicyDetail>,
    /// Attached managed policies.
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    /// Fields not modelled above, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An IAM role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleDetail {
    /// The role's path.
    #[serde(default)]
    pub path: String,
    /// The role's name.
    pub role_name: String,
    /// The role's unique id.
    #[serde(default)]
    pub role_id: String,
    /// The role's ARN.
    pub arn: String,
    /// When the role was created.
    pub create_date: Option<Timestamp>,
    /// The trust policy, decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assume_role_policy_document: Option<Value>,
    /// Instance profiles holding the role.
    #[serde(default)]
    pub instance_profile_list: Vec<InstanceProfile>,
    /// Inline policies.
    #[serde(default)]
    pub role_policy_list: Vec<PolicyDetail>,
    /// Attached managed policies.
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    /// The permissions boundary, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<PermissionsBoundary>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// When the role was last used, and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_last_used: Option<RoleLastUsed>,
    /// Fields not modelled above, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An instance profile that holds a role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfile {
    /// The profile's path.
    #[serde(default)]
    pub path: String,
    /// The profile's name.
    pub instance_profile_name: String,
    /// The profile's unique id.
    #[serde(default)]
    pub instance_profile_id: String,
    /// The profile's ARN.
    pub arn: String,
    /// When the profile was created.
    pub create_date: Option<Timestamp>,
    /// Fields not modelled above (the CLI repeats the roles here), kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// When a role was last used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleLastUsed {
    /// The last time the role was used (absent when never, within IAM's tracking period).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_date: Option<Timestamp>,
    /// The region it was used in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// An inline policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDetail {
    /// The policy's name.
    pub policy_name: String,
    /// The document, decoded.
    pub policy_document: Value,
}

/// A managed policy attached to a principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    /// The policy's name (empty when an export omits it: the last part of
    /// the ARN).
    #[serde(default)]
    pub policy_name: String,
    /// The policy's ARN.
    pub policy_arn: String,
}

/// A principal's permissions boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionsBoundary {
    /// Always `Policy` today.
    #[serde(default)]
    pub permissions_boundary_type: String,
    /// The boundary policy's ARN.
    pub permissions_boundary_arn: String,
}

/// A tag on a principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// The tag's key.
    pub key: String,
    /// The tag's value.
    pub value: String,
}

/// A managed policy with its versions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicyDetail {
    /// The policy's name.
    pub policy_name: String,
    /// The policy's unique id.
    #[serde(default)]
    pub policy_id: String,
    /// The policy's ARN.
    pub arn: String,
    /// The policy's path.
    #[serde(default)]
    pub path: String,
    /// The version in force, e.g. `v3`.
    #[serde(default)]
    pub default_version_id: String,
    /// How many principals it is attached to.
    #[serde(default)]
    pub attachment_count: i32,
    /// How many principals use it as a permissions boundary.
    #[serde(default)]
    pub permissions_boundary_usage_count: i32,
    /// Whether it can be attached.
    #[serde(default)]
    pub is_attachable: bool,
    /// The description, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When it was created.
    pub create_date: Option<Timestamp>,
    /// When it was last updated.
    pub update_date: Option<Timestamp>,
    /// Its versions, each with its decoded document.
    #[serde(default)]
    pub policy_version_list: Vec<PolicyVersion>,
    /// Fields not modelled above, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ManagedPolicyDetail {
    /// The version in force, if the export holds it.
    pub fn default_version(&self) -> Option<&PolicyVersion> {
        self.policy_version_list
            .iter()
            .find(|v| v.is_default_version)
            .or_else(|| {
                self.policy_version_list
                    .iter()
                    .find(|v| v.version_id == self.default_version_id)
            })
    }
}

/// One version of a managed policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    /// The document, decoded.
    pub document: Value,
    /// The version's id, e.g. `v2`.
    pub version_id: String,
    /// Whether this version is in force.
    #[serde(default)]
    pub is_default_version: bool,
    /// When the version was created.
    pub create_date: Option<Timestamp>,
}

/// Decodes a policy document as the IAM API returns it: URL-encoded JSON, or
/// JSON already decoded (as the AWS CLI prints it). Decoding happens exactly
/// once, and only when the text is not already JSON, so a `%` inside a decoded
/// document is never touched. Text that is not JSON either way is kept as a
/// JSON string, so the snapshot loses nothing and lint reports it; so is text
/// whose decoded bytes are not UTF-8 (never patched with U+FFFD, as lint
/// refuses such files too).
pub fn decode_document(raw: &str) -> Value {
    if let Ok(value) = serde_json::from_str::<Value>(raw) {
        return value;
    }
    match percent_encoding::percent_decode_str(raw).decode_utf8() {
        Ok(decoded) => {
            serde_json::from_str(&decoded).unwrap_or_else(|_| Value::String(raw.to_owned()))
        }
        Err(_) => Value::String(raw.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_decoding_to_invalid_utf8_is_kept_as_it_came() {
        // `%FF` is no UTF-8: the document is not patched with U+FFFD.
        let raw = "%7B%22Sid%22%3A%22a%FFb%22%7D";
        assert_eq!(decode_document(raw), Value::String(raw.to_owned()));
        assert_eq!(
            decode_document("%7B%22Sid%22%3A%22a%C3%A9b%22%7D"),
            serde_json::json!({"Sid": "a\u{e9}b"})
        );
    }

    #[test]
    fn documents_are_decoded_exactly_once() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            decode_document(encoded),
            serde_json::json!({"Version": "2012-10-17", "Statement": []})
        );
        // A decoded document with a literal "%41" keeps it: no second decoding.
        let decoded = r#"{"Condition":{"StringLike":{"s3:prefix":"100%41"}}}"#;
        assert_eq!(
            decode_document(decoded)["Condition"]["StringLike"]["s3:prefix"],
            "100%41"
        );
        // The same document as the API sends it: "%" itself is encoded as %25.
        let api = "%7B%22p%22%3A%22100%2541%22%7D";
        assert_eq!(decode_document(api)["p"], "100%41");
        assert_eq!(
            decode_document("not json"),
            Value::String("not json".into())
        );
    }

    #[test]
    fn aws_cli_output_is_read_with_unknown_fields_kept() {
        let cli = r#"{"UserDetailList": [{"Path": "/", "UserName": "alice", "UserId": "AIDA",
            "Arn": "arn:aws:iam::123456789012:user/alice", "CreateDate": "2024-01-02T03:04:05+00:00",
            "GroupList": ["devs"], "AttachedManagedPolicies": [], "Tags": [],
            "LoginProfile": {"x": 1}}],
            "Policies": [{"PolicyName": "p", "Arn": "arn:aws:iam::123456789012:policy/p",
            "DefaultVersionId": "v2", "PolicyVersionList": [
              {"Document": {"Version": "2012-10-17"}, "VersionId": "v1", "IsDefaultVersion": false},
              {"Document": {"Version": "2012-10-17", "Statement": []}, "VersionId": "v2", "IsDefaultVersion": true}]}],
            "IsTruncated": false}"#;
        let details: AuthorizationDetails = serde_json::from_str(cli).unwrap();
        let alice = &details.user_detail_list[0];
        assert_eq!(alice.group_list, ["devs"]);
        assert_eq!(alice.extra["LoginProfile"]["x"], 1);
        assert_eq!(
            alice.create_date.unwrap().to_string(),
            "2024-01-02T03:04:05Z"
        );
        assert_eq!(
            details.policies[0].default_version().unwrap().version_id,
            "v2"
        );
    }
}
