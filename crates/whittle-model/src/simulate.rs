//! An in-memory IAM for `whittle.plan/v1` plans: whether an expectation holds
//! on an account's [`AuthorizationDetails`] ([`holds`]), what the account
//! becomes once a plan is applied ([`simulate`]) and once it is rolled back
//! again ([`simulate_rollback`]). It lets a plan be checked without an account,
//! and models IAM only as far as plans change it.
//!
//! Unlike IAM, a new version takes the number after the highest one left (IAM
//! never reuses a number). Rolling back without a journal, the default version
//! a step replaced is read from the step's own `policy_default` or
//! `policy_default_is` expectation, a tag value from its `role_tagged` one,
//! and the version a step created is the default one (once the later steps are
//! undone) or else the newest non-default version with the step's document.

use jiff::Timestamp;
use serde_json::Value;

use crate::{
    AttachedPolicy, AuthorizationDetails, Expectation, ManagedPolicyDetail, Operation, Plan,
    PolicyDetail, PolicyVersion, Principal, PrincipalKind, RoleDetail, Step, Tag, document_sha256,
};

/// Why a plan could not be simulated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimulateError {
    /// An expectation of a step does not hold before it; nothing of this step
    /// or later ones was simulated.
    #[error("step {step}: {expectation} does not hold")]
    Unmet {
        /// The step's id.
        step: String,
        /// The first expectation that does not hold.
        expectation: Expectation,
    },
    /// IAM would refuse the step's operation (or its undoing).
    #[error("step {step}: {reason}")]
    Refused {
        /// The step's id.
        step: String,
        /// Why, in words.
        reason: String,
    },
    /// Undoing the step needs what only `apply`'s journal records.
    #[error("step {step}: cannot roll back without a journal: the plan does not say {what}")]
    Unrecorded {
        /// The step's id.
        step: String,
        /// What is missing, in words.
        what: String,
    },
}

/// True when `expectation` holds on `details`, as `whittle apply` would find.
pub fn holds(expectation: &Expectation, details: &AuthorizationDetails) -> bool {
    let version = |arn: &str, id: &str| {
        policy(details, arn).and_then(|p| p.policy_version_list.iter().find(|v| v.version_id == id))
    };
    let has_hash = |v: Option<&PolicyVersion>, sha: &str| {
        v.is_some_and(|v| document_sha256(&v.document) == sha)
    };
    let attached = |principal: &Principal, arn: &str| {
        attachments(details, principal).map(|list| list.iter().any(|a| a.policy_arn == arn))
    };
    let groups = |user: &str| {
        (details.user_detail_list.iter())
            .find(|u| u.user_name == user)
            .map(|u| &u.group_list)
    };
    match expectation {
        Expectation::PolicyAbsent { policy_arn } => policy(details, policy_arn).is_none(),
        Expectation::PolicyDefault {
            policy_arn,
            version_id,
            document_sha256: sha,
        } => {
            default_is(details, policy_arn, version_id)
                && has_hash(version(policy_arn, version_id), sha)
        }
        Expectation::PolicyDefaultIs {
            policy_arn,
            version_id,
        } => default_is(details, policy_arn, version_id),
        Expectation::PolicyVersion {
            policy_arn,
            version_id,
            document_sha256: sha,
        } => {
            policy(details, policy_arn).is_some()
                && !default_is(details, policy_arn, version_id)
                && has_hash(version(policy_arn, version_id), sha)
        }
        Expectation::PolicyVersionAbsent {
            policy_arn,
            version_id,
        } => version(policy_arn, version_id).is_none(),
        Expectation::InlineAbsent {
            principal,
            policy_name,
        } => inline(details, principal, policy_name).is_none(),
        Expectation::InlinePresent {
            principal,
            policy_name,
            document_sha256: sha,
        } => inline(details, principal, policy_name)
            .is_some_and(|p| document_sha256(&p.policy_document) == *sha),
        Expectation::Attached {
            principal,
            policy_arn,
        } => attached(principal, policy_arn) == Some(true),
        Expectation::NotAttached {
            principal,
            policy_arn,
        } => attached(principal, policy_arn) == Some(false),
        Expectation::RoleExists { role_name } => role(details, role_name).is_some(),
        Expectation::RoleAbsent { role_name } => role(details, role_name).is_none(),
        Expectation::RoleTagged { role_name, tags } => role(details, role_name).is_some_and(|r| {
            (tags.iter()).all(|t| r.tags.iter().any(|u| u.key == t.key && u.value == t.value))
        }),
        Expectation::MemberOf {
            user_name,
            group_name,
        } => groups(user_name).is_some_and(|g| g.contains(group_name)),
        Expectation::NotMemberOf {
            user_name,
            group_name,
        } => groups(user_name).is_some_and(|g| !g.contains(group_name)),
    }
}

