//! The generated account the benchmarks share: a deterministic
//! `get-account-authorization-details` export of many roles whose policies are
//! drawn from the ~1,600 AWS managed policies of `testdata/corpus/`.

// Each benchmark uses a part of it.
#![allow(dead_code)]

pub mod statements;

use std::collections::BTreeMap;
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
    export_of(corpus, roles())
}

/// [`export`] with `count` roles.
pub fn export_of(corpus: &[(String, Value)], count: usize) -> Value {
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
    let roles: Vec<Value> = (0..count)
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

const RECENT: &str = "2026-11-18T09:00:00Z";
const OLD: &str = "2026-03-01T09:00:00Z";

/// Every action named (without wildcards) per service prefix, in `document`.
fn named_actions(document: &Value, out: &mut BTreeMap<String, Vec<String>>) {
    let statements = match &document["Statement"] {
        Value::Array(items) => items.clone(),
        single => vec![single.clone()],
    };
    for statement in statements {
        let actions = match &statement["Action"] {
            Value::String(a) => vec![a.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        for action in actions {
            if let Some((service, name)) = action.split_once(':') {
                let names = out.entry(service.to_ascii_lowercase()).or_default();
                if !name.contains(['*', '?']) {
                    names.push(name.to_owned());
                }
            }
        }
    }
}

/// The export as a `whittle.snapshot/v1` document with one action-level
/// report per role: each service its policies name is used (3 in 5) or not;
/// in a used service, every other named action was used inside the window,
/// the rest long ago or never.
pub fn snapshot_json(corpus: &[(String, Value)]) -> Value {
    snapshot_of(corpus, roles())
}

/// [`snapshot_json`] with `count` roles.
pub fn snapshot_of(corpus: &[(String, Value)], count: usize) -> Value {
    let details = export_of(corpus, count);
    let documents: BTreeMap<&str, &Value> = corpus.iter().map(|(n, d)| (n.as_str(), d)).collect();
    let mut seed: u64 = 0xbeef;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut reports = Vec::new();
    for role in details["RoleDetailList"].as_array().expect("roles") {
        let mut services = BTreeMap::new();
        for inline in role["RolePolicyList"].as_array().expect("inline policies") {
            named_actions(&inline["PolicyDocument"], &mut services);
        }
        for attached in role["AttachedManagedPolicies"]
            .as_array()
            .expect("attached")
        {
            let name = attached["PolicyName"].as_str().expect("a name");
            named_actions(documents[name], &mut services);
        }
        let arn = role["Arn"].as_str().expect("an ARN");
        let entries: Vec<Value> = services
            .iter()
            .map(|(service, names)| {
                let mut entry = json!({"ServiceName": service, "ServiceNamespace": service,
                    "TotalAuthenticatedEntities": 0});
                if next(5) < 3 {
                    entry["LastAuthenticated"] = json!(RECENT);
                    entry["LastAuthenticatedEntity"] = json!(arn);
                    entry["TotalAuthenticatedEntities"] = json!(1);
                    let tracked: Vec<Value> = names
                        .iter()
                        .enumerate()
                        .map(|(i, name)| match (i % 2, next(2)) {
                            (0, _) => json!({"ActionName": name, "LastAccessedTime": RECENT}),
                            (_, 0) => json!({"ActionName": name, "LastAccessedTime": OLD}),
                            _ => json!({"ActionName": name}),
                        })
                        .collect();
                    entry["TrackedActionsLastAccessed"] = json!(tracked);
                }
                entry
            })
            .collect();
        reports.push(json!({
            "arn": arn, "kind": "role", "job_id": format!("job-{arn}"),
            "last_accessed": {"JobStatus": "COMPLETED", "JobType": "ACTION_LEVEL",
                "JobCreationDate": "2026-11-19T05:59:00Z", "JobCompletionDate": "2026-11-19T06:00:00Z",
                "ServicesLastAccessed": entries},
            "api_calls": 3
        }));
    }
    json!({
        "schema": "whittle.snapshot/v1", "account_id": "123456789012",
        "fetched_at": "2026-11-19T06:10:00Z", "complete": true,
        "tool": {"name": "whittle", "version": "bench", "catalog": null},
        "source": {"kind": "import", "files": ["generated"]},
        "authorization_details": details, "reports": reports, "errors": [],
        "stats": {"api_calls": 0, "calls_by_operation": {}, "wall_time_ms": 0, "reused_reports": 0}
    })
}
