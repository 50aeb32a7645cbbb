//! The recommender: compares a snapshot's last-accessed reports with what each
//! policy grants and proposes smaller policies, conservatively and with every
//! decision explained.
//!
//! An action is removed only when the data says it was not used inside the
//! window: its service was not used, or it is tracked at action level and was
//! not used. Untracked actions of used services are unknown and kept. Deny
//! statements, Conditions, Resources and NotPrincipal are never changed and no
//! permission is ever added. Principals that are too new, opted out (tag), or
//! whose data is missing or stale get no removals; managed policies shared by
//! several principals lose only what every holder with data left unused.

mod findings;
mod rewrite;
mod usage;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use whittle_model::{EntityKind, ManagedPolicyDetail, Report, Snapshot};

pub use findings::findings;
pub use rewrite::{StatementGrant, grants, rewrite};
pub use usage::{Usage, UsageIndex};
use whittle_policy::ActionSet;
use whittle_policy::catalog::Catalog;
use whittle_policy::expand::Expander;

/// IAM keeps last-accessed history for at most this many days.
pub const TRACKING_PERIOD_DAYS: u32 = 400;

/// How recommendations are made.
#[derive(Debug, Clone)]
pub struct RecommendOptions {
    /// The time the analysis is made at (reproducible runs).
    pub as_of: Timestamp,
    /// An action unused for this many days is removed.
    pub unused_days: u32,
    /// Reports older than this many days (relative to `as_of`) are not used.
    pub max_data_age_days: u32,
    /// Actions that first appeared in a managed policy version created within
    /// this many days are kept: they have not had time to be used.
    pub grace_days: u32,
    /// Only these principals (all users and roles when empty).
    pub principals: Vec<String>,
    /// Statements whose Sid starts with this are kept as they are.
    pub keep_sid_prefix: String,
    /// Principals with this tag are left alone.
    pub keep_tag: String,
}

impl Default for RecommendOptions {
    fn default() -> Self {
        Self {
            as_of: Timestamp::now(),
            unused_days: 90,
            max_data_age_days: 5,
            grace_days: 14,
            principals: Vec::new(),
            keep_sid_prefix: "WhittleKeep".to_owned(),
            keep_tag: "whittle:keep".to_owned(),
        }
    }
}

/// Why recommendations cannot be made at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecommendError {
    /// The window is longer than IAM keeps data for.
    #[error(
        "--unused-days {0} is longer than IAM's tracking period ({TRACKING_PERIOD_DAYS} days): no data is not the same as no use"
    )]
    WindowTooLong(u32),
    /// An empty window.
    #[error("--unused-days must be at least 1")]
    EmptyWindow,
}

/// Which policy a recommendation is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PolicyRef {
    /// An inline policy of a user, group or role.
    Inline {
        /// The owner's ARN.
        owner: String,
        /// The policy's name.
        name: String,
    },
    /// A managed policy (its default version).
    Managed {
        /// The policy's ARN.
        arn: String,
        /// The default version's id.
        version: String,
        /// True for AWS managed policies, which cannot be edited.
        aws_managed: bool,
    },
}

impl PolicyRef {
    /// The managed policy's ARN, or the inline policy's name.
    pub fn label(&self) -> &str {
        match self {
            PolicyRef::Inline { name, .. } => name,
            PolicyRef::Managed { arn, .. } => arn,
        }
    }

    /// A file name for the suggested document.
    pub fn file_name(&self) -> String {
        let clean = |s: &str| {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        };
        match self {
            PolicyRef::Inline { owner, name } => {
                let owner = owner.rsplit(['/', ':']).next().unwrap_or_default();
                format!("inline-{}-{}.json", clean(owner), clean(name))
            }
            PolicyRef::Managed { arn, .. } => {
                format!("{}.json", clean(arn.rsplit('/').next().unwrap_or_default()))
            }
        }
    }
}

/// Why an action is removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The action, `prefix:Name`.
    pub action: String,
    /// The verdict that allows removing it (unused service or action).
    pub usage: Usage,
}