/// `details` once every step of `plan` is applied in order, each after its
/// expectations are checked; new policies and versions are created `at`.
pub fn simulate(
    details: &AuthorizationDetails,
    plan: &Plan,
    at: Timestamp,
) -> Result<AuthorizationDetails, SimulateError> {
    let mut account = details.clone();
    let owner = Owner::of(&account, plan);
    for step in &plan.steps {
        if let Some(unmet) = step.expect.iter().find(|e| !holds(e, &account)) {
            return Err(SimulateError::Unmet {
                step: step.id.clone(),
                expectation: unmet.clone(),
            });
        }
        run(&mut account, &owner, step, at).map_err(|reason| SimulateError::Refused {
            step: step.id.clone(),
            reason,
        })?;
    }
    Ok(account)
}

/// `details` (an account `plan` was applied to) once every step is undone,
/// newest first, as `whittle rollback` does: created policies detached and
/// deleted, replaced default versions restored and created versions deleted,
/// deleted versions created again (with new ids), inline documents restored,
/// attachments and memberships reversed, tags restored, deleted roles created
/// again.
pub fn simulate_rollback(
    details: &AuthorizationDetails,
    plan: &Plan,
) -> Result<AuthorizationDetails, SimulateError> {
    let mut account = details.clone();
    let owner = Owner::of(&account, plan);
    for step in plan.steps.iter().rev() {
        undo(&mut account, &owner, step)?;
    }
    Ok(account)
}

/// The partition and account that ARNs of created policies and roles name;
/// the account may be unknown when no step needs it.
struct Owner {
    partition: String,
    account: Option<String>,
}

impl Owner {
    /// From the plan's snapshot, else from the ARNs in `details`.
    fn of(details: &AuthorizationDetails, plan: &Plan) -> Self {
        let arns = (details.user_detail_list.iter().map(|u| &u.arn))
            .chain(details.role_detail_list.iter().map(|r| &r.arn))
            .chain(details.group_detail_list.iter().map(|g| &g.arn))
            .chain(details.policies.iter().map(|p| &p.arn));
        let partition = (arns.filter_map(|arn| arn.split(':').nth(1)))
            .find(|p| !p.is_empty())
            .unwrap_or("aws")
            .to_owned();
        let account = (plan.snapshot.as_ref())
            .and_then(|s| s.account_id.clone())
            .or_else(|| details.account_id());
        Self { partition, account }
    }

    /// `arn:<partition>:iam::<account>:<kind><path><name>`.
    fn arn(&self, kind: &str, path: &str, name: &str) -> Result<String, String> {
        let account = self.account.as_deref().ok_or_else(|| {
            format!(
                "the account of {kind}{path}{name} is unknown: neither the plan's snapshot nor the account's ARNs name it"
            )
        })?;
        Ok(format!(
            "arn:{}:iam::{account}:{kind}{path}{name}",
            self.partition
        ))
    }
}

// ---- Looking things up. ----

fn policy<'a>(details: &'a AuthorizationDetails, arn: &str) -> Option<&'a ManagedPolicyDetail> {
    details.policies.iter().find(|p| p.arn == arn)
}

fn policy_mut<'a>(
    details: &'a mut AuthorizationDetails,
    arn: &str,
) -> Result<&'a mut ManagedPolicyDetail, String> {
    (details.policies.iter_mut())
        .find(|p| p.arn == arn)
        .ok_or_else(|| format!("{arn} does not exist"))
}

fn default_is(details: &AuthorizationDetails, arn: &str, id: &str) -> bool {
    policy(details, arn).is_some_and(|p| p.default_version_id == id)
}

fn role<'a>(details: &'a AuthorizationDetails, name: &str) -> Option<&'a RoleDetail> {
    details
        .role_detail_list
        .iter()
        .find(|r| r.role_name == name)
}

fn role_mut<'a>(
    details: &'a mut AuthorizationDetails,
    name: &str,
) -> Result<&'a mut RoleDetail, String> {
    (details.role_detail_list.iter_mut())
        .find(|r| r.role_name == name)
        .ok_or_else(|| format!("role/{name} does not exist"))
}

