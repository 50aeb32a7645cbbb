//! Executing a `whittle.plan/v1` plan against IAM ([`apply`]) and undoing it
//! ([`rollback`]), with a journal written atomically after every step.
//!
//! Before a step runs, IAM's current state is read and compared with the
//! step's expectations; before the first change, every expectation that no
//! earlier step can affect is checked too, so that a plan made against an
//! account that has moved on changes nothing. Steps the journal records as
//! applied are skipped (their after-state is verified). Rolling back undoes the
//! applied steps in reverse order and marks them rolled back, so that doing it
//! twice changes nothing the second time. Documents IAM returns are URL-encoded
//! and decoded exactly once ([`whittle_model::decode_document`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use aws_sdk_iam::Client;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_iam::operation::remove_user_from_group::{
    RemoveUserFromGroupError, RemoveUserFromGroupOutput,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use jiff::Timestamp;
use serde_json::Value;
use whittle_model::{
    Expectation, Journal, JournalStep, KeyValue, Operation, Outcome, Plan, PlanError, PreviousTag,
    Principal, PrincipalKind, Step, StepState, decode_document, document_sha256,
};

use crate::client::IamClient;
use crate::jobs::CallError;

/// How to run a plan.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Stop after this many steps as if interrupted (for tests of resuming).
    pub stop_after: Option<usize>,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// The steps applied (or rolled back) by this run, in order.
    pub done: Vec<String>,
    /// The steps already applied (or already rolled back, or never applied).
    pub skipped: Vec<String>,
    /// Steps rolled back whose changes were found already undone in IAM.
    pub already_undone: Vec<String>,
    /// Steps not journaled but found applied in IAM: an earlier run made the
    /// change and stopped before writing its journal. Journaled as applied
    /// (and, by a rollback, then rolled back).
    pub found_applied: Vec<String>,
    /// True when [`ApplyOptions::stop_after`] stopped the run early.
    pub stopped: bool,
}

/// Why a plan could not be applied or rolled back.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The plan or its journal could not be read.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The journal could not be written.
    #[error("cannot write the journal {path}: {source}")]
    Journal {
        /// The journal file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// IAM is not in the state the step expects; nothing more was changed.
    #[error("step {step}: {what}; IAM changed since the plan was made")]
    Changed {
        /// The step's id.
        step: String,
        /// What differs.
        what: String,
    },
    /// An IAM call failed.
    #[error("step {step}: {source}")]
    Call {
        /// The step's id.
        step: String,
        /// The call and its error.
        source: CallError,
    },
    /// A role to delete still holds policies or instance profiles.
    #[error("step {step}: refusing to delete role/{role}: it still has {holdings}")]
    RoleInUse {
        /// The step's id.
        step: String,
        /// The role.
        role: String,
        /// What it still has.
        holdings: String,
    },
    /// IAM answered without something the step needs.
    #[error("step {step}: {operation} answered without {missing}")]
    Response {
        /// The step's id.
        step: String,
        /// The operation.
        operation: &'static str,
        /// What was missing.
        missing: &'static str,
    },
}

impl ApplyError {
    /// True when IAM's state differs from what the plan expects (exit code 4).
    pub fn is_changed(&self) -> bool {
        matches!(self, Self::Changed { .. })
    }
}

/// What the journal notes of a step found applied rather than run.
pub const FOUND_APPLIED: &str =
    "found applied by an earlier run that stopped before writing its journal";

/// Applies the steps of `plan` that `journal_path` does not record as applied,
/// in order, writing the journal after each.
///
/// The first step not journaled may have been applied by a run killed before
/// it wrote its journal: when its expectations no longer hold but IAM is
/// exactly in the state it leads to, it is journaled as applied (see
/// [`FOUND_APPLIED`]) instead of stopping with [`ApplyError::Changed`].
pub async fn apply(
    iam: &IamClient,
    plan: &Plan,
    journal_path: &Path,
    options: &ApplyOptions,
) -> Result<Progress, ApplyError> {
    let iam = Iam(&iam.client);
    let mut journal = Journal::read_for(journal_path, plan)?;
    let mut progress = Progress::default();
    if let Some((first, what)) =
        journal_found_applied(&iam, plan, &mut journal, journal_path).await?
    {
        match what {
            Some(what) => return Err(changed(first, what)),
            None => progress.found_applied.push(first.id.clone()),
        }
    }
    let (done, pending): (Vec<&Step>, Vec<&Step>) =
        plan.steps.iter().partition(|s| journal.is_applied(&s.id));
    verify_applied(&iam, &journal, &done).await?;
    progress.skipped = (done.iter())
        .filter(|s| !progress.found_applied.contains(&s.id))
        .map(|s| s.id.clone())
        .collect();
    preflight(&iam, &pending).await?;
    for (n, step) in pending.into_iter().enumerate() {
        if options.stop_after == Some(n) {
            progress.stopped = true;
            break;
        }
        if let Some(what) = iam.first_difference(step, &step.expect).await? {
            return Err(changed(step, what));
        }
        let outcome = iam.run(step).await?;
        record(&mut journal, step, outcome, None);
        write(&journal, journal_path)?;
        progress.done.push(step.id.clone());
    }
    Ok(progress)
}

/// Journals the first step not journaled as applied when an earlier run made
/// its change and was killed before writing its journal: its expectations no
/// longer hold, but IAM is exactly in the state it leads to. Returns that step
/// with `None`, or with what differs when its expectations fail and IAM is
/// not in that state either; nothing when its expectations hold.
async fn journal_found_applied<'p>(
    iam: &Iam<'_>,
    plan: &'p Plan,
    journal: &mut Journal,
    journal_path: &Path,
) -> Result<Option<(&'p Step, Option<String>)>, ApplyError> {
    let Some(first) = plan.steps.iter().find(|s| !journal.is_applied(&s.id)) else {
        return Ok(None);
    };
    let Some(what) = iam.first_difference(first, &first.expect).await? else {
        return Ok(None);
    };
    let Some(outcome) = iam.found_applied(first).await? else {
        return Ok(Some((first, Some(what))));
    };
    record(journal, first, outcome, Some(FOUND_APPLIED));
    write(journal, journal_path)?;
    Ok(Some((first, None)))
}

/// Journals `step` as applied now, replacing an earlier entry (rolled back).
fn record(journal: &mut Journal, step: &Step, outcome: Outcome, note: Option<&str>) {
    journal.steps.retain(|s| s.id != step.id);
    journal.steps.push(JournalStep {
        id: step.id.clone(),
        state: StepState::Applied,
        applied_at: Timestamp::now(),
        rolled_back_at: None,
        outcome,
        note: note.map(str::to_owned),
    });
}

