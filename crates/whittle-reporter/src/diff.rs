//! Renderers of `whittle diff`: lines for terminals and CI logs, the
//! `whittle.diff/v1` JSON document and a Markdown summary for a pull-request
//! comment. The SARIF log of its findings is [`crate::findings_sarif`]'s.

use serde::Serialize;
use whittle_analysis::diff::{Grantee, PolicyChange, Violation};
use whittle_analysis::input::DocumentKind;
use whittle_policy::{ActionSet, Catalog};

/// The most actions listed per change in the table and Markdown.
const LISTED: usize = 12;

/// What one `whittle diff` run found, ready to render.
#[derive(Debug, Clone, Copy)]
pub struct DiffReport<'a> {
    /// How each policy's access changed, in the order to show them.
    pub changes: &'a [PolicyChange],
    /// The forbidden grants `--deny-new` found.
    pub violations: &'a [Violation],
    /// The catalog the actions are named from.
    pub catalog: &'a Catalog,
}

impl<'a> DiffReport<'a> {
    fn listed(&self, set: &ActionSet) -> String {
        self.catalog.list(set, LISTED)
    }

    fn names<'s>(&self, set: &'s ActionSet) -> Vec<&'s str>
    where
        'a: 's,
    {
        self.catalog.names(set).collect()
    }
}

/// Per change, its counts and risks, then the actions and principals added,
/// removed or broadened, one line each; then the denied grants.
pub fn diff_table(report: &DiffReport<'_>) -> String {
    let mut out = String::new();
    for change in report.changes {
        change_lines(report, change, &mut out);
    }
    if report.changes.is_empty() {
        out.push_str("no change in access\n");
    }
    for v in report.violations {
        out.push_str(&format!(
            "denied: {} newly grants {} ({})\n",
            v.policy,
            v.actions.join(", "),
            v.rule
        ));
    }
    out
}

fn change_lines(report: &DiffReport<'_>, change: &PolicyChange, out: &mut String) {
    out.push_str(&format!(
        "{} ({}): +{} -{} actions{}\n",
        change.label(),
        change.status,
        change.added.count(),
        change.removed.count(),
        if change.categories.is_empty() {
            String::new()
        } else {
            format!("; adds {}", change.risks())
        }
    ));
    if !change.added.is_empty() {
        out.push_str(&format!("  + {}\n", report.listed(&change.added)));
    }
    if !change.removed.is_empty() {
        out.push_str(&format!("  - {}\n", report.listed(&change.removed)));
    }
    if !change.widened.is_empty() {
        out.push_str(&format!(
            "  ~ now on every resource: {}\n",
            report.listed(&change.widened)
        ));
    }
    for (resource, actions) in &change.new_resources {
        out.push_str(&format!(
            "  ~ now also on {resource}: {}\n",
            report.listed(actions)
        ));
    }
    if !change.unconditioned.is_empty() {
        out.push_str(&format!(
            "  ~ now with no condition: {}\n",
            report.listed(&change.unconditioned)
        ));
    }
    for (resource, actions) in &change.removed_resources {
        out.push_str(&format!(
            "  ~ no longer on {resource}: {}\n",
            report.listed(actions)
        ));
    }
    let (lets, only_if, no_longer) = if change.kind == DocumentKind::Trust {
        (
            "may assume the role",
            "may assume the role only if",
            "may no longer assume the role",
        )
    } else {
        ("now let in", "now let in only if", "no longer let in")
    };
    for principal in &change.principals_added {
        out.push_str(&format!("  + {lets}: {principal}\n"));
    }
    for principal in &change.principals_narrowed {
        out.push_str(&format!("  ~ {only_if}: {principal}\n"));
    }
    for principal in &change.principals_removed {
        out.push_str(&format!("  - {no_longer}: {principal}\n"));
    }
}

/// The `whittle.diff/v1` document (`schemas/diff.v1.schema.json`).
#[derive(Serialize)]
struct DiffDocument<'a> {
    /// Always `whittle.diff/v1`.
    schema: &'static str,
    /// One entry per policy whose access changed.
    changes: Vec<ChangeEntry<'a>>,
    /// The grants `--deny-new` forbids.
    violations: Vec<ViolationEntry<'a>>,
}

/// How one policy's access changed; actions by their canonical names.
#[derive(Serialize)]
struct ChangeEntry<'a> {
    /// The file, relative to the root compared.
    path: &'a str,
    /// The document inside the file, for files holding several.
    subject: Option<&'a str>,
    /// `added`, `removed` or `changed`.
    status: &'a str,
    /// Actions allowed now that were not before.
    added: Vec<&'a str>,
    /// Actions allowed before that are not now.
    removed: Vec<&'a str>,
    /// Actions allowed before on named resources only, now on every resource.
    widened: Vec<&'a str>,
    /// Actions newly allowed on a further Resource value.
    new_resources: Vec<ResourceActions<'a>>,
    /// Actions no longer allowed on a Resource value.
    removed_resources: Vec<ResourceActions<'a>>,
    /// Actions allowed before only under a Condition, now with none.
    unconditioned: Vec<&'a str>,
    /// Principals a trust or resource-based policy newly lets in.
    principals_added: Vec<String>,
    /// Principals it now lets in only under more conditions.
    principals_narrowed: Vec<String>,
    /// Principal entries it no longer has.
    principals_removed: Vec<String>,
    /// Risk categories of the new access.
    categories: Vec<&'a str>,
}

