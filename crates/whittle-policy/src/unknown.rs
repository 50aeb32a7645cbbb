//! Values an input leaves unresolved: a CloudFormation `!Ref`/`!GetAtt`/`${Param}`
//! or a Terraform reference names *some* value the template alone does not
//! tell. It is neither `*` nor nothing, so the input layer writes it into the
//! policy text as a placeholder that no IAM string can hold: a private-use
//! character, its label (how it was written), and another private-use
//! character.
//!
//! What the rest of whittle makes of a placeholder:
//! - it is never the wildcard `*`: a Resource that is one names a specific
//!   resource, a Principal that is one is not everyone;
//! - [`crate::pattern::Pattern`] reads it as a hole that may hold anything, so
//!   whether a Resource *could* be of an action's type is judged on what is
//!   known around it;
//! - glob matching ([`crate::expand::wildcard_matcher`]) reads it as literal
//!   text, so a pattern covers it only when the pattern's wildcards do (`*`
//!   covers it; another placeholder, or a literal, does not);
//! - an action that holds one expands to no known action;
//! - [`display`] writes it back as `{label}` for people.

use std::borrow::Cow;

/// Opens a placeholder.
pub const START: char = '\u{E000}';
/// Closes a placeholder.
pub const END: char = '\u{E001}';

/// A placeholder for the unresolved value written as `label` (e.g.
/// `GetAtt Table.Arn`, `var.bucket`).
/// The label keeps to characters that need no escaping in JSON text, so a
/// placeholder can also be written into a document that is still a string.
pub fn placeholder(label: &str) -> String {
    let label: String = label
        .chars()
        .filter(|&c| c != START && c != END && c != '"' && c != '\\' && !c.is_control())
        .collect();
    format!("{START}{label}{END}")
}

/// True when `text` holds a placeholder.
pub fn contains(text: &str) -> bool {
    text.contains(START)
}

/// True when `text` is one placeholder and nothing else: a value about which
/// nothing at all is known.
pub fn is_whole(text: &str) -> bool {
    text.starts_with(START) && text.ends_with(END) && text.matches(START).count() == 1
}

/// The labels of the placeholders in `text`, in order.
pub fn labels(text: &str) -> impl Iterator<Item = &str> {
    text.split(START)
        .skip(1)
        .filter_map(|part| part.split_once(END).map(|(label, _)| label))
}

/// `text` with each placeholder written as `{label}`, for messages and reports.
pub fn display(text: &str) -> Cow<'_, str> {
    if !contains(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace(START, "{").replace(END, "}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placeholder_shows_as_its_label_in_braces() {
        let arn = format!("arn:aws:s3:::{}/*", placeholder("Ref Bucket"));
        assert!(contains(&arn) && !is_whole(&arn));
        assert_eq!(display(&arn), "arn:aws:s3:::{Ref Bucket}/*");
        assert_eq!(labels(&arn).collect::<Vec<_>>(), ["Ref Bucket"]);
        assert!(is_whole(&placeholder("GetAtt Table.Arn")));
        assert_eq!(display("plain"), "plain");
    }

    #[test]
    fn labels_cannot_forge_a_placeholder_boundary() {
        let forged = placeholder("a\u{E001}b\u{E000}c");
        assert!(is_whole(&forged));
        assert_eq!(display(&forged), "{abc}");
    }
}
