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

/// Replaces `path` with `bytes` atomically (temporary file, then rename).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    temp.persist(path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
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
