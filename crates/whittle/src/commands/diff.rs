//! `whittle diff`: access added and removed between two versions of a set of
//! policies — two files, two directories, or the working tree against a git
//! revision — and `--deny-new` checks for pull requests.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::json;
use whittle_analysis::InputFailure;
use whittle_analysis::diff::{self, Grantee, PolicyAccess, PolicyChange, Violation};
use whittle_analysis::input::DocumentKind;
use whittle_policy::{ActionSet, Catalog, Expander};
use whittle_syntax::SourceFile;

use crate::{DiffArgs, DiffFormat, cache, exit, inputs, output};

/// The most actions listed per change in the table and Markdown.
const LISTED: usize = 12;

/// Runs `whittle diff`.
pub fn run(args: &DiffArgs) -> anyhow::Result<u8> {
    let catalog = cache::load_catalog();
    let expander = Expander::new(&catalog);
    let mut errors = Vec::new();
    let (old, new) = match &args.base {
        Some(base) => {
            let paths = if args.paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                args.paths.clone()
            };
            (
                git_side(base, &paths, &expander, &mut errors)?,
                tree_side(&paths, &expander, &mut errors)?,
            )
        }
        None => {
            let [old, new] = args.paths.as_slice() else {
                bail!("give two paths (OLD NEW), or --base GITREF with the paths to compare");
            };
            let mut old_side = path_side(old, &expander, &mut errors);
            let new_side = path_side(new, &expander, &mut errors);
            // Two files compare with each other whatever their names.
            if old.is_file() && new.is_file() {
                old_side
                    .iter_mut()
                    .for_each(|p| p.path = new.display().to_string());
            }
            (old_side, new_side)
        }
    };
    for error in &errors {
        eprintln!("error: {error}");
    }
    // Risk categories come from every rule, whittle.toml's `disable` or not;
    // the findings follow its `disable` and `[severity]`.
    let (config, available) = super::rules::available(&args.rules)?;
    let mut rules = available.clone();
    config.configure(&mut rules)?;
    let categories = diff::categories(&available, &expander);
    let changes = diff::compare(&old, &new, &categories, &catalog);
    let violations = diff::violations(&changes, &args.deny_new, &categories, &expander);
    let text = match args.format {
        DiffFormat::Table => table(&changes, &violations, &catalog),
        DiffFormat::Json => json_report(&changes, &violations, &catalog),
        DiffFormat::Markdown => markdown(&changes, &violations, &catalog),
        DiffFormat::Sarif => {
            let (rules, findings) = diff::findings(&changes, &violations, &rules, &catalog);
            output::findings_sarif(&rules, &findings, &errors, &catalog)?
        }
    };
    output::write(args.output.as_deref(), &text)?;
    Ok(if !errors.is_empty() {
        exit::ERROR
    } else if !violations.is_empty() {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

/// The documents of a file or directory, paths relative to it.
fn path_side(
    root: &Path,
    expander: &Expander<'_>,
    errors: &mut Vec<InputFailure>,
) -> Vec<PolicyAccess> {
    let (found, failures) = inputs::collect(std::slice::from_ref(&root.to_path_buf()));
    errors.extend(failures);
    let mut out = Vec::new();
    for input in found {
        let relative = input
            .path
            .as_deref()
            .and_then(|p| p.strip_prefix(root).ok())
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| input.display.clone(), |p| p.display().to_string());
        match inputs::read(&input) {
            Ok(file) => match diff::file_access(&relative, &file, expander) {
                Ok(access) => out.extend(access),
                Err(e) => errors.push(e),
            },
            Err(failure) => errors.push(failure),
        }
    }
    out
}

/// The working tree's documents under `paths`, keyed by path from the repository root.
fn tree_side(
    paths: &[PathBuf],
    expander: &Expander<'_>,
    errors: &mut Vec<InputFailure>,
) -> anyhow::Result<Vec<PolicyAccess>> {
    let top = repository_root()?;
    let (found, failures) = inputs::collect(paths);
    errors.extend(failures);
    let mut out = Vec::new();
    for input in found {
        let Some(path) = &input.path else { continue };
        let absolute = std::fs::canonicalize(path)
            .with_context(|| format!("cannot resolve {}", path.display()))?;
        let relative = absolute
            .strip_prefix(&top)
            .unwrap_or(&absolute)
            .display()
            .to_string();
        match inputs::read(&input) {
            Ok(file) => match diff::file_access(
                &relative,
                &SourceFile::new(relative.as_str(), file.text().to_owned()),
                expander,
            ) {
                Ok(access) => out.extend(access),
                Err(e) => errors.push(e),
            },
            Err(failure) => errors.push(failure),
        }
    }
    Ok(out)
}

/// The documents under `paths` at git revision `base`.
fn git_side(
    base: &str,
    paths: &[PathBuf],
    expander: &Expander<'_>,
    errors: &mut Vec<InputFailure>,
) -> anyhow::Result<Vec<PolicyAccess>> {
    let top = repository_root()?;
    let mut specs = Vec::new();
    for path in paths {
        let absolute = std::fs::canonicalize(path)
            .unwrap_or_else(|_| std::env::current_dir().unwrap_or_default().join(path));
        let spec = absolute
            .strip_prefix(&top)
            .unwrap_or(&absolute)
            .display()
            .to_string();
        // The repository root itself is the pathspec ".".
        specs.push(if spec.is_empty() {
            ".".to_owned()
        } else {
            spec
        });
    }
    let listing = git(
        &top,
        &[
            &["ls-tree", "-r", "--name-only", base, "--"][..],
            &specs.iter().map(String::as_str).collect::<Vec<_>>(),
        ]
        .concat(),
    )
    .with_context(|| format!("cannot list the files of {base}"))?;
    let mut out = Vec::new();
    for name in listing.lines().filter(|n| {
        let lower = n.to_ascii_lowercase();
        [".json", ".yaml", ".yml", ".template"]
            .iter()
            .any(|e| lower.ends_with(e))
            && !n.split('/').any(|part| part.starts_with('.'))
    }) {
        let text = git(&top, &["show", &format!("{base}:{name}")])
            .with_context(|| format!("cannot read {name} at {base}"))?;
        let file = SourceFile::new(format!("{base}:{name}").as_str(), text);
        match diff::file_access(name, &file, expander) {
            Ok(access) => out.extend(access),
            Err(e) => errors.push(e),
        }
    }
    Ok(out)
}

fn repository_root() -> anyhow::Result<PathBuf> {
    let top = git(Path::new("."), &["rev-parse", "--show-toplevel"])
        .context("--base needs a git repository")?;
    Ok(std::fs::canonicalize(top.trim())?)
}

fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .context("cannot run git")?;
    if !output.status.success() {
        bail!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn by_resource(list: &[(String, ActionSet)], catalog: &Catalog) -> Vec<serde_json::Value> {
    list.iter()
        .map(
            |(resource, actions)| json!({"resource": resource, "actions": names(actions, catalog)}),
        )
        .collect()
}

fn shown(grantees: &[Grantee]) -> Vec<String> {
    grantees.iter().map(ToString::to_string).collect()
}

fn names(set: &ActionSet, catalog: &Catalog) -> Vec<String> {
    catalog.names(set).map(str::to_owned).collect()
}

fn listed(set: &ActionSet, catalog: &Catalog) -> String {
    catalog.list(set, LISTED)
}

fn table(changes: &[PolicyChange], violations: &[Violation], catalog: &Catalog) -> String {
    let mut out = String::new();
    for change in changes {
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
            out.push_str(&format!("  + {}\n", listed(&change.added, catalog)));
        }
        if !change.removed.is_empty() {
            out.push_str(&format!("  - {}\n", listed(&change.removed, catalog)));
        }
        if !change.widened.is_empty() {
            out.push_str(&format!(
                "  ~ now on every resource: {}\n",
                listed(&change.widened, catalog)
            ));
        }
        for (resource, actions) in &change.new_resources {
            out.push_str(&format!(
                "  ~ now also on {resource}: {}\n",
                listed(actions, catalog)
            ));
        }
        if !change.unconditioned.is_empty() {
            out.push_str(&format!(
                "  ~ now with no condition: {}\n",
                listed(&change.unconditioned, catalog)
            ));
        }
        for (resource, actions) in &change.removed_resources {
            out.push_str(&format!(
                "  ~ no longer on {resource}: {}\n",
                listed(actions, catalog)
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
    if changes.is_empty() {
        out.push_str("no change in access\n");
    }
    for v in violations {
        out.push_str(&format!(
            "denied: {} newly grants {} ({})\n",
            v.policy,
            v.actions.join(", "),
            v.rule
        ));
    }
    out
}

fn json_report(changes: &[PolicyChange], violations: &[Violation], catalog: &Catalog) -> String {
    let document = json!({
        "schema": "whittle.diff/v1",
        "changes": changes.iter().map(|c| json!({
            "path": c.path, "subject": c.subject, "status": c.status,
            "added": names(&c.added, catalog), "removed": names(&c.removed, catalog),
            "widened": names(&c.widened, catalog),
            "new_resources": by_resource(&c.new_resources, catalog),
            "removed_resources": by_resource(&c.removed_resources, catalog),
            "unconditioned": names(&c.unconditioned, catalog),
            "principals_added": shown(&c.principals_added),
            "principals_narrowed": shown(&c.principals_narrowed),
            "principals_removed": shown(&c.principals_removed),
            "categories": c.categories,
        })).collect::<Vec<_>>(),
        "violations": violations.iter().map(|v| json!({"policy": v.policy, "rule": v.rule, "actions": v.actions})).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&document).expect("JSON serialises");
    text.push('\n');
    text
}

fn markdown(changes: &[PolicyChange], violations: &[Violation], catalog: &Catalog) -> String {
    let mut out = String::from("### whittle: IAM access changes\n\n");
    if changes.is_empty() {
        out.push_str("No change in access.\n");
        return out;
    }
    out.push_str("| Policy | Change | Added | Removed | Broadened (more resources, fewer conditions) | Risk of the new access |\n| --- | --- | --- | --- | --- | --- |\n");
    for c in changes {
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
    for c in changes.iter().filter(|c| !c.added.is_empty()) {
        out.push_str(&format!(
            "\n<details><summary>Added to <code>{}</code></summary>\n\n{}\n</details>\n",
            c.label(),
            listed(&c.added, catalog)
        ));
    }
    for c in changes.iter().filter(|c| {
        !c.widened.is_empty() || !c.new_resources.is_empty() || !c.unconditioned.is_empty()
    }) {
        out.push_str(&format!(
            "\n<details><summary>Broadened in <code>{}</code></summary>\n\n",
            c.label()
        ));
        if !c.widened.is_empty() {
            out.push_str(&format!(
                "- every resource: {}\n",
                listed(&c.widened, catalog)
            ));
        }
        if !c.unconditioned.is_empty() {
            out.push_str(&format!(
                "- with no condition: {}\n",
                listed(&c.unconditioned, catalog)
            ));
        }
        for (resource, actions) in &c.new_resources {
            out.push_str(&format!("- `{resource}`: {}\n", listed(actions, catalog)));
        }
        out.push_str("</details>\n");
    }
    for c in changes.iter().filter(|c| !c.principals_added.is_empty()) {
        out.push_str(&format!(
            "\nNewly let in by <code>{}</code>:\n\n",
            c.label()
        ));
        for principal in &c.principals_added {
            out.push_str(&format!("- `{principal}`\n"));
        }
    }
    if !violations.is_empty() {
        out.push_str("\n**Denied by `--deny-new`:**\n\n");
        for v in violations {
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
