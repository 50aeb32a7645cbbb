//! AWS SAM templates (`Transform: AWS::Serverless-2016-10-31`): the `Policies`
//! of `AWS::Serverless::Function` and `AWS::Serverless::StateMachine`, which
//! SAM turns into the inline policies of the role it creates.
//!
//! An item of `Policies` is a policy document (`{Statement: …}`), a statement
//! written on its own (read as a document of that one statement), a SAM policy
//! template (`S3CrudPolicy: {BucketName: !Ref Bucket}`), expanded from
//! `data/sam-policy-templates.json` — AWS's published templates, copied
//! verbatim; `data/sam-policy-templates.source.toml` says from which commit
//! and when, and refreshing means copying the file again — or the name or ARN
//! of a managed policy, which names no document here and is not expanded:
//! the findings on the other items say which ones the role also holds.
//! SAM takes no `Policies` from `Globals`, so none are merged.

use std::sync::LazyLock;

use whittle_syntax::{Member, Node, Value, parse_json};

use super::{DocumentError, DocumentKind, is_intrinsic, items};

/// The SAM resource types whose `Policies` become a role's inline policies.
pub(super) const SAM_TYPES: [&str; 2] =
    ["AWS::Serverless::Function", "AWS::Serverless::StateMachine"];

/// AWS's SAM policy templates: `{"Templates": {Name: {Definition, Parameters}}}`.
static TEMPLATES: LazyLock<Option<Node>> =
    LazyLock::new(|| parse_json(include_str!("../../data/sam-policy-templates.json")).ok());

/// The policy documents of a SAM resource's `Policies` (intrinsics not yet
/// resolved): (subject, document, whether AWS wrote it — a policy template),
/// and the items that could not be read.
pub(super) fn documents(
    id: &str,
    kind: &str,
    properties: &Node,
) -> (Vec<(String, Node, bool)>, Vec<DocumentError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (n, item) in policy_items(properties).into_iter().enumerate() {
        let subject = format!("{id} ({kind}) policy {}", n + 1);
        let Some(members) = item.as_object() else {
            // A managed policy's name or ARN: no document to read here.
            continue;
        };
        // A managed policy's ARN given by an intrinsic (`!Ref PolicyArn`, `!Sub …`).
        if let [member] = members
            && is_intrinsic(&member.key)
        {
            continue;
        }
        if item.get("Statement").is_some() {
            out.push((subject, item.clone(), false));
        } else if item.get("Action").is_some() || item.get("NotAction").is_some() {
            out.push((subject, wrap(item), false));
        } else if let [member] = members {
            match expand(member) {
                Ok(document) => out.push((
                    format!("{id} ({kind}) policy template {}", member.key),
                    document,
                    true,
                )),
                Err(message) => errors.push(DocumentError {
                    span: member.key_span,
                    message: format!("{subject}: {message}"),
                }),
            }
        } else {
            errors.push(DocumentError {
                span: item.span,
                message: format!(
                    "{subject}: neither a policy document, a statement nor a SAM policy template"
                ),
            });
        }
    }
    (out, errors)
}

