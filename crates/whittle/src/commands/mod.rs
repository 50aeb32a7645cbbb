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
    let mut text = format!("whittle {}\n", env!("CARGO_PKG_VERSION"));
    for (i, source) in catalog.sources().iter().enumerate() {
        let role = if i == 0 { "embedded" } else { "cached update" };
        text.push_str(&format!("action catalog ({role}): {source}\n"));
    }
    text.push_str(&format!(
        "{} services, {} actions\n",
        catalog.services().len(),
        catalog.len()
    ));
    match output::write(None, &text) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::ERROR
        }
    }
}
