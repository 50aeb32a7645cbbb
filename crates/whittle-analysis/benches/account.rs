//! Lints a generated `get-account-authorization-details` export of 10,000 roles
//! (each with two inline policies and two attached managed policies drawn from the
//! ~1,600 AWS managed policies of `testdata/corpus/`), policy by policy and role by
//! role, and reports roles per second.
//!
//! Run with `cargo bench -p whittle-analysis --bench account`.

// criterion_group! and criterion_main! define undocumented public items.
#![allow(missing_docs)]

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use support::{corpus, export, roles};
use whittle_analysis::lint::LintOptions;
use whittle_analysis::{FileOutcome, Linter, RuleSet};
use whittle_policy::Catalog;
use whittle_syntax::SourceFile;

fn lint_account(c: &mut Criterion) {
    let text = serde_json::to_string(&export(&corpus())).expect("the export serialises");
    let file = SourceFile::new("account.json", text);
    let catalog = Catalog::embedded();
    let rules = RuleSet::embedded().expect("embedded rules are valid");
    let run = || {
        let linter =
            Linter::new(catalog, &rules, LintOptions::default()).expect("every check has a rule");
        match linter.lint_file(&file) {
            FileOutcome::Linted {
                findings,
                principals,
                documents,
                ..
            } => (findings.len(), principals, documents),
            other => panic!("the export is linted: {other:?}"),
        }
    };
    let start = std::time::Instant::now();
    let (findings, principals, documents) = run();
    let elapsed = start.elapsed();
    println!(
        "linted an export of {principals} roles and {documents} policy documents ({:.1} MB) in {:.2} s: {:.0} roles per second ({findings} findings)",
        file.text().len() as f64 / 1e6,
        elapsed.as_secs_f64(),
        principals as f64 / elapsed.as_secs_f64()
    );
    let mut group = c.benchmark_group("account");
    group.sample_size(10);
    group.bench_function(format!("{}-roles", roles()), |b| b.iter(run));
    group.finish();
}

criterion_group!(benches, lint_account);
criterion_main!(benches);
