//! whittle's plan format (`whittle.plan/v1`): ordered changes to IAM, each with
//! the state IAM must be in before it runs, so that `whittle apply` can refuse
//! to change an account that moved since the plan was made; and the journal
//! (`whittle.journal/v1`) `apply` keeps of what it did, for resuming and
//! rolling back.
//!
//! Documents are JSON values, never URL-encoded. A document's hash is the
//! SHA-256 of its canonical form ([`canonical_json`]): compact JSON with the
//! keys of every object sorted, computed on the value after IAM's URL-encoding
//! is undone (once, by [`crate::decode_document`]).

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{Tool, write_atomically};

/// The schema name written into every plan.
pub const PLAN_SCHEMA: &str = "whittle.plan/v1";
/// The schema name written into every journal.
pub const JOURNAL_SCHEMA: &str = "whittle.journal/v1";

/// Changes to make to one account, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Always [`PLAN_SCHEMA`].
    pub schema: String,
    /// When the plan was made.
    pub created_at: Timestamp,
    /// The program that made it.
    pub tool: Tool,
    /// The snapshot the plan was made from, when it was made from one.
    #[serde(default)]
    pub snapshot: Option<PlanSource>,
    /// The changes, applied in this order and rolled back in the reverse one.
    pub steps: Vec<Step>,
}

/// The snapshot a plan was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSource {
    /// The snapshot's account id, when known.
    pub account_id: Option<String>,
    /// When the snapshot's data was collected.
    pub fetched_at: Timestamp,
}

/// One change and the state IAM must be in before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Unique within the plan and stable: the journal refers to steps by it.
    pub id: String,
    /// The change in words, e.g. "replace AWS managed policy ReadOnlyAccess
    /// for role/app with whittle-app-ReadOnlyAccess".
    pub description: String,
    /// What to do.
    pub operation: Operation,
    /// What must hold before the step runs; every item is checked.
    #[serde(default)]
    pub expect: Vec<Expectation>,
}

impl Step {
    /// The default version of `policy_arn` before the step, when its
    /// `policy_default` or `policy_default_is` expectation says.
    pub fn expected_default(&self, policy_arn: &str) -> Option<&str> {
        self.expect.iter().find_map(|e| match e {
            Expectation::PolicyDefault {
                policy_arn: arn,
                version_id,
                ..
            }
            | Expectation::PolicyDefaultIs {
                policy_arn: arn,
                version_id,
            } if arn == policy_arn => Some(version_id.as_str()),
            _ => None,
        })
    }
}

/// A user, group or role, by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Principal {
    /// What kind of principal.
    pub kind: PrincipalKind,
    /// Its name (not its ARN: IAM's calls take names).
    pub name: String,
}

/// The kinds of principal that hold policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
    /// An IAM role.
    Role,
}

impl Principal {
    /// A role by name.
    pub fn role(name: &str) -> Self {
        Self {
            kind: PrincipalKind::Role,
            name: name.to_owned(),
        }
    }

    /// A user by name.
    pub fn user(name: &str) -> Self {
        Self {
            kind: PrincipalKind::User,
            name: name.to_owned(),
        }
    }

    /// A group by name.
    pub fn group(name: &str) -> Self {
        Self {
            kind: PrincipalKind::Group,
            name: name.to_owned(),
        }
    }
}

impl fmt::Display for Principal {
    /// `role/app`, `user/alice`, `group/developers`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
            PrincipalKind::Role => "role",
        };
        write!(f, "{kind}/{}", self.name)
    }
}

/// A tag of a policy or role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyValue {
    /// The tag's key.
    pub key: String,
    /// The tag's value.
    pub value: String,
}