fn inline<'a>(
    details: &'a AuthorizationDetails,
    principal: &Principal,
    name: &str,
) -> Option<&'a PolicyDetail> {
    let list = match principal.kind {
        PrincipalKind::User => (details.user_detail_list.iter())
            .find(|u| u.user_name == principal.name)
            .map(|u| &u.user_policy_list),
        PrincipalKind::Group => (details.group_detail_list.iter())
            .find(|g| g.group_name == principal.name)
            .map(|g| &g.group_policy_list),
        PrincipalKind::Role => role(details, &principal.name).map(|r| &r.role_policy_list),
    }?;
    list.iter().find(|p| p.policy_name == name)
}

fn inline_list_mut<'a>(
    details: &'a mut AuthorizationDetails,
    principal: &Principal,
) -> Result<&'a mut Vec<PolicyDetail>, String> {
    let name = &principal.name;
    match principal.kind {
        PrincipalKind::User => (details.user_detail_list.iter_mut())
            .find(|u| u.user_name == *name)
            .map(|u| &mut u.user_policy_list),
        PrincipalKind::Group => (details.group_detail_list.iter_mut())
            .find(|g| g.group_name == *name)
            .map(|g| &mut g.group_policy_list),
        PrincipalKind::Role => (details.role_detail_list.iter_mut())
            .find(|r| r.role_name == *name)
            .map(|r| &mut r.role_policy_list),
    }
    .ok_or_else(|| format!("{principal} does not exist"))
}

/// The principal's attached managed policies; `None` when it does not exist.
fn attachments<'a>(
    details: &'a AuthorizationDetails,
    principal: &Principal,
) -> Option<&'a Vec<AttachedPolicy>> {
    let name = &principal.name;
    match principal.kind {
        PrincipalKind::User => (details.user_detail_list.iter())
            .find(|u| u.user_name == *name)
            .map(|u| &u.attached_managed_policies),
        PrincipalKind::Group => (details.group_detail_list.iter())
            .find(|g| g.group_name == *name)
            .map(|g| &g.attached_managed_policies),
        PrincipalKind::Role => role(details, name).map(|r| &r.attached_managed_policies),
    }
}

fn attachments_mut<'a>(
    details: &'a mut AuthorizationDetails,
    principal: &Principal,
) -> Result<&'a mut Vec<AttachedPolicy>, String> {
    let name = &principal.name;
    match principal.kind {
        PrincipalKind::User => (details.user_detail_list.iter_mut())
            .find(|u| u.user_name == *name)
            .map(|u| &mut u.attached_managed_policies),
        PrincipalKind::Group => (details.group_detail_list.iter_mut())
            .find(|g| g.group_name == *name)
            .map(|g| &mut g.attached_managed_policies),
        PrincipalKind::Role => (details.role_detail_list.iter_mut())
            .find(|r| r.role_name == *name)
            .map(|r| &mut r.attached_managed_policies),
    }
    .ok_or_else(|| format!("{principal} does not exist"))
}

/// The user's group list, after checking that the group exists.
fn group_list_mut<'a>(
    details: &'a mut AuthorizationDetails,
    user: &str,
    group: &str,
) -> Result<&'a mut Vec<String>, String> {
    if !details
        .group_detail_list
        .iter()
        .any(|g| g.group_name == group)
    {
        return Err(format!("group/{group} does not exist"));
    }
    (details.user_detail_list.iter_mut())
        .find(|u| u.user_name == user)
        .map(|u| &mut u.group_list)
        .ok_or_else(|| format!("user/{user} does not exist"))
}

// ---- Changing things. ----

/// IAM keeps at most this many versions of a managed policy.
const MAX_VERSIONS: usize = 5;

