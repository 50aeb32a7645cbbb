//! whittle's model of the IAM policy language: the policy model and its
//! position-keeping parser, ARNs and resource patterns, condition operators and
//! key types, the embedded action catalog, wildcard expansion into action sets,
//! and the effective grants of policies and principals.
//!
//! It knows IAM but not whittle's rules: lint, diff and recommend live in
//! `whittle-analysis`, syntax (spans, JSON and YAML trees) in `whittle-syntax`.

pub mod action_set;
pub mod arn;
pub mod catalog;
pub mod condition_keys;
pub mod expand;
pub mod pattern;
pub mod permissions;
pub mod policy;
pub mod unknown;

pub use action_set::{ActionId, ActionSet};
pub use catalog::{Catalog, CatalogSource};
pub use expand::Expander;
pub use policy::Policy;
