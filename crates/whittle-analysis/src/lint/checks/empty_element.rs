//! `empty-element`: an element written but left empty — `"Action": []`, an empty
//! string in `Resource`, an empty `Condition` block or operator block, a condition
//! key with an empty list of values.
//!
//! It reads the document's JSON rather than the policy model, which keeps no trace
//! of empty blocks.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_syntax::{Member, Node, Value};

/// The elements whose values are actions or resources.
const LISTS: &[&str] = &["Action", "NotAction", "Resource", "NotResource"];

/// Flags empty Action/Resource lists and values and empty condition blocks.
pub struct EmptyElement;

impl Check for EmptyElement {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in statements(cx.node) {
            let Some(members) = statement.as_object() else {
                continue;
            };
            for member in members {
                if LISTS.contains(&member.key.as_str()) {
                    check_list(member, out);
                } else if member.key == "Condition" {
                    check_condition(&member.value, out);
                }
            }
        }
    }
}

/// The statement objects of a document, whether `Statement` is a list or one object.
fn statements(document: &Node) -> Vec<&Node> {
    match document.get("Statement").map(|s| &s.value) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Object(_)) => document.get("Statement").into_iter().collect(),
        _ => Vec::new(),
    }
}

/// An empty list or empty strings in an Action/Resource element.
fn check_list(member: &Member, out: &mut Emitter<'_>) {
    let key = &member.key;
    let noun = if key.ends_with("Action") {
        "action"
    } else {
        "resource"
    };
    let items: Vec<&Node> = match &member.value.value {
        Value::Array(items) if items.is_empty() => {
            out.at(member.value.span)
                .note(format!("list at least one {noun}, or remove the statement"))
                .emit(format!(
                    "\"{key}\" is an empty list: the statement names no {noun}"
                ));
            return;
        }
        Value::Array(items) => items.iter().collect(),
        _ => vec![&member.value],
    };
    for item in items {
        if item.as_str() == Some("") {
            out.at(item.span)
                .note(format!("remove it, or write the {noun} it was meant to be"))
                .emit(format!(
                    "\"{key}\" has an empty string, which matches no {noun}"
                ));
        }
    }
}

/// An empty Condition block, empty operator blocks and keys with no values.
fn check_condition(condition: &Node, out: &mut Emitter<'_>) {
    let Some(operators) = condition.as_object() else {
        return;
    };
    if operators.is_empty() {
        out.at(condition.span)
            .note("remove the empty \"Condition\" element")
            .emit("the \"Condition\" block is empty");
        return;
    }
    for operator in operators {
        let Some(keys) = operator.value.as_object() else {
            continue;
        };
        if keys.is_empty() {
            out.at(operator.value.span)
                .note(format!(
                    "add a condition key to \"{}\" or remove it",
                    operator.key
                ))
                .emit(format!(
                    "the \"{}\" block has no condition key",
                    operator.key
                ));
        }
        for key in keys {
            if matches!(&key.value.value, Value::Array(values) if values.is_empty()) {
                out.at(key.value.span)
                    .note("give the key at least one value, or remove it")
                    .emit(format!(
                        "condition key \"{}\" under \"{}\" has an empty list of values",
                        key.key, operator.key
                    ));
            }
        }
    }
}
