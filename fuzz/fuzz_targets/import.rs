//! `whittle import`: `aws iam get-account-authorization-details` output and
//! per-principal `get-service-last-accessed-details` outputs into a snapshot,
//! which must then write and read back as itself.
//!
//! The first byte says how many last-accessed files follow (its low two bits)
//! and which ARN each is for; the rest is the authorization details and then
//! each last-accessed file, separated by NUL bytes.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use whittle_model::{Snapshot, Tool};

static DIR: LazyLock<tempfile::TempDir> =
    LazyLock::new(|| tempfile::tempdir().expect("a temporary directory"));

const ARNS: [&str; 4] = [
    "arn:aws:iam::123456789012:role/app",
    "arn:aws:iam::123456789012:user/dev",
    "arn:aws:iam::123456789012:policy/shared",
    "not-an-arn",
];

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = DIR.path().join(name);
    std::fs::write(&path, bytes).expect("the temporary directory is writable");
    path
}

fuzz_target!(|data: &[u8]| {
    let Some((&header, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.split(|&b| b == 0);
    let details = write("details.json", parts.next().unwrap_or_default());
    let count = usize::from(header & 3);
    let last_accessed: Vec<(String, PathBuf)> = parts
        .take(count)
        .enumerate()
        .map(|(i, bytes)| {
            let arn = ARNS[usize::from(header >> (2 + 2 * i)) & 3];
            (
                arn.to_owned(),
                write(&format!("last-accessed-{i}.json"), bytes),
            )
        })
        .collect();
    let tool = Tool {
        name: "whittle".to_owned(),
        version: "0.0.0".to_owned(),
        catalog: None,
    };
    if let Ok((snapshot, _problems)) =
        whittle_fetcher::import::import(&details, &last_accessed, tool)
    {
        let again = Snapshot::parse("snapshot.json", &snapshot.to_json())
            .expect("an imported snapshot written reads back");
        assert_eq!(snapshot, again, "an imported snapshot round-trips");
    }
});
