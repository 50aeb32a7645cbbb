//! The recommender: compares a snapshot's last-accessed reports with what each
//! policy grants and proposes smaller policies, conservatively and with every
//! decision explained.
//!
//! An action is removed only when the data says it was not used inside the
//! window: its service was not used, or it is tracked at action level and was
//! not used. Untracked actions of used services are unknown and kept. Deny
//! statements, Conditions, Resources and NotPrincipal are never changed and no
//! permission is ever added. Principals that are too new, opted out (tag), or
//! whose data is missing or stale get no removals.
//!
//! A policy held by several principals is trimmed in place only to what every
//! holder left unused; the [`Strategy`] says when it is replaced per principal
//! instead (see `per_principal.rs`), so that each holder loses what it alone left
//! unused and the others keep the policy as it is.

mod findings;
mod fit;
mod per_principal;
mod plan;
mod rewrite;
mod source;
mod summary;
mod usage;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::{SignedDuration, Timestamp};
use rayon::prelude::*;
use serde_json::Value;
use whittle_model::{EntityKind, ManagedPolicyDetail, Report, Snapshot};

pub use findings::findings;
pub use fit::{Fitted, fit, policy_size, split};
pub use plan::{PlanOptions, Planned, plan};
pub use rewrite::{StatementGrant, grants, rewrite};
pub use source::{PatchedFile, Place, SourceOutcome, SourceReport, patch_sources};
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
    /// Risk categories and their actions, to say which a principal loses
    /// (e.g. from [`crate::diff::categories`]); none by default.
    pub categories: BTreeMap<String, ActionSet>,
    /// When a shared policy is trimmed in place and when it is replaced per
    /// principal.
    pub strategy: Strategy,
}

/// How policies held by several principals are trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// A policy shrinks to what every holder left unused, for all holders.
    InPlace,
    /// Every shared policy that grants a principal unused access is replaced,
    /// for that principal alone, by a customer managed copy without it.
    PerPrincipal,
    /// In place where every holder has data and they agree on what goes; per
    /// principal elsewhere.
    #[default]
    Auto,
}

impl Strategy {
    /// The name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InPlace => "in-place",
            Self::PerPrincipal => "per-principal",
            Self::Auto => "auto",
        }
    }
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
            categories: BTreeMap::new(),
            strategy: Strategy::Auto,
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
    /// A number of days reaching back before the earliest time there is.
    #[error("{what} {days} days before {as_of} is before the earliest time whittle can represent")]
    OutOfRange {
        /// The option, e.g. `--grace-days`.
        what: &'static str,
        /// Its value.
        days: u32,
        /// The time it counts back from.
        as_of: Timestamp,
    },
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

/// Whom a recommendation changes the policy for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The policy itself changes, for every holder.
    Policy,
    /// A customer managed copy replaces the policy for one user or role; the
    /// policy stays as it is for its other holders.
    Principal {
        /// The user or role.
        arn: String,
        /// True when the policy is attached to the principal itself: it is
        /// detached from it.
        direct: bool,
        /// The principal's groups that give it the policy: it leaves them,
        /// and gets a copy of each of their policies.
        groups: Vec<String>,
    },
}

/// A proposed change to one policy.
#[derive(Debug, Clone)]
pub struct Recommendation {
    /// The policy.
    pub policy: PolicyRef,
    /// For every holder, or replaced for one principal.
    pub scope: Scope,
    /// The users and roles it applies to.
    pub principals: Vec<String>,
    /// The document as it is.
    pub original: Value,
    /// The smaller document; `None` when the policy should be detached (or the
    /// inline policy deleted). For a copy made only so that a principal can
    /// leave a group, the original (`removed` is empty).
    pub suggested: Option<Value>,
    /// The actions removed, sorted, with why.
    pub removed: Vec<Removal>,
    /// Actions kept because IAM does not track them in services that were used.
    pub kept_untracked: Vec<String>,
    /// Every other decision worth knowing, in words.
    pub reasons: Vec<String>,
    /// Holders whose use of the policy is unknown (no usable last-accessed
    /// data), so not counted: a plan leaves such a policy alone.
    pub unjudged: Vec<String>,
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
    /// Of those, unknown because IAM does not track them at action level (in
    /// a service that was used).
    pub untracked: usize,
    /// Of those, unknown because the report does not list their service.
    pub not_reported: usize,
    /// The services its policies grant that its report does not list (IAM
    /// lists every granted service: the report may be from before a change).
    pub missing_services: Vec<String>,
    /// Actions the recommendations take away from it (no policy it would
    /// hold still grants them).
    pub removed: usize,
    /// Services it loses every action of.
    pub removed_services: Vec<String>,
    /// Per risk category (of [`RecommendOptions::categories`]), the actions
    /// of it that it loses.
    pub removed_risks: BTreeMap<String, Vec<String>>,
    /// True when it loses every action there is (admin access).
    pub removed_admin: bool,
    /// Why nothing is removed from it, when nothing is.
    pub unchanged: Option<String>,
}

