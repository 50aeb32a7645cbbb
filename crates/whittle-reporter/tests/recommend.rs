//! Golden tests of `whittle recommend`'s diff and table on the demo snapshot.

use whittle_analysis::recommend::{RecommendOptions, recommend};
use whittle_model::Snapshot;
use whittle_policy::Catalog;

fn recommendations() -> whittle_analysis::recommend::Recommendations {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/recommend/account.json"
    );
    let snapshot = Snapshot::read(std::path::Path::new(path)).unwrap();
    let options = RecommendOptions {
        as_of: "2026-11-20T00:00:00Z".parse().unwrap(),
        ..RecommendOptions::default()
    };
    recommend(&snapshot, Catalog::embedded(), &options).unwrap()
}

#[test]
fn diff() {
    insta::assert_snapshot!(whittle_reporter::recommend_diff(&recommendations()));
}

#[test]
fn table() {
    insta::assert_snapshot!(whittle_reporter::recommend_table(&recommendations(), 120));
}
