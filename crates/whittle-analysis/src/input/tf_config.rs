//! Policies in Terraform's JSON configuration syntax (`*.tf.json`): the policy
//! arguments of IAM resources, written as JSON strings, and the statement blocks
//! of `aws_iam_policy_document` data sources, read as the policy they render.
//!
//! Interpolations (`${var.bucket}`) cannot be evaluated without a plan: inside a
//! string each becomes a placeholder for an unknown value
//! ([`whittle_policy::unknown`]), and findings that depend on one say so. An argument
//! that is one whole expression (`${jsonencode(…)}`,
//! `${data.aws_iam_policy_document.x.json}`) holds no document to read here: a
//! plan (`terraform show -json`) has it rendered.

use super::iac::tf_documents;
use super::{
    Contents, Definition, DocumentKind, EmbeddedDocument, InputKind, decode_embedded, objects,
};
use whittle_policy::unknown;
use whittle_syntax::{Member, Node, Span, Value};

/// The policies of a Terraform JSON configuration, if `root` is one.
pub fn terraform_config(root: &Node) -> Option<Contents> {
    if root.get("format_version").is_some() {
        return None;
    }
    let resources = entries(root.get("resource"));
    let data = entries(root.get("data"));
    let is_aws = |e: &(&str, Span, &Node)| e.0.starts_with("aws_");
    if !resources.iter().chain(&data).any(is_aws) {
        return None;
    }
    let mut contents = Contents {
        kind: InputKind::TerraformConfig,
        documents: Vec::new(),
        errors: Vec::new(),
        account: None,
    };
    for (kind, _, instances) in resources {
        for (name, name_span, args) in entries(Some(instances)) {
            let address = format!("{kind}.{name}");
            let definition = Definition {
                id: address.clone(),
                span: Span::new(name_span.start, args.span.end),
            };
            for args in objects(Some(args)) {
                for (subject, node, document_kind) in tf_documents(kind, &address, args) {
                    let document = (subject, node, document_kind);
                    push_string(&mut contents, document, definition.clone());
                }
            }
        }
    }
    for (kind, _, instances) in data {
        if kind != "aws_iam_policy_document" {
            continue;
        }
        for (name, name_span, args) in entries(Some(instances)) {
            let address = format!("data.{kind}.{name}");
            for args in objects(Some(args)) {
                let node = policy_document(args);
                contents.documents.push(EmbeddedDocument {
                    kind: DocumentKind::infer(&node),
                    subject: Some(address.clone()),
                    owner: None,
                    node,
                    assumption: None,
                    conditions: Vec::new(),
                    definition: Some(Definition {
                        id: address.clone(),
                        span: Span::new(name_span.start, args.span.end),
                    }),
                });
            }
        }
    }
    Some(contents)
}

/// The members of a block map such as `resource` or `resource.aws_iam_role`:
/// an object, or (as Terraform also accepts) an array of objects.
fn entries(node: Option<&Node>) -> Vec<(&str, Span, &Node)> {
    objects(node)
        .into_iter()
        .filter_map(Node::as_object)
        .flatten()
        .map(|m| (m.key.as_str(), m.key_span, &m.value))
        .collect()
}

/// Adds a document written as a JSON string, with its interpolations as
/// placeholders; of sort `kind`, or (`None`) the sort its statements tell. A string that is one whole expression is skipped: only a plan knows it.
fn push_string(
    contents: &mut Contents,
    (subject, node, kind): (String, &Node, Option<DocumentKind>),
    definition: Definition,
) {
    let Some(text) = node.as_str() else { return };
    if whole_expression(text) {
        return;
    }
    let text = interpolate(text);
    match decode_embedded(&text, node.span) {
        Ok(document) => contents.documents.push(EmbeddedDocument {
            kind: kind.unwrap_or_else(|| DocumentKind::infer(&document)),
            subject: Some(subject),
            owner: None,
            node: document,
            assumption: None,
            conditions: Vec::new(),
            definition: Some(definition),
        }),
        Err(error) => contents.errors.push(super::DocumentError {
            message: format!("{subject}: {}", error.message),
            ..error
        }),
    }
}

/// `${…}` with nothing around it.
fn whole_expression(text: &str) -> bool {
    let text = text.trim();
    text.starts_with("${") && interpolation_end(text, 0) == Some(text.len())
}