impl Removal {
    /// Why the action goes, in words.
    pub fn reason(&self) -> String {
        let service = self.action.split(':').next().unwrap_or_default();
        match self.usage {
            Usage::UnusedService(Some(t)) => {
                format!("{service} was last used {t}, before the window")
            }
            Usage::UnusedService(None) => {
                format!("{service} was not used in IAM's tracking period")
            }
            Usage::UnusedAction(Some(t)) => format!("last used {t}, before the window"),
            Usage::UnusedAction(None) => {
                "tracked, and not used in IAM's tracking period".to_owned()
            }
            Usage::Used(_) | Usage::Untracked | Usage::NotReported => "kept".to_owned(),
        }
    }

    /// When the action (or, for an unused service, the service) was last used.
    pub fn last_used(&self) -> Option<Timestamp> {
        match self.usage {
            Usage::UnusedService(t) | Usage::UnusedAction(t) => t,
            Usage::Used(t) => Some(t),
            Usage::Untracked | Usage::NotReported => None,
        }
    }
}

/// A proposed change to one policy.
#[derive(Debug, Clone)]
pub struct Recommendation {
    /// The policy.
    pub policy: PolicyRef,
    /// The users and roles it applies to.
    pub principals: Vec<String>,
    /// The document as it is.
    pub original: Value,
    /// The smaller document; `None` when the policy should be detached (or the
    /// inline policy deleted).
    pub suggested: Option<Value>,
    /// The actions removed, sorted, with why.
    pub removed: Vec<Removal>,
    /// Actions kept because IAM does not track them in services that were used.
    pub kept_untracked: Vec<String>,
    /// Every other decision worth knowing, in words.
    pub reasons: Vec<String>,
    /// How to apply the suggestion and roll it back.
    pub apply: Vec<String>,
}

/// Why a principal got no removals, or `Analysed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalStatus {
    /// Its report was used.
    Analysed,
    /// Created inside the window: too new to judge.
    TooNew,
    /// No complete report in the snapshot.
    NoData,
    /// The report is older than `max_data_age_days`.
    StaleData,
    /// Tagged to be left alone.
    OptedOut,
}

impl PrincipalStatus {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Analysed => "analysed",
            Self::TooNew => "too-new",
            Self::NoData => "no-data",
            Self::StaleData => "stale-data",
            Self::OptedOut => "opted-out",
        }
    }
}

/// What one principal is granted and uses.
#[derive(Debug, Clone)]
pub struct PrincipalSummary {
    /// The principal's ARN.
    pub arn: String,
    /// User or role.
    pub kind: EntityKind,
    /// Whether its data was used, and if not why.
    pub status: PrincipalStatus,
    /// Actions its Allow statements grant.
    pub granted: usize,
    /// Of those, used inside the window.
    pub used: usize,
    /// Of those, unused.
    pub unused: usize,
    /// Of those, unknown (untracked, or not in the report).
    pub untracked: usize,
}

impl PrincipalSummary {
    /// Unused actions as a share of granted ones, in percent.
    pub fn reduction_percent(&self) -> f64 {
        if self.granted == 0 {
            0.0
        } else {
            self.unused as f64 * 100.0 / self.granted as f64
        }
    }
}

/// A role not used inside the window: delete it rather than trim it.
#[derive(Debug, Clone)]
pub struct UnusedRole {
    /// The role's ARN.
    pub arn: String,
    /// When it was last used, if ever in the tracking period.
    pub last_used: Option<Timestamp>,
    /// Why it counts as unused.
    pub reason: String,
}

/// Everything the recommender found.
#[derive(Debug, Clone)]
pub struct Recommendations {
    /// The analysis time.
    pub as_of: Timestamp,
    /// The start of the usage window.
    pub window_start: Timestamp,
    /// Proposed changes, one per policy that can shrink.
    pub recommendations: Vec<Recommendation>,
    /// Every selected principal.
    pub principals: Vec<PrincipalSummary>,
    /// Roles to delete.
    pub unused_roles: Vec<UnusedRole>,
}

/// A selected user or role with its status and usage index.
struct Principal<'s> {
    arn: &'s str,
    kind: EntityKind,
    status: PrincipalStatus,
    index: Option<UsageIndex>,
}

/// One policy document and who holds it.
struct Unit<'s> {
    policy: PolicyRef,
    document: &'s Value,
    holders: BTreeSet<&'s str>,
    /// The group's or policy's own report, when the snapshot has one.
    own_report: Option<&'s Report>,
    managed: Option<&'s ManagedPolicyDetail>,
}

fn days(n: u32) -> SignedDuration {
    SignedDuration::from_hours(i64::from(n) * 24)
}

