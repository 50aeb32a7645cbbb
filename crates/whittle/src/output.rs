//! Writing results: to standard output, or atomically to a file; and the SARIF
//! log of the findings of diff and recommend.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use whittle_analysis::{Finding, InputFailure, Rule};
use whittle_policy::Catalog;

/// Writes `text` to `path` through a temporary file in the same directory and a
/// rename, so readers never see a partial file; or to stdout when `path` is None.
pub fn write(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    let Some(path) = path else {
        let mut stdout = std::io::stdout().lock();
        return match stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            // A closed pipe (`whittle ... | head`) is not an error of ours.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("cannot write to standard output"),
        };
    };
    write_atomically(path, text.as_bytes())
}

/// Replaces `path` with `bytes` atomically ([`whittle_model::write_atomically`]),
/// naming the path in the error.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    whittle_model::write_atomically(path, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The SARIF log of the findings of diff or recommend (of `rules`) and the
/// inputs that could not be read, fingerprinted and with paths relative to the
/// working directory.
pub fn findings_sarif(
    rules: &[Arc<Rule>],
    findings: &[Finding],
    failures: &[InputFailure],
    catalog: &Catalog,
) -> anyhow::Result<String> {
    let base = std::env::current_dir().context("cannot read the working directory")?;
    let prints = whittle_analysis::diagnostics::fingerprints(findings, &base);
    let report = whittle_reporter::FindingsReport {
        tool_version: env!("CARGO_PKG_VERSION"),
        catalog: catalog.sources(),
        rules,
        findings,
        fingerprints: &prints,
        failures,
    };
    Ok(whittle_reporter::findings_sarif(&report, &base))
}
