//! whittle's analyses: lint (code checks, action-set rules and principal
//! analysis of account exports), diff (the access a change adds) and recommend
//! (trimmed policies from last-accessed data), all reporting [`Finding`]s built
//! one way; with the inputs they read (account exports, CloudFormation,
//! Terraform), the rule catalogue of `rules/` and `whittle.toml`.
//!
//! The policy language lives in `whittle-policy`, spans and parsing in
//! `whittle-syntax`. No network or terminal I/O happens here: fetching lives in
//! `whittle-fetcher`, rendering in `whittle-reporter`, argument parsing in the
//! `whittle` binary.

pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod input;
pub mod lint;
pub mod recommend;
pub mod rules;

// The benchmarks' inputs (the corpus reader, generated documents), for the
// tests that read the corpus or bound the work per statement.
#[cfg(test)]
#[path = "../benches/support/mod.rs"]
mod bench_support;

pub use diagnostics::{Finding, InputFailure, Location};
pub use lint::{FileOutcome, Linter};
pub use rules::{Rule, RuleCommand, RuleSet, Severity};
