//! Renderers of `whittle recommend`: unified diffs, the `whittle.recommend/v1`
//! JSON document, a per-principal table, and the suggested policy files.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use similar::TextDiff;
use whittle_analysis::recommend::{
    Planned, PolicyRef, PrincipalStatus, PrincipalSummary, Recommendation, Recommendations, Scope,
};

use crate::table::new_table;

/// A document pretty-printed the way both sides of a diff are.
pub fn pretty(document: &Value) -> String {
    crate::json::pretty(document)
}

/// What a recommendation is about, for headers: the managed policy's ARN, or
/// `<owner ARN> inline policy "<name>"`; for a per-principal replacement,
/// followed by `, for <principal> alone`.
pub fn title(recommendation: &Recommendation) -> String {
    let policy = match &recommendation.policy {
        PolicyRef::Managed { arn, version, .. } => format!("{arn} ({version})"),
        PolicyRef::Inline { owner, name } => format!("{owner} inline policy \"{name}\""),
    };
    match &recommendation.scope {
        Scope::Policy => policy,
        Scope::Principal { arn, .. } => format!("{policy}, for {arn} alone"),
    }
}

/// `n thing` or `n things`.
fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// At most `shown` items, then "and N more".
fn some(items: &[String], shown: usize) -> String {
    if items.len() <= shown {
        return items.join(", ");
    }
    format!(
        "{} and {} more",
        items[..shown].join(", "),
        items.len() - shown
    )
}

/// One unified diff per policy, original against suggested, both
/// pretty-printed the same way; a policy to detach is diffed against nothing.
pub fn recommend_diff(all: &Recommendations) -> String {
    let mut out = String::new();
    for r in &all.recommendations {
        let original = pretty(&r.original);
        let suggested = r.suggested.as_ref().map(pretty).unwrap_or_default();
        let name = r.policy.file_name();
        let new_name = if r.suggested.is_some() {
            format!("b/{name}")
        } else {
            "/dev/null".to_owned()
        };
        out.push_str(&format!("# {}\n", title(r)));
        for reason in removed_summary(r)
            .into_iter()
            .chain(r.reasons.iter().cloned())
        {
            out.push_str(&format!("# {reason}\n"));
        }
        out.push_str(
            &TextDiff::from_lines(&original, &suggested)
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &new_name)
                .to_string(),
        );
    }
    if !all.unused_roles.is_empty() {
        for role in &all.unused_roles {
            out.push_str(&format!(
                "# unused-role {}: {}; delete it rather than trim it\n",
                role.arn, role.reason
            ));
        }
    }
    out
}

/// What a recommendation removes and keeps, in lines for the diff and table.
fn removed_summary(r: &Recommendation) -> Vec<String> {
    let leaves = match &r.scope {
        Scope::Principal { groups, .. } if !groups.is_empty() => {
            format!(" (it leaves {})", groups.join(", "))
        }
        _ => String::new(),
    };
    let mut lines = vec![match (&r.suggested, &r.scope) {
        (None, Scope::Policy) => format!(
            "every action is unused: {}",
            match &r.policy {
                PolicyRef::Inline { .. } => "delete the inline policy",
                PolicyRef::Managed { .. } => "detach the policy",
            }
        ),
        (None, Scope::Principal { .. }) => format!("every action is unused: no copy{leaves}"),
        (Some(_), Scope::Principal { .. }) if r.removed.is_empty() => {
            format!("copied unchanged{leaves}")
        }
        (Some(_), Scope::Principal { .. }) => format!(
            "replaced by a copy without {}{leaves}",
            count(r.removed.len(), "action", "actions")
        ),
        (Some(_), Scope::Policy) => {
            format!("{} removed", count(r.removed.len(), "action", "actions"))
        }
    }];
    if !r.kept_untracked.is_empty() {
        lines.push(format!(
            "{} kept because IAM does not track them in services that were used (unknown is not unused): {}",
            r.kept_untracked.len(),
            some(&r.kept_untracked, 5)
        ));
    }
    lines
}