/// The managed policies a SAM resource's `Policies` name (an AWS managed
/// policy's name, or any policy's ARN), as written; an unresolved value is
/// shown as such.
pub(super) fn managed_policies(properties: &Node) -> Vec<String> {
    policy_items(properties)
        .into_iter()
        .filter_map(|item| match &item.value {
            Value::String(name) => Some(format!("\"{name}\"")),
            Value::Object(members) => match members.as_slice() {
                [member] if is_intrinsic(&member.key) => {
                    Some(format!("a managed policy given by {}", member.key))
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The items of a resource's `Policies`: a list, or one item on its own.
fn policy_items(properties: &Node) -> Vec<&Node> {
    match properties.get("Policies") {
        Some(
            list @ Node {
                value: Value::Array(_),
                ..
            },
        ) => items(Some(list)),
        Some(one) => vec![one],
        None => Vec::new(),
    }
}

/// The sort of policy SAM makes of an item: an inline policy of its role.
pub(super) const KIND: DocumentKind = DocumentKind::RoleInline;

/// A statement written on its own, as a document holding it.
fn wrap(statement: &Node) -> Node {
    Node {
        span: statement.span,
        value: Value::Object(vec![Member {
            key: "Statement".to_owned(),
            key_span: statement.span,
            value: Node {
                span: statement.span,
                value: Value::Array(vec![statement.clone()]),
            },
        }]),
    }
}

/// The document a policy template `Name: {Param: value}` stands for, every
/// element at the template's name in the user's file (its statements are not
/// written there), with each `Ref` to a parameter replaced by the value given.
fn expand(member: &Member) -> Result<Node, String> {
    let templates = TEMPLATES
        .as_ref()
        .and_then(|t| t.get("Templates"))
        .ok_or("the SAM policy templates bundled with whittle cannot be read")?;
    let template = templates
        .get(&member.key)
        .ok_or_else(|| format!("\"{}\" is not one of SAM's policy templates", member.key))?;
    let mut document = template.get("Definition").cloned().ok_or_else(|| {
        format!(
            "the SAM policy template \"{}\" has no Definition",
            member.key
        )
    })?;
    let parameters: Vec<&str> = template
        .get("Parameters")
        .and_then(Node::as_object)
        .into_iter()
        .flatten()
        .map(|m| m.key.as_str())
        .collect();
    document.collapse_spans(member.key_span);
    substitute(&mut document, &parameters, &member.value);
    // AWS's templates carry no Version, which the user cannot add; without
    // policy variables either version grants the same, so the expansion says
    // 2012-10-17 instead of being reported for what the user did not write.
    if let Value::Object(members) = &mut document.value
        && !members.iter().any(|m| m.key == "Version")
        && !members.iter().any(|m| has_policy_variable(&m.value))
    {
        members.insert(
            0,
            Member {
                key: "Version".to_owned(),
                key_span: member.key_span,
                value: Node {
                    span: member.key_span,
                    value: Value::String("2012-10-17".to_owned()),
                },
            },
        );
    }
    Ok(document)
}

/// Whether a string of `node` holds an IAM policy variable (`${aws:…}`).
fn has_policy_variable(node: &Node) -> bool {
    match &node.value {
        Value::String(text) => text.contains("${aws:"),
        Value::Array(items) => items.iter().any(has_policy_variable),
        Value::Object(members) => members.iter().any(|m| has_policy_variable(&m.value)),
        _ => false,
    }
}

/// Replaces every `{"Ref": P}` for a template parameter `P` by the value the
/// user gave for it (absent: left as a `Ref`, which reads as unknown).
fn substitute(node: &mut Node, parameters: &[&str], given: &Node) {
    if let Value::Object(members) = &node.value
        && let [only] = members.as_slice()
        && only.key == "Ref"
        && let Some(name) = only.value.as_str()
        && parameters.contains(&name)
    {
        if let Some(value) = given.get(name) {
            let span = node.span;
            *node = value.clone();
            node.collapse_spans(span);
        }
        return;
    }
    match &mut node.value {
        Value::Array(items) => items
            .iter_mut()
            .for_each(|n| substitute(n, parameters, given)),
        Value::Object(members) => members
            .iter_mut()
            .for_each(|m| substitute(&mut m.value, parameters, given)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_expand_with_the_values_given_and_unknown_names_are_errors() {
        let properties = whittle_syntax::parse_yaml(
            "Policies:\n  - S3CrudPolicy:\n      BucketName: !Ref Bucket\n  - AWSLambdaExecute\n  - NoSuchPolicy: {}\n  - Statement:\n      - Effect: Allow\n        Action: '*'\n        Resource: '*'\n",
        )
        .unwrap();
        let (documents, errors) = documents("Fn", "AWS::Serverless::Function", &properties);
        let subjects: Vec<&str> = documents.iter().map(|(s, _, _)| s.as_str()).collect();
        assert_eq!(
            subjects,
            [
                "Fn (AWS::Serverless::Function) policy template S3CrudPolicy",
                "Fn (AWS::Serverless::Function) policy 4"
            ]
        );
        let [error] = errors.as_slice() else {
            panic!("{errors:?}")
        };
        assert!(
            error
                .message
                .contains("\"NoSuchPolicy\" is not one of SAM's policy templates")
        );
        // The bucket parameter went into the template's Fn::Sub variables.
        let text = format!("{:?}", documents[0].1);
        assert!(text.contains("\"Bucket\""), "{text}");
        assert!(!text.contains("\"BucketName\""), "{text}");
    }
}