/// Where the interpolation starting at `start` (at its `$`) ends: one past its
/// closing brace, braces and quoted strings inside counted.
fn interpolation_end(text: &str, start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text[start + 1..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '{' if !quoted => depth += 1,
            '}' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    return Some(start + 1 + i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// `text` with every `${…}` replaced by a placeholder for an unknown value and
/// every `$${` (a literal `${`) unescaped.
fn interpolate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    while let Some(found) = text[rest..].find("${") {
        let at = rest + found;
        if at > 0 && text[..at].ends_with('$') {
            // `$${` is a literal `${`: keep one `$`.
            out.push_str(&text[rest..at - 1]);
            out.push_str("${");
            rest = at + 2;
            continue;
        }
        out.push_str(&text[rest..at]);
        match interpolation_end(text, at) {
            Some(end) => {
                out.push_str(&unknown::placeholder(&text[at + 2..end - 1]));
                rest = end;
            }
            None => {
                out.push_str(&text[at..]);
                rest = text.len();
            }
        }
    }
    out.push_str(&text[rest..]);
    out
}

/// The policy an `aws_iam_policy_document` data source renders, built from its
/// blocks with each element at the argument it comes from, so that findings
/// point into the configuration.
fn policy_document(args: &Node) -> Node {
    let mut members = vec![member(
        "Version",
        args.get("version").map_or(args.span, |v| v.span),
        string(args.get("version"), "2012-10-17", args.span),
    )];
    let statements: Vec<Node> = objects(args.get("statement"))
        .into_iter()
        .map(statement)
        .collect();
    let span = args.get("statement").map_or(args.span, |s| s.span);
    members.push(member(
        "Statement",
        span,
        Node {
            span,
            value: Value::Array(statements),
        },
    ));
    Node {
        span: args.span,
        value: Value::Object(members),
    }
}

fn statement(block: &Node) -> Node {
    let mut members = Vec::new();
    if let Some(sid) = block.get("sid") {
        members.push(member("Sid", sid.span, string(Some(sid), "", sid.span)));
    }
    let effect = block.get("effect");
    members.push(member(
        "Effect",
        effect.map_or(block.span, |e| e.span),
        string(effect, "Allow", block.span),
    ));
    for (key, element) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        if let Some((key_span, node)) = key_span(block, key) {
            members.push(member(element, key_span, principals(node)));
        }
    }
    for (key, element) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some((key_span, node)) = key_span(block, key) {
            members.push(member(element, key_span, strings(node)));
        }
    }
    if let Some((key_span, node)) = key_span(block, "condition") {
        members.push(member("Condition", key_span, conditions(node)));
    }
    Node {
        span: block.span,
        value: Value::Object(members),
    }
}

/// `principals { type = "AWS", identifiers = [...] }` blocks as a Principal:
/// `{"AWS": [...], "Service": [...]}`, or `"*"` for type `*`.
fn principals(node: &Node) -> Node {
    let mut by_type: Vec<Member> = Vec::new();
    for block in objects(Some(node)) {
        let kind = block.get("type").and_then(Node::as_str).unwrap_or("AWS");
        let identifiers = list(block, "identifiers");
        if kind == "*" {
            return Node {
                span: block.span,
                value: Value::String("*".to_owned()),
            };
        }
        append(&mut by_type, kind, block.span, identifiers);
    }
    Node {
        span: node.span,
        value: Value::Object(by_type),
    }
}

/// `condition { test, variable, values }` blocks as a Condition block.
fn conditions(node: &Node) -> Node {
    let mut by_test: Vec<Member> = Vec::new();
    for block in objects(Some(node)) {
        let (Some(test), Some(variable)) = (block.get("test"), block.get("variable")) else {
            continue;
        };
        let (Some(test_name), Some(variable_name)) = (test.as_str(), variable.as_str()) else {
            continue;
        };
        let values = list(block, "values");
        let entry = member(variable_name, variable.span, values);
        match by_test.iter_mut().find(|m| m.key == test_name) {
            Some(existing) => {
                if let Value::Object(keys) = &mut existing.value.value {
                    keys.push(entry);
                }
            }
            None => by_test.push(member(
                test_name,
                test.span,
                Node {
                    span: block.span,
                    value: Value::Object(vec![entry]),
                },
            )),
        }
    }
    Node {
        span: node.span,
        value: Value::Object(by_test),
    }
}

