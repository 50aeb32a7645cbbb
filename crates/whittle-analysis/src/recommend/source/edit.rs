//! Text edits of a policy where it is written: a new list of actions in place
//! of an element's value, statements taken out of their list. Lists written
//! one item per line keep their lines — indentation, quoting, comments and
//! trailing commas — and lose or gain only the lines of the items that change;
//! other values are written anew in the style of what they replace.

use whittle_syntax::{Node, Span, Value};

/// Replace `span` of the text by `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Edit {
    pub span: Span,
    pub text: String,
}

/// `text` with `edits` (which must not overlap) applied.
pub(super) fn apply(text: &str, edits: &[Edit]) -> Result<String, String> {
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in edits {
        if edit.span.start < at || edit.span.end > text.len() {
            return Err("two changes of the same text overlap".to_owned());
        }
        out.push_str(
            text.get(at..edit.span.start)
                .ok_or("an edit splits a character")?,
        );
        out.push_str(&edit.text);
        at = edit.span.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

/// How a string item is quoted where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    Double,
    Single,
    Plain,
}

impl Quote {
    fn of(written: &str) -> Quote {
        match written.as_bytes().first() {
            Some(b'"') => Quote::Double,
            Some(b'\'') => Quote::Single,
            _ => Quote::Plain,
        }
    }

    /// An action name in this style; plain only where YAML reads it as the
    /// same string (IAM action names and their wildcards).
    fn write(self, value: &str) -> String {
        let plain_ok = value.split_once(':').is_some_and(|(service, name)| {
            !service.is_empty()
                && service
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?')
        });
        match self {
            Quote::Plain if plain_ok => value.to_owned(),
            Quote::Single => format!("'{value}'"),
            _ => format!("\"{value}\""),
        }
    }
}

/// One item of a list that sits on lines of its own: `head` from the start of
/// its first line to its end, `tail` what follows it on its last line
/// without the comma.
struct Line<'t> {
    head: &'t str,
    comma: bool,
    tail: &'t str,
    /// Where its lines start and end (without the last newline).
    start: usize,
    end: usize,
}

/// The items of a list as lines of their own, or `None` when two share a
/// line or one shares its line with something other than a comma and a
/// comment.
fn own_lines<'t>(text: &'t str, items: &[&Node]) -> Option<Vec<Line<'t>>> {
    let mut out: Vec<Line<'t>> = Vec::new();
    for item in items {
        let start = line_start(text, item.span.start);
        let prefix = text[start..item.span.start].trim();
        if !(prefix.is_empty() || prefix == "-") || out.last().is_some_and(|l| l.end >= start) {
            return None;
        }
        let end = line_end(text, item.span.end);
        let after = &text[item.span.end..end];
        let trimmed = after.trim_start();
        let (comma, rest) = match trimmed.strip_prefix(',') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let rest = rest.trim();
        if !(rest.is_empty() || rest.starts_with('#') || rest.starts_with("//")) {
            return None;
        }
        out.push(Line {
            head: &text[start..item.span.end],
            comma,
            tail: if rest.is_empty() {
                ""
            } else {
                &after[after.len() - after.trim_start().len()..]
            },
            start,
            end,
        });
    }
    Some(out)
}

/// What to do with one item of a list.
pub(super) enum Item {
    /// Keep the item at this index of the list as it is written.
    Keep(usize),
    /// A new string item.
    Add(String),
}

