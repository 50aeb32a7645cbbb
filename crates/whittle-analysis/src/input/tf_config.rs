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
use super::member;
use super::{
    Contents, Definition, DocumentKind, EmbeddedDocument, InputKind, decode_embedded, objects,
};
use whittle_policy::unknown;
use whittle_syntax::{Member, Node, Span, Value};

/// The policies of a Terraform configuration, if `root` is one: its JSON
/// syntax, or its native syntax read into the same tree
/// ([`whittle_syntax::parse_hcl`]).
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
    let documents: Vec<(&str, Span, &Node)> = data
        .iter()
        .filter(|(kind, ..)| *kind == "aws_iam_policy_document")
        .flat_map(|(_, _, instances)| entries(Some(instances)))
        .collect();
    let module = Module {
        documents: &documents,
    };
    // Who renders each data source: (data source name, subject, sort).
    let mut uses: Vec<(&str, String, Option<DocumentKind>)> = Vec::new();
    for (kind, _, instances) in resources {
        for (name, name_span, args) in entries(Some(instances)) {
            let address = format!("{kind}.{name}");
            let definition = Definition {
                id: address.clone(),
                span: Span::new(name_span.start, args.span.end),
            };
            for args in objects(Some(args)) {
                for (subject, node, document_kind) in tf_documents(kind, &address, args) {
                    if let Some(data_name) = node.as_str().and_then(|t| module.reference(t)) {
                        uses.push((data_name, subject, document_kind));
                        continue;
                    }
                    let document = (subject, &*node, document_kind);
                    push_document(&mut contents, document, definition.clone());
                }
            }
        }
    }
    for &(name, name_span, args) in &documents {
        let address = format!("data.aws_iam_policy_document.{name}");
        let users: Vec<_> = uses.iter().filter(|(n, ..)| *n == name).collect();
        let subject = match users.as_slice() {
            [] => address.clone(),
            [(_, user, _), ..] if users.len() == 1 => format!("{user} ({address})"),
            [(_, user, _), ..] => format!("{user} and {} more ({address})", users.len() - 1),
        };
        for args in objects(Some(args)) {
            let mut notes = Vec::new();
            let mut node = module.render(args, &mut notes, 0);
            let kind = users
                .iter()
                .find_map(|(_, _, kind)| *kind)
                .unwrap_or_else(|| DocumentKind::infer(&node));
            drop_unresolved_misplaced(&mut node, kind);
            notes.dedup();
            contents.documents.push(EmbeddedDocument {
                kind,
                subject: Some(subject.clone()),
                owner: None,
                node,
                assumption: (!notes.is_empty()).then(|| notes.join("; ")),
                conditions: Vec::new(),
                definition: Some(Definition {
                    id: address.clone(),
                    span: Span::new(name_span.start, args.span.end),
                }),
                written_by_aws: false,
            });
        }
    }
    Some(contents)
}

/// The `aws_iam_policy_document` data sources of one configuration, which its
/// policy arguments and other documents may refer to.
struct Module<'a> {
    documents: &'a [(&'a str, Span, &'a Node)],
}

/// How deep `source_policy_documents` may refer to documents that refer to
/// others; a cycle stops here.
const MAX_MERGE_DEPTH: usize = 8;

