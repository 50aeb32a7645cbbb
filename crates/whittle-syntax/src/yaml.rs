//! YAML input (CloudFormation templates) parsed into the same span-carrying
//! [`Node`] tree as JSON, so findings in a YAML file point at its lines and
//! columns exactly as they do in a JSON file.
//!
//! Plain scalars resolve as in the YAML 1.2 core schema, as CloudFormation reads
//! them (`true`, `null`, `~`, numbers; `2012-10-17` stays a string), and the
//! short-form intrinsic tags (`!Ref`, `!Sub`, `!GetAtt`, …) become their long JSON
//! form (`{"Ref": …}`, `{"Fn::Sub": …}`, …), so the code downstream sees one shape.
//! Aliases are replaced by a copy of the anchored node. Only the first document
//! of a stream is read.
//!
//! The events come from `saphyr-parser`, whose positions count characters; they
//! are turned into byte offsets here, and each node's span is narrowed to what
//! was written for it (a tag or an anchor before a node is not part of the node,
//! the quotes of a quoted scalar are).

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use crate::json::{Member, Node, RawJsonError, Value, lowercase_first};
use crate::span::Span;

/// The deepest nesting of arrays and objects accepted (intrinsic functions
/// count as an object level each), so that no input can exhaust the stack of
/// the code that walks the tree.
const MAX_DEPTH: usize = 512;

/// The most bytes that aliases may copy into the tree in all (each node counts
/// [`NODE_BYTES`] plus its text), so that a small file of nested aliases (a
/// "billion laughs") or of one long string aliased many times cannot exhaust
/// memory.
const MAX_ALIAS_BYTES: usize = 32 << 20;

/// What one node costs in the alias budget besides its text.
const NODE_BYTES: usize = 64;

const KEY_NOT_SCALAR: &str = "a mapping key must be a scalar, not a sequence or mapping";

/// Parses the first document of YAML `text` into a [`Node`] tree whose spans
/// are byte ranges of `text`.
///
/// A syntax error, an empty stream, a mapping key that is not a scalar, nesting
/// deeper than 512 levels and aliases that copy more than 32 MiB in all are errors at the
/// byte offset where they were found.
pub fn parse_yaml(text: &str) -> Result<Node, RawJsonError> {
    Builder::new(text).run()
}

/// A node being finished, with what is needed to bound the tree it goes into.
struct Built {
    node: Node,
    /// The memory the tree takes, as the alias budget counts it: [`NODE_BYTES`]
    /// per node plus the text of its strings and keys.
    bytes: usize,
    /// The number of nested levels, 1 for a scalar.
    height: usize,
}

/// An array or object whose end has not been read yet.
struct Frame {
    /// The array's items or the object's members.
    items: Items,
    /// The first byte of the collection itself (after its tag and anchor).
    start: usize,
    /// The first byte of the node as written, tag and anchor included.
    outer_start: usize,
    /// The key of the wrapping object of an intrinsic-function tag.
    intrinsic: Option<&'static str>,
    /// The anchor id to record the finished node under (0 for none).
    anchor: usize,
    bytes: usize,
    height: usize,
}

enum Items {
    Array(Vec<Node>),
    Object {
        members: Vec<Member>,
        /// A key read whose value has not been.
        key: Option<(String, Span)>,
    },
}