/// The edit that turns the list `items` (a value written in `text`) into
/// `wanted`, keeping the lines of kept items; `None` when its items do not
/// sit on lines of their own. `comma_list` is false for a YAML block sequence.
pub(super) fn relist(text: &str, items: &[&Node], wanted: &[Item]) -> Option<Edit> {
    let lines = own_lines(text, items)?;
    let (first, last) = (lines.first()?, lines.last()?);
    let block_sequence = first.head.trim_start().starts_with('-')
        && text[first.start..items[0].span.start].trim() == "-";
    let trailing_comma = last.comma;
    let indent_len = first.head.len() - first.head.trim_start().len();
    let indent = &first.head[..indent_len];
    let quote = Quote::of(&text[items[0].span.start..items[0].span.end]);
    // The lines before an item and after the one before it (comments,
    // blank lines) go with it.
    let before = |index: usize| -> Option<&str> {
        if index == 0 {
            return None;
        }
        let gap = text.get(lines[index - 1].end..lines[index].start)?;
        let gap = gap.strip_prefix('\n').unwrap_or(gap).trim_end_matches('\n');
        (!gap.trim().is_empty()).then_some(gap)
    };
    let mut out: Vec<(String, Option<&str>)> = Vec::new();
    for want in wanted {
        match want {
            Item::Keep(index) => {
                let line = lines.get(*index)?;
                if let Some(gap) = before(*index) {
                    out.push((gap.to_owned(), None));
                }
                out.push((line.head.to_owned(), Some(line.tail)));
            }
            Item::Add(value) => {
                let prefix = if block_sequence {
                    format!("{indent}- ")
                } else {
                    indent.to_owned()
                };
                out.push((format!("{prefix}{}", quote.write(value)), Some("")));
            }
        }
    }
    // Commas: after every item but the last, and after the last where the
    // list had one there.
    let count = out.iter().filter(|(_, tail)| tail.is_some()).count();
    let mut seen = 0;
    let lines_out: Vec<String> = out
        .into_iter()
        .map(|(head, tail)| {
            let Some(tail) = tail else { return head };
            seen += 1;
            let comma = !block_sequence && (seen < count || trailing_comma);
            let tail = if tail.is_empty() {
                String::new()
            } else {
                format!(" {}", tail.trim_start())
            };
            format!("{head}{}{tail}", if comma { "," } else { "" })
        })
        .collect();
    Some(Edit {
        span: Span::new(first.start, last.end),
        text: lines_out.join("\n"),
    })
}

/// The edit taking the items at `dropped` (sorted) out of a comma-separated
/// list written on one line (`[{…}, {…}]`), with their commas; `None` when
/// every item goes.
pub(super) fn remove_inline(items: &[&Node], dropped: &[usize]) -> Option<Edit> {
    let last = items.len().checked_sub(1)?;
    if dropped.len() >= items.len() {
        return None;
    }
    // A run of dropped items at the end goes with the comma before it; any
    // other dropped item goes with the comma after it.
    let mut ends_at = items.len();
    while ends_at > 0 && dropped.contains(&(ends_at - 1)) {
        ends_at -= 1;
    }
    let mut spans = Vec::new();
    for &index in dropped {
        if index >= ends_at {
            continue;
        }
        spans.push(Span::new(
            items[index].span.start,
            items[index + 1].span.start,
        ));
    }
    if ends_at <= last {
        spans.push(Span::new(items[ends_at - 1].span.end, items[last].span.end));
    }
    // One edit: the spans, merged, become one replacement of their hull.
    let start = spans.iter().map(|s| s.start).min()?;
    let end = spans.iter().map(|s| s.end).max()?;
    Some(Edit {
        span: Span::new(start, end),
        text: String::new(),
    })
    .filter(|_| spans.windows(2).all(|w| w[0].end == w[1].start) || spans.len() == 1)
}

/// The edit writing `values` in place of `node`, an Action element's value,
/// in the style it was written in: a one-line list stays one line, a string
/// stays a string when one value is left.
pub(super) fn rewrite_value(
    text: &str,
    node: &Node,
    values: &[String],
    yaml: bool,
) -> Option<Edit> {
    let written = text.get(node.span.start..node.span.end)?;
    let first_item = match &node.value {
        Value::Array(items) => items.first(),
        _ => Some(node),
    };
    let quote = first_item
        .and_then(|i| text.get(i.span.start..i.span.end))
        .map_or(Quote::Double, Quote::of);
    let quote = if yaml { quote } else { Quote::Double };
    let items: Vec<String> = values.iter().map(|v| quote.write(v)).collect();
    let new = if written.starts_with('[') {
        if written.contains('\n') {
            return None;
        }
        let inner = written
            .get(1..written.len().saturating_sub(1))
            .unwrap_or_default();
        let pad = if inner.starts_with(' ') { " " } else { "" };
        let separator = match &node.value {
            Value::Array(list) if list.len() > 1 => {
                let gap = text.get(list[0].span.end..list[1].span.start)?;
                if gap.contains('\n') {
                    return None;
                }
                gap.to_owned()
            }
            _ => ", ".to_owned(),
        };
        format!("[{pad}{}{pad}]", items.join(&separator))
    } else if written.starts_with('-') || written.contains('\n') {
        return None;
    } else if let [one] = items.as_slice() {
        one.clone()
    } else {
        format!("[{}]", items.join(", "))
    };
    Some(Edit {
        span: node.span,
        text: new,
    })
}