impl PrincipalSummary {
    /// Removed actions as a share of granted ones, in percent; never rounded
    /// up to 100 while something is kept, nor down to 0 when something goes.
    pub fn reduction_percent(&self) -> f64 {
        if self.granted == 0 {
            return 0.0;
        }
        let exact = self.removed as f64 * 100.0 / self.granted as f64;
        let tenths = (exact * 10.0).round() / 10.0;
        if self.removed < self.granted && tenths >= 100.0 {
            99.9
        } else if self.removed > 0 && tenths <= 0.0 {
            0.1
        } else {
            tenths
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
    /// The strategy the recommendations were made with.
    pub strategy: Strategy,
}

/// A selected user or role with its status and usage index.
struct Principal<'s> {
    arn: &'s str,
    kind: EntityKind,
    status: PrincipalStatus,
    index: Option<UsageIndex>,
    created: Option<Timestamp>,
}

/// One policy document and who holds it.
struct Unit<'s> {
    policy: PolicyRef,
    document: &'s Value,
    holders: BTreeSet<&'s str>,
    /// Per holder, what gives it the policy: its own ARN (attached to or
    /// inline in it) and the ARNs of its groups that hold the policy.
    via: BTreeMap<&'s str, BTreeSet<&'s str>>,
    /// The group's or policy's own report, when the snapshot has one.
    own_report: Option<&'s Report>,
    managed: Option<&'s ManagedPolicyDetail>,
}

/// What one unit's statements grant: per statement, and all together.
struct UnitGrants {
    statements: Vec<StatementGrant>,
    all: ActionSet,
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
    // Every later `as_of - days(…)` counts back at most this far.
    for (what, n) in [
        ("--unused-days", options.unused_days),
        ("--max-data-age", options.max_data_age_days),
        ("--grace-days", options.grace_days),
    ] {
        if options.as_of.checked_sub(days(n)).is_err() {
            return Err(RecommendError::OutOfRange {
                what,
                days: n,
                as_of: options.as_of,
            });
        }
    }
    let run = Run {
        snapshot,
        catalog,
        expander: Expander::new(catalog),
        options,
        window_start: options.as_of - days(options.unused_days),
    };
    let holdings = Holdings::of(&run);
    let mut recommendations = Vec::new();
    let mut granted_by: HashMap<&str, ActionSet> = HashMap::new();
    let mut grants_of: BTreeMap<&PolicyRef, UnitGrants> = BTreeMap::new();
    let mut replaced = BTreeSet::new();
    // Each document is judged on its own, on every core; the results are
    // taken in the documents' order.
    let units: Vec<&Unit<'_>> = holdings
        .units
        .values()
        .filter(|unit| unit.holders.iter().any(|h| run.selected(h)))
        .collect();
    let judged: Vec<_> = units
        .par_iter()
        .map(|unit| {
            let grants = run.grants(unit);
            let outcome = if run.per_principal(unit, &grants, &holdings.principals) {
                None
            } else {
                Some(run.recommend_unit(unit, &grants, &holdings.principals))
            };
            (grants, outcome)
        })
        .collect();
    for (unit, (grants, outcome)) in units.into_iter().zip(judged) {
        for holder in &unit.holders {
            granted_by
                .entry(holder)
                .or_insert_with(|| ActionSet::empty(catalog.len()))
                .union_with(&grants.all);
        }
        match outcome {
            None => {
                replaced.insert(&unit.policy);
            }
            Some(recommendation) => recommendations.extend(recommendation),
        }
        grants_of.insert(&unit.policy, grants);
    }
    recommendations.extend(run.replacements(&holdings, &replaced, &grants_of));
    let principals = run.summaries(&holdings, &granted_by, &grants_of, &recommendations);
    Ok(Recommendations {
        as_of: options.as_of,
        window_start: run.window_start,
        recommendations,
        principals,
        unused_roles: run.unused_roles(),
        strategy: options.strategy,
    })
}