/// Makes the recommendations for `snapshot`.
pub fn recommend(
    snapshot: &Snapshot,
    catalog: &Catalog,
    options: &RecommendOptions,
) -> Result<Recommendations, RecommendError> {
    if options.unused_days == 0 {
        return Err(RecommendError::EmptyWindow);
    }
    if options.unused_days > TRACKING_PERIOD_DAYS {
        return Err(RecommendError::WindowTooLong(options.unused_days));
    }
    let window_start = options.as_of - days(options.unused_days);
    let expander = Expander::new(catalog);
    let details = &snapshot.authorization_details;
    let selected =
        |arn: &str| options.principals.is_empty() || options.principals.iter().any(|p| p == arn);

    let fresh = |report: &'_ Report| {
        report.is_complete()
            && report
                .last_accessed
                .job_completion_date
                .is_some_and(|t| t >= options.as_of - days(options.max_data_age_days))
    };
    let status_of = |arn: &str, created: Option<Timestamp>, tags: &[whittle_model::Tag]| {
        if tags.iter().any(|t| t.key == options.keep_tag) {
            return (PrincipalStatus::OptedOut, None);
        }
        if created.is_some_and(|c| c > window_start) {
            return (PrincipalStatus::TooNew, None);
        }
        match snapshot.report(arn) {
            Some(r) if fresh(r) => (
                PrincipalStatus::Analysed,
                Some(UsageIndex::new(r, window_start)),
            ),
            Some(r) if r.is_complete() => (PrincipalStatus::StaleData, None),
            _ => (PrincipalStatus::NoData, None),
        }
    };

    let mut principals: BTreeMap<&str, Principal<'_>> = BTreeMap::new();
    let mut units: BTreeMap<PolicyRef, Unit<'_>> = BTreeMap::new();
    let managed: HashMap<&str, &ManagedPolicyDetail> = details
        .policies
        .iter()
        .map(|p| (p.arn.as_str(), p))
        .collect();
    let groups: HashMap<&str, &whittle_model::GroupDetail> = details
        .group_detail_list
        .iter()
        .map(|g| (g.group_name.as_str(), g))
        .collect();
    let own = |arn: &str| snapshot.report(arn).filter(|r| fresh(r));

    // Every principal counts as a holder, selected or not: a shared policy must
    // keep what any of its holders uses.
    for user in &details.user_detail_list {
        let (status, index) = status_of(&user.arn, user.create_date, &user.tags);
        let principal = Principal {
            arn: &user.arn,
            kind: EntityKind::User,
            status,
            index,
        };
        principals.insert(&user.arn, principal);
        let holder = &user.arn;
        hold(
            &mut units,
            &managed,
            &own,
            holder,
            &user.user_policy_list,
            &user.attached_managed_policies,
            holder,
            None,
        );
        for group in user
            .group_list
            .iter()
            .filter_map(|name| groups.get(name.as_str()))
        {
            let report = own(&group.arn);
            hold(
                &mut units,
                &managed,
                &own,
                &group.arn,
                &group.group_policy_list,
                &group.attached_managed_policies,
                holder,
                report,
            );
        }
    }
    for role in &details.role_detail_list {
        let (status, index) = status_of(&role.arn, role.create_date, &role.tags);
        let principal = Principal {
            arn: &role.arn,
            kind: EntityKind::Role,
            status,
            index,
        };
        principals.insert(&role.arn, principal);
        hold(
            &mut units,
            &managed,
            &own,
            &role.arn,
            &role.role_policy_list,
            &role.attached_managed_policies,
            &role.arn,
            None,
        );
    }

    let mut recommendations = Vec::new();
    let mut granted_by: HashMap<&str, ActionSet> = HashMap::new();
    for unit in units.values() {
        if !unit.holders.iter().any(|h| selected(h)) {
            continue;
        }
        let grants = grants(unit.document, &expander, &options.keep_sid_prefix);
        let mut granted = ActionSet::empty(catalog.len());
        grants.iter().for_each(|g| granted.union_with(&g.actions));
        for holder in &unit.holders {
            granted_by
                .entry(holder)
                .or_insert_with(|| ActionSet::empty(catalog.len()))
                .union_with(&granted);
        }
        if let Some(recommendation) = recommend_unit(
            unit,
            &grants,
            &granted,
            &principals,
            catalog,
            &expander,
            options,
            window_start,
        ) {
            recommendations.push(recommendation);
        }
    }

    let summaries = principals
        .values()
        .filter(|p| selected(p.arn))
        .map(|p| {
            let empty = ActionSet::empty(catalog.len());
            let granted = granted_by.get(p.arn).unwrap_or(&empty);
            let mut summary = PrincipalSummary {
                arn: p.arn.to_owned(),
                kind: p.kind,
                status: p.status,
                granted: granted.count(),
                used: 0,
                unused: 0,
                untracked: 0,
            };
            if let Some(index) = &p.index {
                for id in granted.iter() {
                    match index.classify(catalog, id) {
                        Usage::Used(_) => summary.used += 1,
                        Usage::UnusedService(_) | Usage::UnusedAction(_) => summary.unused += 1,
                        Usage::Untracked | Usage::NotReported => summary.untracked += 1,
                    }
                }
            }
            summary
        })
        .collect();

    let unused_roles = details
        .role_detail_list
        .iter()
        .filter(|r| selected(&r.arn))
        .filter_map(|role| {
            let last = role.role_last_used.as_ref().and_then(|u| u.last_used_date);
            let reason = match last {
                Some(t) if t < window_start => format!(
                    "last used {t}, more than {} days before {}",
                    options.unused_days, options.as_of
                ),
                None if role.create_date.is_some_and(|c| c < window_start) => format!(
                    "never used in IAM's tracking period, and created more than {} days ago",
                    options.unused_days
                ),
                _ => return None,
            };
            Some(UnusedRole {
                arn: role.arn.clone(),
                last_used: last,
                reason,
            })
        })
        .collect();

    Ok(Recommendations {
        as_of: options.as_of,
        window_start,
        recommendations,
        principals: summaries,
        unused_roles,
    })
}

