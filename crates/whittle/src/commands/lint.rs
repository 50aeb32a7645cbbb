//! `whittle lint`: load configuration and rules, lint every input, drop accepted
//! findings (whittle.toml ignores, baseline), render, choose the exit code.

use std::path::Path;

use anyhow::Context;
use clap::ValueEnum;
use rayon::prelude::*;
use whittle_analysis::diagnostics::Baseline;
use whittle_analysis::diagnostics::fingerprints;
use whittle_analysis::lint::LintOptions;
use whittle_analysis::{FileOutcome, Finding, InputFailure, Linter, RuleCommand, Severity};
use whittle_reporter::{FindingsReport, LintReport};

use super::rules;
use crate::{FailOn, Format, LintArgs, cache, exit, inputs, output};

/// Runs `whittle lint`.
pub fn run(args: &LintArgs) -> anyhow::Result<u8> {
    let (config, rules) = rules::load(&args.rules)?;
    let ignores = config.ignores(&rules)?;
    let fail_on = match (args.fail_on, &config.fail_on) {
        (Some(fail_on), _) => fail_on,
        (None, Some(text)) => FailOn::from_str(text, true).map_err(|_| {
            anyhow::anyhow!(
                "whittle.toml: fail-on = \"{text}\" is not one of error, warning, note, never"
            )
        })?,
        (None, None) => FailOn::Error,
    };
    let catalog = cache::load_catalog();
    let linter = Linter::new(&catalog, &rules, LintOptions::default())?;
    let mut run = lint_inputs(&linter, &args.paths);

    // Fingerprints come from every finding, before any is accepted, so that
    // editing whittle.toml does not renumber the identical findings that remain.
    let base = std::env::current_dir().unwrap_or_default();
    let mut prints = fingerprints(&run.findings, &base);
    let ignored = retain_paired(&mut run.findings, &mut prints, |f, _| !ignores.matches(f));
    if let Some(path) = &args.write_baseline {
        output::write_atomically(path, Baseline::render(&run.findings, &prints).as_bytes())?;
        eprint!(
            "{}",
            whittle_reporter::baseline_written(run.findings.len(), path)
        );
    }
    let baselined = match &args.baseline {
        Some(path) => {
            let baseline = read_baseline(path)?;
            retain_paired(&mut run.findings, &mut prints, |_, p| !baseline.contains(p))
        }
        None => 0,
    };

    for failure in &run.failures {
        eprintln!("error: {failure}");
    }
    // Suppressed findings never decide the exit code; --show-suppressed lists
    // them after the others, each saying why it is suppressed.
    let mut shown = run.findings.clone();
    if args.show_suppressed {
        let mut marked: Vec<Finding> = run
            .suppressed
            .iter()
            .map(|s| {
                let mut finding = s.finding.clone();
                let reason = s.reason.as_deref().unwrap_or("no reason given");
                finding
                    .notes
                    .push(format!("suppressed inline (whittle: ignore): {reason}"));
                finding.suppressed = Some(reason.to_owned());
                finding
            })
            .collect();
        prints.extend(fingerprints(&marked, &base));
        shown.append(&mut marked);
    }
    let all_rules: Vec<_> = rules.of(RuleCommand::Lint).cloned().collect();
    let report = LintReport {
        run: FindingsReport {
            tool_version: env!("CARGO_PKG_VERSION"),
            catalog: catalog.sources(),
            rules: &all_rules,
            findings: &shown,
            fingerprints: &prints,
            failures: &run.failures,
        },
        files: run.files,
        documents: run.documents,
        skipped: run.skipped,
        ignored,
        baselined,
        suppressed: run.suppressed.len(),
    };
    if matches!(args.format, Format::Sarif | Format::Github) {
        // These formats have no summary of their own.
        eprint!("{}", whittle_reporter::accepted_findings(&report));
    }
    let text = render(args, &report, &base);
    output::write(args.output.as_deref(), &text)?;
    Ok(exit_code(fail_on, &run.findings, !run.failures.is_empty()))
}

