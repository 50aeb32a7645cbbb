//! Renderers for whittle's results: a terminal table and a stable JSON document.
//!
//! Renderers take findings and locations as the analysis produced them and add no
//! analysis of their own; they never fetch or parse policies.

mod json;
mod table;

pub use json::lint_json;
pub use table::{DEFAULT_WIDTH, lint_table, terminal_width};

use std::sync::Arc;

use whittle_analysis::{CatalogSource, Finding, InputFailure, Rule, Severity};

/// Everything one `whittle lint` run produced, ready to render.
#[derive(Debug, Clone, Copy)]
pub struct LintReport<'a> {
    /// whittle's version.
    pub tool_version: &'a str,
    /// The catalog data the run used.
    pub catalog: &'a [CatalogSource],
    /// Every rule the run applied (SARIF lists them all, with or without findings).
    pub rules: &'a [Arc<Rule>],
    /// Findings, in the order to show them.
    pub findings: &'a [Finding],
    /// Files that could not be read.
    pub failures: &'a [InputFailure],
    /// Number of files read.
    pub files: usize,
    /// Number of policy documents linted.
    pub documents: usize,
    /// Files skipped while walking directories because they hold no policy.
    pub skipped: usize,
}

impl LintReport<'_> {
    /// The number of findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}