/// Rolls back the steps `journal_path` records as applied, in reverse order,
/// writing the journal after each.
///
/// A step an apply killed before its journal made is found and rolled back
/// too, as [`apply`] finds it. A step whose undo was made (or, for undos of
/// several calls, begun) by a rollback killed before its journal is finished
/// and marked rolled back; a deleted version is never re-created twice.
pub async fn rollback(
    iam: &IamClient,
    plan: &Plan,
    journal_path: &Path,
    options: &ApplyOptions,
) -> Result<Progress, ApplyError> {
    let iam = Iam(&iam.client);
    let mut journal = Journal::read_for(journal_path, plan)?;
    let mut progress = Progress::default();
    // A step applied by a run killed before its journal is rolled back too;
    // other differences are for the steps' own checks below.
    if let Some((first, None)) =
        journal_found_applied(&iam, plan, &mut journal, journal_path).await?
    {
        progress.found_applied.push(first.id.clone());
    }
    for step in plan.steps.iter().rev() {
        let Some(index) = journal
            .steps
            .iter()
            .position(|s| s.id == step.id && s.state == StepState::Applied)
        else {
            progress.skipped.push(step.id.clone());
            continue;
        };
        if options.stop_after == Some(progress.done.len() + progress.already_undone.len()) {
            progress.stopped = true;
            break;
        }
        let highest = highest_version_named(plan, &journal, step);
        let entry = &mut journal.steps[index];
        let after = after_state(step, &entry.outcome);
        if iam.restored_copy(step, &mut entry.outcome, highest).await? {
            // A rollback killed after re-creating the version, before its journal.
            progress.already_undone.push(step.id.clone());
        } else {
            match iam.first_difference(step, &after).await? {
                None => {
                    iam.undo(step, &mut entry.outcome).await?;
                    progress.done.push(step.id.clone());
                }
                // Undone already (say, by a rollback interrupted before its
                // journal was written): the state before the step is back, but
                // an undo of several calls may have been cut short.
                Some(_) if iam.first_difference(step, &step.expect).await?.is_none() => {
                    if iam.finish_undo(step, &entry.outcome).await? {
                        progress.done.push(step.id.clone());
                    } else {
                        progress.already_undone.push(step.id.clone());
                    }
                }
                Some(what) => {
                    return Err(changed(
                        step,
                        format!("{what}, though the step was applied"),
                    ));
                }
            }
        }
        entry.state = StepState::RolledBack;
        entry.rolled_back_at = Some(Timestamp::now());
        write(&journal, journal_path)?;
    }
    Ok(progress)
}

/// Checks that what the applied steps did still holds, as far as no later
/// applied step changed it again.
async fn verify_applied(
    iam: &Iam<'_>,
    journal: &Journal,
    done: &[&Step],
) -> Result<(), ApplyError> {
    let mut touched = BTreeSet::new();
    for step in done.iter().rev() {
        let outcome = &journal
            .step(&step.id)
            .expect("applied steps are journaled")
            .outcome;
        let after: Vec<Expectation> = (after_state(step, outcome).into_iter())
            .filter(|e| !touched.contains(&e.subject()))
            .collect();
        if let Some(what) = iam.first_difference(step, &after).await? {
            return Err(changed(
                step,
                format!("{what}, though the step was applied"),
            ));
        }
        touched.extend(step.operation.touches());
    }
    Ok(())
}

/// Checks, before anything changes, every expectation of the pending steps
/// that no earlier pending step can affect.
async fn preflight(iam: &Iam<'_>, pending: &[&Step]) -> Result<(), ApplyError> {
    let mut touched = BTreeSet::new();
    for step in pending {
        let untouched: Vec<Expectation> = step
            .expect
            .iter()
            .filter(|e| !touched.contains(&e.subject()))
            .cloned()
            .collect();
        if let Some(what) = iam.first_difference(step, &untouched).await? {
            return Err(changed(step, what));
        }
        touched.extend(step.operation.touches());
    }
    Ok(())
}

fn changed(step: &Step, what: String) -> ApplyError {
    ApplyError::Changed {
        step: step.id.clone(),
        what,
    }
}

fn write(journal: &Journal, path: &Path) -> Result<(), ApplyError> {
    journal.write(path).map_err(|source| ApplyError::Journal {
        path: path.to_owned(),
        source,
    })
}

/// The highest version number of the managed policy a version step is
/// about that the plan or the journal names; 0 for other steps. IAM never
/// reuses a version number, so a version numbered above it was created after
/// the plan was made.
fn highest_version_named(plan: &Plan, journal: &Journal, step: &Step) -> u64 {
    let Operation::DeletePolicyVersion { policy_arn, .. } = &step.operation else {
        return 0;
    };
    let mut ids: Vec<&str> = Vec::new();
    for step in &plan.steps {
        match &step.operation {
            Operation::DeletePolicyVersion {
                policy_arn: arn,
                version_id,
                ..
            }
            | Operation::SetDefaultPolicyVersion {
                policy_arn: arn,
                version_id,
            } if arn == policy_arn => ids.push(version_id),
            _ => {}
        }
        ids.extend(step.expect.iter().filter_map(|e| match e {
            Expectation::PolicyDefault {
                policy_arn: arn,
                version_id,
                ..
            }
            | Expectation::PolicyDefaultIs {
                policy_arn: arn,
                version_id,
            }
            | Expectation::PolicyVersion {
                policy_arn: arn,
                version_id,
                ..
            }
            | Expectation::PolicyVersionAbsent {
                policy_arn: arn,
                version_id,
            } if arn == policy_arn => Some(version_id.as_str()),
            _ => None,
        }));
        let about_policy = matches!(&step.operation,
            Operation::CreatePolicyVersion { policy_arn: arn, .. }
            | Operation::DeletePolicyVersion { policy_arn: arn, .. }
            | Operation::SetDefaultPolicyVersion { policy_arn: arn, .. } if arn == policy_arn);
        if let Some(entry) = journal.step(&step.id).filter(|_| about_policy) {
            let outcome = &entry.outcome;
            ids.extend(
                [
                    &outcome.version_id,
                    &outcome.previous_default_version_id,
                    &outcome.restored_version_id,
                ]
                .into_iter()
                .flatten()
                .map(String::as_str),
            );
        }
    }
    ids.into_iter()
        .filter_map(version_number)
        .max()
        .unwrap_or(0)
}