/// A change to IAM. Whatever rolling it back needs that IAM cannot give back
/// (a replaced or deleted document) is saved in the operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Operation {
    /// CreatePolicy: a new customer managed policy. Rolled back by detaching
    /// it from every entity and deleting it.
    CreatePolicy {
        /// The policy's name.
        name: String,
        /// Its path, `/` by default.
        #[serde(default = "root_path")]
        path: String,
        /// Its description, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        /// Its document.
        document: Value,
        /// Its tags.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tags: Vec<KeyValue>,
    },
    /// CreatePolicyVersion. Rolled back by setting the previous default
    /// version as default again and deleting the created version.
    CreatePolicyVersion {
        /// The managed policy.
        policy_arn: String,
        /// The new version's document.
        document: Value,
        /// Make the new version the default one.
        set_as_default: bool,
    },
    /// DeletePolicyVersion of a non-default version (IAM keeps at most 5).
    /// Rolled back by creating a non-default version from the saved document:
    /// IAM gives it a new version id.
    DeletePolicyVersion {
        /// The managed policy.
        policy_arn: String,
        /// The version to delete, e.g. `v2`.
        version_id: String,
        /// That version's document, for rolling back.
        document: Value,
    },
    /// SetDefaultPolicyVersion. Rolled back by setting the version that was
    /// the default before (recorded in the journal) as default again.
    SetDefaultPolicyVersion {
        /// The managed policy.
        policy_arn: String,
        /// The version to make the default.
        version_id: String,
    },
    /// PutUserPolicy, PutGroupPolicy or PutRolePolicy. Rolled back by putting
    /// the previous document back, or by deleting the policy if there was none.
    PutInlinePolicy {
        /// Who holds the inline policy.
        principal: Principal,
        /// The inline policy's name.
        policy_name: String,
        /// The new document.
        document: Value,
        /// The document it replaces, when it replaces one.
        #[serde(default)]
        previous_document: Option<Value>,
    },
    /// DeleteUserPolicy, DeleteGroupPolicy or DeleteRolePolicy. Rolled back by
    /// putting the saved document back.
    DeleteInlinePolicy {
        /// Who holds the inline policy.
        principal: Principal,
        /// The inline policy's name.
        policy_name: String,
        /// The deleted document, for rolling back.
        document: Value,
    },
    /// AttachUserPolicy, AttachGroupPolicy or AttachRolePolicy. Rolled back by
    /// detaching it.
    AttachPolicy {
        /// Who gets the policy.
        principal: Principal,
        /// The managed policy.
        policy_arn: String,
    },
    /// DetachUserPolicy, DetachGroupPolicy or DetachRolePolicy. Rolled back by
    /// attaching it again.
    DetachPolicy {
        /// Who loses the policy.
        principal: Principal,
        /// The managed policy.
        policy_arn: String,
    },
    /// TagRole. Rolled back by restoring the previous values of those keys
    /// (recorded in the journal) and removing the keys that were new.
    TagRole {
        /// The role.
        role_name: String,
        /// The tags to set.
        tags: Vec<KeyValue>,
    },
    /// DeleteRole of an unused role. Refused while the role still has inline
    /// or attached policies or instance profiles. Rolled back by creating the
    /// role again from the saved trust policy: IAM gives it a new unique id.
    DeleteRole {
        /// The role.
        role_name: String,
        /// Its path.
        #[serde(default = "root_path")]
        path: String,
        /// Its trust policy, for rolling back.
        assume_role_policy_document: Value,
        /// Its description, for rolling back.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    },
    /// AddUserToGroup. Rolled back by removing the user from the group.
    AddUserToGroup {
        /// The user.
        user_name: String,
        /// The group the user joins.
        group_name: String,
    },
    /// RemoveUserFromGroup. Rolled back by adding the user to the group again.
    RemoveUserFromGroup {
        /// The user.
        user_name: String,
        /// The group the user leaves.
        group_name: String,
    },
}

fn root_path() -> String {
    "/".to_owned()
}

/// A fact about IAM that must hold before a step runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Expectation {
    /// No managed policy has this ARN.
    PolicyAbsent {
        /// The managed policy.
        policy_arn: String,
    },
    /// The managed policy exists and this is its default version.
    PolicyDefault {
        /// The managed policy.
        policy_arn: String,
        /// The default version's id.
        version_id: String,
        /// [`document_sha256`] of that version's document.
        document_sha256: String,
    },
    /// The managed policy's default version is this one, whatever its document.
    PolicyDefaultIs {
        /// The managed policy.
        policy_arn: String,
        /// The default version's id.
        version_id: String,
    },
    /// The managed policy has this version, not the default one.
    PolicyVersion {
        /// The managed policy.
        policy_arn: String,
        /// The version's id.
        version_id: String,
        /// [`document_sha256`] of its document.
        document_sha256: String,
    },
    /// The principal has no inline policy of this name.
    InlineAbsent {
        /// The principal.
        principal: Principal,
        /// The inline policy's name.
        policy_name: String,
    },
    /// The principal has an inline policy of this name with this document.
    InlinePresent {
        /// The principal.
        principal: Principal,
        /// The inline policy's name.
        policy_name: String,
        /// [`document_sha256`] of its document.
        document_sha256: String,
    },
    /// The managed policy is attached to the principal.
    Attached {
        /// The principal.
        principal: Principal,
        /// The managed policy.
        policy_arn: String,
    },
    /// The managed policy is not attached to the principal.
    NotAttached {
        /// The principal.
        principal: Principal,
        /// The managed policy.
        policy_arn: String,
    },
    /// The managed policy has no version of this id.
    PolicyVersionAbsent {
        /// The managed policy.
        policy_arn: String,
        /// The version's id.
        version_id: String,
    },
    /// The role exists.
    RoleExists {
        /// The role.
        role_name: String,
    },
    /// The role exists and has these tags (and maybe others).
    RoleTagged {
        /// The role.
        role_name: String,
        /// The tags it has.
        tags: Vec<KeyValue>,
    },
    /// No role has this name.
    RoleAbsent {
        /// The role.
        role_name: String,
    },
    /// The user is a member of the group.
    MemberOf {
        /// The user.
        user_name: String,
        /// The group.
        group_name: String,
    },
    /// The user exists and is not a member of the group.
    NotMemberOf {
        /// The user.
        user_name: String,
        /// The group.
        group_name: String,
    },
}

