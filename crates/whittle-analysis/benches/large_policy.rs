//! Lints one document of 10,000 statements (`WHITTLE_BENCH_STATEMENTS`
//! overrides the count): distinct statements drawn from the catalog, and one
//! statement repeated. Every rule must stay linear (or n·log n) in the
//! statements of a document; an all-pairs comparison shows here first.
//!
//! Run with `cargo bench -p whittle-analysis --bench large_policy`.

// criterion_group! and criterion_main! define undocumented public items.
#![allow(missing_docs)]

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use support::statements::{distinct, identical, statements};
use whittle_analysis::lint::LintOptions;
use whittle_analysis::{FileOutcome, Linter, RuleSet};
use whittle_policy::Catalog;
use whittle_syntax::SourceFile;

fn lint_large_policy(c: &mut Criterion) {
    let catalog = Catalog::embedded();
    let rules = RuleSet::embedded().expect("embedded rules are valid");
    let n = statements();
    let documents = [
        ("distinct", distinct(catalog, n)),
        ("identical", identical(n)),
    ];
    let mut group = c.benchmark_group("large_policy");
    group.sample_size(10);
    for (name, document) in documents {
        let text = serde_json::to_string_pretty(&document).expect("documents serialise");
        let file = SourceFile::new(format!("{name}.json"), text);
        let run = || {
            let linter = Linter::new(catalog, &rules, LintOptions::default())
                .expect("every check has a rule");
            match linter.lint_file(&file) {
                FileOutcome::Linted { findings, .. } => findings.len(),
                other => panic!("the document is linted: {other:?}"),
            }
        };
        group.bench_function(format!("{n}-{name}-statements"), |b| b.iter(run));
    }
    group.finish();
}

criterion_group!(benches, lint_large_policy);
criterion_main!(benches);
