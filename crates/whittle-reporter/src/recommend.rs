//! Renderers of `whittle recommend`: unified diffs, the `whittle.recommend/v1`
//! JSON document, a per-principal table, and the suggested policy files.

use serde_json::{Value, json};
use similar::TextDiff;
use whittle_analysis::recommend::{PolicyRef, Recommendation, Recommendations};

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

/// The `whittle.recommend/v1` JSON document.
pub fn recommend_json(all: &Recommendations, tool_version: &str) -> String {
    let recommendations: Vec<Value> = all
        .recommendations
        .iter()
        .map(recommendation_json)
        .collect();
    let principals: Vec<Value> = all
        .principals
        .iter()
        .map(|p| {
            json!({
                "arn": p.arn, "kind": p.kind.as_str(), "status": p.status.as_str(),
                "granted": p.granted, "used": p.used, "unused": p.unused, "untracked": p.untracked,
                "reduction_percent": (p.reduction_percent() * 10.0).round() / 10.0,
            })
        })
        .collect();
    let unused_roles: Vec<Value> = all
        .unused_roles
        .iter()
        .map(|r| json!({"arn": r.arn, "last_used": r.last_used.map(|t| t.to_string()), "reason": r.reason}))
        .collect();
    let detach = all
        .recommendations
        .iter()
        .filter(|r| r.suggested.is_none())
        .count();
    let document = json!({
        "schema": "whittle.recommend/v1",
        "tool": {"name": "whittle", "version": tool_version},
        "as_of": all.as_of.to_string(),
        "window_start": all.window_start.to_string(),
        "recommendations": recommendations,
        "unused_roles": unused_roles,
        "principals": principals,
        "summary": {
            "principals": all.principals.len(),
            "analysed": all.principals.iter().filter(|p| p.status.as_str() == "analysed").count(),
            "policies_to_change": all.recommendations.len() - detach,
            "policies_to_detach": detach,
            "actions_removed": all.recommendations.iter().map(|r| r.removed.len()).sum::<usize>(),
            "unused_roles": all.unused_roles.len(),
        },
    });
    pretty(&document)
}

fn recommendation_json(r: &Recommendation) -> Value {
    let mut value = json!({});
    if let [one] = r.principals.as_slice() {
        value["principal"] = json!(one);
    } else {
        value["principals"] = json!(r.principals);
    }
    let (kind, extra) = match &r.policy {
        PolicyRef::Inline { owner, .. } => ("inline", json!({"owner": owner})),
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
            json!({"version": version}),
        ),
    };
    value["policy"] = json!(r.policy.label());
    value["policy_type"] = json!(kind);
    if let Value::Object(extra) = extra {
        for (k, v) in extra {
            value[k] = v;
        }
    }
    value["original"] = r.original.clone();
    value["suggested"] = r.suggested.clone().unwrap_or(Value::Null);
    value["removed"] = r
        .removed
        .iter()
        .map(|x| json!({"action": x.action, "reason": x.reason(), "last_used": x.last_used().map(|t| t.to_string())}))
        .collect();
    value["kept_untracked"] = json!(r.kept_untracked);
    value["reasons"] = json!(r.reasons);
    value["apply"] = json!(r.apply);
    value
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
    let detach = all
        .recommendations
        .iter()
        .filter(|r| r.suggested.is_none())
        .count();
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
