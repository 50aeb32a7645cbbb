//! Recommends trimmed policies for a generated snapshot of 10,000 roles (the
//! export of `support`, each role with an action-level last-accessed report in
//! AWS's shape covering the services its policies name, some used and some
//! not), and reports roles per second.
//!
//! Run with `cargo bench -p whittle-analysis --bench recommend`.

// criterion_group! and criterion_main! define undocumented public items.
#![allow(missing_docs)]

mod support;

use std::collections::BTreeMap;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use support::{corpus, export, roles};
use whittle_analysis::recommend::{RecommendOptions, recommend};
use whittle_model::Snapshot;
use whittle_policy::Catalog;

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

/// The export as a snapshot with one report per role: each service its policies
/// name is used (3 in 5) or not; in a used service, every other named action
/// was used inside the window, the rest long ago or never.
fn snapshot() -> Snapshot {
    let corpus = corpus();
    let details = export(&corpus);
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
    serde_json::from_value(json!({
        "schema": "whittle.snapshot/v1", "account_id": "123456789012",
        "fetched_at": "2026-11-19T06:10:00Z", "complete": true,
        "tool": {"name": "whittle", "version": "bench", "catalog": null},
        "source": {"kind": "import", "files": ["generated"]},
        "authorization_details": details, "reports": reports, "errors": [],
        "stats": {"api_calls": 0, "calls_by_operation": {}, "wall_time_ms": 0, "reused_reports": 0}
    }))
    .expect("the generated snapshot has the snapshot's shape")
}

fn recommend_account(c: &mut Criterion) {
    let snapshot = snapshot();
    let catalog = Catalog::embedded();
    let options = RecommendOptions {
        as_of: "2026-11-20T00:00:00Z".parse().expect("a timestamp"),
        ..RecommendOptions::default()
    };
    let run = || recommend(&snapshot, catalog, &options).expect("the snapshot is recent enough");
    let start = std::time::Instant::now();
    let all = run();
    let elapsed = start.elapsed();
    let removed: usize = all.recommendations.iter().map(|r| r.removed.len()).sum();
    println!(
        "recommended for {} roles ({} reports) in {:.2} s: {:.0} roles per second ({} policies to trim or detach, {removed} action grants removed)",
        snapshot.authorization_details.role_detail_list.len(),
        snapshot.reports.len(),
        elapsed.as_secs_f64(),
        snapshot.reports.len() as f64 / elapsed.as_secs_f64(),
        all.recommendations.len(),
    );
    let mut group = c.benchmark_group("recommend");
    group.sample_size(10);
    group.bench_function(format!("{}-roles", roles()), |b| b.iter(run));
    group.finish();
}

criterion_group!(benches, recommend_account);
criterion_main!(benches);