/// Makes the step's change, or says why IAM would refuse it.
fn run(
    account: &mut AuthorizationDetails,
    owner: &Owner,
    step: &Step,
    at: Timestamp,
) -> Result<(), String> {
    match &step.operation {
        Operation::CreatePolicy {
            name,
            path,
            description,
            document,
            ..
        } => {
            let arn = owner.arn("policy", path, name)?;
            if policy(account, &arn).is_some() {
                return Err(format!("{arn} exists already"));
            }
            account.policies.push(ManagedPolicyDetail {
                policy_name: name.clone(),
                arn,
                path: path.clone(),
                default_version_id: "v1".into(),
                is_attachable: true,
                description: description.clone(),
                create_date: Some(at),
                update_date: Some(at),
                policy_version_list: vec![PolicyVersion {
                    document: document.clone(),
                    version_id: "v1".into(),
                    is_default_version: true,
                    create_date: Some(at),
                }],
                ..ManagedPolicyDetail::default()
            });
        }
        Operation::CreatePolicyVersion {
            policy_arn,
            document,
            set_as_default,
        } => {
            let id = create_version(account, policy_arn, document, Some(at))?;
            if *set_as_default {
                set_default(account, policy_arn, &id)?;
            }
        }
        Operation::DeletePolicyVersion {
            policy_arn,
            version_id,
            ..
        } => delete_version(account, policy_arn, version_id)?,
        Operation::SetDefaultPolicyVersion {
            policy_arn,
            version_id,
        } => set_default(account, policy_arn, version_id)?,
        Operation::PutInlinePolicy {
            principal,
            policy_name,
            document,
            ..
        } => put_inline(account, principal, policy_name, document)?,
        Operation::DeleteInlinePolicy {
            principal,
            policy_name,
            ..
        } => delete_inline(account, principal, policy_name)?,
        Operation::AttachPolicy {
            principal,
            policy_arn,
        } => attach(account, principal, policy_arn)?,
        Operation::DetachPolicy {
            principal,
            policy_arn,
        } => detach(account, principal, policy_arn)?,
        Operation::TagRole { role_name, tags } => {
            let role = role_mut(account, role_name)?;
            for tag in tags {
                set_tag(role, &tag.key, Some(&tag.value));
            }
        }
        Operation::DeleteRole { role_name, .. } => delete_role(account, role_name)?,
        Operation::AddUserToGroup {
            user_name,
            group_name,
        } => {
            let groups = group_list_mut(account, user_name, group_name)?;
            if !groups.contains(group_name) {
                groups.push(group_name.clone());
            }
        }
        Operation::RemoveUserFromGroup {
            user_name,
            group_name,
        } => {
            let groups = group_list_mut(account, user_name, group_name)?;
            if !groups.contains(group_name) {
                return Err(format!("user/{user_name} is not in group/{group_name}"));
            }
            groups.retain(|g| g != group_name);
        }
    }
    Ok(())
}

/// Undoes the step's change, reading what a journal would record from the
/// step's expectations.
fn undo(
    account: &mut AuthorizationDetails,
    owner: &Owner,
    step: &Step,
) -> Result<(), SimulateError> {
    let refused = |reason: String| SimulateError::Refused {
        step: step.id.clone(),
        reason,
    };
    let unrecorded = |what: String| SimulateError::Unrecorded {
        step: step.id.clone(),
        what,
    };
    match &step.operation {
        Operation::CreatePolicy { name, path, .. } => {
            let arn = owner.arn("policy", path, name).map_err(refused)?;
            for principal in holders(account, &arn) {
                detach(account, &principal, &arn).map_err(refused)?;
            }
            let before = account.policies.len();
            account.policies.retain(|p| p.arn != arn);
            if account.policies.len() == before {
                return Err(refused(format!("{arn} does not exist")));
            }
        }
        Operation::CreatePolicyVersion {
            policy_arn,
            document,
            set_as_default,
        } => {
            let created = if *set_as_default {
                let previous = step.expected_default(policy_arn).ok_or_else(|| {
                    unrecorded(format!(
                        "the default version of {policy_arn} before the step"
                    ))
                })?;
                let created = policy_mut(account, policy_arn)
                    .map_err(refused)?
                    .default_version_id
                    .clone();
                set_default(account, policy_arn, previous).map_err(refused)?;
                created
            } else {
                newest_with(account, policy_arn, document).map_err(refused)?
            };
            delete_version(account, policy_arn, &created).map_err(refused)?;
        }
        Operation::DeletePolicyVersion {
            policy_arn,
            document,
            ..
        } => {
            create_version(account, policy_arn, document, None).map_err(refused)?;
        }
        Operation::SetDefaultPolicyVersion { policy_arn, .. } => {
            let previous = step.expected_default(policy_arn).ok_or_else(|| {
                unrecorded(format!(
                    "the default version of {policy_arn} before the step"
                ))
            })?;
            set_default(account, policy_arn, previous).map_err(refused)?;
        }
        Operation::PutInlinePolicy {
            principal,
            policy_name,
            previous_document,
            ..
        } => match previous_document {
            Some(previous) => put_inline(account, principal, policy_name, previous),
            None => delete_inline(account, principal, policy_name),
        }
        .map_err(refused)?,
        Operation::DeleteInlinePolicy {
            principal,
            policy_name,
            document,
        } => put_inline(account, principal, policy_name, document).map_err(refused)?,
        Operation::AttachPolicy {
            principal,
            policy_arn,
        } => detach(account, principal, policy_arn).map_err(refused)?,
        Operation::DetachPolicy {
            principal,
            policy_arn,
        } => attach(account, principal, policy_arn).map_err(refused)?,
        Operation::TagRole { role_name, tags } => {
            let previous: Vec<(String, Option<String>)> = (tags.iter())
                .map(|t| (t.key.clone(), expected_tag(step, role_name, &t.key)))
                .collect();
            let role = role_mut(account, role_name).map_err(refused)?;
            for (key, value) in &previous {
                set_tag(role, key, value.as_deref());
            }
        }
        Operation::DeleteRole {
            role_name,
            path,
            assume_role_policy_document,
            ..
        } => {
            if role(account, role_name).is_some() {
                return Err(refused(format!("role/{role_name} exists")));
            }
            let arn = owner.arn("role", path, role_name).map_err(refused)?;
            account.role_detail_list.push(RoleDetail {
                path: path.clone(),
                role_name: role_name.clone(),
                arn,
                assume_role_policy_document: Some(assume_role_policy_document.clone()),
                ..RoleDetail::default()
            });
        }
        // As in IAM, adding a member or removing a non-member on rollback is fine.
        Operation::AddUserToGroup {
            user_name,
            group_name,
        } => group_list_mut(account, user_name, group_name)
            .map_err(refused)?
            .retain(|g| g != group_name),
        Operation::RemoveUserFromGroup {
            user_name,
            group_name,
        } => {
            let groups = group_list_mut(account, user_name, group_name).map_err(refused)?;
            if !groups.contains(group_name) {
                groups.push(group_name.clone());
            }
        }
    }
    Ok(())
}