/// Adds `values` under `key`, joining the values of a key already present.
fn append(members: &mut Vec<Member>, key: &str, span: Span, values: Node) {
    match members.iter_mut().find(|m| m.key == key) {
        Some(existing) => {
            if let (Value::Array(have), Value::Array(more)) =
                (&mut existing.value.value, values.value)
            {
                have.extend(more);
            }
        }
        None => members.push(member(key, span, values)),
    }
}

/// The list argument `key` of `block`, empty when absent.
fn list(block: &Node, key: &str) -> Node {
    match block.get(key) {
        Some(node) => strings(node),
        None => Node {
            span: block.span,
            value: Value::Array(Vec::new()),
        },
    }
}

/// A list of strings (or one string) with interpolations as placeholders.
fn strings(node: &Node) -> Node {
    let values = match &node.value {
        Value::Array(items) => items.iter().collect(),
        _ => vec![node],
    };
    Node {
        span: node.span,
        value: Value::Array(
            values
                .into_iter()
                .map(|v| string(Some(v), "", v.span))
                .collect(),
        ),
    }
}

/// A string argument with interpolations as placeholders, or `default` when absent.
fn string(node: Option<&Node>, default: &str, span: Span) -> Node {
    let value = match node.map(|n| &n.value) {
        Some(Value::String(text)) => {
            let text = interpolate(text);
            Value::String(text)
        }
        Some(other) => other.clone(),
        None => Value::String(default.to_owned()),
    };
    Node {
        span: node.map_or(span, |n| n.span),
        value,
    }
}

fn key_span<'n>(block: &'n Node, key: &str) -> Option<(Span, &'n Node)> {
    block
        .as_object()?
        .iter()
        .find(|m| m.key == key)
        .map(|m| (m.key_span, &m.value))
}

fn member(key: &str, key_span: Span, value: Node) -> Member {
    Member {
        key: key.to_owned(),
        key_span,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whittle_syntax::parse_json;

    #[test]
    fn interpolations_become_placeholders_and_escapes_are_kept() {
        let shown = |text: &str| unknown::display(&interpolate(text)).into_owned();
        assert_eq!(
            shown(r#"arn:aws:s3:::${var.bucket}/*"#),
            "arn:aws:s3:::{var.bucket}/*"
        );
        assert_eq!(
            shown(r#"${lookup(var.m, "k", "}")}-x"#),
            "{lookup(var.m, k, })}-x"
        );
        assert_eq!(interpolate("$${aws:username}"), "${aws:username}");
        assert!(whole_expression(
            "${jsonencode({Version = \"2012-10-17\"})}"
        ));
        assert!(!whole_expression("${var.a}-${var.b}"));
    }

    #[test]
    fn policy_documents_are_rendered_from_their_blocks() {
        let root = parse_json(
            r#"{"data": {"aws_iam_policy_document": {"trust": {"statement": [{
                "actions": ["sts:AssumeRole"],
                "principals": [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}],
                "condition": [{"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["${var.account}"]}]
            }]}}}}"#,
        )
        .unwrap();
        let contents = terraform_config(&root).unwrap();
        let [document] = contents.documents.as_slice() else {
            panic!("{:?}", contents.documents)
        };
        assert_eq!(document.kind, DocumentKind::Trust);
        assert_eq!(
            document.subject.as_deref(),
            Some("data.aws_iam_policy_document.trust")
        );
        let statement = &document.node.get("Statement").unwrap();
        let Value::Array(statements) = &statement.value else {
            panic!()
        };
        let first = &statements[0];
        assert_eq!(first.get("Effect").unwrap().as_str(), Some("Allow"));
        let principal = first.get("Principal").unwrap();
        assert!(principal.get("Service").is_some());
        let condition = first.get("Condition").unwrap().get("StringEquals").unwrap();
        let Value::Array(values) = &condition.get("aws:SourceAccount").unwrap().value else {
            panic!()
        };
        assert_eq!(
            values[0].as_str().map(unknown::display).as_deref(),
            Some("{var.account}")
        );
    }
}
