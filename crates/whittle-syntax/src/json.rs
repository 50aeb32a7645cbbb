//! The position-preserving JSON tree every input is parsed into: [`Node`]s that
//! remember their byte [`Span`], from strict JSON ([`parse_json`]) or YAML
//! ([`crate::yaml::parse_yaml`]).

use jsonc_parser::ast;

use crate::span::Span;

/// A syntax error at a byte offset of the parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawJsonError {
    /// Byte offset of the error.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// One JSON value with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value was written, from its first to its last byte.
    pub span: Span,
    /// The value itself.
    pub value: Value,
}

/// A JSON value whose children are [`Node`]s.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, members in the order written (duplicates kept).
    Object(Vec<Member>),
}

/// One `"key": value` pair of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key, unescaped.
    pub key: String,
    /// Where the key was written.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Node {
    /// The members of an object, or `None` for any other value.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The string, or `None` for any other value.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The last member named `key` (JSON parsers keep the last of duplicates).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_object()?
            .iter()
            .rev()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// [`Node::get`], mutably: the last member named `key`.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            Value::Object(members) => members
                .iter_mut()
                .rev()
                .find(|m| m.key == key)
                .map(|m| &mut m.value),
            _ => None,
        }
    }

    /// Moves the value out, leaving `null` at the same span.
    pub fn take(&mut self) -> Node {
        let span = self.span;
        std::mem::replace(
            self,
            Node {
                span,
                value: Value::Null,
            },
        )
    }

    /// A short name of the value's type, for messages ("a string", "an array").
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// The length in characters of the value written as compact JSON (no
    /// whitespace outside strings), as IAM counts a policy against its size quotas.
    pub fn compact_len(&self) -> usize {
        match &self.value {
            Value::Null => 4,
            Value::Bool(b) => {
                if *b {
                    4
                } else {
                    5
                }
            }
            Value::Number(n) => n.chars().count(),
            Value::String(s) => quoted_len(s),
            Value::Array(items) => {
                2 + items.iter().map(Node::compact_len).sum::<usize>()
                    + items.len().saturating_sub(1)
            }
            Value::Object(members) => {
                2 + members
                    .iter()
                    .map(|m| quoted_len(&m.key) + 1 + m.value.compact_len())
                    .sum::<usize>()
                    + members.len().saturating_sub(1)
            }
        }
    }

    /// Moves every span in the tree `by` bytes later: used for a document
    /// parsed out of a larger file (a Terraform heredoc).
    pub fn shift_spans(&mut self, by: usize) {
        self.span = Span::new(self.span.start + by, self.span.end + by);
        match &mut self.value {
            Value::Array(items) => items.iter_mut().for_each(|n| n.shift_spans(by)),
            Value::Object(members) => {
                for member in members {
                    member.key_span =
                        Span::new(member.key_span.start + by, member.key_span.end + by);
                    member.value.shift_spans(by);
                }
            }
            _ => {}
        }
    }

    /// Moves every span in the tree onto `span`: used for a document that was
    /// embedded as a string, whose inner positions do not exist in the file.
    pub fn collapse_spans(&mut self, span: Span) {
        self.span = span;
        match &mut self.value {
            Value::Array(items) => items.iter_mut().for_each(|n| n.collapse_spans(span)),
            Value::Object(members) => {
                for member in members {
                    member.key_span = span;
                    member.value.collapse_spans(span);
                }
            }
            _ => {}
        }
    }
}

/// Parses strict JSON text into a [`Node`] tree.
pub fn parse_json(text: &str) -> Result<Node, RawJsonError> {
    let options = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &options).map_err(|e| {
        RawJsonError {
            offset: e.range().start,
            message: lowercase_first(&e.kind().to_string()),
        }
    })?;
    match parsed.value {
        Some(value) => Ok(convert(value)),
        None => Err(RawJsonError {
            offset: 0,
            message: "the file holds no JSON value (it is empty)".to_owned(),
        }),
    }
}

fn convert(value: ast::Value<'_>) -> Node {
    let (range, value) = match value {
        ast::Value::StringLit(s) => (s.range, Value::String(s.value.into_owned())),
        ast::Value::NumberLit(n) => (n.range, Value::Number(n.value.to_owned())),
        ast::Value::BooleanLit(b) => (b.range, Value::Bool(b.value)),
        ast::Value::NullKeyword(n) => (n.range, Value::Null),
        ast::Value::Array(a) => (
            a.range,
            Value::Array(a.elements.into_iter().map(convert).collect()),
        ),
        ast::Value::Object(o) => (
            o.range,
            Value::Object(
                o.properties
                    .into_iter()
                    .map(|p| {
                        let key_range = match &p.name {
                            ast::ObjectPropName::String(s) => s.range,
                            ast::ObjectPropName::Word(w) => w.range,
                        };
                        Member {
                            key: p.name.into_string(),
                            key_span: Span::new(key_range.start, key_range.end),
                            value: convert(p.value),
                        }
                    })
                    .collect(),
            ),
        ),
    };
    Node {
        span: Span::new(range.start, range.end),
        value,
    }
}
/// Characters of `s` as a JSON string literal, quotes and escapes included.
fn quoted_len(s: &str) -> usize {
    2 + s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// `s` with its first character in lowercase, for error messages.
pub(crate) fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_spans_and_order() {
        let node = parse_json(r#"{"b": [1, true], "a": "s"}"#).unwrap();
        let members = node.as_object().unwrap();
        assert_eq!(members[0].key, "b");
        assert_eq!(members[1].value.as_str(), Some("s"));
        assert_eq!(members[1].value.span, Span::new(22, 25));
        assert_eq!(node.get("a").unwrap().kind(), "a string");
    }

    #[test]
    fn comments_trailing_commas_and_empty_text_are_rejected() {
        assert!(parse_json("{\"a\": 1,}").is_err());
        assert!(parse_json("// c\n{}").is_err());
        assert!(parse_json("   ").is_err());
    }

    #[test]
    fn compact_length_ignores_whitespace_outside_strings() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ {\"Sid\": \"a b\\\"c\"}, true, null, 12 ]\n}";
        let node = parse_json(text).unwrap();
        let compact = r#"{"Version":"2012-10-17","Statement":[{"Sid":"a b\"c"},true,null,12]}"#;
        assert_eq!(node.compact_len(), compact.chars().count());
    }

    #[test]
    fn collapsing_moves_every_span() {
        let mut node = parse_json(r#"{"a": [1, {"b": 2}]}"#).unwrap();
        node.collapse_spans(Span::new(7, 9));
        assert_eq!(node.get("a").unwrap().span, Span::new(7, 9));
        let Value::Array(items) = &node.get("a").unwrap().value else {
            panic!("array expected")
        };
        assert_eq!(items[1].get("b").unwrap().span, Span::new(7, 9));
    }
}