/// A role tag's value before `step`, as its `role_tagged` expectations say;
/// `None` (the key was absent) when they do not name the key.
fn expected_tag(step: &Step, role_name: &str, key: &str) -> Option<String> {
    step.expect.iter().find_map(|e| match e {
        Expectation::RoleTagged {
            role_name: name,
            tags,
        } if name == role_name => tags.iter().find(|t| t.key == key).map(|t| t.value.clone()),
        _ => None,
    })
}

fn version_number(id: &str) -> u64 {
    id.trim_start_matches('v').parse().unwrap_or(0)
}

/// Adds a non-default version numbered after the highest one; returns its id.
fn create_version(
    account: &mut AuthorizationDetails,
    arn: &str,
    document: &Value,
    at: Option<Timestamp>,
) -> Result<String, String> {
    let policy = policy_mut(account, arn)?;
    if policy.policy_version_list.len() >= MAX_VERSIONS {
        return Err(format!("{arn} has {MAX_VERSIONS} versions already"));
    }
    let next = (policy.policy_version_list.iter())
        .map(|v| version_number(&v.version_id))
        .max()
        .unwrap_or(0)
        + 1;
    let id = format!("v{next}");
    policy.policy_version_list.push(PolicyVersion {
        document: document.clone(),
        version_id: id.clone(),
        is_default_version: false,
        create_date: at,
    });
    if at.is_some() {
        policy.update_date = at;
    }
    Ok(id)
}

/// The highest-numbered non-default version of `arn` with `document`.
fn newest_with(
    account: &mut AuthorizationDetails,
    arn: &str,
    document: &Value,
) -> Result<String, String> {
    let policy = policy_mut(account, arn)?;
    let sha = document_sha256(document);
    (policy.policy_version_list.iter())
        .filter(|v| !v.is_default_version && document_sha256(&v.document) == sha)
        .max_by_key(|v| version_number(&v.version_id))
        .map(|v| v.version_id.clone())
        .ok_or_else(|| format!("{arn} has no non-default version with the step's document"))
}

fn delete_version(account: &mut AuthorizationDetails, arn: &str, id: &str) -> Result<(), String> {
    let policy = policy_mut(account, arn)?;
    match policy
        .policy_version_list
        .iter()
        .position(|v| v.version_id == id)
    {
        None => Err(format!("{arn} has no version {id}")),
        Some(_) if policy.default_version_id == id => {
            Err(format!("{arn} version {id} is the default version"))
        }
        Some(index) => {
            policy.policy_version_list.remove(index);
            Ok(())
        }
    }
}