/// Actions on one Resource value.
#[derive(Serialize)]
struct ResourceActions<'a> {
    /// The Resource value, as written.
    resource: &'a str,
    /// The actions, by canonical name.
    actions: Vec<&'a str>,
}

/// One grant `--deny-new` forbids.
#[derive(Serialize)]
struct ViolationEntry<'a> {
    /// The policy's file and subject.
    policy: &'a str,
    /// The category or action pattern that forbids it.
    rule: &'a str,
    /// The actions (or `sts:AssumeRole by …`, `access by …`) it forbids.
    actions: &'a [String],
}

/// Renders the `whittle.diff/v1` JSON document, pretty-printed.
pub fn diff_json(report: &DiffReport<'_>) -> String {
    let document = DiffDocument {
        schema: "whittle.diff/v1",
        changes: report
            .changes
            .iter()
            .map(|c| change_entry(report, c))
            .collect(),
        violations: report
            .violations
            .iter()
            .map(|v| ViolationEntry {
                policy: &v.policy,
                rule: &v.rule,
                actions: &v.actions,
            })
            .collect(),
    };
    crate::json::pretty(&document)
}

fn change_entry<'a>(report: &DiffReport<'a>, c: &'a PolicyChange) -> ChangeEntry<'a> {
    let by_resource = |list: &'a [(String, ActionSet)]| {
        list.iter()
            .map(|(resource, actions)| ResourceActions {
                resource,
                actions: report.names(actions),
            })
            .collect()
    };
    let shown = |grantees: &[Grantee]| grantees.iter().map(ToString::to_string).collect();
    ChangeEntry {
        path: &c.path,
        subject: c.subject.as_deref(),
        status: c.status,
        added: report.names(&c.added),
        removed: report.names(&c.removed),
        widened: report.names(&c.widened),
        new_resources: by_resource(&c.new_resources),
        removed_resources: by_resource(&c.removed_resources),
        unconditioned: report.names(&c.unconditioned),
        principals_added: shown(&c.principals_added),
        principals_narrowed: shown(&c.principals_narrowed),
        principals_removed: shown(&c.principals_removed),
        categories: c.categories.iter().map(String::as_str).collect(),
    }
}

/// A summary for a pull-request comment: a table of the changes, the added
/// and broadened actions in collapsed sections, principals newly let in, and
/// the denied grants.
pub fn diff_markdown(report: &DiffReport<'_>) -> String {
    let mut out = String::from("### whittle: IAM access changes\n\n");
    if report.changes.is_empty() {
        out.push_str("No change in access.\n");
        return out;
    }
    out.push_str("| Policy | Change | Added | Removed | Broadened (more resources, fewer conditions) | Risk of the new access |\n| --- | --- | --- | --- | --- | --- |\n");
    for c in report.changes {
        let mut broadened = c.new_access();
        broadened.subtract(&c.added);
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            c.label(),
            c.status,
            c.added.count(),
            c.removed.count(),
            broadened.count(),
            c.risks()
        ));
    }
    for c in report.changes.iter().filter(|c| !c.added.is_empty()) {
        out.push_str(&format!(
            "\n<details><summary>Added to <code>{}</code></summary>\n\n{}\n</details>\n",
            c.label(),
            report.listed(&c.added)
        ));
    }
    for c in report.changes.iter().filter(|c| {
        !c.widened.is_empty() || !c.new_resources.is_empty() || !c.unconditioned.is_empty()
    }) {
        broadened_section(report, c, &mut out);
    }
    for c in report
        .changes
        .iter()
        .filter(|c| !c.principals_added.is_empty())
    {
        out.push_str(&format!(
            "\nNewly let in by <code>{}</code>:\n\n",
            c.label()
        ));
        for principal in &c.principals_added {
            out.push_str(&format!("- `{principal}`\n"));
        }
    }
    if !report.violations.is_empty() {
        out.push_str("\n**Denied by `--deny-new`:**\n\n");
        for v in report.violations {
            out.push_str(&format!(
                "- `{}` newly grants {} ({})\n",
                v.policy,
                v.actions.join(", "),
                v.rule
            ));
        }
    }
    out
}

fn broadened_section(report: &DiffReport<'_>, c: &PolicyChange, out: &mut String) {
    out.push_str(&format!(
        "\n<details><summary>Broadened in <code>{}</code></summary>\n\n",
        c.label()
    ));
    if !c.widened.is_empty() {
        out.push_str(&format!(
            "- every resource: {}\n",
            report.listed(&c.widened)
        ));
    }
    if !c.unconditioned.is_empty() {
        out.push_str(&format!(
            "- with no condition: {}\n",
            report.listed(&c.unconditioned)
        ));
    }
    for (resource, actions) in &c.new_resources {
        out.push_str(&format!("- `{resource}`: {}\n", report.listed(actions)));
    }
    out.push_str("</details>\n");
}
