//! The generated account the benchmarks share: a deterministic
//! `get-account-authorization-details` export of many roles whose policies are
//! drawn from the ~1,600 AWS managed policies of `testdata/corpus/`.

// Each benchmark uses a part of it.
#![allow(dead_code)]

pub mod statements;

use std::io::Read;

use serde_json::{Value, json};

/// Roles in the export; `WHITTLE_BENCH_ROLES` overrides it (for profiling).
pub fn roles() -> usize {
    std::env::var("WHITTLE_BENCH_ROLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

/// The AWS managed policies of `testdata/corpus/`: (name, document).
pub fn corpus() -> Vec<(String, Value)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/corpus/aws-managed-policies.json.gz"
    );
    let bytes = std::fs::read(path).expect("the corpus is checked in");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .expect("the corpus is gzip-compressed UTF-8");
    let map: serde_json::Map<String, Value> =
        serde_json::from_str(&text).expect("the corpus is a JSON object");
    map.into_iter().collect()
}

/// Numbers below the bound each call is given, the same on every run (a
/// linear congruential sequence), for inputs every run builds alike.
pub fn sequence() -> impl FnMut(usize) -> usize {
    let mut seed: u64 = 0x5eed;
    move |n| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    }
}

/// Every role's trust policy, URL-encoded as the IAM API returns it.
const TRUST: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";

/// A deterministic export: role i has a trust policy and holds corpus documents chosen by a simple
/// linear congruential sequence, so every run lints the same account.
pub fn export(corpus: &[(String, Value)]) -> Value {
    let mut next = sequence();
    let policies: Vec<Value> = corpus
        .iter()
        .map(|(name, document)| {
            json!({
                "PolicyName": name, "Arn": format!("arn:aws:iam::aws:policy/{name}"),
                "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": true,
                "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": true}]
            })
        })
        .collect();
    let roles: Vec<Value> = (0..roles())
        .map(|i| {
            let inline: Vec<Value> = (0..2)
                .map(|k| json!({"PolicyName": format!("inline-{k}"), "PolicyDocument": corpus[next(corpus.len())].1}))
                .collect();
            let attached: Vec<Value> = (0..2)
                .map(|_| {
                    let name = &corpus[next(corpus.len())].0;
                    json!({"PolicyName": name, "PolicyArn": format!("arn:aws:iam::aws:policy/{name}")})
                })
                .collect();
            json!({
                "RoleName": format!("role-{i}"), "Arn": format!("arn:aws:iam::123456789012:role/role-{i}"),
                "CreateDate": "2024-01-10T00:00:00Z",
                "RoleLastUsed": {"LastUsedDate": "2026-11-18T10:00:00Z", "Region": "eu-west-1"},
                "AssumeRolePolicyDocument": TRUST,
                "RolePolicyList": inline, "AttachedManagedPolicies": attached
            })
        })
        .collect();
    json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles, "Policies": policies})
}