struct Builder<'t> {
    text: &'t str,
    positions: Positions,
    parser: Parser<'t, saphyr_parser::StrInput<'t>>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Built>,
    alias_bytes: usize,
    /// The byte offset where the previous event's span ended.
    previous_end: usize,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            positions: Positions::new(text),
            parser: Parser::new_from_str(text),
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_bytes: 0,
            previous_end: 0,
        }
    }

    fn run(mut self) -> Result<Node, RawJsonError> {
        let mut in_document = false;
        loop {
            let Some(next) = self.parser.next_event() else {
                return Err(error_at(
                    self.text.len(),
                    "unexpected end of the YAML stream",
                ));
            };
            let (event, span) = next.map_err(|e| self.scan_error(&e))?;
            let start = self.positions.byte(span.start.index());
            let end = self.positions.byte(span.end.index()).max(start);
            let finished = match event {
                Event::Nothing | Event::StreamStart => None,
                Event::StreamEnd => {
                    return Err(error_at(
                        0,
                        "the file holds no YAML document (it is empty or only comments)",
                    ));
                }
                Event::DocumentStart(_) => {
                    in_document = true;
                    None
                }
                Event::DocumentEnd => {
                    // A document always holds a node, if only an empty scalar.
                    return Err(error_at(start, "the document holds no value"));
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let built = self.scalar(value, style, tag.as_deref(), start, end)?;
                    Some((built, anchor))
                }
                Event::Alias(id) => Some((self.alias(id, start)?, 0)),
                Event::SequenceStart(anchor, tag) => {
                    self.open(Items::Array(Vec::new()), anchor, tag.as_deref(), start)?;
                    None
                }
                Event::MappingStart(anchor, tag) => {
                    let items = Items::Object {
                        members: Vec::new(),
                        key: None,
                    };
                    self.open(items, anchor, tag.as_deref(), start)?;
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => Some(self.close(start, end)?),
            };
            self.previous_end = end;
            let Some((built, anchor)) = finished else {
                continue;
            };
            if !in_document {
                return Err(error_at(start, "a value outside of a document"));
            }
            if let Some(root) = self.add(built, anchor, start)? {
                return self.finish_document(root);
            }
        }
    }

    /// After the root node: reads up to the end of the first document, so that
    /// its syntax errors are reported, and ignores any later document.
    fn finish_document(mut self, root: Node) -> Result<Node, RawJsonError> {
        match self.parser.next_event() {
            Some(Err(e)) => Err(self.scan_error(&e)),
            _ => Ok(root),
        }
    }

    fn scan_error(&self, error: &ScanError) -> RawJsonError {
        RawJsonError {
            offset: self.positions.byte(error.marker().index()),
            message: lowercase_first(error.info()),
        }
    }

    /// Starts an array or object at the event that opened it.
    fn open(
        &mut self,
        items: Items,
        anchor: usize,
        tag: Option<&Tag>,
        outer_start: usize,
    ) -> Result<(), RawJsonError> {
        if self.expects_key() {
            return Err(error_at(outer_start, KEY_NOT_SCALAR));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(error_at(outer_start, "the document nests too deeply"));
        }
        let start = if anchor > 0 || tag.is_some() {
            skip_properties(self.text, outer_start)
        } else {
            outer_start
        };
        self.stack.push(Frame {
            items,
            start,
            outer_start,
            intrinsic: tag.and_then(intrinsic),
            anchor,
            bytes: NODE_BYTES,
            height: 1,
        });
        Ok(())
    }

    /// Finishes the innermost array or object at its end event.
    fn close(&mut self, start: usize, end: usize) -> Result<(Built, usize), RawJsonError> {
        let Some(frame) = self.stack.pop() else {
            return Err(error_at(
                start,
                "the end of a collection that was not started",
            ));
        };
        let (value, last_end) = match frame.items {
            Items::Array(items) => {
                let last = items.last().map(|n| n.span.end);
                (Value::Array(items), last)
            }
            Items::Object { members, key } => {
                if key.is_some() {
                    return Err(error_at(start, "a mapping key without a value"));
                }
                let last = members.last().map(|m| m.value.span.end.max(m.key_span.end));
                (Value::Object(members), last)
            }
        };
        // A flow collection ends at its bracket; a block collection's end event
        // is empty (where the next token starts), so it ends with its last child.
        let end = if start < end {
            end
        } else {
            last_end.unwrap_or(frame.start)
        }
        .max(frame.start);
        let built = Built {
            node: Node {
                span: Span::new(frame.start, end),
                value,
            },
            bytes: frame.bytes,
            height: frame.height,
        };
        let built = match frame.intrinsic {
            Some(key) => wrap(key, Span::new(frame.outer_start, end), built),
            None => built,
        };
        Ok((built, frame.anchor))
    }

    /// Converts a scalar event, spanning `start..end` with its tag and anchor.
    fn scalar(
        &self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Result<Built, RawJsonError> {
        let span = self.scalar_span(style, tag.is_some(), start, end);
        if self.expects_key() {
            // Keys are taken as written: `true: x` has the key "true".
            let bytes = NODE_BYTES + value.len();
            let node = Node {
                span,
                value: Value::String(value.into_owned()),
            };
            return Ok(Built {
                node,
                bytes,
                height: 1,
            });
        }
        let key = tag.and_then(intrinsic);
        let bytes = NODE_BYTES + value.len();
        let value = match (tag, style) {
            // Intrinsic functions take their scalar argument as a string.
            _ if key.is_some() => Value::String(value.into_owned()),
            (Some(t), _) if t.is_yaml_core_schema() && t.suffix == "str" => {
                Value::String(value.into_owned())
            }
            (_, ScalarStyle::Plain) => resolve_plain(value),
            _ => Value::String(value.into_owned()),
        };
        let mut built = Built {
            node: Node { span, value },
            bytes,
            height: 1,
        };
        if key == Some("Fn::GetAtt") {
            built = self.split_get_att(built, style);
        }
        Ok(match key {
            Some(key) => wrap(key, Span::new(start, span.end.max(start)), built),
            None => built,
        })
    }

    /// The span of a scalar as written, from its raw event span (which starts at
    /// its tag or anchor and may run on over trailing whitespace and comments).
    fn scalar_span(&self, style: ScalarStyle, properties: bool, start: usize, end: usize) -> Span {
        let bytes = self.text.as_bytes();
        let content = if properties {
            skip_properties(self.text, start).min(end)
        } else {
            start
        };
        match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let end =
                    quoted_end(bytes, content, style == ScalarStyle::SingleQuoted).unwrap_or(end);
                Span::new(content, end.max(content))
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                // The event starts at the content unless a tag or anchor came
                // first: find the `|` or `>` indicator after the previous event.
                let indicator = if properties {
                    Some(content).filter(|&i| matches!(bytes.get(i), Some(b'|' | b'>')))
                } else {
                    block_indicator(bytes, self.previous_end.min(start), start)
                };
                let start = indicator.unwrap_or(content);
                let mut end = end;
                while end > start + 1 && matches!(bytes[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
                    end -= 1;
                }
                Span::new(start, end.max(start))
            }
            ScalarStyle::Plain => Span::new(content, end.max(content)),
        }
    }

    /// `!GetAtt Resource.Attribute` as the array `["Resource", "Attribute"]`
    /// (split at the first dot), each part spanning what it was written as when
    /// the scalar is written without escapes.
    fn split_get_att(&self, built: Built, style: ScalarStyle) -> Built {
        let Value::String(s) = &built.node.value else {
            return built;
        };
        let span = built.node.span;
        let Some((resource, attribute)) = s.split_once('.') else {
            let node = Node {
                span,
                value: Value::Array(vec![built.node]),
            };
            return Built {
                node,
                bytes: built.bytes + NODE_BYTES,
                height: 2,
            };
        };
        let inner = match style {
            ScalarStyle::Plain => Some(span.start),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Some(span.start + 1),
            _ => None,
        }
        .filter(|&from| self.text.get(from..from + s.len()) == Some(s.as_str()));
        let (first, second) = match inner {
            Some(from) => {
                let dot = from + resource.len();
                (Span::new(from, dot), Span::new(dot + 1, from + s.len()))
            }
            None => (span, span),
        };
        let part = |text: &str, span| Node {
            span,
            value: Value::String(text.to_owned()),
        };
        let node = Node {
            span,
            value: Value::Array(vec![part(resource, first), part(attribute, second)]),
        };
        Built {
            node,
            bytes: built.bytes + 2 * NODE_BYTES,
            height: 2,
        }
    }

    /// A copy of the node anchored as `id`.
    fn alias(&mut self, id: usize, start: usize) -> Result<Built, RawJsonError> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(error_at(start, "an alias to a node that contains it"));
        };
        self.alias_bytes = self.alias_bytes.saturating_add(anchored.bytes);
        if self.alias_bytes > MAX_ALIAS_BYTES {
            return Err(error_at(
                start,
                &format!(
                    "aliases copy more than {} MiB in all (a YAML alias bomb?)",
                    MAX_ALIAS_BYTES >> 20
                ),
            ));
        }
        if self.stack.len() + anchored.height > MAX_DEPTH {
            return Err(error_at(start, "the document nests too deeply"));
        }
        Ok(Built {
            node: anchored.node.clone(),
            bytes: anchored.bytes,
            height: anchored.height,
        })
    }

    /// Whether the innermost collection is an object waiting for a key.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                items: Items::Object { key: None, .. },
                ..
            })
        )
    }

    /// Puts a finished node into its parent, or returns it as the root.
    fn add(
        &mut self,
        built: Built,
        anchor: usize,
        at: usize,
    ) -> Result<Option<Node>, RawJsonError> {
        if built.height > MAX_DEPTH {
            return Err(error_at(at, "the document nests too deeply"));
        }
        if anchor > 0 {
            let copy = Built {
                node: built.node.clone(),
                bytes: built.bytes,
                height: built.height,
            };
            self.anchors.insert(anchor, copy);
        }
        let Some(frame) = self.stack.last_mut() else {
            return Ok(Some(built.node));
        };
        match &mut frame.items {
            Items::Array(items) => items.push(built.node),
            Items::Object { members, key } => match key.take() {
                Some((key, key_span)) => members.push(Member {
                    key,
                    key_span,
                    value: built.node,
                }),
                None => {
                    let Some(text) = key_text(&built.node) else {
                        return Err(error_at(at, KEY_NOT_SCALAR));
                    };
                    *key = Some((text, built.node.span));
                    frame.bytes = frame.bytes.saturating_add(built.bytes);
                    return Ok(None);
                }
            },
        }
        frame.bytes = frame.bytes.saturating_add(built.bytes);
        frame.height = frame.height.max(built.height + 1);
        Ok(None)
    }
}