impl Module<'_> {
    /// The data source a whole-expression argument names, when it is
    /// `${data.aws_iam_policy_document.NAME.json}` of this configuration.
    fn reference(&self, text: &str) -> Option<&str> {
        let name = data_source_reference(text)?;
        self.documents
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(n, ..)| *n)
    }

    /// The policy a data source renders: its statement blocks (and the
    /// content of its `dynamic "statement"` blocks) merged with the
    /// documents of `source_policy_documents` and `override_policy_documents`
    /// as Terraform merges them, by Sid. What cannot be read is noted.
    fn render(&self, args: &Node, notes: &mut Vec<String>, depth: usize) -> Node {
        let mut merged: Vec<Node> = Vec::new();
        for source in self.documents_in(args, "source_policy_documents", notes, depth) {
            merged.extend(source);
        }
        let mut own: Vec<Node> = objects(args.get("statement"))
            .into_iter()
            .map(statement)
            .collect();
        for dynamic in dynamic_blocks(args, "statement") {
            notes.push(format!(
                "statements come from a `dynamic \"statement\"` block, one for each item of {}: read with the items' values unknown",
                dynamic
                    .get("for_each")
                    .and_then(Node::as_str)
                    .map_or_else(|| "its for_each".to_owned(), |t| unknown::display(&interpolate(t)).into_owned())
            ));
            for content in objects(dynamic.get("content")) {
                own.push(statement(content));
            }
        }
        merge_by_sid(&mut merged, own);
        for overriding in self.documents_in(args, "override_policy_documents", notes, depth) {
            merge_by_sid(&mut merged, overriding);
        }
        let span = args.get("statement").map_or(args.span, |s| s.span);
        Node {
            span: args.span,
            value: Value::Object(vec![
                member(
                    "Version",
                    args.get("version").map_or(args.span, |v| v.span),
                    string(args.get("version"), "2012-10-17", args.span),
                ),
                member(
                    "Statement",
                    span,
                    Node {
                        span,
                        value: Value::Array(merged),
                    },
                ),
            ]),
        }
    }

    /// The statements of each document a list argument (`source_policy_documents`)
    /// holds: a data source of this configuration, `jsonencode` or heredoc
    /// JSON, or a JSON string. Anything else is noted as unread.
    fn documents_in(
        &self,
        args: &Node,
        key: &str,
        notes: &mut Vec<String>,
        depth: usize,
    ) -> Vec<Vec<Node>> {
        let Some(list) = args.get(key) else {
            return Vec::new();
        };
        let values = match &list.value {
            Value::Array(items) => items.iter().collect(),
            _ => vec![list],
        };
        let mut out = Vec::new();
        for value in values {
            let document = match &value.value {
                Value::Object(_) => Some(interpolated(value)),
                Value::String(text) => match self.reference(text) {
                    Some(name) if depth < MAX_MERGE_DEPTH => self
                        .documents
                        .iter()
                        .find(|(n, ..)| *n == name)
                        .map(|(_, _, args)| self.render(args, notes, depth + 1)),
                    Some(_) => None,
                    None if whole_expression(text) => None,
                    None => decode_embedded(&interpolate(text), value.span).ok(),
                },
                _ => None,
            };
            match document {
                Some(document) => out.push(
                    objects(document.get("Statement"))
                        .into_iter()
                        .cloned()
                        .collect(),
                ),
                None => notes.push(format!(
                    "{key} holds {}, which whittle cannot read here: the statements it adds are not linted",
                    value
                        .as_str()
                        .map_or_else(|| "a value".to_owned(), |t| unknown::display(&interpolate(t)).into_owned())
                )),
            }
        }
        out
    }
}

/// The data source a whole-expression argument names, when it is
/// `${data.aws_iam_policy_document.NAME.json}`: `NAME`. `NAME[0]` and
/// `NAME[each.key]` name an instance of a data source with `count` or
/// `for_each`, rendered from the same blocks.
pub(super) fn data_source_reference(text: &str) -> Option<&str> {
    let path = text
        .trim()
        .strip_prefix("${data.aws_iam_policy_document.")?
        .strip_suffix(".json}")?;
    match path.split_once('[') {
        Some((name, index)) if index.ends_with(']') => Some(name),
        Some(_) => None,
        None => Some(path),
    }
}

/// Adds `statements` to `merged` as Terraform merges policy documents: one
/// with a Sid replaces the statement of `merged` with that Sid, the others
/// are appended.
fn merge_by_sid(merged: &mut Vec<Node>, statements: Vec<Node>) {
    for statement in statements {
        let sid = statement
            .get("Sid")
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let existing = sid.as_deref().and_then(|sid| {
            merged
                .iter()
                .position(|s| s.get("Sid").and_then(Node::as_str) == Some(sid))
        });
        match existing {
            Some(i) => merged[i] = statement,
            None => merged.push(statement),
        }
    }
}

/// The blocks of `dynamic "NAME" { for_each = …, content { … } }` in `block`.
fn dynamic_blocks<'n>(block: &'n Node, name: &str) -> Vec<&'n Node> {
    entries(block.get("dynamic"))
        .into_iter()
        .filter(|(key, ..)| *key == name)
        .flat_map(|(_, _, node)| objects(Some(node)))
        .collect()
}

/// The members of a block map such as `resource` or `resource.aws_iam_role`:
/// an object, or (as Terraform also accepts) an array of objects.
pub(super) fn entries(node: Option<&Node>) -> Vec<(&str, Span, &Node)> {
    objects(node)
        .into_iter()
        .filter_map(Node::as_object)
        .flatten()
        .map(|m| (m.key.as_str(), m.key_span, &m.value))
        .collect()
}

