//! `whittle recommend`: trimmed policies from a snapshot, as a table, diffs,
//! JSON or SARIF, and optionally as files ready to apply.

use anyhow::Context;
use whittle_analysis::recommend::{self, RecommendOptions};
use whittle_model::Snapshot;
use whittle_syntax::SourceFile;

use crate::{RecommendArgs, RecommendFormat, cache, exit, inputs, output};

/// Runs `whittle recommend`.
pub fn run(args: &RecommendArgs) -> anyhow::Result<u8> {
    if args.include_unused_roles && args.plan.is_none() && args.write_policies.is_none() {
        eprintln!("error: --include-unused-roles needs --plan FILE or --write-policies DIR");
        return Ok(exit::ERROR);
    }
    if !args.source.is_empty() && args.format.is_some_and(|f| f != RecommendFormat::Diff) {
        eprintln!(
            "error: --source writes a patch of the source files: use it without --format, or with --format diff"
        );
        return Ok(exit::ERROR);
    }
    let path = args.snapshot.display().to_string();
    let text = whittle_model::limits::SNAPSHOT
        .read_to_string(&args.snapshot)
        .with_context(|| format!("cannot read {path}"))?;
    let snapshot = Snapshot::parse(&path, &text)?;
    if !snapshot.complete && snapshot.errors.is_empty() {
        eprintln!(
            "warning: {} is a checkpoint of an unfinished fetch; run `whittle fetch --resume` to complete it",
            args.snapshot.display()
        );
    }
    if !snapshot.errors.is_empty() {
        eprint!(
            "{}",
            whittle_reporter::snapshot_errors(&path, &snapshot.errors)
        );
    }
    let unknown: Vec<&str> = args
        .principals
        .iter()
        .filter(|arn| !snapshot.authorization_details.holds_principal(arn))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        eprintln!(
            "error: --principal {}: no such user or role in {path}",
            unknown.join(", ")
        );
        return Ok(exit::ERROR);
    }
    let as_of = match &args.as_of {
        Some(text) => text.parse().with_context(|| {
            format!("--as-of \"{text}\": expected a timestamp like 2026-11-20T00:00:00Z")
        })?,
        None => jiff::Timestamp::now(),
    };
    let catalog = cache::load_catalog();
    let (_, rules) = super::rules::load(&args.rules)?;
    let categories =
        whittle_analysis::diff::categories(&rules, &whittle_policy::Expander::new(&catalog));
    let options = RecommendOptions {
        as_of,
        categories,
        unused_days: args.unused_days,
        max_data_age_days: args.max_data_age,
        grace_days: args.grace_days,
        principals: args.principals.clone(),
        keep_sid_prefix: args.keep_sid_prefix.clone(),
        keep_tag: args.keep_tag.clone(),
        strategy: args.strategy.into(),
    };
    let all = recommend::recommend(&snapshot, &catalog, &options)?;
    let planned = (args.plan.is_some() || args.write_policies.is_some()).then(|| {
        let options = recommend::PlanOptions {
            include_unused_roles: args.include_unused_roles,
            ..recommend::PlanOptions::new(super::fetch::tool())
        };
        recommend::plan(&all, &snapshot, &options)
    });
    let mut plan_lines = String::new();
    if let (Some(planned), Some(dir)) = (&planned, &args.write_policies) {
        match super::apply::write_shell(&planned.plan, dir)? {
            Some(written) => plan_lines.push_str(&written),
            None => return Ok(exit::ERROR),
        }
    }
    if let (Some(planned), Some(path)) = (&planned, &args.plan) {
        output::write_atomically(path, planned.plan.to_json().as_bytes())?;
        plan_lines.push_str(&whittle_reporter::plan_written(planned, path));
    }
    if !args.source.is_empty() {
        let details = &snapshot.authorization_details;
        let Some(report) = source_report(&args.source, &all, details) else {
            return Ok(exit::ERROR);
        };
        output::write(
            args.output.as_deref(),
            &whittle_reporter::source_patch(&report),
        )?;
        eprint!("{plan_lines}");
        eprint!("{}", whittle_reporter::source_notes(&report));
        return Ok(exit::OK);
    }
    let format = args.format.unwrap_or(RecommendFormat::Table);
    let width = whittle_reporter::terminal_width().unwrap_or(whittle_reporter::DEFAULT_WIDTH);
    let text = match format {
        RecommendFormat::Table => whittle_reporter::recommend_table(&all, width) + &plan_lines,
        RecommendFormat::Diff => whittle_reporter::recommend_diff(&all),
        RecommendFormat::Json => whittle_reporter::recommend_json(&all, env!("CARGO_PKG_VERSION")),
        RecommendFormat::Sarif => {
            // Findings point into the snapshot: its text locates each entry.
            let file = SourceFile::new(path, text);
            let (rules, findings) = recommend::findings(&all, &file, &rules);
            // Recommend reads one snapshot, whole or not at all: no input failed.
            output::findings_sarif(&rules, &findings, &[], &catalog)?
        }
    };
    output::write(args.output.as_deref(), &text)?;
    if format != RecommendFormat::Table {
        // Other formats are documents: the plan's lines go to standard error.
        eprint!("{plan_lines}");
    }
    eprint!("{}", whittle_reporter::recommend_notes(&all));
    Ok(exit::OK)
}

/// Reads the files under `paths` and patches them for `all`; `None` (the
/// errors told) when a path cannot be read: a patch of part of the source
/// would look complete.
fn source_report(
    paths: &[std::path::PathBuf],
    all: &recommend::Recommendations,
    details: &whittle_model::AuthorizationDetails,
) -> Option<recommend::SourceReport> {
    let collected = inputs::collect(paths);
    collected.warn_skipped();
    let mut failed = false;
    for failure in &collected.failures {
        eprintln!("error: {}: {}", failure.path, failure.message);
        failed = true;
    }
    let cwd = std::env::current_dir().ok();
    let mut files = Vec::new();
    for input in &collected.inputs {
        match inputs::read(input) {
            Ok(file) => {
                // Paths in the patch are relative to where whittle runs.
                let relative = cwd.as_ref().and_then(|cwd| {
                    let path = input.path.as_ref()?;
                    let relative = path.strip_prefix(cwd).ok()?;
                    Some(relative.display().to_string())
                });
                match relative {
                    Some(relative) => files.push(SourceFile::new(relative, file.text())),
                    None => {
                        if input.path.as_ref().is_some_and(|p| p.is_absolute()) {
                            eprintln!(
                                "warning: {} is outside the working directory: run whittle from the repository that holds it, or `git apply` will not find it",
                                file.path()
                            );
                        }
                        files.push(file);
                    }
                }
            }
            Err(failure) => {
                eprintln!("error: {}: {}", failure.path, failure.message);
                failed = true;
            }
        }
    }
    if failed {
        return None;
    }
    Some(recommend::patch_sources(all, details, &files))
}
