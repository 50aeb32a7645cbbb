//! `invalid-sid`: a `Sid` with characters IAM does not allow in identity policies.

use crate::input::DocumentKind;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::unknown;

/// Flags Sids with anything but ASCII letters and digits.
pub struct InvalidSid;

impl Check for InvalidSid {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        // Bucket, queue, topic and key policies accept spaces and more in a Sid
        // (AWS's default key policy has "Enable IAM User Permissions").
        if cx.kind == DocumentKind::Resource {
            return;
        }
        for statement in &cx.policy.statements {
            let Some(sid) = &statement.sid else { continue };
            // What an unresolved part becomes is not known.
            if unknown::contains(&sid.value) {
                continue;
            }
            let invalid = invalid_characters(&sid.value);
            if invalid.is_empty() {
                continue;
            }
            let cleaned: String = sid
                .value
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            let mut finding = out.at(sid.span);
            if !cleaned.is_empty() {
                finding = finding.note(format!("did you mean \"{cleaned}\"?"));
            }
            finding.emit(format!(
                "Sid \"{}\" has {}: IAM allows only letters A-Z, a-z and digits 0-9 in the Sid of an identity policy",
                sid.value, invalid
            ));
        }
    }
}

/// The distinct characters of `sid` IAM does not allow, quoted and joined:
/// `"-" and space`; empty when there are none.
fn invalid_characters(sid: &str) -> String {
    let mut seen: Vec<char> = Vec::new();
    for c in sid.chars().filter(|c| !c.is_ascii_alphanumeric()) {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    let shown: Vec<String> = seen
        .iter()
        .map(|c| match c {
            ' ' => "space".to_owned(),
            c if c.is_control() => format!("{:?}", c),
            c => format!("\"{c}\""),
        })
        .collect();
    match shown.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::invalid_characters;

    #[test]
    fn invalid_characters_are_listed_once_each() {
        assert_eq!(invalid_characters("ReadReports2"), "");
        assert_eq!(invalid_characters("Read-Reports"), "\"-\"");
        assert_eq!(
            invalid_characters("read reports_v-1-2"),
            "space, \"_\" and \"-\""
        );
        assert_eq!(invalid_characters("Lesen-Berichte-ä"), "\"-\" and \"ä\"");
    }
}
