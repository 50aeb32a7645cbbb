//! Terraform's native syntax (HCL, `*.tf`) read into the same [`Node`] tree as
//! its JSON syntax (`*.tf.json`), every node keeping its span in the `.tf` file.
//!
//! The mapping is Terraform's own for JSON configuration: a block
//! `resource "aws_iam_role" "ci" { … }` is `{"resource": [{"aws_iam_role":
//! {"ci": {…}}}]}` (one array item per block, so repeated blocks keep their
//! spans), an attribute is a member, literals are JSON values, and every
//! expression whittle does not evaluate — a reference, a function call, a `for`
//! expression — is the string `"${…}"` holding its source text, as the JSON
//! syntax writes it. A literal `${` in a string is written `$${`, as there.
//!
//! Two expressions are read as the value they encode, because that is how a
//! policy is written in HCL: `jsonencode(x)` of an object or array is `x`, and a
//! heredoc holding a JSON document is that document, each element at its line
//! and column inside the heredoc.

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::{Element, Template};

use crate::json::{Member, Node, RawJsonError, Value, parse_json};
use crate::span::Span;

/// Parses a Terraform configuration file written in HCL.
pub fn parse_hcl(text: &str) -> Result<Node, RawJsonError> {
    let body = hcl_edit::parser::parse_body(text).map_err(|error| RawJsonError {
        offset: error.location().offset(),
        message: error.message().to_owned(),
    })?;
    let reader = Reader { text };
    Ok(reader.body(&body, Span::new(0, text.len())))
}

struct Reader<'t> {
    text: &'t str,
}

