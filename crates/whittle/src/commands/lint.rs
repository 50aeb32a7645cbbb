//! `whittle lint`: lint every input, render the findings, choose the exit code.

use anyhow::Context;
use whittle_analysis::lint::LintOptions;
use whittle_analysis::{FileOutcome, Finding, Linter, RuleSet, Severity};
use whittle_reporter::LintReport;

use crate::{FailOn, Format, LintArgs, cache, exit, inputs, output};

/// Runs `whittle lint`.
pub fn run(args: &LintArgs) -> anyhow::Result<u8> {
    let catalog = cache::load_catalog();
    let rules = RuleSet::embedded().context("the embedded rules are invalid")?;
    let linter = Linter::new(&catalog, &rules, LintOptions::default())
        .context("the embedded rules are invalid")?;
    let (inputs, mut failures) = inputs::collect(&args.paths);
    let mut findings: Vec<Finding> = Vec::new();
    let (mut files, mut documents, mut skipped) = (0, 0, 0);
    for input in &inputs {
        let file = match inputs::read(input) {
            Ok(file) => file,
            Err(failure) => {
                failures.push(failure);
                continue;
            }
        };
        files += 1;
        match linter.lint_file(&file) {
            FileOutcome::Linted {
                documents: n,
                findings: found,
                failures: partial,
                ..
            } => {
                documents += n;
                findings.extend(found);
                failures.extend(partial);
            }
            FileOutcome::Unrecognised if !input.explicit => skipped += 1,
            FileOutcome::Unrecognised => failures.push(whittle_analysis::InputFailure {
                path: file.path().clone(),
                position: None,
                message: whittle_analysis::input::InputError::Unrecognised.to_string(),
            }),
            FileOutcome::Failed(failure) => failures.push(failure),
        }
    }
    let report = LintReport {
        tool_version: env!("CARGO_PKG_VERSION"),
        catalog: catalog.sources(),
        rules: &rules.iter().cloned().collect::<Vec<_>>(),
        findings: &findings,
        failures: &failures,
        files,
        documents,
        skipped,
    };
    for failure in &failures {
        eprintln!("error: {failure}");
    }
    let text = match args.format {
        Format::Table => {
            let width = match args.output {
                Some(_) => whittle_reporter::DEFAULT_WIDTH,
                None => {
                    whittle_reporter::terminal_width().unwrap_or(whittle_reporter::DEFAULT_WIDTH)
                }
            };
            whittle_reporter::lint_table(&report, width)
        }
        Format::Json => whittle_reporter::lint_json(&report),
    };
    output::write(args.output.as_deref(), &text)?;
    Ok(exit_code(args.fail_on, &findings, !failures.is_empty()))
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
