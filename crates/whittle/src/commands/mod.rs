//! One module per subcommand.

pub mod access_advisor;
pub mod catalog;
pub mod diff;
pub mod fetch;
pub mod lint;
pub mod recommend;
pub mod rules;

use crate::{cache, exit};

/// Prints whittle's version and the catalog's source and date.
pub fn version() -> u8 {
    let catalog = cache::load_catalog();
    println!("whittle {}", env!("CARGO_PKG_VERSION"));
    for (i, source) in catalog.sources().iter().enumerate() {
        let role = if i == 0 { "embedded" } else { "cached update" };
        println!("action catalog ({role}): {source}");
    }
    println!(
        "{} services, {} actions",
        catalog.services().len(),
        catalog.len()
    );
    exit::OK
}