impl Reader<'_> {
    /// A body as an object: its attributes, then one member per block name
    /// holding an array of its blocks, in the order first written.
    fn body(&self, body: &Body, span: Span) -> Node {
        let mut members: Vec<Member> = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => members.push(Member {
                    key: attribute.key.as_str().to_owned(),
                    key_span: self.span_of(attribute.key.span(), span),
                    value: self.expression(&attribute.value, span),
                }),
                Structure::Block(block) => {
                    let node = self.block(block, span);
                    let name = block.ident.as_str();
                    let existing = members
                        .iter_mut()
                        .find(|m| m.key == name && matches!(m.value.value, Value::Array(_)));
                    match existing {
                        Some(member) => {
                            member.value.span = Span::new(member.value.span.start, node.span.end);
                            if let Value::Array(items) = &mut member.value.value {
                                items.push(node);
                            }
                        }
                        None => members.push(Member {
                            key: name.to_owned(),
                            key_span: self.span_of(block.ident.span(), node.span),
                            value: Node {
                                span: node.span,
                                value: Value::Array(vec![node]),
                            },
                        }),
                    }
                }
            }
        }
        Node {
            span,
            value: Value::Object(members),
        }
    }

    /// A block as its labels nested around its body; every level spans from
    /// its label to the block's end, the outermost the whole block.
    fn block(&self, block: &Block, outer: Span) -> Node {
        let whole = self.span_of(block.span(), outer);
        let mut node = self.body(&block.body, whole);
        for label in block.labels.iter().rev() {
            let label_span = self.span_of(label.span(), whole);
            node = Node {
                span: Span::new(label_span.start, whole.end),
                value: Value::Object(vec![Member {
                    key: label.as_str().to_owned(),
                    key_span: label_span,
                    value: node,
                }]),
            };
        }
        node.span = whole;
        node
    }

    fn expression(&self, expression: &Expression, outer: Span) -> Node {
        let span = self.span_of(expression.span(), outer);
        let value = match expression {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => Value::Number(n.value().to_string()),
            Expression::String(s) => Value::String(escape(s.value())),
            Expression::Array(items) => {
                Value::Array(items.iter().map(|e| self.expression(e, span)).collect())
            }
            Expression::Object(object) => Value::Object(
                object
                    .iter()
                    .map(|(key, value)| {
                        let key_span = self.span_of(key.span(), span);
                        Member {
                            key: match key {
                                ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                                ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                                ObjectKey::Expression(other) => self.unevaluated(other.span()),
                            },
                            key_span,
                            value: self.expression(value.expr(), span),
                        }
                    })
                    .collect(),
            ),
            Expression::StringTemplate(template) => Value::String(self.template(template)),
            Expression::HeredocTemplate(heredoc) => {
                if let Some(document) = self.json_heredoc(&heredoc.template, span) {
                    return document;
                }
                Value::String(self.template(&heredoc.template))
            }
            Expression::Parenthesis(inner) => return self.expression(inner.inner(), span),
            Expression::FuncCall(call)
                if call.name.namespace.is_empty()
                    && call.name.name.as_str() == "jsonencode"
                    && call.args.len() == 1 =>
            {
                let argument = call.args.iter().next().map(|a| self.expression(a, span));
                match argument {
                    Some(
                        node @ Node {
                            value: Value::Object(_) | Value::Array(_),
                            ..
                        },
                    ) => return Node { span, ..node },
                    _ => Value::String(self.unevaluated(expression.span())),
                }
            }
            _ => Value::String(self.unevaluated(expression.span())),
        };
        Node { span, value }
    }

    /// A template's text with literals escaped and every interpolation or
    /// directive as `${…}` of its source.
    fn template(&self, template: &Template) -> String {
        let mut out = String::new();
        for element in template.iter() {
            match element {
                Element::Literal(literal) => out.push_str(&escape(literal.value())),
                Element::Interpolation(interpolation) => {
                    out.push_str(&self.unevaluated(interpolation.expr.span()));
                }
                Element::Directive(_) => out.push_str("${template directive}"),
            }
        }
        out
    }

    /// A heredoc whose text is a JSON object (interpolations only inside its
    /// strings), parsed where it is written; `None` otherwise.
    fn json_heredoc(&self, template: &Template, outer: Span) -> Option<Node> {
        if template.iter().any(|e| matches!(e, Element::Directive(_))) {
            return None;
        }
        let start = template.iter().find_map(|e| e.span())?.start;
        let end = template.iter().filter_map(|e| e.span()).last()?.end;
        let raw = self.text.get(start..end)?;
        if !raw.trim_start().starts_with('{') || start < outer.start || end > outer.end {
            return None;
        }
        let mut node = parse_json(raw).ok()?;
        node.shift_spans(start);
        Some(node)
    }

    /// `${source}` of an expression whittle does not evaluate.
    /// Its source is kept whole when it holds no quote, brace or `$` (a
    /// reference, a simple call); otherwise those are dropped, so that the
    /// `${…}` stays one interpolation however the expression nests.
    fn unevaluated(&self, span: Option<std::ops::Range<usize>>) -> String {
        let source = span
            .and_then(|r| self.text.get(r))
            .map(str::trim)
            .unwrap_or("expression");
        let label: String = source
            .chars()
            .filter(|c| !matches!(c, '"' | '{' | '}' | '$' | '%'))
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        format!("${{{label}}}")
    }

    /// A span from hcl-edit's, or `outer` when it has none.
    fn span_of(&self, span: Option<std::ops::Range<usize>>, outer: Span) -> Span {
        span.filter(|r| r.end <= self.text.len())
            .map_or(outer, |r| Span::new(r.start, r.end))
    }
}