/// One recommend run: the snapshot, the catalog and the options, with the
/// window they define.
struct Run<'s> {
    snapshot: &'s Snapshot,
    catalog: &'s Catalog,
    expander: Expander<'s>,
    options: &'s RecommendOptions,
    window_start: Timestamp,
}

/// Every user and role of the snapshot with its status, and every policy
/// document with the principals that hold it.
struct Holdings<'s> {
    principals: BTreeMap<&'s str, Principal<'s>>,
    units: BTreeMap<PolicyRef, Unit<'s>>,
    managed: HashMap<&'s str, &'s ManagedPolicyDetail>,
    /// Each group's policies, by group ARN.
    groups: BTreeMap<&'s str, BTreeSet<PolicyRef>>,
    /// Each user's and role's policies, its own and its groups'.
    held: HashMap<&'s str, BTreeSet<PolicyRef>>,
}

/// A user's, group's or role's own policies, as the snapshot lists them.
struct Owner<'s> {
    arn: &'s str,
    inline: &'s [whittle_model::PolicyDetail],
    attached: &'s [whittle_model::AttachedPolicy],
    /// The group's own report, for a group.
    report: Option<&'s Report>,
    /// True for a group.
    group: bool,
}

impl<'s> Run<'s> {
    /// Whether `arn` is one of the principals asked for (all, by default).
    fn selected(&self, arn: &str) -> bool {
        self.options.principals.is_empty() || self.options.principals.iter().any(|p| p == arn)
    }

    /// A complete report no older than `max_data_age_days`.
    fn fresh(&self, report: &Report) -> bool {
        report.is_complete()
            && report
                .last_accessed
                .job_completion_date
                .is_some_and(|t| t >= self.options.as_of - days(self.options.max_data_age_days))
    }

