//! `whittle diff`: access added and removed between two versions of a set of
//! policies — two files, two directories, or the working tree against a git
//! revision — and `--deny-new` checks for pull requests.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use whittle_analysis::InputFailure;
use whittle_analysis::diff::{self, PolicyAccess};
use whittle_policy::Expander;
use whittle_syntax::SourceFile;

use crate::{DiffArgs, DiffFormat, cache, exit, inputs, output};

/// Runs `whittle diff`.
pub fn run(args: &DiffArgs) -> anyhow::Result<u8> {
    let catalog = cache::load_catalog();
    let expander = Expander::new(&catalog);
    let mut errors = Vec::new();
    let mut new_files = BTreeSet::new();
    let (old, new) = match &args.base {
        Some(base) => {
            let paths = if args.paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                args.paths.clone()
            };
            (
                git_side(base, &paths, &expander, &mut errors)?,
                tree_side(&paths, &expander, &mut errors, &mut new_files)?,
            )
        }
        None => {
            let [old, new] = args.paths.as_slice() else {
                bail!("give two paths (OLD NEW), or --base GITREF with the paths to compare");
            };
            let mut old_side = path_side(old, &expander, &mut errors, &mut BTreeSet::new());
            let new_side = path_side(new, &expander, &mut errors, &mut new_files);
            // Two files compare with each other whatever their names.
            if old.is_file() && new.is_file() {
                old_side
                    .iter_mut()
                    .for_each(|p| p.path = new.display().to_string());
            }
            (old_side, new_side)
        }
    };
    errors.extend(diff::unreadable_new(&old, &new, &new_files));
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
    let report = whittle_reporter::DiffReport {
        changes: &changes,
        violations: &violations,
        catalog: &catalog,
    };
    let text = match args.format {
        DiffFormat::Table => whittle_reporter::diff_table(&report),
        DiffFormat::Json => whittle_reporter::diff_json(&report),
        DiffFormat::Markdown => whittle_reporter::diff_markdown(&report),
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

/// The documents of a file or directory, paths relative to it; the files read
/// go into `read`.
fn path_side(
    root: &Path,
    expander: &Expander<'_>,
    errors: &mut Vec<InputFailure>,
    read: &mut BTreeSet<String>,
) -> Vec<PolicyAccess> {
    let collected = inputs::collect(std::slice::from_ref(&root.to_path_buf()));
    collected.warn_skipped();
    errors.extend(collected.failures);
    let found = collected.inputs;
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
                Ok(access) => {
                    out.extend(access);
                    read.insert(relative);
                }
                Err(e) => errors.push(e),
            },
            Err(failure) => errors.push(failure),
        }
    }
    out
}

/// The working tree's documents under `paths`, keyed by path from the
/// repository root; the files read go into `read`.
fn tree_side(
    paths: &[PathBuf],
    expander: &Expander<'_>,
    errors: &mut Vec<InputFailure>,
    read: &mut BTreeSet<String>,
) -> anyhow::Result<Vec<PolicyAccess>> {
    let top = repository_root()?;
    let collected = inputs::collect(paths);
    collected.warn_skipped();
    errors.extend(collected.failures);
    let found = collected.inputs;
    let mut out = Vec::new();
    for input in found {
        let Some(path) = &input.path else { continue };
        let absolute =
            resolved(path).with_context(|| format!("cannot resolve {}", path.display()))?;
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
                Ok(access) => {
                    out.extend(access);
                    read.insert(relative);
                }
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
            &["ls-tree", "-r", "-z", base, "--"][..],
            &specs.iter().map(String::as_str).collect::<Vec<_>>(),
        ]
        .concat(),
    )
    .with_context(|| format!("cannot list the files of {base}"))?;
    let mut out = Vec::new();
    let entries = listing
        .split('\0')
        .filter_map(|entry| entry.split_once('\t'))
        .filter(|(_, n)| {
            whittle_analysis::input::has_input_extension(n)
                && !n.split('/').any(|part| part.starts_with('.'))
        });
    let mut skipped = inputs::Collected::default();
    for (meta, name) in entries {
        // A symbolic link (mode 120000) is read where it leads, as the
        // working tree's side is; a link out of the repository is skipped.
        let is_link = meta.starts_with("120000 ");
        let blob = if is_link {
            let target = git(&top, &["show", &format!("{base}:{name}")])
                .with_context(|| format!("cannot read {name} at {base}"))?;
            match link_target(name, &target) {
                Some(blob)
                    if git(&top, &["cat-file", "-t", &format!("{base}:{blob}")])
                        .is_ok_and(|kind| kind.trim() != "blob") =>
                {
                    skipped.skipped.push(inputs::SkippedLink {
                        display: format!("{base}:{name}"),
                        reason: format!("a link to the directory {blob}"),
                    });
                    continue;
                }
                Some(blob) => blob,
                None => {
                    skipped.skipped.push(inputs::SkippedLink {
                        display: format!("{base}:{name}"),
                        reason: format!("leads to {target}, outside the repository"),
                    });
                    continue;
                }
            }
        } else {
            name.to_owned()
        };
        let text = match git(&top, &["show", &format!("{base}:{blob}")]) {
            Ok(text) => text,
            Err(_) if is_link => {
                skipped.skipped.push(inputs::SkippedLink {
                    display: format!("{base}:{name}"),
                    reason: format!("broken link to {blob}"),
                });
                continue;
            }
            Err(e) => return Err(e.context(format!("cannot read {name} at {base}"))),
        };
        let file = SourceFile::new(format!("{base}:{name}").as_str(), text);
        match diff::file_access(name, &file, expander) {
            Ok(access) => out.extend(access),
            Err(e) => errors.push(e),
        }
    }
    skipped.warn_skipped();
    Ok(out)
}

/// The repository path a link at `name` with the text `target` leads to, or
/// `None` when it leads out of the repository (absolute, or above its root).
fn link_target(name: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// `path` made absolute with its directory resolved but not its file name: a
/// symbolic link keeps its own name, as git tracks it.
fn resolved(path: &Path) -> std::io::Result<PathBuf> {
    let directory = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut absolute = std::fs::canonicalize(directory)?;
    if let Some(name) = path.file_name() {
        absolute.push(name);
    }
    Ok(absolute)
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
