//! CloudFormation conditions (`Fn::If`, resource `Condition`s) read without a
//! deployment: a template may deploy either branch, so whittle reads the union
//! of what either may grant and remembers which parts hold only under a
//! condition, to say so on the findings there.
//!
//! `Fn::If [Cond, A, B]` is replaced by what both branches give together:
//! in a list, both items (`Ref: AWS::NoValue` leaves nothing); as a value,
//! both lists joined (`Action`, `Resource`, principals, condition values),
//! both documents' statements, `Allow` if either `Effect` is, the `NotAction`
//! and `NotResource` values both branches share, and no `Condition` block
//! where a branch may have none. A `Deny` statement that holds only under a
//! condition (or whose parts depend on one) is left out: it may not be there
//! to take anything away.

use whittle_syntax::{Member, Node, Span, Value};

/// A part of a template that is there only under a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conditional {
    /// What is conditional: a branch of an `Fn::If`, or a whole resource.
    pub span: Span,
    /// The condition's name in the template's `Conditions`.
    pub condition: String,
}

/// What reading the conditions of one resource found.
#[derive(Debug, Default)]
pub struct Expansion {
    /// The branches of every `Fn::If`, in the order they were met.
    pub conditionals: Vec<Conditional>,
    /// The resource's own `Condition`: all of it exists only under it.
    pub resource: Option<String>,
}