/// The `whittle.recommend/v1` document (`schemas/recommend.v1.schema.json`).
#[derive(Serialize)]
struct RecommendDocument<'a> {
    /// Always `whittle.recommend/v1`.
    schema: &'static str,
    /// The program that wrote it.
    tool: ToolEntry<'a>,
    /// The time the run judged as of.
    as_of: String,
    /// The start of the window: actions unused since are removed.
    window_start: String,
    /// `in-place`, `per-principal` or `auto`.
    strategy: &'static str,
    /// One entry per policy to trim or detach.
    recommendations: Vec<RecommendationEntry<'a>>,
    /// Roles unused inside the window.
    unused_roles: Vec<UnusedRoleEntry<'a>>,
    /// Every principal considered, with its counts.
    principals: Vec<PrincipalEntry<'a>>,
    /// Totals.
    summary: RecommendSummary,
}

/// The program that wrote a document.
#[derive(Serialize)]
struct ToolEntry<'a> {
    /// `whittle`.
    name: &'static str,
    /// Its version.
    version: &'a str,
}

/// One policy to trim or detach.
#[derive(Serialize)]
struct RecommendationEntry<'a> {
    /// The one principal holding the policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    principal: Option<&'a str>,
    /// The principals holding the policy, when several do (instead of `principal`).
    #[serde(skip_serializing_if = "Option::is_none")]
    principals: Option<&'a [String]>,
    /// The managed policy's ARN, or the inline policy's name.
    policy: &'a str,
    /// `inline`, `managed` or `aws-managed`.
    policy_type: &'static str,
    /// For an inline policy, the ARN of the user, group or role holding it.
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    /// For a managed policy, the default version judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    /// The policy document as it is.
    original: &'a Value,
    /// The trimmed document; null for a policy to detach.
    suggested: Option<&'a Value>,
    /// The actions removed, each with why.
    removed: Vec<RemovalEntry<'a>>,
    /// Actions kept because IAM does not track them.
    kept_untracked: &'a [String],
    /// Further reasons and warnings.
    reasons: &'a [String],
    /// `policy` when the policy itself changes for every holder, `principal`
    /// when a copy replaces it for `principal` alone.
    scope: &'static str,
    /// For a per-principal replacement: the groups the principal leaves.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    leaves_groups: &'a [String],
}

/// One removed action.
#[derive(Serialize)]
struct RemovalEntry<'a> {
    /// The action, `prefix:Name`.
    action: &'a str,
    /// Why it goes, in words.
    reason: String,
    /// When the action (or its unused service) was last used, if ever.
    last_used: Option<String>,
}

/// A role unused inside the window.
#[derive(Serialize)]
struct UnusedRoleEntry<'a> {
    /// The role's ARN.
    arn: &'a str,
    /// When it was last used, if ever.
    last_used: Option<String>,
    /// Why it counts as unused.
    reason: &'a str,
}

/// One principal considered.
#[derive(Serialize)]
struct PrincipalEntry<'a> {
    /// The principal's ARN.
    arn: &'a str,
    /// `user` or `role`.
    kind: &'static str,
    /// `analysed`, or why it was left alone.
    status: &'static str,
    /// Actions its Allow statements grant.
    granted: usize,
    /// Of those, used inside the window.
    used: usize,
    /// Of those, unused.
    unused: usize,
    /// Of those, unknown because IAM does not track them.
    untracked: usize,
    /// Of those, unknown because the report does not list their service.
    not_reported: usize,
    /// Granted services the report does not list.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    missing_services: &'a [String],
    /// Actions the recommendations take away.
    removed: usize,
    /// Services it loses every action of.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    removed_services: &'a [String],
    /// Per risk category, the actions of it that it loses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    removed_risks: Vec<RiskEntry<'a>>,
    /// True when it loses admin access.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    removed_admin: bool,
    /// Why nothing is taken from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    unchanged: Option<&'a str>,
    /// Removed actions as a share of granted ones, in percent, to one decimal.
    reduction_percent: f64,
}

/// The actions of one risk category a principal loses.
#[derive(Serialize)]
struct RiskEntry<'a> {
    /// The category, e.g. `privilege-escalation`.
    category: &'a str,
    /// Its actions the principal loses.
    actions: &'a [String],
}

/// The totals of a run.
#[derive(Serialize)]
struct RecommendSummary {
    /// Principals considered.
    principals: usize,
    /// Of those, judged by their last-accessed data.
    analysed: usize,
    /// Policies to trim.
    policies_to_change: usize,
    /// Policies to detach (or, inline, delete): every action unused.
    policies_to_detach: usize,
    /// Actions removed, over every policy.
    actions_removed: usize,
    /// Roles unused inside the window.
    unused_roles: usize,
}

