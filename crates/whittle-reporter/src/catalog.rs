//! What whittle says about its action catalog: `--version`, `whittle catalog
//! info`, the actions `whittle catalog expand` matched, and what `whittle
//! catalog update` wrote.

use std::path::Path;

use whittle_policy::{ActionSet, Catalog, CatalogSource};

/// What a catalog is made of: its sources (the embedded data first, then a
/// cached update) and its size.
#[derive(Debug, Clone, Copy)]
pub struct CatalogSummary<'a> {
    /// The data the catalog was built from, embedded first.
    pub sources: &'a [CatalogSource],
    /// Number of services.
    pub services: usize,
    /// Number of actions.
    pub actions: usize,
}

impl<'a> CatalogSummary<'a> {
    /// The summary of `catalog`.
    pub fn of(catalog: &'a Catalog) -> Self {
        CatalogSummary {
            sources: catalog.sources(),
            services: catalog.services().len(),
            actions: catalog.len(),
        }
    }

    /// Each source with what it is: the embedded data, or a cached update.
    fn roles(&self) -> impl Iterator<Item = (&'static str, &'a CatalogSource)> + 'a {
        self.sources.iter().enumerate().map(|(i, source)| {
            let role = if i == 0 { "embedded" } else { "cached update" };
            (role, source)
        })
    }
}

/// `whittle --version`: whittle's version, the catalog's sources and size.
pub fn version_info(tool_version: &str, catalog: &CatalogSummary<'_>) -> String {
    let mut text = format!("whittle {tool_version}\n");
    for (role, source) in catalog.roles() {
        text.push_str(&format!("action catalog ({role}): {source}\n"));
    }
    text.push_str(&format!(
        "{} services, {} actions\n",
        catalog.services, catalog.actions
    ));
    text
}

/// The user cache a catalog update is written to.
#[derive(Debug, Clone, Copy)]
pub struct CatalogCache<'a> {
    /// The cached catalog file.
    pub path: &'a Path,
    /// Whether it exists (and so is in use).
    pub exists: bool,
}

/// `whittle catalog info`: the sources, the size and the cache.
pub fn catalog_info(catalog: &CatalogSummary<'_>, cache: &CatalogCache<'_>) -> String {
    let mut text = String::new();
    for (role, source) in catalog.roles() {
        text.push_str(&format!("source ({role}): {source}\n"));
    }
    text.push_str(&format!("services: {}\n", catalog.services));
    text.push_str(&format!("actions: {}\n", catalog.actions));
    let state = if cache.exists {
        "in use"
    } else {
        "none yet; run `whittle catalog update`"
    };
    text.push_str(&format!("cache: {} ({state})\n", cache.path.display()));
    text
}

/// `whittle catalog expand`: the actions of `set`, one per line, in AWS's
/// canonical case.
pub fn action_names(catalog: &Catalog, set: &ActionSet) -> String {
    let mut text = String::with_capacity(set.count() * 32);
    for name in catalog.names(set) {
        text.push_str(name);
        text.push('\n');
    }
    text
}

/// `whittle catalog expand --count`: how many actions `set` holds.
pub fn action_count(set: &ActionSet) -> String {
    format!("{}\n", set.count())
}

/// What `whittle catalog update` wrote.
#[derive(Debug, Clone, Copy)]
pub struct CatalogUpdate<'a> {
    /// Services written.
    pub services: usize,
    /// Actions written, over every service.
    pub actions: usize,
    /// The cache file written.
    pub path: &'a Path,
    /// Services whose document could not be read (their embedded data stays in use).
    pub unreadable: usize,
}

/// The lines `whittle catalog update` ends with, for standard error.
pub fn catalog_update_summary(update: &CatalogUpdate<'_>) -> String {
    let mut text = format!(
        "wrote {} services and {} actions to {}\n",
        update.services,
        update.actions,
        update.path.display()
    );
    if update.unreadable > 0 {
        text.push_str(&format!(
            "{} services could not be read; the embedded data stays in use for them\n",
            update.unreadable
        ));
    }
    text
}