/// Literal text as Terraform's JSON syntax writes it: `${` as `$${`.
fn escape(text: &str) -> String {
    text.replace("${", "$${")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'t>(text: &'t str, node: &Node) -> &'t str {
        &text[node.span.start..node.span.end]
    }

    #[test]
    fn blocks_nest_by_label_and_repeat_as_arrays() {
        let text = r#"
resource "aws_iam_policy" "a" {
  name = "a"
}
resource "aws_iam_policy" "b" {
  statement {
    actions = ["s3:GetObject"]
  }
  statement {
    actions = ["s3:PutObject"]
  }
}
"#;
        let root = parse_hcl(text).unwrap();
        let Value::Array(resources) = &root.get("resource").unwrap().value else {
            panic!("{root:?}")
        };
        assert_eq!(resources.len(), 2);
        assert!(at(text, &resources[1]).starts_with("resource \"aws_iam_policy\" \"b\""));
        let b = resources[1]
            .get("aws_iam_policy")
            .unwrap()
            .get("b")
            .unwrap();
        let Value::Array(statements) = &b.get("statement").unwrap().value else {
            panic!()
        };
        assert_eq!(statements.len(), 2);
        let Value::Array(actions) = &statements[1].get("actions").unwrap().value else {
            panic!()
        };
        assert_eq!(at(text, &actions[0]), "\"s3:PutObject\"");
    }

    #[test]
    fn jsonencode_and_json_heredocs_are_the_documents_they_encode() {
        let text = r#"
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{ Action = "s3:*", Resource = "arn:aws:s3:::${var.b}/$${aws:username}" }]
  })
  other = <<-EOT
    {"Statement": [{"Action": "iam:*", "Resource": "${aws_s3_bucket.b.arn}"}]}
  EOT
  role = aws_iam_role.r.id
  text = "x-%{ if var.a }y%{ endif }"
}
"#;
        let root = parse_hcl(text).unwrap();
        let resource = root.get("resource").unwrap();
        let Value::Array(blocks) = &resource.value else {
            panic!()
        };
        let p = blocks[0].get("aws_iam_policy").unwrap().get("p").unwrap();
        let statement = |key: &str| {
            let Value::Array(items) = &p.get(key).unwrap().get("Statement").unwrap().value else {
                panic!()
            };
            items[0].clone()
        };
        let encoded = statement("policy");
        assert_eq!(
            encoded.get("Resource").unwrap().as_str(),
            Some("arn:aws:s3:::${var.b}/$${aws:username}")
        );
        assert_eq!(at(text, encoded.get("Action").unwrap()), "\"s3:*\"");
        let heredoc = statement("other");
        assert_eq!(at(text, heredoc.get("Action").unwrap()), "\"iam:*\"");
        assert_eq!(
            heredoc.get("Resource").unwrap().as_str(),
            Some("${aws_s3_bucket.b.arn}")
        );
        assert_eq!(
            p.get("role").unwrap().as_str(),
            Some("${aws_iam_role.r.id}")
        );
        assert_eq!(
            p.get("text").unwrap().as_str(),
            Some("x-${template directive}")
        );
    }

    #[test]
    fn errors_name_their_offset() {
        let error = parse_hcl("resource \"a\" {\n  x = \n}").unwrap_err();
        assert!(error.offset > 0, "{error:?}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

        /// Any text, and any cut of a real configuration, parses or fails
        /// with an offset inside the text: never a panic, and every span of
        /// the tree lies inside the text.
        #[test]
        fn hostile_text_never_panics(
            text in "[a-z\"{}\\[\\]=<>$#/\n .,:*()-]{0,200}",
            cut in 0usize..600,
        ) {
            let real = include_str!("../../../testdata/iac/main.tf");
            for input in [text.as_str(), &real[..floor(real, cut)]] {
                match parse_hcl(input) {
                    Ok(root) => check_spans(&root, input.len()),
                    Err(error) => proptest::prop_assert!(error.offset <= input.len()),
                }
            }
        }
    }

    fn floor(text: &str, at: usize) -> usize {
        (0..=at.min(text.len()))
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0)
    }

    fn check_spans(node: &Node, len: usize) {
        assert!(
            node.span.start <= node.span.end && node.span.end <= len,
            "{node:?}"
        );
        match &node.value {
            Value::Array(items) => items.iter().for_each(|n| check_spans(n, len)),
            Value::Object(members) => {
                for member in members {
                    assert!(member.key_span.end <= len);
                    check_spans(&member.value, len);
                }
            }
            _ => {}
        }
    }
}
