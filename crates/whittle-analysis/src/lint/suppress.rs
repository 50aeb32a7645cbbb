//! Inline suppressions: findings accepted where the policy is written, by a
//! `# whittle: ignore[rule,…] reason` comment (YAML; `#` or `//` in HCL) or a
//! CloudFormation resource's `Metadata: {whittle: {ignore: […], reason: …}}`.
//!
//! A trailing comment covers the findings starting on its line; a comment on a
//! line of its own covers the largest member of the parsed tree that starts on
//! the next non-blank, non-comment line (or at least that line). Metadata
//! covers the whole resource ([`crate::input::Definition::span`]). Rules must
//! be named: a bare `ignore` is an error, so that nothing is silenced by accident.

use whittle_syntax::{Node, SourceFile, Span, Value};

use crate::diagnostics::Finding;

/// One suppression read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Rule names or ids as written.
    pub rules: Vec<String>,
    /// Why, as written; `None` when the author gave none.
    pub reason: Option<String>,
    /// The lines covered, 1-based and inclusive.
    pub lines: (usize, usize),
    /// The line the suppression is written on, for errors about it.
    pub written: usize,
}

/// A finding silenced by an inline suppression.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// The suppression's reason, if it gave one.
    pub reason: Option<String>,
}

/// A malformed suppression, at a byte offset of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressionError {
    /// Where.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Which line-comment markers a file's syntax has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// YAML: `#` at a line's start or after whitespace.
    Yaml,
    /// HCL: `#` and `//`.
    Hcl,
}

const MARKER: &str = "whittle:";