/// Records that `holder` gets the inline and attached policies of `owner`
/// (itself, or one of its groups, whose own report is `owner_report`).
#[allow(clippy::too_many_arguments)]
fn hold<'s>(
    units: &mut BTreeMap<PolicyRef, Unit<'s>>,
    managed: &HashMap<&str, &'s ManagedPolicyDetail>,
    own: &dyn Fn(&str) -> Option<&'s Report>,
    owner: &'s str,
    inline: &'s [whittle_model::PolicyDetail],
    attached: &'s [whittle_model::AttachedPolicy],
    holder: &'s str,
    owner_report: Option<&'s Report>,
) {
    for policy in inline {
        hold_inline(
            units,
            owner,
            &policy.policy_name,
            &policy.policy_document,
            holder,
            owner_report,
        );
    }
    for policy in attached {
        hold_managed(
            units,
            managed,
            &policy.policy_arn,
            holder,
            own(&policy.policy_arn),
        );
    }
}

fn hold_inline<'s>(
    units: &mut BTreeMap<PolicyRef, Unit<'s>>,
    owner: &'s str,
    name: &'s str,
    document: &'s Value,
    holder: &'s str,
    own_report: Option<&'s Report>,
) {
    let key = PolicyRef::Inline {
        owner: owner.to_owned(),
        name: name.to_owned(),
    };
    units
        .entry(key.clone())
        .or_insert_with(|| Unit {
            policy: key,
            document,
            holders: BTreeSet::new(),
            own_report,
            managed: None,
        })
        .holders
        .insert(holder);
}

fn hold_managed<'s>(
    units: &mut BTreeMap<PolicyRef, Unit<'s>>,
    managed: &HashMap<&str, &'s ManagedPolicyDetail>,
    arn: &'s str,
    holder: &'s str,
    own_report: Option<&'s Report>,
) {
    let Some(policy) = managed.get(arn) else {
        return;
    };
    let Some(version) = policy.default_version() else {
        return;
    };
    let key = PolicyRef::Managed {
        arn: arn.to_owned(),
        version: version.version_id.clone(),
        aws_managed: arn.starts_with("arn:aws:iam::aws:"),
    };
    units
        .entry(key.clone())
        .or_insert_with(|| Unit {
            policy: key,
            document: &version.document,
            holders: BTreeSet::new(),
            own_report,
            managed: Some(policy),
        })
        .holders
        .insert(holder);
}

