//! Converts the embedded catalog, `data/catalog.json.gz`, into postcard's
//! binary form in `OUT_DIR`: decoding it at startup is several times faster
//! than inflating and parsing the JSON (a one-file lint is mostly startup).

#[allow(dead_code)]
#[path = "src/catalog/format.rs"]
mod format;

use std::io::Read;

fn main() {
    println!("cargo::rerun-if-changed=data/catalog.json.gz");
    println!("cargo::rerun-if-changed=src/catalog/format.rs");
    let compressed = std::fs::read("data/catalog.json.gz").expect("data/catalog.json.gz is there");
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut json)
        .expect("data/catalog.json.gz is gzip");
    let file: format::CatalogFile =
        serde_json::from_slice(&json).expect("data/catalog.json.gz is a catalog file");
    let bytes = postcard::to_allocvec(&file).expect("a catalog file serialises");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("catalog.postcard");
    std::fs::write(out, bytes).expect("OUT_DIR is writable");
}
