//! A generated account for the recommender's invariants and its measured
//! reduction: roles, users and groups holding real AWS managed policy bodies
//! (`testdata/corpus/`), shared customer managed policies (one with IAM's five
//! versions) and inline policies, with action-level last-accessed reports shaped
//! as IAM returns them: every service the principal's policies grant is listed,
//! some used inside the window and some not, and in services IAM tracks at
//! action level, each granted tracked action used or not.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use whittle_model::Snapshot;
use whittle_policy::Catalog;
use whittle_policy::catalog::ActionId;
use whittle_policy::expand::Expander;

/// The time the generated account is judged as of.
pub const AS_OF: &str = "2026-11-20T00:00:00Z";
const RECENT: &str = "2026-11-18T09:00:00Z";
const OLD: &str = "2026-03-01T09:00:00Z";
const ACCOUNT: &str = "arn:aws:iam::123456789012";

/// A deterministic sequence (SplitMix64).
pub struct Rng(u64);

impl Rng {
    /// The sequence of `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The benchmarks' generated account, for its corpus reader.
#[path = "../../benches/support/mod.rs"]
mod bench;

/// The AWS managed policies of `testdata/corpus/`: (name, document), sorted;
/// read once.
pub fn corpus() -> &'static [(String, Value)] {
    static CORPUS: std::sync::OnceLock<Vec<(String, Value)>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(bench::corpus)
}

/// How big an account to generate.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Roles.
    pub roles: usize,
    /// Users.
    pub users: usize,
    /// Groups.
    pub groups: usize,
    /// AWS managed policies attached across the account (a pool shared by
    /// many principals).
    pub pool: usize,
    /// Customer managed policies, each shared by several principals.
    pub customer: usize,
}

impl Shape {
    /// A real-shaped account of `roles` roles, a fifth as many users.
    pub fn of(roles: usize) -> Self {
        Self {
            roles,
            users: roles / 5,
            groups: (roles / 50).max(2),
            pool: 60,
            customer: (roles / 25).max(3),
        }
    }
}

