//! The recommender's strategies against their invariants, on generated
//! accounts and on the demo: a plan, simulated on the snapshot, never grants a
//! principal an action it did not have, keeps every action used or unknown and
//! every Deny statement and boundary, and running the recommender again on the
//! result proposes nothing. And how much of the unused access each strategy
//! removes (printed with `--nocapture`).

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::account::{AS_OF, Shape, generate, granted};
use whittle_analysis::recommend::{
    PlanOptions, RecommendOptions, Strategy, UsageIndex, plan, recommend,
};
use whittle_model::{AuthorizationDetails, Snapshot, Tool, simulate};
use whittle_policy::Catalog;
use whittle_policy::catalog::ActionId;
use whittle_policy::expand::Expander;

fn options(strategy: Strategy) -> RecommendOptions {
    RecommendOptions {
        as_of: AS_OF.parse().unwrap(),
        strategy,
        ..RecommendOptions::default()
    }
}

fn plan_options() -> PlanOptions {
    PlanOptions::new(Tool {
        name: "whittle".into(),
        version: "test".into(),
        catalog: None,
    })
}

/// Every document a user or role holds, its own and its groups', and its
/// permissions boundary's ARN.
fn held(details: &AuthorizationDetails, arn: &str) -> (Vec<Value>, Option<String>) {
    let managed = |arn: &str| {
        details
            .policies
            .iter()
            .find(|p| p.arn == arn)
            .and_then(|p| p.default_version())
            .map(|v| v.document.clone())
    };
    let mut documents = Vec::new();
    let mut own = |inline: &[whittle_model::PolicyDetail],
                   attached: &[whittle_model::AttachedPolicy]| {
        documents.extend(inline.iter().map(|p| p.policy_document.clone()));
        documents.extend(attached.iter().filter_map(|a| managed(&a.policy_arn)));
    };
    if let Some(user) = details.user_detail_list.iter().find(|u| u.arn == arn) {
        own(&user.user_policy_list, &user.attached_managed_policies);
        for name in &user.group_list {
            if let Some(group) = details
                .group_detail_list
                .iter()
                .find(|g| &g.group_name == name)
            {
                own(&group.group_policy_list, &group.attached_managed_policies);
            }
        }
        let boundary = user
            .permissions_boundary
            .as_ref()
            .map(|b| b.permissions_boundary_arn.clone());
        return (documents, boundary);
    }
    let role = details
        .role_detail_list
        .iter()
        .find(|r| r.arn == arn)
        .expect("a user or role");
    own(&role.role_policy_list, &role.attached_managed_policies);
    let boundary = role
        .permissions_boundary
        .as_ref()
        .map(|b| b.permissions_boundary_arn.clone());
    (documents, boundary)
}

fn statements(document: &Value) -> Vec<Value> {
    match &document["Statement"] {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        single => vec![single.clone()],
    }
}

/// A statement without its Action/NotAction: what an Allow keeps when trimmed.
fn context(statement: &Value) -> Value {
    let mut out = statement.clone();
    if let Value::Object(fields) = &mut out {
        fields.remove("Action");
        fields.remove("NotAction");
        fields.remove("Sid");
    }
    out
}

/// What a run of the strategy found, over every principal with usable data.
#[derive(Debug, Default)]
struct Measured {
    principals: usize,
    unused: usize,
    removed: usize,
    steps: usize,
    violations: Vec<String>,
}