/// Adds a document written as a JSON string, or as the object `jsonencode`
/// or a JSON heredoc gives in HCL, with its interpolations as placeholders; of
/// sort `kind`, or (`None`) the sort its statements tell. A string that is one
/// whole expression is skipped: only a plan knows it.
fn push_document(
    contents: &mut Contents,
    (subject, node, kind): (String, &Node, Option<DocumentKind>),
    definition: Definition,
) {
    let document = match &node.value {
        Value::Object(_) => Ok(interpolated(node)),
        Value::String(text) if whole_expression(text) => return,
        Value::String(text) => decode_embedded(&interpolate(text), node.span),
        _ => return,
    };
    match document {
        Ok(document) => contents.documents.push(EmbeddedDocument {
            kind: kind.unwrap_or_else(|| DocumentKind::infer(&document)),
            subject: Some(subject),
            owner: None,
            node: document,
            assumption: None,
            conditions: Vec::new(),
            definition: Some(definition),
            written_by_aws: false,
        }),
        Err(error) => contents.errors.push(super::DocumentError {
            message: format!("{subject}: {}", error.message),
            ..error
        }),
    }
}

/// A document written as an object, its keys and strings with interpolations
/// as placeholders.
fn interpolated(node: &Node) -> Node {
    let value = match &node.value {
        Value::String(text) => Value::String(interpolate(text)),
        Value::Array(items) => Value::Array(items.iter().map(interpolated).collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|m| Member {
                    key: interpolate(&m.key),
                    key_span: m.key_span,
                    value: interpolated(&m.value),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        span: node.span,
        value,
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
pub(super) fn interpolate(text: &str) -> String {
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
        if let Some((key_span, span, blocks)) = blocks_of(block, key) {
            members.push(member(element, key_span, principals(&blocks, span)));
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
    if let Some((key_span, span, blocks)) = blocks_of(block, "condition") {
        members.push(member("Condition", key_span, conditions(&blocks, span)));
    }
    drop_unresolved_alternatives(&mut members);
    Node {
        span: block.span,
        value: Value::Object(members),
    }
}

/// Where a statement sets both an element and its `Not` form and one of the
/// two is wholly unresolved (`not_actions = statement.value.not_actions` in a
/// `dynamic` block: null for most items, and Terraform leaves a null argument
/// out), keeps only the other: the statement is not read as having both.
fn drop_unresolved_alternatives(members: &mut Vec<Member>) {
    for (plain, negated) in [
        ("Action", "NotAction"),
        ("Resource", "NotResource"),
        ("Principal", "NotPrincipal"),
    ] {
        let find = |key: &str| members.iter().position(|m| m.key == key);
        let (Some(p), Some(n)) = (find(plain), find(negated)) else {
            continue;
        };
        if all_unresolved(&members[n].value) {
            members.remove(n);
        } else if all_unresolved(&members[p].value) {
            members.remove(p);
        }
    }
}

/// Drops from each statement the elements a policy of this sort cannot have
/// (a Principal in an identity policy, a Resource in a trust policy) when
/// they are wholly unresolved: a generic module sets them from variables
/// that are null where they do not apply, and Terraform leaves a null
/// argument out. Written values stay, to be judged.
fn drop_unresolved_misplaced(document: &mut Node, kind: DocumentKind) {
    let misplaced: &[&str] = match kind {
        DocumentKind::Trust => &["Resource", "NotResource"],
        DocumentKind::Resource => &[],
        _ => &["Principal", "NotPrincipal"],
    };
    let Value::Object(members) = &mut document.value else {
        return;
    };
    for member in members.iter_mut().filter(|m| m.key == "Statement") {
        let Value::Array(statements) = &mut member.value.value else {
            continue;
        };
        for statement in statements {
            if let Value::Object(elements) = &mut statement.value {
                elements
                    .retain(|e| !(misplaced.contains(&e.key.as_str()) && all_unresolved(&e.value)));
            }
        }
    }
}

/// True when every string of `node` is one unresolved value, and it has one.
fn all_unresolved(node: &Node) -> bool {
    fn walk(node: &Node, any: &mut bool) -> bool {
        match &node.value {
            Value::String(text) => {
                *any = true;
                unknown::is_whole(text)
            }
            Value::Array(items) => items.iter().all(|n| walk(n, any)),
            Value::Object(members) => members.iter().all(|m| walk(&m.value, any)),
            _ => false,
        }
    }
    let mut any = false;
    walk(node, &mut any) && any
}

/// `principals { type = "AWS", identifiers = [...] }` blocks as a Principal:
/// `{"AWS": [...], "Service": [...]}`, or `"*"` for type `*`.
fn principals(blocks: &[&Node], span: Span) -> Node {
    let mut by_type: Vec<Member> = Vec::new();
    for &block in blocks {
        // A type the input leaves unresolved is read as some AWS principal.
        let kind = block
            .get("type")
            .and_then(Node::as_str)
            .filter(|t| !t.contains("${"))
            .unwrap_or("AWS");
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
        span,
        value: Value::Object(by_type),
    }
}

/// `condition { test, variable, values }` blocks as a Condition block.
fn conditions(blocks: &[&Node], span: Span) -> Node {
    let mut by_test: Vec<Member> = Vec::new();
    for &block in blocks {
        let (Some(test), Some(variable)) = (block.get("test"), block.get("variable")) else {
            continue;
        };
        let (Some(test_name), Some(variable_name)) = (test.as_str(), variable.as_str()) else {
            continue;
        };
        let (test_name, variable_name) = (interpolate(test_name), interpolate(variable_name));
        let (test_name, variable_name) = (test_name.as_str(), variable_name.as_str());
        let values = list(block, "values");
        let entry = member(variable_name, variable.span, values);
        super::add_condition(&mut by_test, test_name, (test.span, block.span), entry);
    }
    Node {
        span,
        value: Value::Object(by_test),
    }
}

/// The `key` blocks of a statement block, written out or as the `content` of
/// `dynamic "key"` blocks (whose iterator's values read as unknown): where
/// the first is named, where they are, and the blocks.
fn blocks_of<'n>(block: &'n Node, key: &str) -> Option<(Span, Span, Vec<&'n Node>)> {
    let written = key_span(block, key);
    let dynamic = dynamic_blocks(block, key);
    let mut blocks: Vec<&Node> = written
        .map(|(_, node)| objects(Some(node)))
        .unwrap_or_default();
    blocks.extend(dynamic.iter().flat_map(|d| objects(d.get("content"))));
    let (key_span, span) = match (written, dynamic.first()) {
        (Some((key_span, node)), _) => (key_span, node.span),
        (None, Some(first)) => (first.span, first.span),
        (None, None) => return None,
    };
    Some((key_span, span, blocks))
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

    fn hcl_documents(text: &str) -> Vec<EmbeddedDocument> {
        let root = whittle_syntax::parse_hcl(text).unwrap();
        terraform_config(&root).unwrap().documents
    }

    fn statement_keys(document: &EmbeddedDocument) -> Vec<Vec<String>> {
        objects(document.node.get("Statement"))
            .into_iter()
            .map(|s| {
                s.as_object()
                    .unwrap()
                    .iter()
                    .map(|m| m.key.clone())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_referenced_data_source_takes_the_sort_and_resource_of_its_user() {
        let documents = hcl_documents(
            r#"
data "aws_iam_policy_document" "trust" {
  count = 1
  dynamic "statement" {
    for_each = var.providers
    content {
      effect        = statement.value.effect
      actions       = ["sts:AssumeRoleWithWebIdentity"]
      not_actions   = statement.value.not_actions
      resources     = statement.value.resources
      principals {
        type        = "Federated"
        identifiers = [statement.value.arn]
      }
    }
  }
}
resource "aws_iam_role" "this" {
  assume_role_policy = data.aws_iam_policy_document.trust[0].json
}
"#,
        );
        let [document] = documents.as_slice() else {
            panic!("{documents:?}")
        };
        assert_eq!(document.kind, DocumentKind::Trust);
        assert_eq!(
            document.subject.as_deref(),
            Some("aws_iam_role.this assume_role_policy (data.aws_iam_policy_document.trust)")
        );
        // The unresolved NotAction and (in a trust policy) Resource may be
        // null: they are left out, not read as both forms.
        assert_eq!(
            statement_keys(document),
            [["Effect", "Principal", "Action"]]
        );
        assert!(document.assumption.as_deref().unwrap().contains("dynamic"));
    }

    #[test]
    fn source_and_override_documents_merge_by_sid() {
        let documents = hcl_documents(
            r#"
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
  statement {
    sid       = "Keep"
    actions   = ["sqs:SendMessage"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "merged" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [jsonencode({
    Statement = [{ Sid = "Read", Effect = "Allow", Action = "s3:ListBucket", Resource = "*" }]
  })]
  statement {
    sid       = "Extra"
    actions   = ["sns:Publish"]
    resources = ["*"]
  }
}
"#,
        );
        let merged = documents
            .iter()
            .find(|d| d.subject.as_deref() == Some("data.aws_iam_policy_document.merged"))
            .unwrap();
        let actions: Vec<String> = objects(merged.node.get("Statement"))
            .into_iter()
            .map(|s| {
                let action = s.get("Action").unwrap();
                match &action.value {
                    Value::Array(items) => items[0].as_str().unwrap().to_owned(),
                    _ => action.as_str().unwrap().to_owned(),
                }
            })
            .collect();
        assert_eq!(actions, ["s3:ListBucket", "sqs:SendMessage", "sns:Publish"]);
    }
}