/// Corpus documents of a size found attached in real accounts: granting
/// between 3 and 400 actions, with no NotAction (those are admin-like).
fn attachable(corpus: &[(String, Value)], expander: &Expander<'_>) -> &'static [usize] {
    static ATTACHABLE: std::sync::OnceLock<Vec<usize>> = std::sync::OnceLock::new();
    ATTACHABLE.get_or_init(|| {
        corpus
            .iter()
            .enumerate()
            .filter(|(_, (_, document))| {
                let text = document.to_string();
                if text.contains("NotAction") {
                    return false;
                }
                let granted = granted(document, expander).len();
                (3..=400).contains(&granted)
            })
            .map(|(i, _)| i)
            .collect()
    })
}

/// The actions a document's Allow statements grant.
pub fn granted(document: &Value, expander: &Expander<'_>) -> BTreeSet<ActionId> {
    whittle_analysis::recommend::grants(document, expander, "")
        .into_iter()
        .flat_map(|g| g.actions.iter().collect::<Vec<_>>())
        .collect()
}

/// A generated snapshot of `shape`, the same for the same `seed`.
pub fn generate(shape: Shape, seed: u64, catalog: &Catalog) -> Snapshot {
    let expander = Expander::new(catalog);
    let corpus = corpus();
    let mut rng = Rng::new(seed);
    let fit = attachable(corpus, &expander);
    let pool: Vec<usize> = (0..shape.pool).map(|_| *rng.pick(fit)).collect();
    let aws_arn = |i: usize| format!("arn:aws:iam::aws:policy/{}", corpus[i].0);
    let mut policies: BTreeSet<usize> = BTreeSet::new();
    let attach = |i: usize, policies: &mut BTreeSet<usize>| {
        policies.insert(i);
        json!({"PolicyName": corpus[i].0, "PolicyArn": aws_arn(i)})
    };
    // Customer managed policies: real bodies under team names; the first has
    // IAM's five versions.
    let customer: Vec<(String, usize)> = (0..shape.customer)
        .map(|k| (format!("team-{k}"), *rng.pick(fit)))
        .collect();
    let customer_ref = |k: usize| json!({"PolicyName": customer[k].0, "PolicyArn": format!("{ACCOUNT}:policy/{}", customer[k].0)});
    let mut held: Vec<(String, Vec<Value>)> = Vec::new();
    let mut group_docs: Vec<Vec<Value>> = Vec::new();
    let mut groups = Vec::new();
    for g in 0..shape.groups {
        let mut attached = vec![attach(*rng.pick(&pool), &mut policies)];
        if rng.chance(50) {
            attached.push(customer_ref(rng.below(customer.len())));
        }
        let inline: Vec<Value> = (0..usize::from(rng.chance(50)))
            .map(|_| json!({"PolicyName": format!("group-{g}-inline"), "PolicyDocument": corpus[*rng.pick(fit)].1}))
            .collect();
        let mut docs: Vec<Value> = inline.iter().map(|p| p["PolicyDocument"].clone()).collect();
        docs.extend(attached.iter().cloned());
        group_docs.push(docs);
        groups.push(json!({
            "GroupName": format!("group-{g}"), "GroupId": format!("AGPA{g:016}"),
            "Arn": format!("{ACCOUNT}:group/group-{g}"), "Path": "/",
            "CreateDate": "2024-01-10T00:00:00Z",
            "GroupPolicyList": inline, "AttachedManagedPolicies": attached
        }));
    }
    let entity = |kind: &str, i: usize, rng: &mut Rng, policies: &mut BTreeSet<usize>| {
        let mut attached: Vec<Value> = (0..1 + rng.below(3))
            .map(|_| attach(*rng.pick(&pool), policies))
            .collect();
        attached.dedup_by(|a, b| a["PolicyArn"] == b["PolicyArn"]);
        if rng.chance(40) {
            attached.push(customer_ref(rng.below(customer.len())));
        }
        let inline: Vec<Value> = (0..usize::from(rng.chance(60)))
            .map(|_| json!({"PolicyName": format!("{kind}-{i}-inline"), "PolicyDocument": corpus[*rng.pick(fit)].1}))
            .collect();
        (attached, inline)
    };
    let mut roles = Vec::new();
    for i in 0..shape.roles {
        let (attached, inline) = entity("role", i, &mut rng, &mut policies);
        let arn = format!("{ACCOUNT}:role/service/role-{i}");
        let mut docs: Vec<Value> = inline.iter().map(|p| p["PolicyDocument"].clone()).collect();
        docs.extend(attached.iter().cloned());
        held.push((arn.clone(), docs));
        // One role in twenty is too new to judge.
        let created = if rng.chance(5) {
            "2026-11-01T00:00:00Z"
        } else {
            "2024-01-10T00:00:00Z"
        };
        roles.push(json!({
            "RoleName": format!("role-{i}"), "RoleId": format!("AROA{i:016}"), "Arn": arn,
            "Path": "/service/", "CreateDate": created,
            "RoleLastUsed": {"LastUsedDate": RECENT, "Region": "eu-west-1"},
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "RolePolicyList": inline, "AttachedManagedPolicies": attached
        }));
    }
    let mut users = Vec::new();
    for i in 0..shape.users {
        let (mut attached, inline) = entity("user", i, &mut rng, &mut policies);
        attached.truncate(usize::from(rng.chance(30)));
        let arn = format!("{ACCOUNT}:user/user-{i}");
        let member: BTreeSet<usize> = (0..1 + rng.below(2))
            .map(|_| rng.below(shape.groups))
            .collect();
        let mut docs: Vec<Value> = inline.iter().map(|p| p["PolicyDocument"].clone()).collect();
        docs.extend(attached.iter().cloned());
        for g in &member {
            docs.extend(group_docs[*g].iter().cloned());
        }
        held.push((arn.clone(), docs));
        users.push(json!({
            "UserName": format!("user-{i}"), "UserId": format!("AIDA{i:016}"), "Arn": arn,
            "Path": "/", "CreateDate": "2024-01-10T00:00:00Z",
            "GroupList": member.iter().map(|g| format!("group-{g}")).collect::<Vec<_>>(),
            "UserPolicyList": inline, "AttachedManagedPolicies": attached
        }));
    }
    let mut managed: Vec<Value> = policies
        .iter()
        .map(|&i| {
            json!({
                "PolicyName": corpus[i].0, "PolicyId": format!("ANPA{i:016}"), "Arn": aws_arn(i),
                "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": true,
                "CreateDate": "2020-01-01T00:00:00Z",
                "PolicyVersionList": [{"Document": corpus[i].1, "VersionId": "v1", "IsDefaultVersion": true,
                                       "CreateDate": "2020-01-01T00:00:00Z"}]
            })
        })
        .collect();
    for (k, (name, body)) in customer.iter().enumerate() {
        let versions = if k == 0 { 5 } else { 1 };
        let list: Vec<Value> = (1..=versions)
            .map(|v| {
                let document = if v == versions {
                    corpus[*body].1.clone()
                } else {
                    corpus[*rng.pick(fit)].1.clone()
                };
                json!({"Document": document, "VersionId": format!("v{v}"), "IsDefaultVersion": v == versions,
                       "CreateDate": format!("2025-0{v}-01T00:00:00Z")})
            })
            .collect();
        managed.push(json!({
            "PolicyName": name, "PolicyId": format!("ANPC{k:016}"), "Arn": format!("{ACCOUNT}:policy/{name}"),
            "Path": "/", "DefaultVersionId": format!("v{versions}"), "AttachmentCount": 1,
            "IsAttachable": true, "CreateDate": "2025-01-01T00:00:00Z", "PolicyVersionList": list
        }));
    }
    let documents = |reference: &Value| -> Value {
        match reference.get("PolicyArn").and_then(Value::as_str) {
            Some(arn) => managed
                .iter()
                .find(|p| p["Arn"] == arn)
                .and_then(|p| {
                    let default = p["DefaultVersionId"].clone();
                    p["PolicyVersionList"]
                        .as_array()?
                        .iter()
                        .find(|v| v["VersionId"] == default)
                        .map(|v| v["Document"].clone())
                })
                .unwrap_or(Value::Null),
            None => reference.clone(),
        }
    };
    let mut reports = Vec::new();
    for (arn, docs) in &held {
        // One principal in twenty has no report.
        if rng.chance(5) {
            continue;
        }
        let mut granted_ids = BTreeSet::new();
        for reference in docs {
            granted_ids.extend(granted(&documents(reference), &expander));
        }
        reports.push(report(arn, &granted_ids, catalog, &mut rng));
    }
    serde_json::from_value(json!({
        "schema": "whittle.snapshot/v1", "account_id": "123456789012",
        "fetched_at": "2026-11-19T06:10:00Z", "complete": true,
        "tool": {"name": "whittle", "version": "test", "catalog": null},
        "source": {"kind": "import", "files": ["generated"]},
        "authorization_details": {"UserDetailList": users, "GroupDetailList": groups,
                                  "RoleDetailList": roles, "Policies": managed},
        "reports": reports, "errors": [],
        "stats": {"api_calls": 0, "calls_by_operation": {}, "wall_time_ms": 0, "reused_reports": 0}
    }))
    .expect("the generated snapshot has the snapshot's shape")
}

/// An action-level report for `arn` as IAM returns one: every granted service
/// listed; a third of them used inside the window; in a used service, each
/// granted action IAM tracks used (one in three), used long ago, or never.
fn report(arn: &str, granted: &BTreeSet<ActionId>, catalog: &Catalog, rng: &mut Rng) -> Value {
    let mut services: Vec<usize> = granted
        .iter()
        .map(|id| catalog.action(*id).service)
        .collect();
    services.dedup();
    let services: BTreeSet<usize> = services.into_iter().collect();
    let entries: Vec<Value> = services
        .into_iter()
        .map(|s| {
            let service = &catalog.services()[s];
            let prefix = &service.record.prefix;
            let mut entry = json!({"ServiceName": prefix, "ServiceNamespace": prefix,
                                   "TotalAuthenticatedEntities": 0});
            let tracked: Vec<ActionId> = service
                .actions
                .clone()
                .map(ActionId)
                .filter(|id| catalog.action(*id).record.tracked == Some(true))
                .collect();
            match rng.below(3) {
                0 => {
                    entry["LastAuthenticated"] = json!(RECENT);
                    entry["LastAuthenticatedEntity"] = json!(arn);
                    entry["TotalAuthenticatedEntities"] = json!(1);
                    if !tracked.is_empty() {
                        let actions: Vec<Value> = tracked
                            .iter()
                            .filter(|id| granted.contains(id))
                            .map(|id| {
                                let name = &catalog.action(*id).record.name;
                                match rng.below(3) {
                                    0 => json!({"ActionName": name, "LastAccessedTime": RECENT,
                                                "LastAccessedEntity": arn, "LastAccessedRegion": "eu-west-1"}),
                                    1 => json!({"ActionName": name, "LastAccessedTime": OLD,
                                                "LastAccessedEntity": arn, "LastAccessedRegion": "eu-west-1"}),
                                    _ => json!({"ActionName": name}),
                                }
                            })
                            .collect();
                        entry["TrackedActionsLastAccessed"] = json!(actions);
                    }
                }
                1 => {
                    entry["LastAuthenticated"] = json!(OLD);
                    entry["LastAuthenticatedEntity"] = json!(arn);
                    entry["TotalAuthenticatedEntities"] = json!(1);
                }
                _ => {}
            }
            entry
        })
        .collect();
    json!({
        "arn": arn, "kind": if arn.contains(":role/") { "role" } else { "user" },
        "job_id": format!("job-{arn}"),
        "last_accessed": {"JobStatus": "COMPLETED", "JobType": "ACTION_LEVEL",
            "JobCreationDate": "2026-11-19T05:59:00Z", "JobCompletionDate": "2026-11-19T06:00:00Z",
            "ServicesLastAccessed": entries},
        "api_calls": 3
    })
}