/// Recommends, plans and simulates the plan on `snapshot`; checks every
/// invariant and measures what was removed.
fn check(snapshot: &Snapshot, strategy: Strategy, catalog: &Catalog) -> Measured {
    let expander = Expander::new(catalog);
    let options = options(strategy);
    let all = recommend(snapshot, catalog, &options).unwrap();
    let planned = plan(&all, snapshot, &plan_options());
    let before = &snapshot.authorization_details;
    let at = "2026-01-01T00:00:00Z".parse().unwrap();
    let after = simulate(before, &planned.plan, at).unwrap_or_else(|e| panic!("{e}"));
    let window_start = all.window_start;
    let mut measured = Measured {
        steps: planned.plan.steps.len(),
        ..Measured::default()
    };
    let mut violation = |text: String| measured.violations.push(text);
    let mut counts = (0, 0, 0);
    for summary in &all.principals {
        let arn = summary.arn.as_str();
        let (old, old_boundary) = held(before, arn);
        let (new, new_boundary) = held(&after, arn);
        if old_boundary != new_boundary {
            violation(format!("{arn}: boundary changed"));
        }
        let grant = |docs: &[Value]| -> BTreeSet<ActionId> {
            docs.iter().flat_map(|d| granted(d, &expander)).collect()
        };
        let (was, now) = (grant(&old), grant(&new));
        if let Some(extra) = now.difference(&was).next() {
            violation(format!(
                "{arn}: newly allowed {}",
                catalog.action(*extra).qualified_name
            ));
        }
        // Every Deny statement stays; every Allow statement is an original's
        // Resource, NotResource and Condition with fewer actions.
        let old_statements: Vec<Value> = old.iter().flat_map(statements).collect();
        let new_statements: Vec<Value> = new.iter().flat_map(statements).collect();
        for deny in old_statements.iter().filter(|s| s["Effect"] == "Deny") {
            if !new_statements.contains(deny) {
                violation(format!("{arn}: lost Deny {deny}"));
            }
        }
        for allow in new_statements.iter().filter(|s| s["Effect"] == "Allow") {
            let wanted = granted(&serde_json::json!({"Statement": [allow]}), &expander);
            let covered = old_statements.iter().any(|o| {
                o["Effect"] == "Allow"
                    && context(o) == context(allow)
                    && wanted.is_subset(&granted(&serde_json::json!({"Statement": [o]}), &expander))
            });
            if !covered {
                violation(format!(
                    "{arn}: an Allow not within any original statement: {allow}"
                ));
            }
        }
        let report = snapshot
            .report(arn)
            .filter(|_| summary.status == whittle_analysis::recommend::PrincipalStatus::Analysed);
        let Some(report) = report else {
            if was != now {
                violation(format!(
                    "{arn}: changed without usable data ({})",
                    summary.status.as_str()
                ));
            }
            continue;
        };
        let index = UsageIndex::new(report, window_start);
        counts.0 += 1;
        for id in &was {
            let usage = index.classify(catalog, *id);
            if usage.is_unused() {
                counts.1 += 1;
                counts.2 += usize::from(!now.contains(id));
            } else if !now.contains(id) {
                violation(format!(
                    "{arn}: lost {} ({usage:?})",
                    catalog.action(*id).qualified_name
                ));
            }
        }
    }
    (measured.principals, measured.unused, measured.removed) = counts;
    // Idempotent: the recommender proposes nothing more for the result.
    let mut applied = snapshot.clone();
    applied.authorization_details = after;
    let again = recommend(&applied, catalog, &options).unwrap();
    let replanned = plan(&again, &applied, &plan_options());
    if !replanned.plan.steps.is_empty() {
        let ids: Vec<&str> = replanned.plan.steps.iter().map(|s| s.id.as_str()).collect();
        measured
            .violations
            .push(format!("not idempotent: a second run plans {ids:?}"));
    }
    measured
}

fn percent(m: &Measured) -> f64 {
    if m.unused == 0 {
        100.0
    } else {
        m.removed as f64 * 100.0 / m.unused as f64
    }
}

#[test]
fn on_a_generated_500_role_account_auto_removes_at_least_90_percent_of_unused_actions() {
    let catalog = Catalog::embedded();
    let snapshot = generate(Shape::of(500), 0x5eed, catalog);
    for strategy in [Strategy::InPlace, Strategy::PerPrincipal, Strategy::Auto] {
        let m = check(&snapshot, strategy, catalog);
        println!(
            "500 roles, {} users, --strategy {}: {} of {} unused actions removed ({:.1}%) over {} principals with data, {} steps, {} invariant violations",
            snapshot.authorization_details.user_detail_list.len(),
            strategy.as_str(),
            m.removed,
            m.unused,
            percent(&m),
            m.principals,
            m.steps,
            m.violations.len()
        );
        assert!(
            m.violations.is_empty(),
            "{}: {:#?}",
            strategy.as_str(),
            &m.violations[..m.violations.len().min(20)]
        );
        if strategy == Strategy::Auto {
            assert!(percent(&m) >= 90.0, "auto removed only {:.1}%", percent(&m));
        }
    }
}

#[test]
fn on_the_demo_every_strategy_keeps_the_invariants() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/recommend/account.json"
    );
    let snapshot = Snapshot::read(std::path::Path::new(path)).unwrap();
    let catalog = Catalog::embedded();
    for strategy in [Strategy::InPlace, Strategy::PerPrincipal, Strategy::Auto] {
        let m = check(&snapshot, strategy, catalog);
        println!(
            "demo, --strategy {}: {} of {} unused actions removed ({:.1}%), {} steps",
            strategy.as_str(),
            m.removed,
            m.unused,
            percent(&m),
            m.steps
        );
        assert!(
            m.violations.is_empty(),
            "{}: {:#?}",
            strategy.as_str(),
            m.violations
        );
        if strategy == Strategy::Auto {
            assert!(percent(&m) >= 90.0, "auto removed only {:.1}%", percent(&m));
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]
    /// Small generated accounts of every shape: the invariants hold for every
    /// strategy.
    #[test]
    fn generated_accounts_keep_the_invariants(seed in proptest::num::u64::ANY, roles in 2usize..12, users in 1usize..6, groups in 1usize..3) {
        let catalog = Catalog::embedded();
        let shape = Shape { roles, users, groups, pool: 6, customer: 2 };
        let snapshot = generate(shape, seed, catalog);
        for strategy in [Strategy::InPlace, Strategy::PerPrincipal, Strategy::Auto] {
            let m = check(&snapshot, strategy, catalog);
            proptest::prop_assert!(m.violations.is_empty(), "{}: {:#?}", strategy.as_str(), m.violations);
        }
    }
}