/// The comment on `line` (its byte offset within the line), skipping markers
/// inside quoted strings.
fn comment_start(line: &str, syntax: Syntax) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == b'\\' && q == b'"' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'#' if syntax == Syntax::Hcl || i == 0 || bytes[i - 1].is_ascii_whitespace() => {
                    return Some(i);
                }
                b'/' if syntax == Syntax::Hcl && bytes.get(i + 1) == Some(&b'/') => {
                    return Some(i);
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// The rules and reason of a well-formed directive.
type Directive = (Vec<String>, Option<String>);

/// Parses `whittle: ignore[a,b] reason` from a comment's text (after `#`/`//`).
/// `None` when the comment is not a whittle directive.
fn directive(comment: &str) -> Option<Result<Directive, String>> {
    let rest = comment.trim_start().strip_prefix(MARKER)?.trim_start();
    let Some(after) = rest.strip_prefix("ignore") else {
        return Some(Err(format!(
            "unknown whittle directive \"{}\"",
            rest.trim()
        )));
    };
    let Some(list) = after.strip_prefix('[') else {
        return Some(Err(
            "`whittle: ignore` must name the rules it silences: `whittle: ignore[rule-name] reason`"
                .into(),
        ));
    };
    let Some(close) = list.find(']') else {
        return Some(Err("`whittle: ignore[` is missing its `]`".into()));
    };
    let rules: Vec<String> = list[..close]
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    if rules.is_empty() || rules.iter().any(|r| r == "*") {
        return Some(Err(
            "`whittle: ignore[…]` must name the rules it silences (no empty list, no `*`)".into(),
        ));
    }
    let reason = list[close + 1..].trim();
    Some(Ok((rules, (!reason.is_empty()).then(|| reason.to_owned()))))
}

/// The last line of the element of `root` that starts on `line` (1-based):
/// the smallest member or item starting there that reaches a later line (a
/// YAML mapping entry, an HCL block — not the list of every block of its
/// kind), else the largest one on that line; `None` when nothing starts there.
fn element_end(file: &SourceFile, root: &Node, line: usize) -> Option<usize> {
    /// (the smallest reaching a later line, the largest on the line).
    type Best = (Option<Span>, Option<Span>);
    fn walk(file: &SourceFile, node: &Node, line: usize, best: &mut Best) {
        let consider = |span: Span, best: &mut Best| {
            if file.position(span.start).line != line {
                return;
            }
            let len = span.end - span.start;
            let last = file
                .position(span.end.saturating_sub(1).max(span.start))
                .line;
            if last > line {
                if best.0.is_none_or(|b| len < b.end - b.start) {
                    best.0 = Some(span);
                }
            } else if best.1.is_none_or(|b| len > b.end - b.start) {
                best.1 = Some(span);
            }
        };
        match &node.value {
            Value::Object(members) => {
                for m in members {
                    consider(
                        Span::new(m.key_span.start, m.value.span.end.max(m.key_span.end)),
                        best,
                    );
                    walk(file, &m.value, line, best);
                }
            }
            Value::Array(items) => {
                for item in items {
                    consider(item.span, best);
                    walk(file, item, line, best);
                }
            }
            _ => {}
        }
    }
    let mut best = (None, None);
    walk(file, root, line, &mut best);
    best.0
        .or(best.1)
        .map(|s| file.position(s.end.saturating_sub(1).max(s.start)).line)
}

/// True when `offset` lies inside a string value of the tree (a `#` there is text).
fn in_string(node: &Node, offset: usize) -> bool {
    if offset < node.span.start || offset >= node.span.end {
        return false;
    }
    match &node.value {
        Value::String(_) => true,
        Value::Object(members) => members.iter().any(|m| in_string(&m.value, offset)),
        Value::Array(items) => items.iter().any(|i| in_string(i, offset)),
        _ => false,
    }
}

/// The comment suppressions of a file, with the malformed ones as errors.
pub fn comments(
    file: &SourceFile,
    root: Option<&Node>,
    syntax: Syntax,
) -> (Vec<Suppression>, Vec<SuppressionError>) {
    let text = file.text();
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0, |offset, line| {
            let start = *offset;
            *offset += line.len();
            Some((start, line.trim_end_matches(['\n', '\r'])))
        })
        .collect();
    let is_comment_only = |line: &str| {
        let t = line.trim_start();
        t.is_empty() || t.starts_with('#') || (syntax == Syntax::Hcl && t.starts_with("//"))
    };
    for (index, (start, line)) in lines.iter().enumerate() {
        let Some(at) = comment_start(line, syntax) else {
            continue;
        };
        if root.is_some_and(|r| in_string(r, start + at)) {
            continue;
        }
        let body = line[at..].trim_start_matches('#').trim_start_matches("//");
        let Some(parsed) = directive(body) else {
            continue;
        };
        let (rules, reason) = match parsed {
            Ok(parsed) => parsed,
            Err(message) => {
                errors.push(SuppressionError {
                    offset: start + at,
                    message,
                });
                continue;
            }
        };
        let number = index + 1;
        let lines_covered = if line[..at].trim().is_empty() {
            let Some(next) = lines[index + 1..]
                .iter()
                .position(|(_, l)| !is_comment_only(l))
                .map(|i| index + 1 + i + 1)
            else {
                continue;
            };
            let end = root
                .and_then(|r| element_end(file, r, next))
                .unwrap_or(next);
            (next, end.max(next))
        } else {
            (number, number)
        };
        found.push(Suppression {
            rules,
            reason,
            lines: lines_covered,
            written: number,
        });
    }
    (found, errors)
}

/// The suppression of a CloudFormation resource's `Metadata.whittle`, if any,
/// covering `span` (the resource).
pub fn metadata(
    file: &SourceFile,
    resource: &Node,
    span: Span,
) -> Option<Result<Suppression, SuppressionError>> {
    let whittle = resource.get("Metadata")?.get("whittle")?;
    let ignore = whittle.get("ignore");
    let error = |message: &str| SuppressionError {
        offset: whittle.span.start,
        message: message.into(),
    };
    let rules: Vec<String> = match ignore.map(|n| &n.value) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => return Some(Err(error("Metadata.whittle.ignore must list rule names"))),
    };
    if rules.is_empty() || rules.iter().any(|r| r == "*") {
        return Some(Err(error(
            "Metadata.whittle.ignore must name the rules it silences (no empty list, no `*`)",
        )));
    }
    let reason = whittle
        .get("reason")
        .and_then(Node::as_str)
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let written = whittle.get("ignore").map_or(span.start, |n| n.span.start);
    Some(Ok(Suppression {
        rules,
        reason,
        written: file.position(written).line,
        lines: (
            file.position(span.start).line,
            file.position(span.end.saturating_sub(1).max(span.start))
                .line,
        ),
    }))
}