/// `v7` → 7.
fn version_number(id: &str) -> Option<u64> {
    id.strip_prefix('v')?.parse().ok()
}

/// What holds in IAM once `step` is applied, given what it produced.
pub fn after_state(step: &Step, outcome: &Outcome) -> Vec<Expectation> {
    let version = |policy_arn: &str, version_id: &str, document: &Value, default: bool| {
        let (policy_arn, version_id) = (policy_arn.to_owned(), version_id.to_owned());
        let document_sha256 = document_sha256(document);
        if default {
            Expectation::PolicyDefault {
                policy_arn,
                version_id,
                document_sha256,
            }
        } else {
            Expectation::PolicyVersion {
                policy_arn,
                version_id,
                document_sha256,
            }
        }
    };
    match &step.operation {
        Operation::CreatePolicy { document, .. } => outcome
            .policy_arn
            .iter()
            .map(|arn| version(arn, "v1", document, true))
            .collect(),
        Operation::CreatePolicyVersion {
            policy_arn,
            document,
            set_as_default,
        } => outcome
            .version_id
            .iter()
            .map(|id| version(policy_arn, id, document, *set_as_default))
            .collect(),
        Operation::DeletePolicyVersion {
            policy_arn,
            version_id,
            ..
        } => vec![Expectation::PolicyVersionAbsent {
            policy_arn: policy_arn.clone(),
            version_id: version_id.clone(),
        }],
        Operation::SetDefaultPolicyVersion {
            policy_arn,
            version_id,
        } => vec![Expectation::PolicyDefaultIs {
            policy_arn: policy_arn.clone(),
            version_id: version_id.clone(),
        }],
        Operation::PutInlinePolicy {
            principal,
            policy_name,
            document,
            ..
        } => vec![Expectation::InlinePresent {
            principal: principal.clone(),
            policy_name: policy_name.clone(),
            document_sha256: document_sha256(document),
        }],
        Operation::DeleteInlinePolicy {
            principal,
            policy_name,
            ..
        } => vec![Expectation::InlineAbsent {
            principal: principal.clone(),
            policy_name: policy_name.clone(),
        }],
        Operation::AttachPolicy {
            principal,
            policy_arn,
        } => vec![Expectation::Attached {
            principal: principal.clone(),
            policy_arn: policy_arn.clone(),
        }],
        Operation::DetachPolicy {
            principal,
            policy_arn,
        } => vec![Expectation::NotAttached {
            principal: principal.clone(),
            policy_arn: policy_arn.clone(),
        }],
        Operation::TagRole { role_name, tags } => vec![Expectation::RoleTagged {
            role_name: role_name.clone(),
            tags: tags.clone(),
        }],
        Operation::DeleteRole { role_name, .. } => vec![Expectation::RoleAbsent {
            role_name: role_name.clone(),
        }],
        Operation::AddUserToGroup {
            user_name,
            group_name,
        } => vec![Expectation::MemberOf {
            user_name: user_name.clone(),
            group_name: group_name.clone(),
        }],
        Operation::RemoveUserFromGroup {
            user_name,
            group_name,
        } => vec![Expectation::NotMemberOf {
            user_name: user_name.clone(),
            group_name: group_name.clone(),
        }],
    }
}

/// True when the error is IAM's NoSuchEntity.
fn absent<T, E>(
    operation: &'static str,
    result: Result<T, SdkError<E, HttpResponse>>,
) -> Result<Option<T>, CallError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(None),
        Err(e) => Err(CallError::from_sdk(operation, e)),
    }
}

/// Maps an SDK error to the step's [`ApplyError::Call`].
fn call<T, E>(
    step: &Step,
    operation: &'static str,
    result: Result<T, SdkError<E, HttpResponse>>,
) -> Result<T, ApplyError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    result.map_err(|e| ApplyError::Call {
        step: step.id.clone(),
        source: CallError::from_sdk(operation, e),
    })
}

fn call_error(step: &Step) -> impl Fn(CallError) -> ApplyError + '_ {
    |source| ApplyError::Call {
        step: step.id.clone(),
        source,
    }
}

fn sdk_tag(tag: &KeyValue) -> aws_sdk_iam::types::Tag {
    aws_sdk_iam::types::Tag::builder()
        .key(&tag.key)
        .value(&tag.value)
        .build()
        .expect("a tag with a key and a value builds")
}

/// IAM's current state, read and changed through the SDK.
struct Iam<'a>(&'a Client);

