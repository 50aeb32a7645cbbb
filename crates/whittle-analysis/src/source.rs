//! Source files and the position-preserving JSON tree that every input is parsed into.
//!
//! Policies are parsed once into [`Node`]s that remember their byte [`Span`]; a
//! [`SourceFile`] turns spans back into 1-based line and column numbers, so every
//! finding can point at the exact element in the file the user wrote.

use std::fmt;
use std::sync::Arc;

use jsonc_parser::ast;

/// A half-open byte range `[start, end)` into a [`SourceFile`]'s text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The parsed value.
    pub value: T,
    /// Where the value was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `value` written at `span`.
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

/// A 1-based line and column (columns count Unicode scalar values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column number, in characters.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Bytes between the checkpoints of [`SourceFile::char_marks`].
const MARK_STRIDE: usize = 4096;

/// The text of one input file, with an index from byte offsets to lines and
/// columns that stays fast on minified files of one very long line.
#[derive(Debug)]
pub struct SourceFile {
    path: Arc<str>,
    text: String,
    line_starts: Vec<usize>,
    /// Empty for ASCII text (a column is then a byte difference); otherwise the
    /// number of characters before byte `k * MARK_STRIDE`, for every `k`.
    char_marks: Vec<usize>,
}

impl SourceFile {
    /// Wraps the `text` read from `path` (the path is used for display only).
    pub fn new(path: impl Into<Arc<str>>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let char_marks = if text.is_ascii() {
            Vec::new()
        } else {
            let mut before = 0;
            text.as_bytes()
                .chunks(MARK_STRIDE)
                .map(|chunk| {
                    let mark = before;
                    before += char_starts(chunk);
                    mark
                })
                .collect()
        };
        Self {
            path: path.into(),
            text,
            line_starts,
            char_marks,
        }
    }

    /// The number of characters before byte `offset` (a char boundary).
    fn chars_before(&self, offset: usize) -> usize {
        if self.char_marks.is_empty() {
            return offset;
        }
        let block = (offset / MARK_STRIDE).min(self.char_marks.len() - 1);
        self.char_marks[block] + char_starts(&self.text.as_bytes()[block * MARK_STRIDE..offset])
    }

    /// The path as given by the user.
    pub fn path(&self) -> &Arc<str> {
        &self.path
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let column = self.chars_before(offset) - self.chars_before(self.line_starts[line]);
        Position {
            line: line + 1,
            column: column + 1,
        }
    }

    /// True when the text does not start like JSON: it is read as YAML.
    pub fn is_yaml(&self) -> bool {
        let trimmed = self.text.trim_start_matches('\u{feff}').trim_start();
        !(trimmed.starts_with('{') || trimmed.starts_with('['))
    }

    /// Parses the file as JSON or, when it does not start like JSON, as YAML
    /// (CloudFormation templates).
    pub fn parse(&self) -> Result<Node, JsonError> {
        if !self.is_yaml() {
            return self.parse_json().map_err(|error| JsonError {
                message: format!("invalid JSON: {}", error.message),
                ..error
            });
        }
        crate::yaml::parse_yaml(&self.text).map_err(|error| JsonError {
            position: self.position(error.offset),
            message: format!("invalid YAML: {}", error.message),
        })
    }

    /// Parses the text as strict JSON (no comments, no trailing commas).
    pub fn parse_json(&self) -> Result<Node, JsonError> {
        parse_json(&self.text).map_err(|error| JsonError {
            position: self.position(error.offset),
            message: error.message,
        })
    }
}

/// A JSON syntax error with the position where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {message}")]
pub struct JsonError {
    /// Where the error was found.
    pub position: Position,
    /// What is wrong, e.g. "expected comma".
    pub message: String,
}

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

/// The number of characters that start in `bytes` (UTF-8 bytes that are not
/// continuation bytes).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
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
    fn columns_on_long_non_ascii_lines_count_characters() {
        // One line of 3 * MARK_STRIDE bytes and more, with multi-byte characters
        // straddling the checkpoints, then a second line.
        let line: String = (0..5000).map(|i| ["a", "é", "€", "😀"][i % 4]).collect();
        let text = format!("{line}\nxé€");
        let file = SourceFile::new("long.json", text.clone());
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let before = &text[..offset];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let expected = Position {
                line: before.matches('\n').count() + 1,
                column: before[line_start..].chars().count() + 1,
            };
            assert_eq!(file.position(offset), expected, "offset {offset}");
        }
    }

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let file = SourceFile::new("p.json", "{\n  \"é\": \"x\"\n}");
        assert_eq!(file.position(0), Position { line: 1, column: 1 });
        let x = file.text().find("\"x\"").unwrap();
        assert_eq!(file.position(x), Position { line: 2, column: 8 });
        assert_eq!(file.position(10_000), Position { line: 3, column: 2 });
    }

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
    fn syntax_errors_name_line_and_column() {
        let file = SourceFile::new("bad.json", "{\n  \"a\": 1\n  \"b\": 2\n}");
        let error = file.parse_json().unwrap_err();
        // The error points where the missing comma belongs: right after `1`.
        assert_eq!(error.position, Position { line: 2, column: 9 });
        assert!(error.message.contains("comma"), "{}", error.message);
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