/// What a step or an expectation is about, to know which expectations a step
/// may change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// A managed policy, by the resource part of its ARN (`policy/path/name`).
    Policy(String),
    /// An inline policy of a principal.
    Inline(Principal, String),
    /// The attachment of a managed policy (by resource part) to a principal.
    Attachment(Principal, String),
    /// A role itself (its existence and tags).
    Role(String),
    /// The membership of a user (first) in a group (second).
    Membership(String, String),
}

/// The resource part of an ARN, `policy/path/name` for a policy; the whole
/// string when it is not an ARN.
fn resource_of(arn: &str) -> String {
    arn.splitn(6, ':').nth(5).unwrap_or(arn).to_owned()
}

impl Expectation {
    /// What the expectation is about.
    pub fn subject(&self) -> Subject {
        match self {
            Self::PolicyAbsent { policy_arn }
            | Self::PolicyDefault { policy_arn, .. }
            | Self::PolicyVersion { policy_arn, .. }
            | Self::PolicyDefaultIs { policy_arn, .. }
            | Self::PolicyVersionAbsent { policy_arn, .. } => {
                Subject::Policy(resource_of(policy_arn))
            }
            Self::InlineAbsent {
                principal,
                policy_name,
            }
            | Self::InlinePresent {
                principal,
                policy_name,
                ..
            } => Subject::Inline(principal.clone(), policy_name.clone()),
            Self::Attached {
                principal,
                policy_arn,
            }
            | Self::NotAttached {
                principal,
                policy_arn,
            } => Subject::Attachment(principal.clone(), resource_of(policy_arn)),
            Self::RoleExists { role_name }
            | Self::RoleTagged { role_name, .. }
            | Self::RoleAbsent { role_name } => Subject::Role(role_name.clone()),
            Self::MemberOf {
                user_name,
                group_name,
            }
            | Self::NotMemberOf {
                user_name,
                group_name,
            } => Subject::Membership(user_name.clone(), group_name.clone()),
        }
    }
}

impl fmt::Display for Expectation {
    /// The expectation in words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = |hash: &str| hash.get(..12).unwrap_or(hash).to_owned();
        match self {
            Self::PolicyAbsent { policy_arn } => write!(f, "{policy_arn} does not exist"),
            Self::PolicyDefault {
                policy_arn,
                version_id,
                document_sha256,
            } => write!(
                f,
                "{policy_arn} has default version {version_id} (document sha256 {}…)",
                short(document_sha256)
            ),
            Self::PolicyVersion {
                policy_arn,
                version_id,
                document_sha256,
            } => write!(
                f,
                "{policy_arn} has non-default version {version_id} (document sha256 {}…)",
                short(document_sha256)
            ),
            Self::InlineAbsent {
                principal,
                policy_name,
            } => write!(f, "{principal} has no inline policy {policy_name}"),
            Self::InlinePresent {
                principal,
                policy_name,
                document_sha256,
            } => write!(
                f,
                "{principal} has inline policy {policy_name} (document sha256 {}…)",
                short(document_sha256)
            ),
            Self::Attached {
                principal,
                policy_arn,
            } => write!(f, "{principal} has {policy_arn} attached"),
            Self::NotAttached {
                principal,
                policy_arn,
            } => write!(f, "{principal} does not have {policy_arn} attached"),
            Self::PolicyVersionAbsent {
                policy_arn,
                version_id,
            } => write!(f, "{policy_arn} has no version {version_id}"),
            Self::PolicyDefaultIs {
                policy_arn,
                version_id,
            } => write!(f, "{policy_arn} has default version {version_id}"),
            Self::RoleExists { role_name } => write!(f, "role/{role_name} exists"),
            Self::RoleTagged { role_name, tags } => {
                let tags: Vec<String> = tags
                    .iter()
                    .map(|t| format!("{}={}", t.key, t.value))
                    .collect();
                write!(f, "role/{role_name} has tags {}", tags.join(", "))
            }
            Self::RoleAbsent { role_name } => write!(f, "role/{role_name} does not exist"),
            Self::MemberOf {
                user_name,
                group_name,
            } => write!(f, "user/{user_name} is in group/{group_name}"),
            Self::NotMemberOf {
                user_name,
                group_name,
            } => write!(f, "user/{user_name} is not in group/{group_name}"),
        }
    }
}

