//! Generated policy documents of many statements, for the benchmarks and the
//! tests that bound the lint's work per statement: one of distinct statements
//! drawn from the catalog (each a few actions of one service, on the ARNs of
//! their resource types or `*`, some Deny, some conditional, some with a
//! wildcard) and one of a single statement repeated.

use serde_json::{Value, json};
use whittle_policy::Catalog;

/// Statements per generated document; `WHITTLE_BENCH_STATEMENTS` overrides it
/// (to measure code too slow for 10,000).
pub fn statements() -> usize {
    std::env::var("WHITTLE_BENCH_STATEMENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

/// A document of `n` distinct statements, the same for every run
/// ([`super::sequence`] picks services, actions and resources).
pub fn distinct(catalog: &Catalog, n: usize) -> Value {
    let mut next = super::sequence();
    let services: Vec<_> = catalog
        .services()
        .iter()
        .filter(|s| !catalog.service_actions(s).is_empty())
        .collect();
    let statements: Vec<Value> = (0..n)
        .map(|i| {
            let chosen = services[next(services.len())];
            let (service, all) = (&chosen.record, catalog.service_actions(chosen));
            let actions: Vec<_> = (0..1 + next(4))
                .map(|_| &all[next(all.len())].record)
                .collect();
            let mut names: Vec<String> = actions
                .iter()
                .map(|a| format!("{}:{}", service.prefix, a.name))
                .collect();
            if next(8) == 0 {
                // A wildcard over the actions sharing the first one's first letters.
                let cut = (service.prefix.len() + 4).min(names[0].len());
                names[0] = format!("{}*", &names[0][..cut]);
            }
            let mut resources: Vec<String> = actions
                .iter()
                .filter_map(|a| {
                    a.resources.iter().find_map(|r| {
                        let kind = service.resources.iter().find(|t| t.resource_type == r.resource_type)?;
                        Some(fill(kind.arns.first()?, i))
                    })
                })
                .collect();
            resources.sort();
            resources.dedup();
            let resource = if resources.is_empty() {
                json!("*")
            } else {
                json!(resources)
            };
            let effect = if next(10) == 0 { "Deny" } else { "Allow" };
            let mut statement = json!({"Sid": format!("S{i}"), "Effect": effect, "Action": names, "Resource": resource});
            if next(10) == 0 {
                statement["Condition"] =
                    json!({"IpAddress": {"aws:SourceIp": format!("10.{}.0.0/16", i % 256)}});
            }
            statement
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// A document of one statement written `n` times.
pub fn identical(n: usize) -> Value {
    let statement = json!({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::bucket/*"});
    json!({"Version": "2012-10-17", "Statement": vec![statement; n]})
}

/// An ARN format with its variables filled in: the partition, Region and
/// account fixed, every other name numbered by the statement.
fn fill(format: &str, i: usize) -> String {
    let mut out = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        match &rest[start + 2..start + end] {
            "Partition" => out.push_str("aws"),
            "Region" => out.push_str("us-east-1"),
            "Account" => out.push_str("123456789012"),
            _ => out.push_str(&format!("r{i}")),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}