fn read_baseline(path: &Path) -> anyhow::Result<Baseline> {
    let bytes = whittle_model::limits::BASELINE
        .read(path)
        .with_context(|| format!("cannot read the baseline {}", path.display()))?;
    Baseline::parse(&bytes).with_context(|| format!("the baseline {} is invalid", path.display()))
}

/// Keeps the findings (and their fingerprints) `keep` accepts; returns how many went.
fn retain_paired(
    findings: &mut Vec<Finding>,
    prints: &mut Vec<String>,
    keep: impl Fn(&Finding, &str) -> bool,
) -> usize {
    let before = findings.len();
    let (kept_findings, kept_prints) = std::mem::take(findings)
        .into_iter()
        .zip(std::mem::take(prints))
        .filter(|(finding, print)| keep(finding, print))
        .unzip();
    *findings = kept_findings;
    *prints = kept_prints;
    before - findings.len()
}

/// What linting every input produced.
struct Run {
    findings: Vec<Finding>,
    /// Findings suppressed where the policy is written.
    suppressed: Vec<whittle_analysis::lint::suppress::Suppressed>,
    failures: Vec<InputFailure>,
    files: usize,
    documents: usize,
    skipped: usize,
}

fn lint_inputs(linter: &Linter<'_>, paths: &[std::path::PathBuf]) -> Run {
    let collected = inputs::collect(paths);
    collected.warn_skipped();
    let inputs = collected.inputs;
    let mut run = Run {
        findings: Vec::new(),
        suppressed: Vec::new(),
        failures: collected.failures,
        files: 0,
        documents: 0,
        skipped: 0,
    };
    // Files are read and linted on every core; their outcomes are taken in
    // the order the inputs were named, so the report is the same either way.
    let outcomes: Vec<_> = inputs
        .par_iter()
        .map(|input| {
            inputs::read(input).map(|file| {
                let outcome = linter.lint_file(&file);
                (file, outcome)
            })
        })
        .collect();
    for (input, outcome) in inputs.iter().zip(outcomes) {
        let (file, outcome) = match outcome {
            Ok(read) => read,
            Err(failure) => {
                run.failures.push(failure);
                continue;
            }
        };
        run.files += 1;
        match outcome {
            FileOutcome::Linted {
                documents,
                findings,
                failures,
                suppressed,
                ..
            } => {
                run.documents += documents;
                run.findings.extend(findings);
                run.suppressed.extend(suppressed);
                run.failures.extend(failures);
            }
            FileOutcome::Unrecognised if !input.explicit => run.skipped += 1,
            FileOutcome::Unrecognised => run.failures.push(InputFailure {
                path: file.path().clone(),
                position: Some(file.position(0)),
                message: whittle_analysis::input::InputError::Unrecognised.to_string(),
            }),
            FileOutcome::Failed(failure) => run.failures.push(failure),
        }
    }
    run
}

fn render(args: &LintArgs, report: &LintReport<'_>, base: &Path) -> String {
    match args.format {
        Format::Table => {
            let width = match args.output {
                Some(_) => whittle_reporter::DEFAULT_WIDTH,
                None => {
                    whittle_reporter::terminal_width().unwrap_or(whittle_reporter::DEFAULT_WIDTH)
                }
            };
            whittle_reporter::lint_table(report, width)
        }
        Format::Json => whittle_reporter::lint_json(report),
        Format::Sarif => whittle_reporter::lint_sarif(report, base),
        Format::Github => whittle_reporter::lint_github(report, base),
    }
}

fn exit_code(fail_on: FailOn, findings: &[Finding], had_failures: bool) -> u8 {
    if had_failures {
        return exit::ERROR;
    }
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Note => Severity::Note,
        FailOn::Never => return exit::OK,
    };
    if findings.iter().any(|f| f.severity >= threshold) {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