fn set_default(account: &mut AuthorizationDetails, arn: &str, id: &str) -> Result<(), String> {
    let policy = policy_mut(account, arn)?;
    if !policy
        .policy_version_list
        .iter()
        .any(|v| v.version_id == id)
    {
        return Err(format!("{arn} has no version {id}"));
    }
    for version in &mut policy.policy_version_list {
        version.is_default_version = version.version_id == id;
    }
    policy.default_version_id = id.to_owned();
    Ok(())
}

fn put_inline(
    account: &mut AuthorizationDetails,
    principal: &Principal,
    name: &str,
    document: &Value,
) -> Result<(), String> {
    let list = inline_list_mut(account, principal)?;
    match list.iter_mut().find(|p| p.policy_name == name) {
        Some(existing) => existing.policy_document = document.clone(),
        None => list.push(PolicyDetail {
            policy_name: name.to_owned(),
            policy_document: document.clone(),
        }),
    }
    Ok(())
}

fn delete_inline(
    account: &mut AuthorizationDetails,
    principal: &Principal,
    name: &str,
) -> Result<(), String> {
    let list = inline_list_mut(account, principal)?;
    let before = list.len();
    list.retain(|p| p.policy_name != name);
    if list.len() == before {
        return Err(format!("{principal} has no inline policy {name}"));
    }
    Ok(())
}

/// Attaches the policy (attaching it twice changes nothing, as in IAM) and
/// counts the attachment on the policy when the account lists it.
fn attach(
    account: &mut AuthorizationDetails,
    principal: &Principal,
    arn: &str,
) -> Result<(), String> {
    let list = attachments_mut(account, principal)?;
    if list.iter().any(|a| a.policy_arn == arn) {
        return Ok(());
    }
    list.push(AttachedPolicy {
        policy_name: arn.rsplit('/').next().unwrap_or(arn).to_owned(),
        policy_arn: arn.to_owned(),
    });
    if let Ok(policy) = policy_mut(account, arn) {
        policy.attachment_count += 1;
    }
    Ok(())
}

fn detach(
    account: &mut AuthorizationDetails,
    principal: &Principal,
    arn: &str,
) -> Result<(), String> {
    let list = attachments_mut(account, principal)?;
    let before = list.len();
    list.retain(|a| a.policy_arn != arn);
    if list.len() == before {
        return Err(format!("{principal} does not have {arn} attached"));
    }
    if let Ok(policy) = policy_mut(account, arn) {
        policy.attachment_count -= 1;
    }
    Ok(())
}

/// Every principal the policy is attached to.
fn holders(account: &AuthorizationDetails, arn: &str) -> Vec<Principal> {
    let has = |list: &[AttachedPolicy]| list.iter().any(|a| a.policy_arn == arn);
    let users = (account.user_detail_list.iter())
        .filter(|u| has(&u.attached_managed_policies))
        .map(|u| Principal::user(&u.user_name));
    let groups = (account.group_detail_list.iter())
        .filter(|g| has(&g.attached_managed_policies))
        .map(|g| Principal::group(&g.group_name));
    let roles = (account.role_detail_list.iter())
        .filter(|r| has(&r.attached_managed_policies))
        .map(|r| Principal::role(&r.role_name));
    users.chain(groups).chain(roles).collect()
}

/// Gives `key` the value, or removes it when `None`.
fn set_tag(role: &mut RoleDetail, key: &str, value: Option<&str>) {
    role.tags.retain(|t| t.key != key);
    if let Some(value) = value {
        role.tags.push(Tag {
            key: key.to_owned(),
            value: value.to_owned(),
        });
    }
}

/// Deletes a role that holds no policies or instance profiles (`whittle
/// apply` refuses the others).
fn delete_role(account: &mut AuthorizationDetails, name: &str) -> Result<(), String> {
    let role = role(account, name).ok_or_else(|| format!("role/{name} does not exist"))?;
    if !role.role_policy_list.is_empty()
        || !role.attached_managed_policies.is_empty()
        || !role.instance_profile_list.is_empty()
    {
        return Err(format!(
            "refusing to delete role/{name}: it still has policies or instance profiles"
        ));
    }
    account.role_detail_list.retain(|r| r.role_name != name);
    Ok(())
}