#[allow(clippy::too_many_arguments)]
fn recommend_unit(
    unit: &Unit<'_>,
    grants: &[StatementGrant],
    granted: &ActionSet,
    principals: &BTreeMap<&str, Principal<'_>>,
    catalog: &Catalog,
    expander: &Expander<'_>,
    options: &RecommendOptions,
    window_start: Timestamp,
) -> Option<Recommendation> {
    let mut reasons = Vec::new();
    let holders: Vec<&Principal<'_>> = unit
        .holders
        .iter()
        .filter_map(|h| principals.get(h))
        .collect();
    let blocked: Vec<String> = holders
        .iter()
        .filter(|p| {
            matches!(
                p.status,
                PrincipalStatus::TooNew | PrincipalStatus::OptedOut
            )
        })
        .map(|p| format!("{} is {}", p.arn, p.status.as_str()))
        .collect();
    if !blocked.is_empty() {
        // A principal that must keep everything keeps the whole policy.
        return None;
    }
    let own_index = unit.own_report.map(|r| UsageIndex::new(r, window_start));
    let indexes: Vec<&UsageIndex> = match &own_index {
        Some(index) => {
            reasons.push(format!(
                "judged by the {} report of {}, which covers every entity it applies to",
                match unit.policy {
                    PolicyRef::Managed { .. } => "policy's",
                    PolicyRef::Inline { .. } => "group's",
                },
                unit.own_report.map_or("", |r| r.arn.as_str())
            ));
            vec![index]
        }
        None => holders.iter().filter_map(|p| p.index.as_ref()).collect(),
    };
    if indexes.is_empty() {
        return None;
    }
    if own_index.is_none() {
        let without: Vec<String> = holders
            .iter()
            .filter(|p| p.index.is_none())
            .map(|p| format!("{} ({})", p.arn, p.status.as_str()))
            .collect();
        if !without.is_empty() {
            reasons.push(format!(
                "principals without usable data were not counted: {}",
                without.join(", ")
            ));
        }
        if holders.len() > 1 {
            reasons.push(format!(
                "shared by {} principals: only what every one with data left unused is removed",
                holders.len()
            ));
        }
    }

    let grace = grace_kept(unit, granted, expander, options);
    if let Some((kept, why)) = &grace
        && !kept.is_empty()
    {
        reasons.push(why.clone());
    }
    // What statements left as they are (opted out) grant stays granted, even
    // when other statements drop it: it is not reported as removed.
    let mut fixed = ActionSet::empty(catalog.len());
    grants
        .iter()
        .filter(|g| g.fixed)
        .for_each(|g| fixed.union_with(&g.actions));
    let mut removed_set = ActionSet::empty(catalog.len());
    let mut removed = Vec::new();
    let mut untracked = BTreeSet::new();
    for id in granted.iter() {
        if grace.as_ref().is_some_and(|(kept, _)| kept.contains(id)) {
            continue;
        }
        let verdicts: Vec<Usage> = indexes.iter().map(|i| i.classify(catalog, id)).collect();
        if verdicts.iter().all(|u| u.is_unused()) {
            removed_set.insert(id);
            if fixed.contains(id) {
                continue;
            }
            removed.push(Removal {
                action: catalog.action(id).qualified_name.clone(),
                usage: verdicts[0],
            });
        } else if verdicts.contains(&Usage::Untracked) {
            untracked.insert(catalog.action(id).qualified_name.clone());
        }
    }
    // Actions granted only by opted-out statements stay, and so does the statement.
    let opted_out: Vec<&str> = grants
        .iter()
        .filter(|g| g.opted_out)
        .filter_map(|g| g.sid.as_deref())
        .collect();
    if !opted_out.is_empty() {
        reasons.push(format!(
            "statements kept as they are (Sid starts with {}): {}",
            options.keep_sid_prefix,
            opted_out.join(", ")
        ));
    }
    let suggested = rewrite(unit.document, grants, &removed_set, expander);
    if suggested.as_ref() == Some(unit.document) {
        return None;
    }
    if let Some(doc) = &suggested {
        let size = serde_json::to_string(doc)
            .map_or(0, |t| t.chars().filter(|c| !c.is_whitespace()).count());
        let (quota, what) = match &unit.policy {
            PolicyRef::Managed { .. } => (6_144, "a managed policy"),
            PolicyRef::Inline { owner, .. } => match owner_parts(owner).0 {
                "user" => (2_048, "a user's inline policies"),
                "group" => (5_120, "a group's inline policies"),
                _ => (10_240, "a role's inline policies"),
            },
        };
        if size > quota {
            reasons.push(format!(
                "the suggestion has {size} characters without whitespace, more than IAM allows for {what} ({quota}): split it, or keep wildcards where whole services are wanted"
            ));
        }
    }
    let apply = apply_steps(unit, suggested.is_none());
    if let PolicyRef::Managed {
        aws_managed: true, ..
    } = unit.policy
    {
        reasons.push(
            "AWS managed policies cannot be edited: create the suggestion as a customer managed policy, attach it, then detach this one".to_owned(),
        );
    }
    Some(Recommendation {
        policy: unit.policy.clone(),
        principals: unit.holders.iter().map(|h| (*h).to_owned()).collect(),
        original: unit.document.clone(),
        suggested,
        removed,
        kept_untracked: untracked.into_iter().collect(),
        reasons,
        apply,
    })
}

