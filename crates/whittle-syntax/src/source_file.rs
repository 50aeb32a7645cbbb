//! Source files: the text of one input and the index that turns byte offsets
//! back into 1-based line and column numbers, so every finding can point at the
//! exact element in the file the user wrote.

use std::sync::Arc;

use crate::json::{Node, parse_json};
use crate::span::Position;

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

    /// True for a Terraform file in its native syntax (`.tf`, OpenTofu's
    /// `.tofu`), read as HCL whatever it starts with.
    pub fn is_hcl(&self) -> bool {
        is_hcl_path(&self.path)
    }

    /// Parses the file as HCL (by its name, see [`SourceFile::is_hcl`]), as
    /// JSON, or, when it does not start like JSON, as YAML (CloudFormation
    /// templates).
    pub fn parse(&self) -> Result<Node, JsonError> {
        if self.is_hcl() {
            return crate::hcl::parse_hcl(&self.text).map_err(|error| JsonError {
                position: self.position(error.offset.min(self.text.len())),
                message: format!("invalid HCL: {}", error.message),
            });
        }
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

/// Whether a file name is a Terraform file in native syntax: `.tf` or
/// `.tofu`, compared without case.
pub fn is_hcl_path(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("tf") || ext.eq_ignore_ascii_case("tofu"))
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
/// The number of characters that start in `bytes` (UTF-8 bytes that are not
/// continuation bytes).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
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
    fn syntax_errors_name_line_and_column() {
        let file = SourceFile::new("bad.json", "{\n  \"a\": 1\n  \"b\": 2\n}");
        let error = file.parse_json().unwrap_err();
        // The error points where the missing comma belongs: right after `1`.
        assert_eq!(error.position, Position { line: 2, column: 9 });
        assert!(error.message.contains("comma"), "{}", error.message);
    }
}