/// The text of a node used as a mapping key (an alias may bring any node), or
/// `None` for an array or object.
fn key_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("null".to_owned()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// Wraps the argument of an intrinsic function in its long form `{key: value}`,
/// the object and its key both spanning the tagged node.
fn wrap(key: &str, span: Span, argument: Built) -> Built {
    let node = Node {
        span,
        value: Value::Object(vec![Member {
            key: key.to_owned(),
            key_span: span,
            value: argument.node,
        }]),
    };
    Built {
        node,
        bytes: argument.bytes + NODE_BYTES + key.len(),
        height: argument.height + 1,
    }
}

/// The long-form key of a CloudFormation short-form intrinsic tag.
fn intrinsic(tag: &Tag) -> Option<&'static str> {
    if tag.handle != "!" {
        return None;
    }
    Some(match tag.suffix.as_str() {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "Sub" => "Fn::Sub",
        "GetAtt" => "Fn::GetAtt",
        "Join" => "Fn::Join",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "If" => "Fn::If",
        "Equals" => "Fn::Equals",
        "And" => "Fn::And",
        "Or" => "Fn::Or",
        "Not" => "Fn::Not",
        "FindInMap" => "Fn::FindInMap",
        "ImportValue" => "Fn::ImportValue",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "GetAZs" => "Fn::GetAZs",
        "Transform" => "Fn::Transform",
        "ToJsonString" => "Fn::ToJsonString",
        "Length" => "Fn::Length",
        _ => return None,
    })
}