/// The edit renaming a `NotAction` key to `Action` where it is written
/// (`"NotAction"`, `NotAction:`, Terraform's `not_actions`).
pub(super) fn rename_key(text: &str, span: Span) -> Option<Edit> {
    let written = text.get(span.start..span.end)?;
    for (from, to) in [("NotAction", "Action"), ("not_actions", "actions")] {
        if let Some(at) = written.find(from) {
            let start = span.start + at;
            let end = start + from.len();
            // `not_actions = …` aligned with its neighbours stays aligned.
            let after = &text[end..];
            let spaces = after.len() - after.trim_start_matches(' ').len();
            if spaces > 0 && after[spaces..].starts_with('=') {
                let pad = " ".repeat(spaces + from.len() - to.len());
                return Some(Edit {
                    span: Span::new(start, end + spaces),
                    text: format!("{to}{pad}"),
                });
            }
            return Some(Edit {
                span: Span::new(start, end),
                text: to.to_owned(),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use whittle_syntax::{parse_json, yaml::parse_yaml};

    fn actions(root: &Node) -> &Node {
        root.get("Action").unwrap()
    }

    fn items(node: &Node) -> Vec<&Node> {
        match &node.value {
            Value::Array(items) => items.iter().collect(),
            _ => vec![node],
        }
    }

    #[test]
    fn a_json_list_loses_the_lines_of_removed_items_and_keeps_its_commas_right() {
        let text = "{\"Action\": [\n    \"s3:GetObject\",\n    \"s3:PutObject\",\n    \"s3:DeleteObject\"\n  ]}";
        let root = parse_json(text).unwrap();
        let list = items(actions(&root));
        let edit = relist(text, &list, &[Item::Keep(0), Item::Keep(1)]).unwrap();
        let out = apply(text, &[edit]).unwrap();
        assert_eq!(
            out,
            "{\"Action\": [\n    \"s3:GetObject\",\n    \"s3:PutObject\"\n  ]}"
        );
        parse_json(&out).unwrap();
        let edit = relist(
            text,
            &list,
            &[Item::Keep(2), Item::Add("sqs:SendMessage".into())],
        )
        .unwrap();
        let out = apply(text, &[edit]).unwrap();
        assert_eq!(
            out,
            "{\"Action\": [\n    \"s3:DeleteObject\",\n    \"sqs:SendMessage\"\n  ]}"
        );
    }

    #[test]
    fn a_yaml_block_sequence_keeps_its_comments_and_plain_style() {
        let text = "Action:\n  - s3:GetObject # reads\n  # a write\n  - s3:PutObject\n  # a delete\n  - s3:DeleteObject\nResource: '*'\n";
        let root = parse_yaml(text).unwrap();
        let list = items(actions(&root));
        let edit = relist(
            text,
            &list,
            &[
                Item::Keep(0),
                Item::Keep(2),
                Item::Add("s3:ListBucket".into()),
            ],
        )
        .unwrap();
        let out = apply(text, &[edit]).unwrap();
        assert_eq!(
            out,
            // A comment above an item goes with it.
            "Action:\n  - s3:GetObject # reads\n  # a delete\n  - s3:DeleteObject\n  - s3:ListBucket\nResource: '*'\n"
        );
    }

    #[test]
    fn one_line_values_are_written_anew_in_their_style() {
        let text = r#"{"Action": ["s3:GetObject", "s3:PutObject"], "B": "s3:*"}"#;
        let root = parse_json(text).unwrap();
        let edit = rewrite_value(text, actions(&root), &["s3:GetObject".into()], false).unwrap();
        assert_eq!(edit.text, r#"["s3:GetObject"]"#);
        let edit = rewrite_value(
            text,
            root.get("B").unwrap(),
            &["s3:GetObject".into(), "s3:PutObject".into()],
            false,
        )
        .unwrap();
        assert_eq!(edit.text, r#"["s3:GetObject", "s3:PutObject"]"#);
        let yaml = "Action: [s3:GetObject, 's3:PutObject']\n";
        let root = parse_yaml(yaml).unwrap();
        let edit = rewrite_value(
            yaml,
            actions(&root),
            &["s3:PutObject".into(), "s3:*".into()],
            true,
        )
        .unwrap();
        assert_eq!(edit.text, "[s3:PutObject, s3:*]");
        assert_eq!(Quote::Plain.write("*"), "\"*\"");
    }

    #[test]
    fn not_action_is_renamed_in_each_syntax() {
        for (text, expected) in [
            ("\"NotAction\"", "\"Action\""),
            ("NotAction", "Action"),
            ("not_actions", "actions"),
            ("not_actions = [", "actions     = ["),
        ] {
            let key = text.split(' ').next().unwrap();
            let edit = rename_key(text, Span::new(0, key.len())).unwrap();
            assert_eq!(apply(text, &[edit]).unwrap(), expected);
        }
    }
}