/// The `whittle.recommend/v1` JSON document.
pub fn recommend_json(all: &Recommendations, tool_version: &str) -> String {
    let detach = detached(all);
    let document = RecommendDocument {
        schema: "whittle.recommend/v1",
        tool: ToolEntry {
            name: "whittle",
            version: tool_version,
        },
        as_of: all.as_of.to_string(),
        window_start: all.window_start.to_string(),
        strategy: all.strategy.as_str(),
        recommendations: all
            .recommendations
            .iter()
            .map(recommendation_entry)
            .collect(),
        unused_roles: all
            .unused_roles
            .iter()
            .map(|r| UnusedRoleEntry {
                arn: &r.arn,
                last_used: r.last_used.map(|t| t.to_string()),
                reason: &r.reason,
            })
            .collect(),
        principals: all.principals.iter().map(principal_entry).collect(),
        summary: RecommendSummary {
            principals: all.principals.len(),
            analysed: all
                .principals
                .iter()
                .filter(|p| p.status == PrincipalStatus::Analysed)
                .count(),
            policies_to_change: all.recommendations.len() - detach,
            policies_to_detach: detach,
            actions_removed: all.recommendations.iter().map(|r| r.removed.len()).sum(),
            unused_roles: all.unused_roles.len(),
        },
    };
    crate::json::pretty(&document)
}

/// How many recommendations detach (or delete) their policy.
fn detached(all: &Recommendations) -> usize {
    all.recommendations
        .iter()
        .filter(|r| r.suggested.is_none())
        .count()
}

fn recommendation_entry(r: &Recommendation) -> RecommendationEntry<'_> {
    let (principal, principals) = match r.principals.as_slice() {
        [one] => (Some(one.as_str()), None),
        all => (None, Some(all)),
    };
    let (policy_type, owner, version) = match &r.policy {
        PolicyRef::Inline { owner, .. } => ("inline", Some(owner.as_str()), None),
        PolicyRef::Managed {
            version,
            aws_managed,
            ..
        } => (
            if *aws_managed {
                "aws-managed"
            } else {
                "managed"
            },
            None,
            Some(version.as_str()),
        ),
    };
    RecommendationEntry {
        principal,
        principals,
        policy: r.policy.label(),
        policy_type,
        owner,
        version,
        original: &r.original,
        suggested: r.suggested.as_ref(),
        removed: r
            .removed
            .iter()
            .map(|x| RemovalEntry {
                action: &x.action,
                reason: x.reason(),
                last_used: x.last_used().map(|t| t.to_string()),
            })
            .collect(),
        kept_untracked: &r.kept_untracked,
        reasons: &r.reasons,
        scope: match r.scope {
            Scope::Policy => "policy",
            Scope::Principal { .. } => "principal",
        },
        leaves_groups: match &r.scope {
            Scope::Policy => &[],
            Scope::Principal { groups, .. } => groups,
        },
    }
}

fn principal_entry(p: &PrincipalSummary) -> PrincipalEntry<'_> {
    PrincipalEntry {
        arn: &p.arn,
        kind: p.kind.as_str(),
        status: p.status.as_str(),
        granted: p.granted,
        used: p.used,
        unused: p.unused,
        untracked: p.untracked,
        not_reported: p.not_reported,
        missing_services: &p.missing_services,
        removed: p.removed,
        removed_services: &p.removed_services,
        removed_risks: p
            .removed_risks
            .iter()
            .map(|(category, actions)| RiskEntry { category, actions })
            .collect(),
        removed_admin: p.removed_admin,
        unchanged: p.unchanged.as_deref(),
        reduction_percent: p.reduction_percent(),
    }
}