impl Operation {
    /// What the operation changes.
    pub fn touches(&self) -> Vec<Subject> {
        match self {
            Self::CreatePolicy { name, path, .. } => {
                vec![Subject::Policy(format!("policy{path}{name}"))]
            }
            Self::CreatePolicyVersion { policy_arn, .. }
            | Self::DeletePolicyVersion { policy_arn, .. }
            | Self::SetDefaultPolicyVersion { policy_arn, .. } => {
                vec![Subject::Policy(resource_of(policy_arn))]
            }
            Self::PutInlinePolicy {
                principal,
                policy_name,
                ..
            }
            | Self::DeleteInlinePolicy {
                principal,
                policy_name,
                ..
            } => vec![Subject::Inline(principal.clone(), policy_name.clone())],
            Self::AttachPolicy {
                principal,
                policy_arn,
            }
            | Self::DetachPolicy {
                principal,
                policy_arn,
            } => vec![Subject::Attachment(
                principal.clone(),
                resource_of(policy_arn),
            )],
            Self::TagRole { role_name, .. } | Self::DeleteRole { role_name, .. } => {
                vec![Subject::Role(role_name.clone())]
            }
            Self::AddUserToGroup {
                user_name,
                group_name,
            }
            | Self::RemoveUserFromGroup {
                user_name,
                group_name,
            } => vec![Subject::Membership(user_name.clone(), group_name.clone())],
        }
    }
}

/// Why a plan or journal could not be read or used.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// Not JSON, or not of the expected shape; the position is in the message.
    #[error("{path}:{line}:{column}: {message}")]
    Format {
        /// The file.
        path: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Written in another version of the format.
    #[error("{path}: schema \"{found}\" is not supported (expected \"{expected}\")")]
    Schema {
        /// The file.
        path: String,
        /// The schema the file declares.
        found: String,
        /// The schema expected.
        expected: &'static str,
    },
    /// Two steps share an id.
    #[error("{path}: two steps have the id \"{id}\"; step ids must be unique")]
    DuplicateStep {
        /// The file.
        path: String,
        /// The id.
        id: String,
    },
    /// The journal was written for another plan (or the plan was edited since).
    #[error(
        "{path}: this journal belongs to another plan (plan sha256 {found}, this plan's is {expected}); move it away to start over"
    )]
    OtherPlan {
        /// The journal file.
        path: String,
        /// The plan hash it records.
        found: String,
        /// This plan's hash.
        expected: String,
    },
}

/// Parses `text` as a document of `schema`; `path` is only used in errors.
fn parse_versioned<T: serde::de::DeserializeOwned>(
    path: &str,
    text: &str,
    schema: &'static str,
) -> Result<T, PlanError> {
    #[derive(Deserialize)]
    struct Header {
        schema: Option<String>,
    }
    let format = |e: serde_json::Error| PlanError::Format {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    let header: Header = serde_json::from_str(text).map_err(format)?;
    match header.schema.as_deref() {
        Some(found) if found == schema => serde_json::from_str(text).map_err(format),
        found => Err(PlanError::Schema {
            path: path.to_owned(),
            found: found.unwrap_or("(none)").to_owned(),
            expected: schema,
        }),
    }
}

fn read_text(path: &Path) -> Result<String, PlanError> {
    crate::limits::PLAN
        .read_to_string(path)
        .map_err(|source| PlanError::Io {
            path: path.display().to_string(),
            source,
        })
}

/// Pretty JSON with a final newline.
fn pretty<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("plans and journals serialise");
    text.push('\n');
    text
}