impl Expansion {
    /// What to note on every finding of the document at `span`: the
    /// conditions it depends on, and the conditional `Deny` statements left
    /// out (`dropped`).
    pub fn note(&self, span: Span, dropped: usize) -> Option<String> {
        let mut names: Vec<&str> = self
            .conditionals
            .iter()
            .filter(|c| overlaps(c.span, span))
            .map(|c| c.condition.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        let mut parts = Vec::new();
        if let Some(resource) = &self.resource {
            parts.push(format!(
                "the resource exists only under the CloudFormation condition {resource}"
            ));
        }
        if !names.is_empty() {
            parts.push(format!(
                "this document depends on the CloudFormation condition{} {} (Fn::If): whittle read what either branch may grant",
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            ));
        }
        if dropped > 0 {
            parts.push(format!(
                "{dropped} Deny statement{} that hold{} only under a condition {} left out",
                if dropped == 1 { "" } else { "s" },
                if dropped == 1 { "s" } else { "" },
                if dropped == 1 { "was" } else { "were" }
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// The conditional parts overlapping `span`.
    pub fn within(&self, span: Span) -> Vec<Conditional> {
        self.conditionals
            .iter()
            .filter(|c| overlaps(c.span, span))
            .cloned()
            .collect()
    }
}

/// Whether two spans share a byte, or one is empty inside the other.
pub fn overlaps(a: Span, b: Span) -> bool {
    a.start < b.end.max(b.start + 1) && b.start < a.end.max(a.start + 1)
}

/// `node` with every `Fn::If` replaced by the union of its branches; `None`
/// when nothing is left (`Ref: AWS::NoValue` in both). `key` is the member
/// `node` is the value of.
pub fn expand(node: &Node, key: Option<&str>, out: &mut Expansion) -> Option<Node> {
    if is_no_value(node) {
        return None;
    }
    if let Some((condition, first, second)) = if_parts(node) {
        for branch in [first, second] {
            out.conditionals.push(Conditional {
                span: branch.span,
                condition: condition.to_owned(),
            });
        }
        let first = expand(first, key, out);
        let second = expand(second, key, out);
        return merge(key, first, second);
    }
    let value = match &node.value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter_map(|m| {
                    let value = expand(&m.value, Some(&m.key), out)?;
                    Some(match m.key.as_str() {
                        // Branches that exclude nothing in common: under one
                        // condition or the other, anything may be granted.
                        "NotAction" | "NotResource"
                            if if_parts(&m.value).is_some()
                                && matches!(&value.value, Value::Array(v) if v.is_empty()) =>
                        {
                            Member {
                                key: m.key["Not".len()..].to_owned(),
                                key_span: m.key_span,
                                value: Node {
                                    span: value.span,
                                    value: Value::String("*".to_owned()),
                                },
                            }
                        }
                        _ => Member {
                            key: m.key.clone(),
                            key_span: m.key_span,
                            value,
                        },
                    })
                })
                .collect(),
        ),
        Value::Array(items) => {
            let mut expanded = Vec::with_capacity(items.len());
            for item in items {
                match if_parts(item) {
                    // An item that is one branch or the other: both.
                    Some((condition, first, second)) => {
                        for branch in [first, second] {
                            out.conditionals.push(Conditional {
                                span: branch.span,
                                condition: condition.to_owned(),
                            });
                            expanded.extend(expand(branch, key, out));
                        }
                    }
                    None => expanded.extend(expand(item, key, out)),
                }
            }
            Value::Array(expanded)
        }
        other => other.clone(),
    };
    Some(Node {
        span: node.span,
        value,
    })
}

/// Leaves out of a policy document the `Deny` statements that depend on a
/// condition; returns how many went.
pub fn drop_conditional_denies(document: &mut Node, out: &Expansion) -> usize {
    let Value::Object(members) = &mut document.value else {
        return 0;
    };
    let Some(statement) = members.iter_mut().find(|m| m.key == "Statement") else {
        return 0;
    };
    let conditional_deny = |s: &Node| {
        s.get("Effect").and_then(Node::as_str) == Some("Deny")
            && out.conditionals.iter().any(|c| overlaps(c.span, s.span))
    };
    if matches!(statement.value.value, Value::Object(_)) && conditional_deny(&statement.value) {
        statement.value.value = Value::Array(Vec::new());
        return 1;
    }
    match &mut statement.value.value {
        Value::Array(items) => {
            let before = items.len();
            items.retain(|s| !conditional_deny(s));
            before - items.len()
        }
        _ => 0,
    }
}

/// What two branches give together as the value of `key`.
fn merge(key: Option<&str>, first: Option<Node>, second: Option<Node>) -> Option<Node> {
    let (first, second) = match (first, second) {
        (None, None) => return None,
        // A Condition block that may be absent grants as if it were.
        (Some(_), None) | (None, Some(_)) if key == Some("Condition") => return None,
        (Some(one), None) | (None, Some(one)) => return Some(one),
        (Some(first), Some(second)) => (first, second),
    };
    if first.value == second.value {
        return Some(first);
    }
    match key {
        Some("Effect") => Some(if second.as_str() == Some("Allow") {
            second
        } else {
            first
        }),
        // Grants under either condition: no block holds for both.
        Some("Condition") => None,
        Some("NotAction" | "NotResource") => Some(shared(first, second)),
        Some("Version" | "Sid" | "Id" | "PolicyName" | "ManagedPolicyName" | "Path") => Some(first),
        _ => Some(union(first, second)),
    }
}

/// Both values together: statements of two documents, members of two
/// principal objects, items of two lists (a single value being a list of one).
fn union(first: Node, second: Node) -> Node {
    let span = first.span;
    match (first.value, second.value) {
        (Value::Object(mut a), Value::Object(b)) => {
            for member in b {
                match a.iter_mut().find(|m| m.key == member.key) {
                    Some(existing) => {
                        let key = existing.key.clone();
                        let merged =
                            merge(Some(&key), Some(existing.value.clone()), Some(member.value));
                        match merged {
                            Some(value) => existing.value = value,
                            None => a.retain(|m| m.key != key),
                        }
                    }
                    None => a.push(member),
                }
            }
            Node {
                span,
                value: Value::Object(a),
            }
        }
        // `"*"` already holds everything the other may name.
        (Value::String(s), _) | (_, Value::String(s)) if s == "*" => Node {
            span,
            value: Value::String(s),
        },
        (a, b) => {
            let mut items = into_items(Node { span, value: a });
            for item in into_items(Node { span, value: b }) {
                if !items.iter().any(|i| i.value == item.value) {
                    items.push(item);
                }
            }
            Node {
                span,
                value: Value::Array(items),
            }
        }
    }
}

/// The values both branches of a `NotAction`/`NotResource` name: what is
/// excluded under either condition. Values are compared as written.
fn shared(first: Node, second: Node) -> Node {
    let span = first.span;
    let theirs = into_items(second);
    let kept: Vec<Node> = into_items(first)
        .into_iter()
        .filter(|item| {
            theirs.iter().any(|t| match (item.as_str(), t.as_str()) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => item.value == t.value,
            })
        })
        .collect();
    Node {
        span,
        value: Value::Array(kept),
    }
}

fn into_items(node: Node) -> Vec<Node> {
    match node.value {
        Value::Array(items) => items,
        _ => vec![node],
    }
}

/// The condition and branches of `{"Fn::If": [Cond, A, B]}`.
fn if_parts(node: &Node) -> Option<(&str, &Node, &Node)> {
    let Value::Object(members) = &node.value else {
        return None;
    };
    let [member] = members.as_slice() else {
        return None;
    };
    if member.key != "Fn::If" {
        return None;
    }
    let Value::Array(arguments) = &member.value.value else {
        return None;
    };
    match arguments.as_slice() {
        [condition, first, second] => Some((condition.as_str()?, first, second)),
        _ => None,
    }
}

/// `{"Ref": "AWS::NoValue"}`: the property or item is absent.
fn is_no_value(node: &Node) -> bool {
    matches!(&node.value, Value::Object(members)
        if members.len() == 1
            && members[0].key == "Ref"
            && members[0].value.as_str() == Some("AWS::NoValue"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use whittle_syntax::{parse_json, parse_yaml};

    fn expanded(text: &str) -> (Node, Expansion) {
        let node = parse_yaml(text).unwrap();
        let mut out = Expansion::default();
        let node = expand(&node, None, &mut out).unwrap();
        (node, out)
    }

    fn statements(document: &Node) -> Vec<String> {
        let Some(Value::Array(items)) = document.get("Statement").map(|s| &s.value) else {
            panic!("no statement list")
        };
        items
            .iter()
            .map(|s| {
                let mut line = s
                    .get("Effect")
                    .and_then(Node::as_str)
                    .unwrap_or("?")
                    .to_owned();
                for key in ["Action", "NotAction", "Resource", "NotResource"] {
                    if let Some(v) = s.get(key) {
                        let values = match &v.value {
                            Value::Array(items) => items
                                .iter()
                                .filter_map(Node::as_str)
                                .collect::<Vec<_>>()
                                .join(","),
                            _ => v.as_str().unwrap_or("?").to_owned(),
                        };
                        line.push_str(&format!(" {key}={values}"));
                    }
                }
                if s.get("Condition").is_some() {
                    line.push_str(" Condition");
                }
                line
            })
            .collect()
    }

    #[test]
    fn a_statement_under_a_condition_is_read_and_no_value_is_absent() {
        let (mut document, out) = expanded(
            "Statement:\n  - {Effect: Allow, Action: s3:GetObject, Resource: '*'}\n  - !If [IsProd, {Effect: Allow, Action: '*', Resource: '*'}, !Ref AWS::NoValue]\n  - !If [IsProd, {Effect: Deny, Action: 'iam:*', Resource: '*'}, !Ref AWS::NoValue]\n",
        );
        assert_eq!(
            statements(&document),
            [
                "Allow Action=s3:GetObject Resource=*",
                "Allow Action=* Resource=*",
                "Deny Action=iam:* Resource=*"
            ]
        );
        // A Deny that may be absent takes nothing away from what may be granted.
        assert_eq!(drop_conditional_denies(&mut document, &out), 1);
        assert_eq!(statements(&document).len(), 2);
        assert!(out.conditionals.iter().all(|c| c.condition == "IsProd"));
        let note = out.note(document.span, 1).unwrap();
        assert!(note.contains("condition IsProd (Fn::If)"), "{note}");
        assert!(
            note.contains("1 Deny statement that holds only under a condition was left out"),
            "{note}"
        );
    }

    #[test]
    fn values_under_a_condition_give_what_either_branch_may_grant() {
        let (document, _) = expanded(
            "Statement:\n  - Effect: !If [C, Allow, Deny]\n    Action: !If [C, [s3:GetObject], [s3:PutObject, s3:GetObject]]\n    Resource: !If [C, arn:aws:s3:::a/*, '*']\n    Condition: !If [C, {Bool: {aws:SecureTransport: 'true'}}, !Ref AWS::NoValue]\n  - Effect: Allow\n    NotAction: !If [C, [iam:*, sts:*], [iam:*]]\n    Resource: arn:aws:s3:::b\n  - Effect: Allow\n    NotAction: !If [C, [iam:*], [sts:*]]\n    Resource: arn:aws:s3:::c\n",
        );
        assert_eq!(
            statements(&document),
            [
                "Allow Action=s3:GetObject,s3:PutObject Resource=*",
                "Allow NotAction=iam:* Resource=arn:aws:s3:::b",
                "Allow Action=* Resource=arn:aws:s3:::c",
            ]
        );
    }

    #[test]
    fn a_whole_document_under_a_condition_holds_both_branches_statements() {
        let node = parse_json(
            r#"{"Fn::If": ["IsProd",
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]},
                {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}}]}"#,
        )
        .unwrap();
        let mut out = Expansion::default();
        let document = expand(&node, Some("PolicyDocument"), &mut out).unwrap();
        assert_eq!(
            statements(&document),
            [
                "Allow Action=iam:PassRole Resource=*",
                "Allow Action=s3:ListBucket Resource=*"
            ]
        );
        assert_eq!(
            document.get("Version").and_then(Node::as_str),
            Some("2012-10-17")
        );
        let both_absent =
            parse_json(r#"{"Fn::If": ["C", {"Ref": "AWS::NoValue"}, {"Ref": "AWS::NoValue"}]}"#)
                .unwrap();
        assert!(expand(&both_absent, None, &mut out).is_none());
    }
}
