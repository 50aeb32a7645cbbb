//! Lints the current version of every AWS managed policy (about 1,600 real-world
//! policies, `testdata/corpus/`) with a fresh linter per run, as one
//! `whittle lint` invocation would, and reports policies per second.
//!
//! Run with `cargo bench -p whittle-analysis --bench lint`.

// criterion_group! and criterion_main! define undocumented public items.
#![allow(missing_docs)]

mod support;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use whittle_analysis::lint::LintOptions;
use whittle_analysis::{FileOutcome, Linter, RuleSet};
use whittle_policy::Catalog;
use whittle_syntax::SourceFile;

/// The corpus, one pretty-printed file per policy.
fn corpus() -> Vec<SourceFile> {
    support::corpus()
        .into_iter()
        .map(|(name, document)| {
            let text = serde_json::to_string_pretty(&document).expect("documents serialise");
            SourceFile::new(format!("{name}.json"), text)
        })
        .collect()
}

fn lint_corpus(c: &mut Criterion) {
    let files = corpus();
    let catalog = Catalog::embedded();
    let rules = RuleSet::embedded().expect("embedded rules are valid");
    let mut group = c.benchmark_group("lint");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.sample_size(20);
    group.bench_function(format!("{}-aws-managed-policies", files.len()), |b| {
        b.iter(|| {
            let linter = Linter::new(catalog, &rules, LintOptions::default())
                .expect("every check has a rule");
            let mut findings = 0;
            for file in &files {
                if let FileOutcome::Linted { findings: f, .. } = linter.lint_file(file) {
                    findings += f.len();
                }
            }
            findings
        })
    });
    group.finish();
    let linter =
        Linter::new(catalog, &rules, LintOptions::default()).expect("every check has a rule");
    let start = std::time::Instant::now();
    let findings: usize = files
        .iter()
        .map(|f| match linter.lint_file(f) {
            FileOutcome::Linted { findings, .. } => findings.len(),
            _ => 0,
        })
        .sum();
    let elapsed = start.elapsed();
    println!(
        "linted {} policies in {:.1} ms: {:.0} policies per second ({findings} findings)",
        files.len(),
        elapsed.as_secs_f64() * 1000.0,
        files.len() as f64 / elapsed.as_secs_f64()
    );
}

criterion_group!(benches, lint_corpus);
criterion_main!(benches);