/// The known rule name closest to `name`, for "did you mean" hints.
pub fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    if name.len() > 100 {
        return None;
    }
    let budget = (name.len() / 4).max(1);
    known
        .iter()
        .map(|k| {
            (
                strsim::damerau_levenshtein(&name.to_ascii_lowercase(), &k.to_ascii_lowercase()),
                *k,
            )
        })
        .filter(|(d, _)| *d <= budget)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Splits `findings` into those reported and those a suppression covers.
pub fn apply(
    findings: Vec<Finding>,
    suppressions: &[Suppression],
) -> (Vec<Finding>, Vec<Suppressed>) {
    if suppressions.is_empty() {
        return (findings, Vec::new());
    }
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for finding in findings {
        let line = finding.location.start.line;
        let by = suppressions.iter().find(|s| {
            s.lines.0 <= line
                && line <= s.lines.1
                && s.rules.iter().any(|r| {
                    r.eq_ignore_ascii_case(&finding.rule.name)
                        || r.eq_ignore_ascii_case(&finding.rule.id)
                })
        });
        match by {
            Some(s) => suppressed.push(Suppressed {
                finding,
                reason: s.reason.clone(),
            }),
            None => kept.push(finding),
        }
    }
    (kept, suppressed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> (Vec<Suppression>, Vec<SuppressionError>) {
        let file = SourceFile::new("t.yaml", text);
        let root = file.parse().ok();
        comments(&file, root.as_ref(), Syntax::Yaml)
    }

    #[test]
    fn trailing_comment_covers_its_line() {
        let (s, e) = yaml("a: 1\nb: 2 # whittle: ignore[full-admin-access, WH101] break glass\n");
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].lines, (2, 2));
        assert_eq!(s[0].rules, ["full-admin-access", "WH101"]);
        assert_eq!(s[0].reason.as_deref(), Some("break glass"));
    }

    #[test]
    fn own_line_comment_covers_the_next_element() {
        let (s, e) = yaml("a: 1\n# whittle: ignore[x]\n\nb:\n  c: 1\n  d: 2\ne: 3\n");
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(s[0].lines, (4, 6));
        assert_eq!(s[0].reason, None);
    }

    #[test]
    fn hash_inside_a_string_is_text() {
        let (s, e) = yaml("a: \"x # whittle: ignore[x] r\"\nb: 'y # whittle: ignore[y]'\n");
        assert!(s.is_empty() && e.is_empty(), "{s:?} {e:?}");
    }

    #[test]
    fn bare_ignore_and_star_are_errors() {
        let (s, e) = yaml("a: 1 # whittle: ignore\nb: 2 # whittle: ignore[*]\n");
        assert!(s.is_empty());
        assert_eq!(e.len(), 2);
        assert!(
            e[0].message.contains("must name the rules"),
            "{}",
            e[0].message
        );
    }

    #[test]
    fn hcl_slash_and_hash_comments_before_a_block() {
        let text =
            "// whittle: ignore[a] why\nresource \"x\" \"y\" {\n  p = 1 # whittle: ignore[b]\n}\n";
        let file = SourceFile::new("main.tf", text);
        // A hand-built tree: the block as a member from its label to its brace.
        let root = Node {
            span: Span::new(0, text.len()),
            value: Value::Object(vec![whittle_syntax::Member {
                key: "y".into(),
                key_span: Span::new(26, 38),
                value: Node {
                    span: Span::new(44, text.len() - 1),
                    value: Value::Null,
                },
            }]),
        };
        let (s, e) = comments(&file, Some(&root), Syntax::Hcl);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].rules.as_slice(), s[0].lines),
            (&["a".to_owned()][..], (2, 4))
        );
        assert_eq!(
            (s[1].rules.as_slice(), s[1].lines),
            (&["b".to_owned()][..], (3, 3))
        );
        assert_eq!(s[0].reason.as_deref(), Some("why"));
    }
}