/// A plain scalar resolved by the YAML 1.2 core schema.
fn resolve_plain(s: Cow<'_, str>) -> Value {
    match &*s {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        n if is_core_int(n) || is_core_float(n) => Value::Number(s.into_owned()),
        _ => Value::String(s.into_owned()),
    }
}

/// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`.
fn is_core_int(s: &str) -> bool {
    if let Some(octal) = s.strip_prefix("0o") {
        return !octal.is_empty() && octal.bytes().all(|b| matches!(b, b'0'..=b'7'));
    }
    if let Some(hex) = s.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?\.(inf|Inf|INF)`
/// or `\.(nan|NaN|NAN)`.
fn is_core_float(s: &str) -> bool {
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            all_digits(whole) && all_digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
        !digits.is_empty() && all_digits(digits)
    });
    mantissa_ok && exponent_ok
}

/// The first byte after the tags and anchors (and the whitespace and comments
/// around them) that start at `at`.
fn skip_properties(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = at;
    loop {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'#') if i > at => i = line_end(bytes, i),
            Some(b'!') if bytes.get(i + 1) == Some(&b'<') => {
                i = match bytes[i..].iter().position(|&b| b == b'>') {
                    Some(close) => i + close + 1,
                    None => token_end(bytes, i),
                };
            }
            Some(b'!' | b'&') => i = token_end(bytes, i),
            _ => return i,
        }
    }
}

/// The end of a tag or anchor token starting at `i`: the next whitespace or
/// flow indicator (all ASCII, so always a character boundary).
fn token_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|b| {
            matches!(
                b,
                b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
            )
        })
        .map_or(bytes.len(), |n| i + n)
}

/// The offset of the line break (or end of text) at or after `i`.
fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |n| i + n)
}

/// The offset just past the closing quote of the quoted scalar opening at `start`.
fn quoted_end(bytes: &[u8], start: usize, single: bool) -> Option<usize> {
    let quote = if single { b'\'' } else { b'"' };
    if bytes.get(start) != Some(&quote) {
        return None;
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if !single => i += 2,
            b'\'' if single && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The `|` or `>` of a block scalar header between `from` (the end of the
/// previous event) and `to` (where the scalar's content starts), comments skipped.
fn block_indicator(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
    let mut i = from;
    while i < to.min(bytes.len()) {
        match bytes[i] {
            b'|' | b'>' => return Some(i),
            b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\r' | b'\n') => {
                i = line_end(bytes, i);
            }
            _ => i += 1,
        }
    }
    None
}

/// Converts the parser's character indexes into byte offsets.
struct Positions {
    /// The byte offset of every character, or `None` for ASCII text.
    starts: Option<Vec<usize>>,
    len: usize,
}

impl Positions {
    fn new(text: &str) -> Self {
        let starts = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        Self {
            starts,
            len: text.len(),
        }
    }

    /// The byte offset of character `index` (clamped to the end of the text).
    fn byte(&self, index: usize) -> usize {
        match &self.starts {
            None => index.min(self.len),
            Some(starts) => starts.get(index).copied().unwrap_or(self.len),
        }
    }
}

fn error_at(offset: usize, message: &str) -> RawJsonError {
    RawJsonError {
        offset,
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Position, SourceFile};

    fn parse(text: &str) -> Node {
        parse_yaml(text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// The span of the first occurrence of `needle` in `text`.
    fn span_of(text: &str, needle: &str) -> Span {
        let start = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in text"));
        Span::new(start, start + needle.len())
    }

    fn items(node: &Node) -> &[Node] {
        match &node.value {
            Value::Array(items) => items,
            other => panic!("array expected, got {other:?}"),
        }
    }

    fn string(value: &str) -> Value {
        Value::String(value.to_owned())
    }

    const TEMPLATE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: inline
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action:
                  - s3:GetObject
                  - s3:PutObject
                Resource: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'
              - Effect: Deny
                Action: [iam:*, sts:AssumeRole]
                Resource: '*'
";

    #[test]
    fn template_actions_point_at_their_line_and_column() {
        let root = parse(TEMPLATE);
        let document = root
            .get("Resources")
            .and_then(|r| r.get("Role"))
            .and_then(|r| r.get("Properties"))
            .and_then(|p| p.get("Policies"))
            .map(|p| &items(p)[0])
            .and_then(|p| p.get("PolicyDocument"))
            .unwrap();
        assert_eq!(document.get("Version").unwrap().value, string("2012-10-17"));
        let statements = items(document.get("Statement").unwrap());
        let actions = items(statements[0].get("Action").unwrap());
        assert_eq!(actions[1].value, string("s3:PutObject"));
        assert_eq!(actions[1].span, span_of(TEMPLATE, "s3:PutObject"));
        let file = SourceFile::new("template.yaml", TEMPLATE);
        assert_eq!(
            file.position(actions[1].span.start),
            Position {
                line: 14,
                column: 21
            }
        );
        // The block sequence spans from its first `-` to its last item.
        let action_list = statements[0].get("Action").unwrap();
        let first_dash = TEMPLATE.find("- s3:GetObject").unwrap();
        assert_eq!(action_list.span, Span::new(first_dash, actions[1].span.end));
        // A flow sequence spans its brackets.
        let flow = statements[1].get("Action").unwrap();
        assert_eq!(flow.span, span_of(TEMPLATE, "[iam:*, sts:AssumeRole]"));
        assert_eq!(items(flow)[0].span, span_of(TEMPLATE, "iam:*"));
        // Keys span the key as written.
        let members = statements[1].as_object().unwrap();
        assert_eq!(members[0].key, "Effect");
        assert_eq!(
            members[0].key_span.start,
            TEMPLATE.find("Effect: Deny").unwrap()
        );
        assert_eq!(
            members[0].key_span.end - members[0].key_span.start,
            "Effect".len()
        );
        // A mapping starts at its first key and ends with its last value.
        assert_eq!(statements[1].span.start, members[0].key_span.start);
        assert_eq!(statements[1].span.end, TEMPLATE.rfind("'*'").unwrap() + 3);
    }

    #[test]
    fn short_form_intrinsics_become_the_long_form() {
        let text = "\
a: !Sub 'arn:${AWS::Partition}:sqs'
b: !Ref Bucket
c: !GetAtt Role.Arn
d: !Join [':', [arn, !Ref AWS::Partition]]
e: !GetAtt [Role, Arn]
f: !If
  - IsProd
  - x
  - !Condition Other
g: !Sub
  - '${A}-x'
  - A: !Ref B
h: !Unknown kept
";
        let root = parse(text);

        let sub = root.get("a").unwrap();
        let tagged = span_of(text, "!Sub 'arn:${AWS::Partition}:sqs'");
        assert_eq!(sub.span, tagged);
        let member = &sub.as_object().unwrap()[0];
        assert_eq!((member.key.as_str(), member.key_span), ("Fn::Sub", tagged));
        assert_eq!(member.value.value, string("arn:${AWS::Partition}:sqs"));
        assert_eq!(
            member.value.span,
            span_of(text, "'arn:${AWS::Partition}:sqs'")
        );

        let reference = root.get("b").unwrap();
        assert_eq!(reference.span, span_of(text, "!Ref Bucket"));
        assert_eq!(reference.get("Ref").unwrap().value, string("Bucket"));
        assert_eq!(reference.get("Ref").unwrap().span, span_of(text, "Bucket"));

        let get_att = root.get("c").unwrap();
        assert_eq!(get_att.span, span_of(text, "!GetAtt Role.Arn"));
        let parts = items(get_att.get("Fn::GetAtt").unwrap());
        assert_eq!(parts[0].value, string("Role"));
        assert_eq!(parts[1].value, string("Arn"));
        let written = span_of(text, "Role.Arn").start;
        assert_eq!(parts[0].span, Span::new(written, written + 4));
        assert_eq!(parts[1].span, Span::new(written + 5, written + 8));

        let join = root.get("d").unwrap();
        assert_eq!(
            join.span,
            span_of(text, "!Join [':', [arn, !Ref AWS::Partition]]")
        );
        let arguments = items(join.get("Fn::Join").unwrap());
        assert_eq!(arguments[0].value, string(":"));
        assert_eq!(arguments[0].span, span_of(text, "':'"));
        let list = items(&arguments[1]);
        assert_eq!(list[0].value, string("arn"));
        assert_eq!(list[1].get("Ref").unwrap().value, string("AWS::Partition"));
        assert_eq!(list[1].span, span_of(text, "!Ref AWS::Partition"));

        let long = items(root.get("e").unwrap().get("Fn::GetAtt").unwrap());
        assert_eq!(
            (&long[0].value, &long[1].value),
            (&string("Role"), &string("Arn"))
        );

        let condition = items(root.get("f").unwrap().get("Fn::If").unwrap());
        assert_eq!(condition.len(), 3);
        assert_eq!(
            condition[2].get("Condition").unwrap().value,
            string("Other")
        );
        // The block sequence under the tag starts at its first `-`.
        let if_list = root.get("f").unwrap().get("Fn::If").unwrap();
        assert_eq!(if_list.span.start, text.find("- IsProd").unwrap());

        let sub_list = items(root.get("g").unwrap().get("Fn::Sub").unwrap());
        assert_eq!(sub_list[0].value, string("${A}-x"));
        assert_eq!(
            sub_list[1].get("A").unwrap().get("Ref").unwrap().value,
            string("B")
        );

        let unknown = root.get("h").unwrap();
        assert_eq!(unknown.value, string("kept"));
    }

    #[test]
    fn get_att_written_with_escapes_spans_the_whole_scalar() {
        let text = "a: !GetAtt \"Ro\\x6ce.Arn\"\n";
        let root = parse(text);
        let parts = items(root.get("a").unwrap().get("Fn::GetAtt").unwrap());
        assert_eq!(parts[0].value, string("Role"));
        assert_eq!(parts[0].span, span_of(text, "\"Ro\\x6ce.Arn\""));
        assert_eq!(parts[1].span, parts[0].span);
    }

    #[test]
    fn quoted_scalars_span_their_quotes_and_stay_strings() {
        let text =
            "a: \"12\"  # it's a comment with \"quotes\"\nb: 'it''s'\nc: \"multi\n  line\"\n";
        let root = parse(text);
        let a = root.get("a").unwrap();
        assert_eq!(a.value, string("12"));
        assert_eq!(a.span, span_of(text, "\"12\""));
        let b = root.get("b").unwrap();
        assert_eq!(b.value, string("it's"));
        assert_eq!(b.span, span_of(text, "'it''s'"));
        let c = root.get("c").unwrap();
        assert_eq!(c.value, string("multi line"));
        assert_eq!(c.span, span_of(text, "\"multi\n  line\""));
    }

    #[test]
    fn non_ascii_text_keeps_byte_offsets_exact() {
        let text = "# Politique d'accès — ünïcödé 😀\nStatement:\n  - Sid: \"Zugriff für Ärzte\" # ✓\n    Action: s3:GetObject\n    Resource: !Sub 'arn:…:${B}'\n";
        let root = parse(text);
        let statement = &items(root.get("Statement").unwrap())[0];
        let sid = statement.get("Sid").unwrap();
        assert_eq!(sid.span, span_of(text, "\"Zugriff für Ärzte\""));
        let action = statement.get("Action").unwrap();
        assert_eq!(action.span, span_of(text, "s3:GetObject"));
        assert_eq!(&text[action.span.start..action.span.end], "s3:GetObject");
        let sub = statement.get("Resource").unwrap();
        assert_eq!(sub.span, span_of(text, "!Sub 'arn:…:${B}'"));
        let file = SourceFile::new("p.yaml", text);
        assert_eq!(
            file.position(action.span.start),
            Position {
                line: 4,
                column: 13
            }
        );
    }

    #[test]
    fn windows_line_endings_and_byte_order_mark() {
        let text = "\u{feff}a: 1\r\nb:\r\n  - x\r\n  - \"é\"\r\n";
        let root = parse(text);
        assert_eq!(root.get("a").unwrap().span, span_of(text, "1"));
        let b = items(root.get("b").unwrap());
        assert_eq!(b[1].span, span_of(text, "\"é\""));
    }

    #[test]
    fn plain_scalars_resolve_by_the_core_schema() {
        let text = "\
t: true
T: True
f: FALSE
n: null
tilde: ~
empty:
int: -42
hex: 0x1F
float: 1.5e3
dot: .5
inf: -.inf
date: 2012-10-17
yes: yes
version: 1.2.3
str: !!str 12
";
        let root = parse(text);
        let value = |key| root.get(key).unwrap().value.clone();
        assert_eq!(value("t"), Value::Bool(true));
        assert_eq!(value("T"), Value::Bool(true));
        assert_eq!(value("f"), Value::Bool(false));
        assert_eq!(value("n"), Value::Null);
        assert_eq!(value("tilde"), Value::Null);
        assert_eq!(value("empty"), Value::Null);
        assert_eq!(value("int"), Value::Number("-42".into()));
        assert_eq!(value("hex"), Value::Number("0x1F".into()));
        assert_eq!(value("float"), Value::Number("1.5e3".into()));
        assert_eq!(value("dot"), Value::Number(".5".into()));
        assert_eq!(value("inf"), Value::Number("-.inf".into()));
        assert_eq!(value("date"), string("2012-10-17"));
        assert_eq!(value("yes"), string("yes"));
        assert_eq!(value("version"), string("1.2.3"));
        assert_eq!(value("str"), string("12"));
        assert_eq!(root.get("int").unwrap().span, span_of(text, "-42"));
        let twelve = text.find("12\n").unwrap();
        assert_eq!(root.get("str").unwrap().span, Span::new(twelve, twelve + 2));
    }

    #[test]
    fn core_schema_numbers() {
        for n in [
            "0", "+1", "-0", "0o17", "0xff", "1.", "1.0", ".5", "1e5", "-2.5E-3", ".NaN", "+.Inf",
        ] {
            assert!(is_core_int(n) || is_core_float(n), "{n}");
        }
        for s in [
            "", ".", "-", "1e", "e5", "0x", "0o8", "1.2.3", "1_000", "..5", "+.nan", "0b1",
        ] {
            assert!(!is_core_int(s) && !is_core_float(s), "{s}");
        }
    }

    #[test]
    fn block_scalars_span_from_indicator_to_last_line() {
        let text = "a: |  # a | comment\n  line 1\n  line 2\n\nb: !Sub >-\n    x ${Y}\n    z\n# after\nc: 1\n";
        let root = parse(text);
        let a = root.get("a").unwrap();
        assert_eq!(a.value, string("line 1\nline 2\n"));
        let start = text.find("|  #").unwrap();
        assert_eq!(a.span, Span::new(start, text.find("line 2").unwrap() + 6));
        let b = root.get("b").unwrap();
        assert_eq!(b.span.start, text.find("!Sub").unwrap());
        let argument = b.get("Fn::Sub").unwrap();
        assert_eq!(argument.value, string("x ${Y} z"));
        assert_eq!(
            argument.span,
            Span::new(text.find(">-").unwrap(), text.find("z\n").unwrap() + 1)
        );
    }

    #[test]
    fn aliases_copy_the_anchored_node() {
        let text = "base: &actions [s3:GetObject, s3:ListBucket]\nother: *actions\nkey: &k value\n*k : aliased key\n";
        let root = parse(text);
        let base = root.get("base").unwrap();
        let other = root.get("other").unwrap();
        assert_eq!(other, base);
        assert_eq!(base.span, span_of(text, "[s3:GetObject, s3:ListBucket]"));
        assert_eq!(root.get("value").unwrap().value, string("aliased key"));
    }

    #[test]
    fn merge_keys_stay_plain_members() {
        let text = "a: &a {x: 1}\nb:\n  <<: *a\n  y: 2\n";
        let b = parse(text).get("b").unwrap().clone();
        let members = b.as_object().unwrap();
        assert_eq!(members[0].key, "<<");
        assert_eq!(
            members[0].value.get("x").unwrap().value,
            Value::Number("1".into())
        );
    }

    #[test]
    fn only_the_first_document_is_read() {
        let root = parse("--- \na: 1\n...\n---\nb: [\n");
        assert!(root.get("a").is_some());
    }

    #[test]
    fn bad_indentation_is_an_error_at_its_offset() {
        let text = "Statement:\n  Effect: Allow\n Action: s3:*\n";
        let error = parse_yaml(text).unwrap_err();
        assert_eq!(error.offset, text.find("Action").unwrap());
        assert!(error.message.contains("block mapping"), "{}", error.message);
        assert_eq!(error.message, lowercase_first(&error.message));
        let file = SourceFile::new("bad.yaml", text);
        assert_eq!(file.position(error.offset), Position { line: 3, column: 2 });
    }

    #[test]
    fn other_errors_have_offsets() {
        let text = "é: \"ünterminated\n";
        let error = parse_yaml(text).unwrap_err();
        assert!(error.offset <= text.len() && text.is_char_boundary(error.offset));
        assert!(parse_yaml("").is_err());
        assert!(parse_yaml("# only a comment\n").is_err());
        let complex = "? [a, b]\n: c\n";
        assert_eq!(parse_yaml(complex).unwrap_err().offset, 2);
        let undefined = parse_yaml("a: *nowhere\n").unwrap_err();
        assert_eq!(undefined.offset, 3);
        let recursive = parse_yaml("a: &r [x, *r]\n").unwrap_err();
        assert_eq!(recursive.offset, 10);
        assert!(recursive.message.contains("alias"), "{}", recursive.message);
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let error = parse_yaml(&bomb).unwrap_err();
        assert!(error.message.contains("alias"), "{}", error.message);

        // Few nodes but long text: one 64 KiB string aliased 1,000 times is
        // 64 MiB of copies, from a file of 70 KiB.
        let mut long = format!("a: &big \"{}\"\nlist:\n", "x".repeat(64 << 10));
        long.push_str(&"  - *big\n".repeat(1_000));
        let error = parse_yaml(&long).unwrap_err();
        assert!(error.message.contains("alias"), "{}", error.message);
        // The same string aliased a few times is fine.
        let mut few = format!("a: &big \"{}\"\nlist:\n", "x".repeat(64 << 10));
        few.push_str(&"  - *big\n".repeat(10));
        assert!(parse_yaml(&few).is_ok());

        // The parser itself limits flow nesting; block nesting is limited here.
        let deep_flow = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_yaml(&deep_flow).is_err());
        let deep_block = format!("{}x\n", "- ".repeat(10_000));
        let error = parse_yaml(&deep_block).unwrap_err();
        assert!(error.message.contains("nests"), "{}", error.message);
        let deep_tags = format!("a: {}x\n", "!Not [".repeat(300));
        assert!(parse_yaml(&deep_tags).is_err());
        let fine = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_yaml(&fine).is_ok());
    }

    /// Checks that every span of the tree is a valid range of `text`.
    fn assert_spans_in(node: &Node, text: &str) {
        let ok = |span: Span| {
            span.start <= span.end
                && span.end <= text.len()
                && text.is_char_boundary(span.start)
                && text.is_char_boundary(span.end)
        };
        assert!(ok(node.span), "{:?} in {text:?}", node.span);
        match &node.value {
            Value::Array(items) => items.iter().for_each(|n| assert_spans_in(n, text)),
            Value::Object(members) => {
                for member in members {
                    assert!(ok(member.key_span), "{:?} in {text:?}", member.key_span);
                    assert_spans_in(&member.value, text);
                }
            }
            _ => {}
        }
    }

    mod fuzz {
        use proptest::prelude::*;

        use super::*;

        /// Characters that YAML gives meaning to, and a few that take several bytes.
        const ALPHABET: &[&str] = &[
            " ",
            "  ",
            "\n",
            "\r\n",
            "\t",
            "-",
            "- ",
            ":",
            ": ",
            "?",
            ",",
            "[",
            "]",
            "{",
            "}",
            "#",
            " #",
            "&a",
            "*a",
            "!",
            "!Ref ",
            "!GetAtt ",
            "!Sub ",
            "!!str ",
            "!<x> ",
            "|",
            ">",
            "|-",
            ">+2",
            "'",
            "''",
            "\"",
            "\\",
            "%YAML 1.2",
            "---",
            "...",
            "a",
            "Key",
            "0",
            "1.5",
            "true",
            "~",
            "é",
            "€",
            "😀",
            "\u{feff}",
            "a.b",
            "<<",
        ];

        /// More shapes to damage: tags on every kind of node, anchors, block scalars.
        const MORE: &str = "\
Other: &anchor !If
  - !Equals [!Ref Env, 'prod']
  - !GetAtt Role.Arn
  - !Sub |
      arn:${AWS::Partition}:s3:::é/*
Again: *anchor
Flow: {a: \"b\", c: [!Ref D, 1.5, ~]}
";

        #[test]
        fn the_samples_to_damage_parse() {
            let text = format!("{TEMPLATE}{MORE}");
            let root = parse(&text);
            assert_spans_in(&root, &text);
            assert_eq!(root.get("Again"), root.get("Other"));
            let sub = &items(root.get("Other").unwrap().get("Fn::If").unwrap())[2];
            assert_eq!(
                sub.get("Fn::Sub").unwrap().value,
                string("arn:${AWS::Partition}:s3:::é/*\n")
            );
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn yaml_like_text_never_panics(parts in prop::collection::vec(prop::sample::select(ALPHABET), 0..60)) {
                let text = parts.concat();
                match parse_yaml(&text) {
                    Ok(node) => assert_spans_in(&node, &text),
                    Err(error) => {
                        prop_assert!(error.offset <= text.len());
                        prop_assert!(text.is_char_boundary(error.offset));
                    }
                }
            }

            #[test]
            fn edited_templates_never_panic(
                edits in prop::collection::vec((any::<prop::sample::Index>(), 0..4usize, prop::sample::select(ALPHABET)), 1..6),
            ) {
                let mut text = format!("{TEMPLATE}{MORE}");
                for (at, removed, inserted) in edits {
                    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
                    let from = at.index(starts.len());
                    let to = starts.get(from + removed).copied().unwrap_or(text.len());
                    text.replace_range(starts[from]..to, inserted);
                }
                match parse_yaml(&text) {
                    Ok(node) => assert_spans_in(&node, &text),
                    Err(error) => prop_assert!(text.is_char_boundary(error.offset)),
                }
            }

            #[test]
            fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
                let text = String::from_utf8_lossy(&bytes);
                if let Ok(node) = parse_yaml(&text) {
                    assert_spans_in(&node, &text);
                }
            }
        }
    }
}