impl Plan {
    /// An empty plan stamped now.
    pub fn new(tool: Tool, snapshot: Option<PlanSource>) -> Self {
        Self {
            schema: PLAN_SCHEMA.to_owned(),
            created_at: Timestamp::now(),
            tool,
            snapshot,
            steps: Vec::new(),
        }
    }

    /// Parses a plan and checks that its step ids are unique; `path` is only
    /// used in errors.
    pub fn parse(path: &str, text: &str) -> Result<Self, PlanError> {
        let plan: Self = parse_versioned(path, text, PLAN_SCHEMA)?;
        let mut seen = BTreeSet::new();
        for step in &plan.steps {
            if !seen.insert(step.id.as_str()) {
                return Err(PlanError::DuplicateStep {
                    path: path.to_owned(),
                    id: step.id.clone(),
                });
            }
        }
        Ok(plan)
    }

    /// Reads a plan file.
    pub fn read(path: &Path) -> Result<Self, PlanError> {
        Self::parse(&path.display().to_string(), &read_text(path)?)
    }

    /// The plan as pretty-printed JSON with a final newline.
    pub fn to_json(&self) -> String {
        pretty(self)
    }

    /// Writes the plan to `path` atomically.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        write_atomically(path, self.to_json().as_bytes())
    }

    /// SHA-256 of the plan's canonical JSON: the journal records it, so that a
    /// journal is never used with another (or an edited) plan.
    pub fn sha256(&self) -> String {
        let value = serde_json::to_value(self).expect("plans serialise");
        document_sha256(&value)
    }
}

/// `<plan>.journal.json`, next to the plan.
pub fn journal_path(plan: &Path) -> PathBuf {
    let mut name = plan.file_name().unwrap_or_default().to_os_string();
    name.push(".journal.json");
    plan.with_file_name(name)
}

/// What `apply` and `rollback` did with a plan, rewritten after every step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    /// Always [`JOURNAL_SCHEMA`].
    pub schema: String,
    /// [`Plan::sha256`] of the plan it is the journal of.
    pub plan_sha256: String,
    /// The steps that were applied, in the order they were.
    pub steps: Vec<JournalStep>,
}

/// One applied step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalStep {
    /// The step's id in the plan.
    pub id: String,
    /// Applied, or applied and then rolled back.
    pub state: StepState,
    /// When it was applied.
    pub applied_at: Timestamp,
    /// When it was rolled back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolled_back_at: Option<Timestamp>,
    /// What IAM produced and what was there before, for rolling back.
    pub outcome: Outcome,
    /// How the step came to be journaled, when not by running it: e.g. found
    /// applied in IAM by a run whose predecessor stopped before journaling it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Where an applied step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Applied, not rolled back.
    Applied,
    /// Applied, then rolled back.
    RolledBack,
}

/// What a step produced or replaced; only the fields its operation uses are set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The ARN of the policy a `create_policy` step created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_arn: Option<String>,
    /// The version id IAM gave a `create_policy_version` step's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// The default version before a `create_policy_version` or
    /// `set_default_policy_version` step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_default_version_id: Option<String>,
    /// A `tag_role` step's keys and their values before (null: the key was absent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_tags: Vec<PreviousTag>,
    /// The version id IAM gave a version re-created by rolling back a
    /// `delete_policy_version` step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored_version_id: Option<String>,
}

/// A role tag's value before a `tag_role` step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousTag {
    /// The tag's key.
    pub key: String,
    /// Its value before the step; null when the role did not have the key.
    pub value: Option<String>,
}

impl Journal {
    /// An empty journal of `plan`.
    pub fn new(plan: &Plan) -> Self {
        Self {
            schema: JOURNAL_SCHEMA.to_owned(),
            plan_sha256: plan.sha256(),
            steps: Vec::new(),
        }
    }

    /// Reads the journal of `plan` at `path`: an empty one when the file does
    /// not exist, an error when it belongs to another plan.
    pub fn read_for(path: &Path, plan: &Plan) -> Result<Self, PlanError> {
        if !path.exists() {
            return Ok(Self::new(plan));
        }
        let name = path.display().to_string();
        let journal: Self = parse_versioned(&name, &read_text(path)?, JOURNAL_SCHEMA)?;
        let expected = plan.sha256();
        if journal.plan_sha256 != expected {
            return Err(PlanError::OtherPlan {
                path: name,
                found: journal.plan_sha256,
                expected,
            });
        }
        Ok(journal)
    }