    /// The fresh report of the entity `arn`, if the snapshot has one.
    fn own(&self, arn: &str) -> Option<&'s Report> {
        self.snapshot.report(arn).filter(|r| self.fresh(r))
    }

    /// A principal's status and, when its data can be used, its usage index.
    fn status_of(
        &self,
        arn: &str,
        created: Option<Timestamp>,
        tags: &[whittle_model::Tag],
    ) -> (PrincipalStatus, Option<UsageIndex>) {
        if tags.iter().any(|t| t.key == self.options.keep_tag) {
            return (PrincipalStatus::OptedOut, None);
        }
        if created.is_some_and(|c| c > self.window_start) {
            return (PrincipalStatus::TooNew, None);
        }
        match self.snapshot.report(arn) {
            Some(r) if self.fresh(r) => (
                PrincipalStatus::Analysed,
                Some(UsageIndex::new(r, self.window_start)),
            ),
            Some(r) if r.is_complete() => (PrincipalStatus::StaleData, None),
            _ => (PrincipalStatus::NoData, None),
        }
    }

    /// What a unit's statements grant.
    fn grants(&self, unit: &Unit<'_>) -> UnitGrants {
        let statements = grants(unit.document, &self.expander, &self.options.keep_sid_prefix);
        let mut all = ActionSet::empty(self.catalog.len());
        statements.iter().for_each(|g| all.union_with(&g.actions));
        UnitGrants { statements, all }
    }

    /// Selected roles not used inside the window.
    fn unused_roles(&self) -> Vec<UnusedRole> {
        let options = self.options;
        self.snapshot
            .authorization_details
            .role_detail_list
            .iter()
            .filter(|r| self.selected(&r.arn))
            .filter_map(|role| {
                let last = role.role_last_used.as_ref().and_then(|u| u.last_used_date);
                let reason = match last {
                    Some(t) if t < self.window_start => format!(
                        "last used {t}, more than {} days before {}",
                        options.unused_days, options.as_of
                    ),
                    None if role.create_date.is_some_and(|c| c < self.window_start) => format!(
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
            .collect()
    }

    /// The recommendation for one policy document, if it can shrink.
    fn recommend_unit(
        &self,
        unit: &Unit<'_>,
        grants: &UnitGrants,
        principals: &BTreeMap<&str, Principal<'_>>,
    ) -> Option<Recommendation> {
        let holders: Vec<&Principal<'_>> = unit
            .holders
            .iter()
            .filter_map(|h| principals.get(h))
            .collect();
        // A principal that must keep everything keeps the whole policy.
        if holders.iter().any(|p| {
            matches!(
                p.status,
                PrincipalStatus::TooNew | PrincipalStatus::OptedOut
            )
        }) {
            return None;
        }
        let mut reasons = Vec::new();
        let own_index = unit
            .own_report
            .map(|r| UsageIndex::new(r, self.window_start));
        let mut unjudged = Vec::new();
        let indexes = judged_by(
            unit,
            &holders,
            own_index.as_ref(),
            &mut reasons,
            &mut unjudged,
        );
        if indexes.is_empty() {
            return None;
        }
        let (suggested, verdict) = self.trimmed(unit, grants, &indexes, &mut reasons);
        if suggested.as_ref() == Some(unit.document) {
            return None;
        }
        let quota = match unit.policy {
            // A new version of the policy itself: one document.
            PolicyRef::Managed {
                aws_managed: false, ..
            } => Quota {
                splits: false,
                ..Quota::MANAGED
            },
            ref policy => self.quota(policy),
        };
        let suggested = suggested.map(|doc| self.fitted(doc, quota, &mut reasons));
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
            scope: Scope::Policy,
            principals: unit.holders.iter().map(|h| (*h).to_owned()).collect(),
            original: unit.document.clone(),
            suggested,
            removed: verdict.removed,
            kept_untracked: verdict.untracked.into_iter().collect(),
            reasons,
            unjudged,
        })
    }

    /// The unit's document less what every one of `indexes` left unused, and
    /// what goes; says in `reasons` what the grace period and opted-out
    /// statements keep.
    fn trimmed(
        &self,
        unit: &Unit<'_>,
        grants: &UnitGrants,
        indexes: &[&UsageIndex],
        reasons: &mut Vec<String>,
    ) -> (Option<Value>, Removals) {
        let grace = grace_kept(unit, &grants.all, &self.expander, self.options);
        if let Some((kept, why)) = &grace
            && !kept.is_empty()
        {
            reasons.push(why.clone());
        }
        let kept = grace.map(|(kept, _)| kept);
        let verdict = self.removals(grants, indexes, kept.as_ref());
        let opted_out: Vec<&str> = grants
            .statements
            .iter()
            .filter(|g| g.opted_out)
            .filter_map(|g| g.sid.as_deref())
            .collect();
        if !opted_out.is_empty() {
            reasons.push(format!(
                "statements kept as they are (Sid starts with {}): {}",
                self.options.keep_sid_prefix,
                opted_out.join(", ")
            ));
        }
        let suggested = rewrite(
            unit.document,
            &grants.statements,
            &verdict.removed_set,
            &self.expander,
        );
        (suggested, verdict)
    }

    /// `document` compressed when it is larger than `quota` (IAM's, for what
    /// it will become), with wildcards that match only the actions it allows;
    /// says so in `reasons`, and when even that is too large.
    fn fitted(&self, document: Value, quota: Quota, reasons: &mut Vec<String>) -> Value {
        if policy_size(&document) <= quota.size {
            return document;
        }
        let fitted = fit(&document, quota.size, 1, &self.expander);
        let mut out = document;
        if !fitted.compressed.is_empty()
            && let Some(compressed) = fitted.documents.into_iter().next()
        {
            reasons.push(format!(
                "compressed to fit IAM's size quota with {} that match only the actions kept, on the catalog (and any action AWS adds under them later): {}",
                if fitted.compressed.len() == 1 { "a wildcard" } else { "wildcards" },
                fitted.compressed.join(", ")
            ));
            out = compressed;
        }
        let size = policy_size(&out);
        if size > quota.size {
            reasons.push(format!(
                "the suggestion has {size} characters without whitespace, more than IAM allows for {} ({}){}",
                quota.what,
                quota.size,
                if quota.splits {
                    ": the plan splits it over several managed policies"
                } else {
                    ": the plan leaves it out"
                }
            ));
        }
        out
    }

    /// The size quota a suggestion for `policy` must fit: a managed policy's,
    /// or what the owner's other inline policies leave of its inline quota.
    fn quota(&self, policy: &PolicyRef) -> Quota {
        let PolicyRef::Inline { owner, name } = policy else {
            return Quota::MANAGED;
        };
        let (size, what) = inline_room(&self.snapshot.authorization_details, owner, name);
        Quota {
            size,
            what,
            splits: false,
        }
    }

    /// The actions of a unit that every usage index says went unused (less
    /// those `kept` by the grace period), and the untracked ones kept.
    fn removals(
        &self,
        grants: &UnitGrants,
        indexes: &[&UsageIndex],
        kept: Option<&ActionSet>,
    ) -> Removals {
        let catalog = self.catalog;
        // What statements left as they are (opted out) grant stays granted, even
        // when other statements drop it: it is not reported as removed.
        let mut fixed = ActionSet::empty(catalog.len());
        grants
            .statements
            .iter()
            .filter(|g| g.fixed)
            .for_each(|g| fixed.union_with(&g.actions));
        let mut out = Removals {
            removed_set: ActionSet::empty(catalog.len()),
            removed: Vec::new(),
            untracked: BTreeSet::new(),
        };
        for id in grants.all.iter() {
            if kept.is_some_and(|kept| kept.contains(id)) {
                continue;
            }
            let verdicts: Vec<Usage> = indexes.iter().map(|i| i.classify(catalog, id)).collect();
            if verdicts.iter().all(|u| u.is_unused()) {
                out.removed_set.insert(id);
                if fixed.contains(id) {
                    continue;
                }
                out.removed.push(Removal {
                    action: catalog.action(id).qualified_name.clone(),
                    usage: verdicts[0],
                });
            } else if verdicts.contains(&Usage::Untracked) {
                out.untracked
                    .insert(catalog.action(id).qualified_name.clone());
            }
        }
        out
    }
}

/// What a unit loses, and the untracked actions it keeps.
struct Removals {
    /// Every action to take out of the document.
    removed_set: ActionSet,
    /// Those reported as removed (not granted anyway by a statement kept as is).
    removed: Vec<Removal>,
    untracked: BTreeSet<String>,
}

/// The usage indexes a unit is judged by: its own report's, or else those of
/// its holders with usable data; says why in `reasons`.
fn judged_by<'i>(
    unit: &Unit<'_>,
    holders: &[&'i Principal<'_>],
    own_index: Option<&'i UsageIndex>,
    reasons: &mut Vec<String>,
    unjudged: &mut Vec<String>,
) -> Vec<&'i UsageIndex> {
    if let Some(index) = own_index {
        reasons.push(format!(
            "judged by the {} report of {}, which covers every entity it applies to",
            match unit.policy {
                PolicyRef::Managed { .. } => "policy's",
                PolicyRef::Inline { .. } => "group's",
            },
            unit.own_report.map_or("", |r| r.arn.as_str())
        ));
        return vec![index];
    }
    let indexes: Vec<&UsageIndex> = holders.iter().filter_map(|p| p.index.as_ref()).collect();
    if indexes.is_empty() {
        return indexes;
    }
    unjudged.extend(
        holders
            .iter()
            .filter(|p| p.index.is_none())
            .map(|p| p.arn.to_owned()),
    );
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
    indexes
}