/// Per principal: granted, used, unused, unknown and removed actions and the
/// reduction; then what each principal loses, and the totals.
pub fn recommend_table(all: &Recommendations, width: u16) -> String {
    let mut table = new_table(
        &[
            "Principal",
            "Status",
            "Granted",
            "Used",
            "Unused",
            "Not tracked",
            "Not in report",
            "Removed",
            "Reduction",
        ],
        width,
    );
    for p in &all.principals {
        table.add_row([
            p.arn.clone(),
            p.status.as_str().to_owned(),
            p.granted.to_string(),
            p.used.to_string(),
            p.unused.to_string(),
            p.untracked.to_string(),
            p.not_reported.to_string(),
            p.removed.to_string(),
            format!("{:.1}%", p.reduction_percent()),
        ]);
    }
    let mut out = format!("{table}\n");
    for p in all.principals.iter().filter(|p| p.removed > 0) {
        out.push_str(&format!(
            "{} loses {}",
            p.arn,
            count(p.removed, "action", "actions")
        ));
        if p.removed_admin {
            out.push_str(", and with them admin access");
        }
        if !p.removed_services.is_empty() {
            out.push_str(&format!(
                "; every action of {} {}",
                count(p.removed_services.len(), "service:", "services:"),
                some(&p.removed_services, 8)
            ));
        }
        for (category, actions) in &p.removed_risks {
            out.push_str(&format!("; removes {category}: {}", some(actions, 4)));
        }
        out.push('\n');
    }
    let analysed: Vec<&PrincipalSummary> = all
        .principals
        .iter()
        .filter(|p| p.status == PrincipalStatus::Analysed)
        .collect();
    let unused: usize = analysed.iter().map(|p| p.unused).sum();
    let removed: usize = analysed.iter().map(|p| p.removed).sum();
    out.push_str(&format!(
        "removes {removed} of the {} (by --strategy {}) from {} of {} analysed\n",
        count(unused, "unused action", "unused actions"),
        all.strategy.as_str(),
        analysed.iter().filter(|p| p.removed > 0).count(),
        count(analysed.len(), "principal", "principals"),
    ));
    let detach = detached(all);
    out.push_str(&format!(
        "{} to trim or replace, {} to detach or delete, {} (window {} to {})\n",
        count(all.recommendations.len() - detach, "policy", "policies"),
        detach,
        count(all.unused_roles.len(), "unused role", "unused roles"),
        all.window_start,
        all.as_of
    ));
    for r in &all.recommendations {
        out.push_str(&format!(
            "  {}: {}\n",
            title(r),
            removed_summary(r).join("; ")
        ));
    }
    for role in &all.unused_roles {
        out.push_str(&format!("  unused-role {}: {}\n", role.arn, role.reason));
    }
    out
}

/// What `--plan` wrote, after the table: how many steps and where, each
/// step in words, then the changes left out of the plan and why.
pub fn plan_written(planned: &Planned, path: &Path) -> String {
    let mut out = format!(
        "plan: {} steps written to {}\n",
        planned.plan.steps.len(),
        path.display()
    );
    for (n, step) in planned.plan.steps.iter().enumerate() {
        out.push_str(&format!("  {}. {}\n", n + 1, step.description));
    }
    for skipped in &planned.skipped {
        out.push_str(&format!("  not planned: {skipped}\n"));
    }
    out
}

/// For standard error: a warning for each principal whose report lists
/// fewer services than its policies grant, then one line per principal the
/// recommendations take nothing from, with why.
pub fn recommend_notes(all: &Recommendations) -> String {
    let mut out = String::new();
    for p in all
        .principals
        .iter()
        .filter(|p| !p.missing_services.is_empty())
    {
        out.push_str(&format!(
            "warning: {}: its report does not list {} its policies grant ({}); IAM lists every granted service, so the report is older than a policy change: their {} are kept as unknown; fetch again\n",
            p.arn,
            count(p.missing_services.len(), "service", "services"),
            some(&p.missing_services, 8),
            count(p.not_reported, "action", "actions"),
        ));
    }
    for p in &all.principals {
        if let Some(why) = &p.unchanged {
            out.push_str(&format!("{}: nothing removed: {why}\n", p.arn));
        }
    }
    out
}

/// For standard error: the snapshot's recorded fetch errors, at most five named.
pub fn snapshot_errors(path: &str, errors: &[whittle_model::Problem]) -> String {
    let mut out = format!(
        "warning: {path} records {} of its fetch: principals whose report is missing are left alone (no-data), and the rest is judged on what was fetched\n",
        count(errors.len(), "error", "errors")
    );
    for e in errors.iter().take(5) {
        out.push_str(&format!(
            "  {}{}: {}{}\n",
            e.operation,
            e.arn
                .as_deref()
                .map(|a| format!(" {a}"))
                .unwrap_or_default(),
            e.code
                .as_deref()
                .map(|c| format!("{c}: "))
                .unwrap_or_default(),
            e.message
        ));
    }
    if errors.len() > 5 {
        out.push_str(&format!("  and {} more\n", errors.len() - 5));
    }
    out
}
