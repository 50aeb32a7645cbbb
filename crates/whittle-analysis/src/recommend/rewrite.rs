//! Reading what each statement of a JSON policy document allows, and writing
//! the smaller document: statement order, Sids, key order and every element
//! other than Action are kept, so that the diff shows only what changed.

use serde_json::{Map, Value};

use whittle_policy::ActionSet;
use whittle_policy::catalog::Catalog;
use whittle_policy::expand::Expander;

/// What one Allow statement grants, or why it is left alone.
#[derive(Debug, Clone)]
pub struct StatementGrant {
    /// The statement's Sid, if any.
    pub sid: Option<String>,
    /// The actions it allows (empty for statements left alone).
    pub actions: ActionSet,
    /// True for statements that are never changed: Deny, no Action element,
    /// or an opt-out Sid.
    pub fixed: bool,
    /// True when the statement opted out by its Sid.
    pub opted_out: bool,
}

/// The statements of a document: `Statement` as an array or a single object.
pub fn statements(document: &Value) -> Vec<&Value> {
    match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(statement @ Value::Object(_)) => vec![statement],
        _ => Vec::new(),
    }
}

/// The strings of an Action-like element (a string or an array of strings).
fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// What each statement of `document` grants.
pub fn grants(
    document: &Value,
    expander: &Expander<'_>,
    keep_sid_prefix: &str,
) -> Vec<StatementGrant> {
    let len = expander.catalog().len();
    statements(document)
        .into_iter()
        .map(|statement| {
            let sid = statement
                .get("Sid")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let opted_out = !keep_sid_prefix.is_empty()
                && sid
                    .as_deref()
                    .is_some_and(|s| s.starts_with(keep_sid_prefix));
            let allow = statement.get("Effect").and_then(Value::as_str) == Some("Allow");
            let (action, not_action) = (statement.get("Action"), statement.get("NotAction"));
            let actions = match (action, not_action) {
                (Some(a), None) => expander.expand_all(strings(a)),
                (None, Some(n)) => expander.expand_all(strings(n)).complement(),
                _ => ActionSet::empty(len),
            };
            let fixed = !allow || opted_out || actions.is_empty();
            StatementGrant {
                sid,
                actions: if fixed && !opted_out {
                    ActionSet::empty(len)
                } else {
                    actions
                },
                fixed,
                opted_out,
            }
        })
        .collect()
}

/// The document without the actions of `removed` (except in fixed
/// statements); `None` when no statement is left.
pub fn rewrite(
    document: &Value,
    grants: &[StatementGrant],
    removed: &ActionSet,
    expander: &Expander<'_>,
) -> Option<Value> {
    let originals = statements(document);
    let mut kept = Vec::new();
    for (statement, grant) in originals.into_iter().zip(grants) {
        if grant.fixed {
            kept.push(statement.clone());
            continue;
        }
        let mut wanted = grant.actions.clone();
        wanted.subtract(removed);
        if wanted.is_empty() {
            continue;
        }
        if wanted == grant.actions {
            kept.push(statement.clone());
            continue;
        }
        kept.push(rewrite_statement(statement, &wanted, expander));
    }
    if kept.is_empty() {
        return None;
    }
    let mut out = document.clone();
    out["Statement"] = match document.get("Statement") {
        Some(Value::Object(_)) if kept.len() == 1 => kept.pop().expect("one statement"),
        _ => Value::Array(kept),
    };
    Some(out)
}

/// One statement allowing exactly `wanted`.
fn rewrite_statement(statement: &Value, wanted: &ActionSet, expander: &Expander<'_>) -> Value {
    let catalog = expander.catalog();
    let Value::Object(fields) = statement else {
        return statement.clone();
    };
    let mut out = Map::new();
    for (key, value) in fields {
        match key.as_str() {
            "Action" => {
                out.insert(key.clone(), narrowed(value, wanted, expander));
            }
            // NotAction becomes the explicit actions still wanted, in its place.
            "NotAction" => {
                out.insert("Action".to_owned(), listed(by_service(wanted, catalog)));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

/// An Action element keeping each pattern whose every action is still wanted,
/// then the other wanted actions by name, sorted.
fn narrowed(value: &Value, wanted: &ActionSet, expander: &Expander<'_>) -> Value {
    let catalog = expander.catalog();
    let mut covered = ActionSet::empty(catalog.len());
    let mut values: Vec<String> = Vec::new();
    for pattern in strings(value) {
        let set = expander.expand(pattern);
        // Patterns that match no known action grant nothing whittle can judge.
        if set.is_empty() || set.is_subset(wanted) {
            values.push(pattern.to_owned());
            covered.union_with(&set);
        }
    }
    let mut rest = wanted.clone();
    rest.subtract(&covered);
    let mut names: Vec<String> = catalog.names(&rest).map(str::to_owned).collect();
    names.sort_by_key(|n| n.to_ascii_lowercase());
    values.extend(names);
    if value.is_string() && values.len() == 1 {
        Value::String(values.remove(0))
    } else {
        listed(values)
    }
}

/// Wanted actions as `prefix:*` where a whole service is wanted, else by name.
fn by_service(wanted: &ActionSet, catalog: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    for service in catalog.services() {
        let ids: Vec<u32> = service
            .actions
            .clone()
            .filter(|&i| wanted.contains(whittle_policy::catalog::ActionId(i)))
            .collect();
        if ids.is_empty() {
            continue;
        }
        if ids.len() == service.actions.len() {
            out.push(format!("{}:*", service.record.prefix));
        } else {
            out.extend(ids.into_iter().map(|i| {
                catalog
                    .action(whittle_policy::catalog::ActionId(i))
                    .qualified_name
                    .clone()
            }));
        }
    }
    out
}

fn listed(values: Vec<String>) -> Value {
    Value::Array(values.into_iter().map(Value::String).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn not_action_becomes_the_actions_still_wanted_and_wildcards_stay_only_when_whole() {
        let expander = Expander::new(Catalog::embedded());
        let document = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
            {"Effect": "Allow", "Action": ["s3:Get*", "s3:ListBucket"], "Resource": "*"}]});
        let grants = grants(&document, &expander, "WhittleKeep");
        // Remove everything but sts:GetCallerIdentity, all of sqs, and s3:GetObject.
        let mut removed = ActionSet::full(expander.catalog().len());
        removed.subtract(&expander.expand("sts:GetCallerIdentity"));
        removed.subtract(&expander.expand("sqs:*"));
        removed.subtract(&expander.expand("s3:GetObject"));
        let out = rewrite(&document, &grants, &removed, &expander).unwrap();
        let first = &out["Statement"][0];
        // NotAction is replaced in place by Action; Resource and Condition stay.
        let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["Effect", "Action", "Resource", "Condition"]);
        assert_eq!(
            first["Action"],
            json!(["s3:GetObject", "sqs:*", "sts:GetCallerIdentity"])
        );
        // s3:Get* is no longer whole: only the wanted action, by name.
        assert_eq!(out["Statement"][1]["Action"], json!(["s3:GetObject"]));
    }

    #[test]
    fn a_document_whose_every_statement_goes_is_none_and_denies_are_kept() {
        let expander = Expander::new(Catalog::embedded());
        let full = ActionSet::full(expander.catalog().len());
        let allow =
            json!({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}});
        assert_eq!(
            rewrite(&allow, &grants(&allow, &expander, ""), &full, &expander),
            None
        );
        let deny = json!({"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
                                        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        let out = rewrite(&deny, &grants(&deny, &expander, ""), &full, &expander).unwrap();
        assert_eq!(out["Statement"], json!([deny["Statement"][0]]));
    }
}
