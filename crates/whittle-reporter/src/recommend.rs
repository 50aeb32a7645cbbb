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
/// `<owner ARN> inline policy "<name>"`.
pub fn title(recommendation: &Recommendation) -> String {
    match &recommendation.policy {
        PolicyRef::Managed { arn, version, .. } => format!("{arn} ({version})"),
        PolicyRef::Inline { owner, name } => format!("{owner} inline policy \"{name}\""),
    }
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
    let mut lines = vec![match &r.suggested {
        None => format!(
            "every action is unused: {}",
            match &r.policy {
                PolicyRef::Inline { .. } => "delete the inline policy",
                PolicyRef::Managed { .. } => "detach the policy",
            }
        ),
        Some(_) => format!("{} actions removed", r.removed.len()),
    }];
    if !r.kept_untracked.is_empty() {
        lines.push(format!(
            "kept because IAM does not track them in services that were used (unknown is not unused): {}",
            r.kept_untracked.join(", ")
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
    /// Of those, unknown (untracked, or not in the report).
    untracked: usize,
    /// Unused actions as a share of granted ones, in percent, to one decimal.
    reduction_percent: f64,
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
        reduction_percent: (p.reduction_percent() * 10.0).round() / 10.0,
    }
}

/// Per principal: granted, used, unused, untracked actions and the reduction;
/// then the totals.
pub fn recommend_table(all: &Recommendations, width: u16) -> String {
    let mut table = new_table(
        &[
            "Principal",
            "Status",
            "Granted",
            "Used",
            "Unused",
            "Untracked",
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
            format!("{:.1}%", p.reduction_percent()),
        ]);
    }
    let detach = detached(all);
    let mut out = format!("{table}\n");
    out.push_str(&format!(
        "{} policies to trim, {detach} to detach or delete, {} unused roles (window {} to {})\n",
        all.recommendations.len() - detach,
        all.unused_roles.len(),
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

/// What `--write-policies` wrote, for standard error: how many suggested
/// policies, and where.
pub fn policies_written(all: &Recommendations, dir: &Path) -> String {
    format!(
        "wrote {} suggested policies (and the originals, for rolling back) to {}\n",
        all.recommendations
            .iter()
            .filter(|r| r.suggested.is_some())
            .count(),
        dir.display()
    )
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

/// One line per principal the run left alone, with why, for standard error.
pub fn principals_left_alone(all: &Recommendations) -> String {
    all.principals
        .iter()
        .filter(|p| p.status != PrincipalStatus::Analysed)
        .map(|p| format!("{}: {}, nothing removed\n", p.arn, p.status.as_str()))
        .collect()
}