impl Iam<'_> {
    /// The first of `expected` that does not hold, in words.
    async fn first_difference(
        &self,
        step: &Step,
        expected: &[Expectation],
    ) -> Result<Option<String>, ApplyError> {
        for expectation in expected {
            if let Some(what) = self
                .difference(expectation)
                .await
                .map_err(call_error(step))?
            {
                return Ok(Some(what));
            }
        }
        Ok(None)
    }

    /// How IAM differs from `expected`, in words; `None` when it holds.
    async fn difference(&self, expected: &Expectation) -> Result<Option<String>, CallError> {
        let hash_differs = |what: String, found: &Value, hash: &str| {
            let found = document_sha256(found);
            (found != hash).then(|| {
                format!("{what} has another document (sha256 {found}, the plan expects {hash})")
            })
        };
        Ok(match expected {
            Expectation::PolicyAbsent { policy_arn } => {
                (self.default_version(policy_arn).await?).map(|_| format!("{policy_arn} exists"))
            }
            Expectation::PolicyDefault {
                policy_arn,
                version_id,
                document_sha256,
            } => match self.default_version(policy_arn).await? {
                None => Some(format!("{policy_arn} does not exist")),
                Some(found) if &found != version_id => Some(format!(
                    "{policy_arn}'s default version is {found}, not {version_id}"
                )),
                Some(_) => match self.version(policy_arn, version_id).await? {
                    None => Some(format!("{policy_arn} has no version {version_id}")),
                    Some((document, _)) => hash_differs(
                        format!("{policy_arn} version {version_id}"),
                        &document,
                        document_sha256,
                    ),
                },
            },
            Expectation::PolicyDefaultIs {
                policy_arn,
                version_id,
            } => match self.default_version(policy_arn).await? {
                None => Some(format!("{policy_arn} does not exist")),
                Some(found) => (&found != version_id).then(|| {
                    format!("{policy_arn}'s default version is {found}, not {version_id}")
                }),
            },
            Expectation::PolicyVersion {
                policy_arn,
                version_id,
                document_sha256,
            } => match self.version(policy_arn, version_id).await? {
                None => Some(format!("{policy_arn} has no version {version_id}")),
                Some((_, true)) => Some(format!(
                    "{policy_arn} version {version_id} is the default version"
                )),
                Some((document, false)) => hash_differs(
                    format!("{policy_arn} version {version_id}"),
                    &document,
                    document_sha256,
                ),
            },
            Expectation::PolicyVersionAbsent {
                policy_arn,
                version_id,
            } => (self.version(policy_arn, version_id).await?)
                .map(|_| format!("{policy_arn} has a version {version_id}")),
            Expectation::InlineAbsent {
                principal,
                policy_name,
            } => (self.inline(principal, policy_name).await?)
                .map(|_| format!("{principal} has an inline policy {policy_name}")),
            Expectation::InlinePresent {
                principal,
                policy_name,
                document_sha256,
            } => match self.inline(principal, policy_name).await? {
                None => Some(format!("{principal} has no inline policy {policy_name}")),
                Some(document) => hash_differs(
                    format!("{principal}'s inline policy {policy_name}"),
                    &document,
                    document_sha256,
                ),
            },
            Expectation::Attached {
                principal,
                policy_arn,
            } => match self.attached(principal).await? {
                None => Some(format!("{principal} does not exist")),
                Some(arns) => (!arns.contains(policy_arn))
                    .then(|| format!("{principal} no longer has {policy_arn} attached")),
            },
            Expectation::NotAttached {
                principal,
                policy_arn,
            } => match self.attached(principal).await? {
                None => Some(format!("{principal} does not exist")),
                Some(arns) => arns
                    .contains(policy_arn)
                    .then(|| format!("{principal} has {policy_arn} attached")),
            },
            Expectation::RoleExists { role_name } => (self.role_tags(role_name).await?)
                .is_none()
                .then(|| format!("role/{role_name} does not exist")),
            Expectation::RoleTagged { role_name, tags } => match self.role_tags(role_name).await? {
                None => Some(format!("role/{role_name} does not exist")),
                Some(found) => tags
                    .iter()
                    .find(|t| !found.contains(t))
                    .map(|t| format!("role/{role_name} has no tag {}={}", t.key, t.value)),
            },
            Expectation::RoleAbsent { role_name } => {
                (self.role_tags(role_name).await?).map(|_| format!("role/{role_name} exists"))
            }
            Expectation::MemberOf {
                user_name,
                group_name,
            } => match self.groups_of(user_name).await? {
                None => Some(format!("user/{user_name} does not exist")),
                Some(groups) => (!groups.contains(group_name))
                    .then(|| format!("user/{user_name} is not in group/{group_name}")),
            },
            Expectation::NotMemberOf {
                user_name,
                group_name,
            } => match self.groups_of(user_name).await? {
                None => Some(format!("user/{user_name} does not exist")),
                Some(groups) => groups
                    .contains(group_name)
                    .then(|| format!("user/{user_name} is in group/{group_name}")),
            },
        })
    }

    /// The names of the groups a user is in, every page; `None` when the user
    /// does not exist.
    async fn groups_of(&self, user: &str) -> Result<Option<Vec<String>>, CallError> {
        let mut names = Vec::new();
        let mut marker = None;
        let mut pages = crate::jobs::Pages::new("ListGroupsForUser");
        loop {
            let out = self
                .0
                .list_groups_for_user()
                .user_name(user)
                .set_marker(marker.take())
                .send()
                .await;
            let Some(page) = absent("ListGroupsForUser", out)? else {
                return Ok(None);
            };
            names.extend(page.groups.into_iter().map(|g| g.group_name));
            match page.marker {
                Some(next) if page.is_truncated => marker = Some(pages.next(next)?),
                _ => return Ok(Some(names)),
            }
        }
    }

    /// The default version id of a managed policy, `None` when it does not exist.
    async fn default_version(&self, arn: &str) -> Result<Option<String>, CallError> {
        let out = absent(
            "GetPolicy",
            self.0.get_policy().policy_arn(arn).send().await,
        )?;
        Ok(out.map(|o| {
            o.policy
                .and_then(|p| p.default_version_id)
                .unwrap_or_default()
        }))
    }

    /// A version's document and whether it is the default one.
    async fn version(&self, arn: &str, id: &str) -> Result<Option<(Value, bool)>, CallError> {
        let out = self
            .0
            .get_policy_version()
            .policy_arn(arn)
            .version_id(id)
            .send()
            .await;
        Ok(absent("GetPolicyVersion", out)?
            .and_then(|o| o.policy_version)
            .map(|v| {
                let document = decode_document(v.document.as_deref().unwrap_or_default());
                (document, v.is_default_version)
            }))
    }

    /// An inline policy's document, `None` when it (or its principal) does not exist.
    async fn inline(&self, principal: &Principal, name: &str) -> Result<Option<Value>, CallError> {
        let who = principal.name.as_str();
        let raw = match principal.kind {
            PrincipalKind::User => absent(
                "GetUserPolicy",
                self.0
                    .get_user_policy()
                    .user_name(who)
                    .policy_name(name)
                    .send()
                    .await,
            )?
            .map(|o| o.policy_document),
            PrincipalKind::Group => absent(
                "GetGroupPolicy",
                self.0
                    .get_group_policy()
                    .group_name(who)
                    .policy_name(name)
                    .send()
                    .await,
            )?
            .map(|o| o.policy_document),
            PrincipalKind::Role => absent(
                "GetRolePolicy",
                self.0
                    .get_role_policy()
                    .role_name(who)
                    .policy_name(name)
                    .send()
                    .await,
            )?
            .map(|o| o.policy_document),
        };
        Ok(raw.map(|text| decode_document(&text)))
    }

    /// The ARNs of the managed policies attached to a principal, every page;
    /// `None` when the principal does not exist.
    async fn attached(&self, principal: &Principal) -> Result<Option<Vec<String>>, CallError> {
        let who = principal.name.as_str();
        let mut arns = Vec::new();
        let mut marker = None;
        let mut pages = crate::jobs::Pages::new("ListAttached*Policies");
        loop {
            let page = match principal.kind {
                PrincipalKind::User => absent(
                    "ListAttachedUserPolicies",
                    self.0
                        .list_attached_user_policies()
                        .user_name(who)
                        .set_marker(marker.take())
                        .send()
                        .await,
                )?
                .map(|o| (o.attached_policies, o.is_truncated, o.marker)),
                PrincipalKind::Group => absent(
                    "ListAttachedGroupPolicies",
                    self.0
                        .list_attached_group_policies()
                        .group_name(who)
                        .set_marker(marker.take())
                        .send()
                        .await,
                )?
                .map(|o| (o.attached_policies, o.is_truncated, o.marker)),
                PrincipalKind::Role => absent(
                    "ListAttachedRolePolicies",
                    self.0
                        .list_attached_role_policies()
                        .role_name(who)
                        .set_marker(marker.take())
                        .send()
                        .await,
                )?
                .map(|o| (o.attached_policies, o.is_truncated, o.marker)),
            };
            let Some((policies, truncated, next)) = page else {
                return Ok(None);
            };
            arns.extend(
                policies
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|p| p.policy_arn),
            );
            match next {
                Some(next) if truncated => marker = Some(pages.next(next)?),
                _ => return Ok(Some(arns)),
            }
        }
    }

    /// A role's tags, `None` when the role does not exist.
    async fn role_tags(&self, role: &str) -> Result<Option<Vec<KeyValue>>, CallError> {
        let out = absent(
            "ListRoleTags",
            self.0.list_role_tags().role_name(role).send().await,
        )?;
        Ok(out.map(|o| {
            o.tags
                .into_iter()
                .map(|t| KeyValue {
                    key: t.key,
                    value: t.value,
                })
                .collect()
        }))
    }

    /// What a role still has that deleting it would lose, in words.
    async fn role_holdings(&self, step: &Step, role: &str) -> Result<Vec<String>, ApplyError> {
        let inline = self.0.list_role_policies().role_name(role).send().await;
        let inline = call(step, "ListRolePolicies", inline)?.policy_names;
        let attached = self
            .attached(&Principal::role(role))
            .await
            .map_err(call_error(step))?
            .unwrap_or_default();
        let profiles = self
            .0
            .list_instance_profiles_for_role()
            .role_name(role)
            .send()
            .await;
        let profiles = call(step, "ListInstanceProfilesForRole", profiles)?.instance_profiles;
        let mut holdings: Vec<String> = inline
            .into_iter()
            .map(|name| format!("inline policy {name}"))
            .collect();
        holdings.extend(attached.into_iter().map(|arn| format!("{arn} attached")));
        holdings.extend(
            profiles
                .into_iter()
                .map(|p| format!("instance profile {}", p.instance_profile_name)),
        );
        Ok(holdings)
    }

    /// The outcome to journal for `step` when IAM is exactly in the state the
    /// step leads to; `None` when it is not, or when neither IAM nor the plan
    /// tells what rolling the step back would need.
    async fn found_applied(&self, step: &Step) -> Result<Option<Outcome>, ApplyError> {
        let Some(outcome) = self.found_outcome(step).await? else {
            return Ok(None);
        };
        let after = after_state(step, &outcome);
        if self.first_difference(step, &after).await?.is_some() {
            return Ok(None);
        }
        if let (Operation::CreatePolicy { tags, .. }, Some(arn)) =
            (&step.operation, &outcome.policy_arn)
        {
            let found = self.policy_tags(arn).await.map_err(call_error(step))?;
            if !tags.iter().all(|t| found.contains(t)) {
                return Ok(None);
            }
        }
        Ok(Some(outcome))
    }

    /// What running `step` would have journaled, from IAM and the step's
    /// expectations: the created policy's ARN, the created version's id and
    /// the default before it, the role's tag values before.
    async fn found_outcome(&self, step: &Step) -> Result<Option<Outcome>, ApplyError> {
        let mut outcome = Outcome::default();
        match &step.operation {
            Operation::CreatePolicy { .. } => {
                outcome.policy_arn = step.expect.iter().find_map(|e| match e {
                    Expectation::PolicyAbsent { policy_arn } => Some(policy_arn.clone()),
                    _ => None,
                });
                if outcome.policy_arn.is_none() {
                    return Ok(None);
                }
            }
            // A non-default version cannot be told from one made by others.
            Operation::CreatePolicyVersion {
                set_as_default: false,
                ..
            } => return Ok(None),
            Operation::CreatePolicyVersion { policy_arn, .. } => {
                let Some(previous) = step.expected_default(policy_arn) else {
                    return Ok(None);
                };
                let found = self
                    .default_version(policy_arn)
                    .await
                    .map_err(call_error(step))?;
                match found {
                    Some(found) if found != previous => outcome.version_id = Some(found),
                    _ => return Ok(None),
                }
                outcome.previous_default_version_id = Some(previous.to_owned());
            }
            Operation::SetDefaultPolicyVersion { policy_arn, .. } => {
                let Some(previous) = step.expected_default(policy_arn) else {
                    return Ok(None);
                };
                outcome.previous_default_version_id = Some(previous.to_owned());
            }
            Operation::TagRole { role_name, tags } => {
                let expected: Vec<&KeyValue> = (step.expect.iter())
                    .filter_map(|e| match e {
                        Expectation::RoleTagged {
                            role_name: role,
                            tags,
                        } if role == role_name => Some(tags),
                        _ => None,
                    })
                    .flatten()
                    .collect();
                outcome.previous_tags = (tags.iter())
                    .map(|t| PreviousTag {
                        key: t.key.clone(),
                        value: (expected.iter().find(|e| e.key == t.key)).map(|e| e.value.clone()),
                    })
                    .collect();
            }
            _ => {}
        }
        Ok(Some(outcome))
    }

    /// For a journaled deletion of a policy version not yet rolled back: the
    /// copy a rollback killed before its journal re-created, when IAM has one
    /// (a non-default version with the saved document, numbered above every
    /// version the plan and journal name). Records it and returns true.
    async fn restored_copy(
        &self,
        step: &Step,
        outcome: &mut Outcome,
        highest_named: u64,
    ) -> Result<bool, ApplyError> {
        let Operation::DeletePolicyVersion {
            policy_arn,
            document,
            ..
        } = &step.operation
        else {
            return Ok(false);
        };
        if outcome.restored_version_id.is_some() {
            return Ok(false);
        }
        let out = self.0.list_policy_versions().policy_arn(policy_arn).send();
        let Some(listed) = absent("ListPolicyVersions", out.await).map_err(call_error(step))?
        else {
            return Ok(false);
        };
        let hash = document_sha256(document);
        for version in listed.versions.unwrap_or_default() {
            let Some(id) = version.version_id.filter(|_| !version.is_default_version) else {
                continue;
            };
            if version_number(&id).is_none_or(|n| n <= highest_named) {
                continue;
            }
            let found = self.version(policy_arn, &id).await;
            if found
                .map_err(call_error(step))?
                .is_some_and(|(d, _)| document_sha256(&d) == hash)
            {
                outcome.restored_version_id = Some(id);
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Finishes an undo of several calls that a killed rollback cut short,
    /// once the state the step expects is back: deletes a created version
    /// still there, restores tag values not restored. True when it changed
    /// something.
    async fn finish_undo(&self, step: &Step, outcome: &Outcome) -> Result<bool, ApplyError> {
        match &step.operation {
            Operation::CreatePolicyVersion { policy_arn, .. } => {
                let Some(id) = &outcome.version_id else {
                    return Ok(false);
                };
                let found = self.version(policy_arn, id).await;
                if !matches!(found.map_err(call_error(step))?, Some((_, false))) {
                    return Ok(false);
                }
                self.delete_version(step, policy_arn, id).await?;
                Ok(true)
            }
            Operation::TagRole { role_name, .. } => {
                let found = self.role_tags(role_name).await.map_err(call_error(step))?;
                let Some(found) = found else {
                    return Ok(false);
                };
                let restored = outcome.previous_tags.iter().all(|t| {
                    let now = found.iter().find(|f| f.key == t.key).map(|f| &f.value);
                    now == t.value.as_ref()
                });
                if restored {
                    return Ok(false);
                }
                self.restore_tags(step, role_name, &outcome.previous_tags)
                    .await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// A managed policy's tags.
    async fn policy_tags(&self, arn: &str) -> Result<Vec<KeyValue>, CallError> {
        let out = self.0.list_policy_tags().policy_arn(arn).send().await;
        let out = absent("ListPolicyTags", out)?;
        Ok((out.map(|o| o.tags).unwrap_or_default().into_iter())
            .map(|t| KeyValue {
                key: t.key,
                value: t.value,
            })
            .collect())
    }

    /// Makes the step's change; returns what IAM produced and what it replaced.
    async fn run(&self, step: &Step) -> Result<Outcome, ApplyError> {
        let mut outcome = Outcome::default();
        match &step.operation {
            Operation::CreatePolicy {
                name,
                path,
                description,
                document,
                tags,
            } => {
                let out = self
                    .0
                    .create_policy()
                    .policy_name(name)
                    .path(path)
                    .set_description(description.clone())
                    .policy_document(document.to_string())
                    .set_tags((!tags.is_empty()).then(|| tags.iter().map(sdk_tag).collect()))
                    .send()
                    .await;
                let out = call(step, "CreatePolicy", out)?;
                outcome.policy_arn =
                    Some(out.policy.and_then(|p| p.arn).ok_or(ApplyError::Response {
                        step: step.id.clone(),
                        operation: "CreatePolicy",
                        missing: "the policy's ARN",
                    })?);
            }
            Operation::CreatePolicyVersion {
                policy_arn,
                document,
                set_as_default,
            } => {
                outcome.previous_default_version_id = self
                    .default_version(policy_arn)
                    .await
                    .map_err(call_error(step))?;
                let id = self
                    .create_version(step, policy_arn, document, *set_as_default)
                    .await?;
                outcome.version_id = Some(id);
            }
            Operation::DeletePolicyVersion {
                policy_arn,
                version_id,
                ..
            } => self.delete_version(step, policy_arn, version_id).await?,
            Operation::SetDefaultPolicyVersion {
                policy_arn,
                version_id,
            } => {
                outcome.previous_default_version_id = self
                    .default_version(policy_arn)
                    .await
                    .map_err(call_error(step))?;
                self.set_default(step, policy_arn, version_id).await?;
            }
            Operation::PutInlinePolicy {
                principal,
                policy_name,
                document,
                ..
            } => {
                self.put_inline(step, principal, policy_name, document)
                    .await?
            }
            Operation::DeleteInlinePolicy {
                principal,
                policy_name,
                ..
            } => self.delete_inline(step, principal, policy_name).await?,
            Operation::AttachPolicy {
                principal,
                policy_arn,
            } => self.attach(step, principal, policy_arn).await?,
            Operation::DetachPolicy {
                principal,
                policy_arn,
            } => self.detach(step, principal, policy_arn).await?,
            Operation::TagRole { role_name, tags } => {
                let before = self
                    .role_tags(role_name)
                    .await
                    .map_err(call_error(step))?
                    .unwrap_or_default();
                outcome.previous_tags = tags
                    .iter()
                    .map(|t| PreviousTag {
                        key: t.key.clone(),
                        value: before
                            .iter()
                            .find(|b| b.key == t.key)
                            .map(|b| b.value.clone()),
                    })
                    .collect();
                self.tag_role(step, role_name, tags).await?;
            }
            Operation::DeleteRole { role_name, .. } => {
                let holdings = self.role_holdings(step, role_name).await?;
                if !holdings.is_empty() {
                    return Err(ApplyError::RoleInUse {
                        step: step.id.clone(),
                        role: role_name.clone(),
                        holdings: holdings.join(", "),
                    });
                }
                let out = self.0.delete_role().role_name(role_name).send().await;
                call(step, "DeleteRole", out)?;
            }
            Operation::AddUserToGroup {
                user_name,
                group_name,
            } => self.add_to_group(step, user_name, group_name).await?,
            Operation::RemoveUserFromGroup {
                user_name,
                group_name,
            } => {
                let out = self.remove_from_group(user_name, group_name).await;
                call(step, "RemoveUserFromGroup", out)?;
            }
        }
        Ok(outcome)
    }

    /// Undoes the step's change; records a re-created version's new id.
    async fn undo(&self, step: &Step, outcome: &mut Outcome) -> Result<(), ApplyError> {
        match &step.operation {
            Operation::CreatePolicy { .. } => {
                if let Some(arn) = &outcome.policy_arn {
                    self.delete_policy(step, arn).await?;
                }
            }
            Operation::CreatePolicyVersion {
                policy_arn,
                set_as_default,
                ..
            } => {
                if let (true, Some(previous)) =
                    (set_as_default, &outcome.previous_default_version_id)
                {
                    self.set_default(step, policy_arn, previous).await?;
                }
                if let Some(id) = &outcome.version_id {
                    self.delete_version(step, policy_arn, id).await?;
                }
            }
            Operation::DeletePolicyVersion {
                policy_arn,
                document,
                ..
            } => {
                let id = self
                    .create_version(step, policy_arn, document, false)
                    .await?;
                outcome.restored_version_id = Some(id);
            }
            Operation::SetDefaultPolicyVersion { policy_arn, .. } => {
                if let Some(previous) = &outcome.previous_default_version_id {
                    self.set_default(step, policy_arn, previous).await?;
                }
            }
            Operation::PutInlinePolicy {
                principal,
                policy_name,
                previous_document,
                ..
            } => match previous_document {
                Some(previous) => {
                    self.put_inline(step, principal, policy_name, previous)
                        .await?
                }
                None => self.delete_inline(step, principal, policy_name).await?,
            },
            Operation::DeleteInlinePolicy {
                principal,
                policy_name,
                document,
            } => {
                self.put_inline(step, principal, policy_name, document)
                    .await?
            }
            Operation::AttachPolicy {
                principal,
                policy_arn,
            } => self.detach(step, principal, policy_arn).await?,
            Operation::DetachPolicy {
                principal,
                policy_arn,
            } => self.attach(step, principal, policy_arn).await?,
            Operation::TagRole { role_name, .. } => {
                self.restore_tags(step, role_name, &outcome.previous_tags)
                    .await?
            }
            Operation::DeleteRole {
                role_name,
                path,
                assume_role_policy_document,
                description,
            } => {
                let out = self
                    .0
                    .create_role()
                    .role_name(role_name)
                    .path(path)
                    .assume_role_policy_document(assume_role_policy_document.to_string())
                    .set_description(description.clone())
                    .send()
                    .await;
                call(step, "CreateRole", out)?;
            }
            // Adding a member again succeeds, so an undone removal is fine.
            Operation::RemoveUserFromGroup {
                user_name,
                group_name,
            } => self.add_to_group(step, user_name, group_name).await?,
            Operation::AddUserToGroup {
                user_name,
                group_name,
            } => {
                // NoSuchEntity: the user has left the group already.
                let out = self.remove_from_group(user_name, group_name).await;
                absent("RemoveUserFromGroup", out).map_err(call_error(step))?;
            }
        }
        Ok(())
    }

    async fn add_to_group(&self, step: &Step, user: &str, group: &str) -> Result<(), ApplyError> {
        let out = (self.0.add_user_to_group().user_name(user))
            .group_name(group)
            .send()
            .await;
        call(step, "AddUserToGroup", out).map(drop)
    }

    /// RemoveUserFromGroup, its error left to the caller: rolling back a join
    /// tolerates NoSuchEntity.
    async fn remove_from_group(
        &self,
        user: &str,
        group: &str,
    ) -> Result<RemoveUserFromGroupOutput, SdkError<RemoveUserFromGroupError, HttpResponse>> {
        (self.0.remove_user_from_group().user_name(user))
            .group_name(group)
            .send()
            .await
    }

    async fn create_version(
        &self,
        step: &Step,
        arn: &str,
        document: &Value,
        set_as_default: bool,
    ) -> Result<String, ApplyError> {
        let out = self
            .0
            .create_policy_version()
            .policy_arn(arn)
            .policy_document(document.to_string())
            .set_as_default(set_as_default)
            .send()
            .await;
        let out = call(step, "CreatePolicyVersion", out)?;
        out.policy_version
            .and_then(|v| v.version_id)
            .ok_or(ApplyError::Response {
                step: step.id.clone(),
                operation: "CreatePolicyVersion",
                missing: "the version's id",
            })
    }

    async fn delete_version(&self, step: &Step, arn: &str, id: &str) -> Result<(), ApplyError> {
        let out = self
            .0
            .delete_policy_version()
            .policy_arn(arn)
            .version_id(id)
            .send()
            .await;
        call(step, "DeletePolicyVersion", out).map(drop)
    }

    async fn set_default(&self, step: &Step, arn: &str, id: &str) -> Result<(), ApplyError> {
        let out = self
            .0
            .set_default_policy_version()
            .policy_arn(arn)
            .version_id(id)
            .send()
            .await;
        call(step, "SetDefaultPolicyVersion", out).map(drop)
    }

    /// Detaches a created policy from every entity, deletes its non-default
    /// versions, then the policy.
    async fn delete_policy(&self, step: &Step, arn: &str) -> Result<(), ApplyError> {
        let out = self
            .0
            .list_entities_for_policy()
            .policy_arn(arn)
            .send()
            .await;
        let entities = call(step, "ListEntitiesForPolicy", out)?;
        let mut holders = Vec::new();
        holders.extend(
            (entities.policy_users.unwrap_or_default().into_iter())
                .filter_map(|u| u.user_name.map(|n| Principal::user(&n))),
        );
        holders.extend(
            (entities.policy_groups.unwrap_or_default().into_iter())
                .filter_map(|g| g.group_name.map(|n| Principal::group(&n))),
        );
        holders.extend(
            (entities.policy_roles.unwrap_or_default().into_iter())
                .filter_map(|r| r.role_name.map(|n| Principal::role(&n))),
        );
        for holder in &holders {
            self.detach(step, holder, arn).await?;
        }
        let out = self.0.list_policy_versions().policy_arn(arn).send().await;
        let versions = call(step, "ListPolicyVersions", out)?
            .versions
            .unwrap_or_default();
        for version in versions.into_iter().filter(|v| !v.is_default_version) {
            if let Some(id) = version.version_id {
                self.delete_version(step, arn, &id).await?;
            }
        }
        let out = self.0.delete_policy().policy_arn(arn).send().await;
        call(step, "DeletePolicy", out).map(drop)
    }

    async fn put_inline(
        &self,
        step: &Step,
        principal: &Principal,
        name: &str,
        document: &Value,
    ) -> Result<(), ApplyError> {
        let (who, text) = (principal.name.as_str(), document.to_string());
        match principal.kind {
            PrincipalKind::User => {
                let out = (self.0.put_user_policy().user_name(who))
                    .policy_name(name)
                    .policy_document(text)
                    .send()
                    .await;
                call(step, "PutUserPolicy", out).map(drop)
            }
            PrincipalKind::Group => {
                let out = (self.0.put_group_policy().group_name(who))
                    .policy_name(name)
                    .policy_document(text)
                    .send()
                    .await;
                call(step, "PutGroupPolicy", out).map(drop)
            }
            PrincipalKind::Role => {
                let out = (self.0.put_role_policy().role_name(who))
                    .policy_name(name)
                    .policy_document(text)
                    .send()
                    .await;
                call(step, "PutRolePolicy", out).map(drop)
            }
        }
    }

    async fn delete_inline(
        &self,
        step: &Step,
        principal: &Principal,
        name: &str,
    ) -> Result<(), ApplyError> {
        let who = principal.name.as_str();
        match principal.kind {
            PrincipalKind::User => {
                let out = (self.0.delete_user_policy().user_name(who))
                    .policy_name(name)
                    .send()
                    .await;
                call(step, "DeleteUserPolicy", out).map(drop)
            }
            PrincipalKind::Group => {
                let out = (self.0.delete_group_policy().group_name(who))
                    .policy_name(name)
                    .send()
                    .await;
                call(step, "DeleteGroupPolicy", out).map(drop)
            }
            PrincipalKind::Role => {
                let out = (self.0.delete_role_policy().role_name(who))
                    .policy_name(name)
                    .send()
                    .await;
                call(step, "DeleteRolePolicy", out).map(drop)
            }
        }
    }

    async fn attach(
        &self,
        step: &Step,
        principal: &Principal,
        arn: &str,
    ) -> Result<(), ApplyError> {
        let who = principal.name.as_str();
        match principal.kind {
            PrincipalKind::User => {
                let out = (self.0.attach_user_policy().user_name(who))
                    .policy_arn(arn)
                    .send()
                    .await;
                call(step, "AttachUserPolicy", out).map(drop)
            }
            PrincipalKind::Group => {
                let out = (self.0.attach_group_policy().group_name(who))
                    .policy_arn(arn)
                    .send()
                    .await;
                call(step, "AttachGroupPolicy", out).map(drop)
            }
            PrincipalKind::Role => {
                let out = (self.0.attach_role_policy().role_name(who))
                    .policy_arn(arn)
                    .send()
                    .await;
                call(step, "AttachRolePolicy", out).map(drop)
            }
        }
    }

    async fn detach(
        &self,
        step: &Step,
        principal: &Principal,
        arn: &str,
    ) -> Result<(), ApplyError> {
        let who = principal.name.as_str();
        match principal.kind {
            PrincipalKind::User => {
                let out = (self.0.detach_user_policy().user_name(who))
                    .policy_arn(arn)
                    .send()
                    .await;
                call(step, "DetachUserPolicy", out).map(drop)
            }
            PrincipalKind::Group => {
                let out = (self.0.detach_group_policy().group_name(who))
                    .policy_arn(arn)
                    .send()
                    .await;
                call(step, "DetachGroupPolicy", out).map(drop)
            }
            PrincipalKind::Role => {
                let out = (self.0.detach_role_policy().role_name(who))
                    .policy_arn(arn)
                    .send()
                    .await;
                call(step, "DetachRolePolicy", out).map(drop)
            }
        }
    }

    async fn tag_role(&self, step: &Step, role: &str, tags: &[KeyValue]) -> Result<(), ApplyError> {
        if tags.is_empty() {
            return Ok(());
        }
        let out = self
            .0
            .tag_role()
            .role_name(role)
            .set_tags(Some(tags.iter().map(sdk_tag).collect()))
            .send()
            .await;
        call(step, "TagRole", out).map(drop)
    }

    /// Gives the keys their previous values back and removes those that were new.
    async fn restore_tags(
        &self,
        step: &Step,
        role: &str,
        previous: &[PreviousTag],
    ) -> Result<(), ApplyError> {
        let new_keys: Vec<String> = (previous.iter())
            .filter(|t| t.value.is_none())
            .map(|t| t.key.clone())
            .collect();
        if !new_keys.is_empty() {
            let out = self
                .0
                .untag_role()
                .role_name(role)
                .set_tag_keys(Some(new_keys))
                .send()
                .await;
            call(step, "UntagRole", out)?;
        }
        let old: Vec<KeyValue> = (previous.iter())
            .filter_map(|t| {
                t.value.as_ref().map(|value| KeyValue {
                    key: t.key.clone(),
                    value: value.clone(),
                })
            })
            .collect();
        self.tag_role(step, role, &old).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(operation: Operation) -> Step {
        Step {
            id: "s".into(),
            description: "a step".into(),
            operation,
            expect: vec![],
        }
    }

    #[test]
    fn the_highest_version_named_counts_the_plan_and_the_journal_s_outcomes() {
        let arn = "arn:aws:iam::123456789012:policy/five";
        let delete = Step {
            id: "make-room".into(),
            expect: vec![Expectation::PolicyVersion {
                policy_arn: arn.into(),
                version_id: "v1".into(),
                document_sha256: String::new(),
            }],
            ..step(Operation::DeletePolicyVersion {
                policy_arn: arn.into(),
                version_id: "v1".into(),
                document: Value::Null,
            })
        };
        let create = Step {
            id: "new-version".into(),
            expect: vec![Expectation::PolicyDefaultIs {
                policy_arn: arn.into(),
                version_id: "v5".into(),
            }],
            ..step(Operation::CreatePolicyVersion {
                policy_arn: arn.into(),
                document: Value::Null,
                set_as_default: true,
            })
        };
        let tool = whittle_model::Tool {
            name: "whittle".into(),
            version: "test".into(),
            catalog: None,
        };
        let mut plan = Plan::new(tool, None);
        plan.steps = vec![delete.clone(), create];
        let mut journal = Journal::new(&plan);
        assert_eq!(highest_version_named(&plan, &journal, &delete), 5);
        let outcome = Outcome {
            version_id: Some("v12".into()),
            ..Outcome::default()
        };
        record(&mut journal, &plan.steps[1], outcome, None);
        assert_eq!(highest_version_named(&plan, &journal, &delete), 12);
        assert_eq!(highest_version_named(&plan, &journal, &plan.steps[1]), 0);
    }

    #[test]
    fn after_joining_a_group_the_user_is_a_member() {
        let join = step(Operation::AddUserToGroup {
            user_name: "alice".into(),
            group_name: "devs".into(),
        });
        assert_eq!(
            after_state(&join, &Outcome::default()),
            vec![Expectation::MemberOf {
                user_name: "alice".into(),
                group_name: "devs".into(),
            }]
        );
    }

    #[test]
    fn after_leaving_a_group_the_user_is_not_a_member() {
        let leave = step(Operation::RemoveUserFromGroup {
            user_name: "alice".into(),
            group_name: "devs".into(),
        });
        assert_eq!(
            after_state(&leave, &Outcome::default()),
            vec![Expectation::NotMemberOf {
                user_name: "alice".into(),
                group_name: "devs".into(),
            }]
        );
    }
}
