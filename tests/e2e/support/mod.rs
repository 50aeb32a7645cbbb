//! What the end-to-end tests share: where the workspace's files are, the SARIF
//! schema, and the local IAM endpoints they run against.

use std::path::{Path, PathBuf};

use serde_json::Value;

// Also the fetcher crate's wire tests and benchmark use it, hence outside `e2e/`.
#[path = "../../support/fake_iam.rs"]
pub mod fake_iam;
pub mod moto;
#[path = "../../support/raw_http.rs"]
pub mod raw_http;

/// The workspace's root directory, where `action.yml` and `testdata/` are.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file or directory under the workspace's `testdata/`.
pub fn testdata(path: &str) -> PathBuf {
    workspace_root().join("testdata").join(path)
}

/// The OASIS SARIF 2.1.0 schema, checked in under testdata/schemas.
pub fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(testdata("schemas/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

/// Runs `git ARGS` in `dir` as a throwaway identity; fails the test when git does.
pub fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=whittle",
            "-c",
            "user.email=whittle@example.com",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
