//! Stable finding fingerprints: the same finding gets the same fingerprint from
//! run to run even when lines move, so code scanning can follow it from commit to
//! commit and a baseline can recognise it.
//!
//! A fingerprint hashes the rule id, the file path (relative to the working
//! directory when it was given absolute, without a leading `./`), the
//! subject and the policy or principal ARN, the source text of the offending
//! element, and — to tell identical findings apart — how many identical findings
//! came before it. Line numbers and messages (which quote catalog counts) are
//! left out on purpose.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::diagnostics::Finding;

/// The fingerprint of every finding, in order (64 hex digits each); absolute
/// paths under `base` (the working directory) count as relative to it, so the
/// same checkout gives the same fingerprints wherever it lives.
pub fn fingerprints(findings: &[Finding], base: &Path) -> Vec<String> {
    let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
    findings
        .iter()
        .map(|finding| {
            let identity = identity(finding, base);
            let occurrence = seen.entry(identity.clone()).or_insert(0);
            let mut hasher = Sha256::new();
            hasher.update(&identity);
            hasher.update(occurrence.to_string().as_bytes());
            *occurrence += 1;
            hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect()
}

fn identity(finding: &Finding, base: &Path) -> Vec<u8> {
    let location = &finding.location;
    let logical = location.logical.as_ref();
    let path = Path::new(&*location.path)
        .strip_prefix(base)
        .ok()
        .and_then(Path::to_str)
        .unwrap_or(&location.path);
    let parts = [
        finding.rule.id.as_str(),
        path.trim_start_matches("./"),
        location.subject.as_deref().unwrap_or(""),
        logical.map_or("", |l| l.arn.as_str()),
        logical.and_then(|l| l.name.as_deref()).unwrap_or(""),
        finding.anchor.as_str(),
    ];
    // A separator that cannot occur in the parts keeps ("ab","c") apart from ("a","bc").
    parts.join("\u{0}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{FileOutcome, LintOptions, Linter};
    use crate::rules::RuleSet;
    use whittle_policy::catalog::Catalog;
    use whittle_syntax::SourceFile;

    fn findings(path: &str, text: &str) -> Vec<Finding> {
        let rules = RuleSet::embedded().unwrap();
        let linter = Linter::new(Catalog::embedded(), &rules, LintOptions::default()).unwrap();
        match linter.lint_file(&SourceFile::new(path, text)) {
            FileOutcome::Linted { findings, .. } => findings,
            other => panic!("{other:?}"),
        }
    }

    const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":["s3:*","ec2:*"],"Resource":"arn:aws:s3:::b/*"}]}"#;

    #[test]
    fn fingerprints_survive_moved_lines_and_differ_between_findings() {
        let base = Path::new("/work/repo");
        let before = fingerprints(&findings("p.json", POLICY), base);
        let after = fingerprints(&findings("./p.json", &format!("\n\n\n{POLICY}")), base);
        let absolute = fingerprints(&findings("/work/repo/p.json", POLICY), base);
        assert_eq!(before, absolute);
        assert_eq!(before, after);
        assert!(before.len() >= 2);
        let unique: std::collections::HashSet<_> = before.iter().collect();
        assert_eq!(unique.len(), before.len());
        assert_eq!(before[0].len(), 64);
    }

    #[test]
    fn identical_findings_are_numbered() {
        let twice = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a/*"},
            {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#;
        let prints = fingerprints(&findings("p.json", twice), Path::new("/"));
        let unique: std::collections::HashSet<_> = prints.iter().collect();
        assert_eq!(unique.len(), prints.len());
    }
}