/// For a managed policy whose default version is recent: the actions it added
/// over the previous version (all of them, for a first version), kept.
fn grace_kept(
    unit: &Unit<'_>,
    granted: &ActionSet,
    expander: &Expander<'_>,
    options: &RecommendOptions,
) -> Option<(ActionSet, String)> {
    let policy = unit.managed?;
    let current = policy.default_version()?;
    let created = current.create_date?;
    if created < options.as_of - days(options.grace_days) {
        return None;
    }
    // `granted` is what the default version (the unit's document) grants.
    let mut new = granted.clone();
    let previous = policy
        .policy_version_list
        .iter()
        .filter(|v| v.version_id != current.version_id)
        .filter(|v| v.create_date.is_some_and(|c| c <= created))
        .max_by_key(|v| v.create_date);
    if let Some(previous) = previous {
        for g in rewrite::grants(&previous.document, expander, "") {
            new.subtract(&g.actions);
        }
    }
    let why = format!(
        "{} actions first granted by version {} (created {created}, within the {}-day grace period) are kept: they have not had time to be used",
        new.count(),
        current.version_id,
        options.grace_days
    );
    Some((new, why))
}

/// How to apply a recommendation and how to roll it back.
fn apply_steps(unit: &Unit<'_>, remove: bool) -> Vec<String> {
    let file = unit.policy.file_name();
    match &unit.policy {
        PolicyRef::Managed {
            arn,
            version,
            aws_managed: false,
        } => {
            if remove {
                unit.holders
                    .iter()
                    .map(|h| detach_command(h, arn))
                    .chain([format!(
                        "roll back: attach {arn} again to the same principals"
                    )])
                    .collect()
            } else {
                vec![
                    format!(
                        "aws iam create-policy-version --policy-arn {arn} --policy-document file://{file} --set-as-default"
                    ),
                    format!(
                        "roll back: aws iam set-default-policy-version --policy-arn {arn} --version-id {version} (the current version stays in IAM; a policy keeps at most 5 versions)"
                    ),
                ]
            }
        }
        PolicyRef::Managed { arn, .. } => vec![format!(
            "aws iam create-policy --policy-name whittle-{} --policy-document file://{file}, attach it, then detach {arn}; roll back by attaching {arn} again",
            arn.rsplit('/').next().unwrap_or_default()
        )],
        PolicyRef::Inline { owner, name } => {
            let (kind, entity) = owner_parts(owner);
            let flag = format!("--{kind}-name {entity}");
            if remove {
                vec![
                    format!("aws iam delete-{kind}-policy {flag} --policy-name {name}"),
                    format!(
                        "roll back: aws iam put-{kind}-policy {flag} --policy-name {name} --policy-document file://original-{file}"
                    ),
                ]
            } else {
                vec![
                    format!(
                        "aws iam put-{kind}-policy {flag} --policy-name {name} --policy-document file://{file}"
                    ),
                    format!(
                        "roll back: aws iam put-{kind}-policy {flag} --policy-name {name} --policy-document file://original-{file}"
                    ),
                ]
            }
        }
    }
}

/// `("role", "name")` from an IAM ARN.
fn owner_parts(arn: &str) -> (&str, &str) {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    let (kind, rest) = resource.split_once('/').unwrap_or(("role", resource));
    (kind, rest.rsplit('/').next().unwrap_or(rest))
}

fn detach_command(holder: &str, arn: &str) -> String {
    let (kind, name) = owner_parts(holder);
    format!("aws iam detach-{kind}-policy --{kind}-name {name} --policy-arn {arn}")
}
