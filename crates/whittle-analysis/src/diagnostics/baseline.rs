//! Baselines: the fingerprints of accepted findings, so that CI fails only on
//! new ones (`--write-baseline FILE`, then `--baseline FILE`).
//!
//! Format (`whittle.baseline/v1`): `{"schema": "whittle.baseline/v1", "findings":
//! [{"fingerprint", "rule", "path", "message"}]}`; only `fingerprint` is used for
//! matching, the rest helps reviewers read the file.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Finding;

/// The schema name written into every baseline.
pub const SCHEMA: &str = "whittle.baseline/v1";

/// A set of accepted findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    fingerprints: BTreeSet<String>,
}

#[derive(Serialize, Deserialize)]
struct File {
    schema: String,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    message: String,
}

/// Why a baseline file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// Not JSON, or not a baseline.
    #[error("not a whittle baseline: {0}")]
    Format(#[from] serde_json::Error),
    /// Written by another version of the format.
    #[error("baseline schema \"{0}\" is not supported (expected \"{SCHEMA}\")")]
    Schema(String),
}

impl Baseline {
    /// Parses a baseline file.
    pub fn parse(json: &[u8]) -> Result<Self, BaselineError> {
        let file: File = serde_json::from_slice(json)?;
        if file.schema != SCHEMA {
            return Err(BaselineError::Schema(file.schema));
        }
        Ok(Self {
            fingerprints: file.findings.into_iter().map(|e| e.fingerprint).collect(),
        })
    }

    /// Renders the baseline of `findings` (with their `fingerprints`).
    pub fn render(findings: &[Finding], fingerprints: &[String]) -> String {
        let file = File {
            schema: SCHEMA.to_owned(),
            findings: findings
                .iter()
                .zip(fingerprints)
                .map(|(f, print)| Entry {
                    fingerprint: print.clone(),
                    rule: f.rule.name.clone(),
                    path: f.location.path.to_string(),
                    message: f.message.clone(),
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).expect("a baseline holds only strings");
        text.push('\n');
        text
    }

    /// True when the baseline accepts the finding with this fingerprint.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    /// Number of accepted findings.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// True when the baseline accepts nothing.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_schemas_and_garbage_are_refused() {
        assert!(matches!(
            Baseline::parse(br#"{"schema":"other/v9","findings":[]}"#),
            Err(BaselineError::Schema(_))
        ));
        assert!(matches!(
            Baseline::parse(b"[1"),
            Err(BaselineError::Format(_))
        ));
        let baseline = Baseline::parse(
            br#"{"schema":"whittle.baseline/v1","findings":[{"fingerprint":"ab"}]}"#,
        )
        .unwrap();
        assert!(baseline.contains("ab") && !baseline.contains("cd"));
    }
}
