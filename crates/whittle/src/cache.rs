//! The user cache that holds a catalog refreshed by `whittle catalog update`.

use std::path::PathBuf;

use anyhow::Context;
use whittle_policy::Catalog;
use whittle_policy::catalog::{self, CatalogFile};

/// Environment variable that overrides the cache directory.
pub const CACHE_DIR_ENV: &str = "WHITTLE_CACHE_DIR";

/// The cache directory: `$WHITTLE_CACHE_DIR`, else the platform's user cache
/// directory (`~/.cache/whittle` on Linux).
pub fn dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os(CACHE_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::cache_dir()
        .map(|d| d.join("whittle"))
        .context("no user cache directory is known on this system; set WHITTLE_CACHE_DIR")
}

/// Where the refreshed catalog is stored.
pub fn catalog_path() -> anyhow::Result<PathBuf> {
    Ok(dir()?.join("catalog.json"))
}

/// Reads the cached catalog, if there is one.
pub fn read_catalog() -> anyhow::Result<Option<CatalogFile>> {
    let path = catalog_path()?;
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    catalog::read_json(&bytes).map(Some).with_context(|| {
        format!(
            "{} is not a usable catalog; run `whittle catalog update` again or delete it",
            path.display()
        )
    })
}

/// The catalog for this run: the embedded one, with the cached one merged over it.
/// A broken cache is reported on stderr and ignored, so linting still works.
pub fn load_catalog() -> CatalogHandle {
    match read_catalog() {
        Ok(Some(file)) => CatalogHandle::Owned(Box::new(Catalog::with_overlay(file))),
        Ok(None) => CatalogHandle::Embedded,
        Err(error) => {
            eprintln!("warning: {error:#}; using the embedded catalog");
            CatalogHandle::Embedded
        }
    }
}

/// The embedded catalog, or one merged with the user cache.
pub enum CatalogHandle {
    /// Only the data compiled into the binary.
    Embedded,
    /// The embedded data with the cache merged over it.
    Owned(Box<Catalog>),
}

impl std::ops::Deref for CatalogHandle {
    type Target = Catalog;

    fn deref(&self) -> &Catalog {
        match self {
            CatalogHandle::Embedded => Catalog::embedded(),
            CatalogHandle::Owned(catalog) => catalog,
        }
    }
}