/// What the other inline policies of `owner` leave of its inline quota for
/// `name` (IAM counts a principal's inline policies together), and the
/// quota in words.
fn inline_room(
    details: &whittle_model::AuthorizationDetails,
    owner: &str,
    name: &str,
) -> (usize, &'static str) {
    let (total, what, inline) = match owner_parts(owner).0 {
        "user" => (
            2_048,
            "a user's inline policies together",
            details
                .user_detail_list
                .iter()
                .find(|u| u.arn == owner)
                .map(|u| &u.user_policy_list),
        ),
        "group" => (
            5_120,
            "a group's inline policies together",
            details
                .group_detail_list
                .iter()
                .find(|g| g.arn == owner)
                .map(|g| &g.group_policy_list),
        ),
        _ => (
            10_240,
            "a role's inline policies together",
            details
                .role_detail_list
                .iter()
                .find(|r| r.arn == owner)
                .map(|r| &r.role_policy_list),
        ),
    };
    let others: usize = inline
        .into_iter()
        .flatten()
        .filter(|p| p.policy_name != name)
        .map(|p| policy_size(&p.policy_document))
        .sum();
    (total - others.min(total), what)
}

/// How large a suggestion may be.
#[derive(Debug, Clone, Copy)]
struct Quota {
    /// Characters without whitespace.
    size: usize,
    /// What the quota is of, in words.
    what: &'static str,
    /// True when the plan may split the suggestion over several policies.
    splits: bool,
}

impl Quota {
    /// A customer managed policy created by the plan: split when too large.
    const MANAGED: Quota = Quota {
        size: 6_144,
        what: "a managed policy",
        splits: true,
    };
}

