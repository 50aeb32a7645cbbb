//! `binary-value-not-base64`: a `BinaryEquals` value that is not base64 text
//! (Access Analyzer's "Type mismatch string").

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::ConditionValue;

/// Flags `BinaryEquals` values that are no base64 encoding: the operator
/// compares the key's bytes with the decoded value, so other text never
/// matches.
pub struct BinaryValueNotBase64;

impl Check for BinaryValueNotBase64 {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                if condition.operator.value.base != "BinaryEquals" {
                    continue;
                }
                for value in &condition.values {
                    let text = match &value.value {
                        ConditionValue::String(text) => text.as_str(),
                        ConditionValue::Number(text) => text.as_str(),
                        ConditionValue::Bool(_) => "",
                    };
                    if is_base64(text) {
                        continue;
                    }
                    out.at(value.span)
                        .note("write the bytes base64-encoded, such as \"QmluYXJ5VmFsdWU=\"")
                        .emit(format!(
                            "\"{text}\" is not base64: \"{}\" compares the key with the bytes a base64 value encodes",
                            condition.operator.value
                        ));
                }
            }
        }
    }
}

/// True for standard base64 (RFC 4648): groups of four characters of the
/// alphabet, the last padded with `=`.
fn is_base64(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return false;
    }
    let padding = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    padding <= 2
        && bytes[..bytes.len() - padding]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_told_from_other_text() {
        assert!(is_base64("QmluYXJ5VmFsdWU="));
        assert!(is_base64("YWJj"));
        assert!(is_base64("YQ=="));
        assert!(!is_base64("BinaryValue"));
        assert!(!is_base64("YQ="));
        assert!(!is_base64("Y==="));
        assert!(!is_base64(""));
    }
}
