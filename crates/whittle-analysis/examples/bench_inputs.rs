//! Writes the inputs of the benchmark suite (`scripts/bench`) into a
//! directory: the AWS managed policies of `testdata/corpus/`, one file each
//! (`managed/NAME.json`), and for each role count N the generated export
//! (`export-N.json`, as `aws iam get-account-authorization-details` prints
//! it) and snapshot with action-level reports (`snapshot-N.json`) that the
//! criterion benchmarks use.
//!
//! `cargo run --release -p whittle-analysis --example bench_inputs -- DIR N...`

#[path = "../benches/support/mod.rs"]
mod support;

use std::path::Path;

fn write(path: &Path, value: &serde_json::Value) {
    let text = serde_json::to_string(value).expect("generated JSON serialises");
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// The export as the AWS CLI prints it: documents decoded (IAM's API
/// returns them URL-encoded), as the peers expect.
fn as_cli_prints(mut export: serde_json::Value) -> serde_json::Value {
    let roles = export["RoleDetailList"].as_array_mut().expect("roles");
    for role in roles {
        if let Some(encoded) = role["AssumeRolePolicyDocument"].as_str() {
            let decoded = percent_encoding::percent_decode_str(encoded)
                .decode_utf8()
                .expect("the trust policy is UTF-8");
            role["AssumeRolePolicyDocument"] =
                serde_json::from_str(&decoded).expect("the trust policy is JSON");
        }
        // Fields the CLI prints that the peers read.
        let name = role["RoleName"].clone();
        role["Path"] = "/".into();
        role["RoleId"] = format!("AROA{}", name.as_str().unwrap_or_default().len()).into();
        role["InstanceProfileList"] = serde_json::json!([]);
        role["Tags"] = serde_json::json!([]);
    }
    for policy in export["Policies"].as_array_mut().expect("policies") {
        policy["Path"] = "/".into();
        policy["PolicyId"] = "ANPA".into();
        policy["PermissionsBoundaryUsageCount"] = 0.into();
        policy["CreateDate"] = "2024-01-10T00:00:00Z".into();
        policy["UpdateDate"] = "2024-01-10T00:00:00Z".into();
    }
    export
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: bench_inputs DIR N...");
        std::process::exit(2);
    };
    let dir = Path::new(&dir);
    let corpus = support::corpus();
    let managed = dir.join("managed");
    std::fs::create_dir_all(&managed).expect("the output directory can be made");
    for (name, document) in &corpus {
        write(&managed.join(format!("{name}.json")), document);
    }
    for count in args {
        let Ok(count) = count.parse::<usize>() else {
            eprintln!("not a number of roles: {count}");
            std::process::exit(2);
        };
        write(
            &dir.join(format!("export-{count}.json")),
            &as_cli_prints(support::export_of(&corpus, count)),
        );
        write(
            &dir.join(format!("snapshot-{count}.json")),
            &support::snapshot_of(&corpus, count),
        );
    }
    println!(
        "{} managed policies and {} accounts in {}",
        corpus.len(),
        std::env::args().count() - 2,
        dir.display()
    );
}