impl<'s> Holdings<'s> {
    /// Every principal of the snapshot, selected or not, counts as a holder: a
    /// shared policy must keep what any of its holders uses.
    fn of(run: &Run<'s>) -> Self {
        let details = &run.snapshot.authorization_details;
        let mut holdings = Holdings {
            principals: BTreeMap::new(),
            units: BTreeMap::new(),
            managed: details
                .policies
                .iter()
                .map(|p| (p.arn.as_str(), p))
                .collect(),
            groups: BTreeMap::new(),
            held: HashMap::new(),
        };
        let groups: HashMap<&str, &whittle_model::GroupDetail> = details
            .group_detail_list
            .iter()
            .map(|g| (g.group_name.as_str(), g))
            .collect();
        let users = details.user_detail_list.iter().map(|user| {
            let own = Owner {
                arn: &user.arn,
                inline: &user.user_policy_list,
                attached: &user.attached_managed_policies,
                report: None,
                group: false,
            };
            let principal =
                run.principal(&user.arn, EntityKind::User, user.create_date, &user.tags);
            (principal, own, user.group_list.as_slice())
        });
        let roles = details.role_detail_list.iter().map(|role| {
            let own = Owner {
                arn: &role.arn,
                inline: &role.role_policy_list,
                attached: &role.attached_managed_policies,
                report: None,
                group: false,
            };
            let principal =
                run.principal(&role.arn, EntityKind::Role, role.create_date, &role.tags);
            (principal, own, &[][..])
        });
        for (principal, own, group_names) in users.chain(roles) {
            let holder = principal.arn;
            holdings.principals.insert(holder, principal);
            holdings.hold(run, &own, holder);
            for group in group_names.iter().filter_map(|n| groups.get(n.as_str())) {
                let owner = Owner {
                    arn: &group.arn,
                    inline: &group.group_policy_list,
                    attached: &group.attached_managed_policies,
                    report: run.own(&group.arn),
                    group: true,
                };
                holdings.hold(run, &owner, holder);
            }
        }
        holdings
    }

    /// Records that `holder` gets the inline and attached policies of `owner`
    /// (itself, or one of its groups).
    fn hold(&mut self, run: &Run<'s>, owner: &Owner<'s>, holder: &'s str) {
        for policy in owner.inline {
            let key = PolicyRef::Inline {
                owner: owner.arn.to_owned(),
                name: policy.policy_name.clone(),
            };
            self.add(
                key,
                &policy.policy_document,
                owner.report,
                None,
                owner,
                holder,
            );
        }
        for attached in owner.attached {
            let arn = attached.policy_arn.as_str();
            let Some(&policy) = self.managed.get(arn) else {
                continue;
            };
            let Some(version) = policy.default_version() else {
                continue;
            };
            let key = PolicyRef::Managed {
                arn: arn.to_owned(),
                version: version.version_id.clone(),
                aws_managed: arn.starts_with("arn:aws:iam::aws:"),
            };
            self.add(
                key,
                &version.document,
                run.own(arn),
                Some(policy),
                owner,
                holder,
            );
        }
    }

    /// Records that `holder` gets the document `key` through `owner`.
    fn add(
        &mut self,
        key: PolicyRef,
        document: &'s Value,
        own_report: Option<&'s Report>,
        managed: Option<&'s ManagedPolicyDetail>,
        owner: &Owner<'s>,
        holder: &'s str,
    ) {
        let unit = self.units.entry(key.clone()).or_insert_with(|| Unit {
            policy: key.clone(),
            document,
            holders: BTreeSet::new(),
            via: BTreeMap::new(),
            own_report,
            managed,
        });
        unit.held(holder, owner.arn);
        if owner.group {
            self.groups
                .entry(owner.arn)
                .or_default()
                .insert(key.clone());
        }
        self.held.entry(holder).or_default().insert(key);
    }
}

impl<'s> Unit<'s> {
    /// Records that `holder` gets the policy through `owner`.
    fn held(&mut self, holder: &'s str, owner: &'s str) {
        self.holders.insert(holder);
        self.via.entry(holder).or_default().insert(owner);
    }
}

impl<'s> Run<'s> {
    /// A user or role with its status.
    fn principal(
        &self,
        arn: &'s str,
        kind: EntityKind,
        created: Option<Timestamp>,
        tags: &[whittle_model::Tag],
    ) -> Principal<'s> {
        let (status, index) = self.status_of(arn, created, tags);
        Principal {
            arn,
            kind,
            status,
            index,
            created,
        }
    }
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

/// `("role", "name")` from an IAM ARN.
fn owner_parts(arn: &str) -> (&str, &str) {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    let (kind, rest) = resource.split_once('/').unwrap_or(("role", resource));
    (kind, rest.rsplit('/').next().unwrap_or(rest))
}
