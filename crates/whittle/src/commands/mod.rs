//! One module per subcommand.

pub mod access_advisor;
pub mod apply;
pub mod catalog;
pub mod diff;
pub mod fetch;
pub mod lint;
pub mod recommend;
pub mod rules;

use crate::{cache, exit, output};

/// Prints whittle's version and the catalog's source and date.
pub fn version() -> u8 {
    let catalog = cache::load_catalog();
    let text = whittle_reporter::version_info(
        env!("CARGO_PKG_VERSION"),
        &whittle_reporter::CatalogSummary::of(&catalog),
    );
    match output::write(None, &text) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::ERROR
        }
    }
}
