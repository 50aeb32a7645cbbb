//! Recommends trimmed policies for a generated snapshot of 10,000 roles (the
//! export of `support`, each role with an action-level last-accessed report in
//! AWS's shape covering the services its policies name, some used and some
//! not), and reports roles per second.
//!
//! Run with `cargo bench -p whittle-analysis --bench recommend`.

// criterion_group! and criterion_main! define undocumented public items.
#![allow(missing_docs)]

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use support::{corpus, roles, snapshot_json};
use whittle_analysis::recommend::{RecommendOptions, recommend};
use whittle_model::Snapshot;
use whittle_policy::Catalog;

/// The export as a snapshot with one action-level report per role.
fn snapshot() -> Snapshot {
    serde_json::from_value(snapshot_json(&corpus()))
        .expect("the generated snapshot has the snapshot's shape")
}

fn recommend_account(c: &mut Criterion) {
    let snapshot = snapshot();
    let catalog = Catalog::embedded();
    let options = RecommendOptions {
        as_of: "2026-11-20T00:00:00Z".parse().expect("a timestamp"),
        ..RecommendOptions::default()
    };
    let run = || recommend(&snapshot, catalog, &options).expect("the snapshot is recent enough");
    let start = std::time::Instant::now();
    let all = run();
    let elapsed = start.elapsed();
    let removed: usize = all.recommendations.iter().map(|r| r.removed.len()).sum();
    println!(
        "recommended for {} roles ({} reports) in {:.2} s: {:.0} roles per second ({} policies to trim or detach, {removed} action grants removed)",
        snapshot.authorization_details.role_detail_list.len(),
        snapshot.reports.len(),
        elapsed.as_secs_f64(),
        snapshot.reports.len() as f64 / elapsed.as_secs_f64(),
        all.recommendations.len(),
    );
    let mut group = c.benchmark_group("recommend");
    group.sample_size(10);
    group.bench_function(format!("{}-roles", roles()), |b| b.iter(run));
    group.finish();
}

criterion_group!(benches, recommend_account);
criterion_main!(benches);
