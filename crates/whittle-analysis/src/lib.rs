//! whittle's analysis core: the IAM policy model and its position-preserving
//! parser, the embedded action catalog, wildcard expansion and the lint engine.
//!
//! It does no network or terminal I/O: fetching lives in `whittle-fetcher`,
//! rendering in `whittle-reporter`, argument parsing in the `whittle` binary.

pub mod baseline;
pub mod catalog;
pub mod config;
pub mod diff;
pub mod expand;
pub mod input;
pub mod lint;
pub mod permissions;
pub mod policy;
pub mod recommend;
pub mod rules;
pub mod source;
mod suggest;
pub mod yaml;

pub use catalog::{Catalog, CatalogSource};
pub use expand::{ActionSet, Expander};
pub use lint::{FileOutcome, Finding, InputFailure, Linter, Location};
pub use policy::Policy;
pub use rules::{Rule, RuleCommand, RuleSet, Severity};
pub use source::{Position, SourceFile, Span};