    /// Writes the journal to `path` atomically.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        write_atomically(path, pretty(self).as_bytes())
    }

    /// The entry of step `id`, if it was ever applied.
    pub fn step(&self, id: &str) -> Option<&JournalStep> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// True when step `id` is applied and not rolled back.
    pub fn is_applied(&self, id: &str) -> bool {
        self.step(id).is_some_and(|s| s.state == StepState::Applied)
    }
}

/// The canonical form of a document: compact JSON, the keys of every object
/// sorted (by Unicode code point), arrays in their order, strings and numbers
/// as serde_json writes them.
pub fn canonical_json(document: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(document).to_string()
}

/// SHA-256 of [`canonical_json`], as 64 lowercase hex digits.
pub fn document_sha256(document: &Value) -> String {
    Sha256::digest(canonical_json(document).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_hash_ignores_key_order_and_whitespace_but_not_array_order() {
        let a = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["a", "b"]}]});
        let b: Value = serde_json::from_str(
            r#"{ "Statement": [ {"Action": ["a","b"], "Effect":"Allow"} ], "Version":"2012-10-17" }"#,
        )
        .unwrap();
        assert_eq!(document_sha256(&a), document_sha256(&b));
        assert_eq!(
            canonical_json(&a),
            r#"{"Statement":[{"Action":["a","b"],"Effect":"Allow"}],"Version":"2012-10-17"}"#
        );
        let c = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["b", "a"]}]});
        assert_ne!(document_sha256(&a), document_sha256(&c));
        assert_eq!(document_sha256(&a).len(), 64);
    }

    #[test]
    fn journals_sit_next_to_their_plan() {
        assert_eq!(
            journal_path(Path::new("out/plan.json")),
            Path::new("out/plan.json.journal.json")
        );
    }

    #[test]
    fn operations_touch_what_expectations_are_about() {
        let create = Operation::CreatePolicy {
            name: "x".into(),
            path: "/team/".into(),
            description: None,
            document: json!({}),
            tags: vec![],
        };
        let absent = Expectation::PolicyAbsent {
            policy_arn: "arn:aws:iam::123456789012:policy/team/x".into(),
        };
        assert_eq!(create.touches(), vec![absent.subject()]);
    }

    #[test]
    fn membership_steps_touch_what_membership_expectations_are_about() {
        let leave = Operation::RemoveUserFromGroup {
            user_name: "alice".into(),
            group_name: "devs".into(),
        };
        let join = Operation::AddUserToGroup {
            user_name: "alice".into(),
            group_name: "devs".into(),
        };
        let member = Expectation::MemberOf {
            user_name: "alice".into(),
            group_name: "devs".into(),
        };
        let not_member = Expectation::NotMemberOf {
            user_name: "alice".into(),
            group_name: "devs".into(),
        };
        let subject = Subject::Membership("alice".into(), "devs".into());
        assert_eq!(leave.touches(), vec![subject.clone()]);
        assert_eq!(join.touches(), vec![subject.clone()]);
        assert_eq!(member.subject(), subject);
        assert_eq!(not_member.subject(), subject);
        let other_group = Expectation::MemberOf {
            user_name: "alice".into(),
            group_name: "ops".into(),
        };
        assert_ne!(other_group.subject(), subject);
    }

    #[test]
    fn membership_expectations_read_as_sentences() {
        let member = Expectation::MemberOf {
            user_name: "alice".into(),
            group_name: "devs".into(),
        };
        let not_member = Expectation::NotMemberOf {
            user_name: "alice".into(),
            group_name: "devs".into(),
        };
        assert_eq!(member.to_string(), "user/alice is in group/devs");
        assert_eq!(not_member.to_string(), "user/alice is not in group/devs");
    }

    #[test]
    fn membership_operations_and_expectations_use_snake_case_names() {
        let leave = Operation::RemoveUserFromGroup {
            user_name: "alice".into(),
            group_name: "devs".into(),
        };
        assert_eq!(
            serde_json::to_value(&leave).unwrap(),
            json!({"op": "remove_user_from_group", "user_name": "alice", "group_name": "devs"})
        );
        let join = Operation::AddUserToGroup {
            user_name: "alice".into(),
            group_name: "devs".into(),
        };
        assert_eq!(
            serde_json::to_value(&join).unwrap()["op"],
            "add_user_to_group"
        );
        let member = Expectation::NotMemberOf {
            user_name: "alice".into(),
            group_name: "devs".into(),
        };
        assert_eq!(
            serde_json::to_value(&member).unwrap(),
            json!({"state": "not_member_of", "user_name": "alice", "group_name": "devs"})
        );
    }
}
