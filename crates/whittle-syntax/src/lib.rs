//! whittle's syntax layer: source files, byte spans and line/column positions,
//! and the position-keeping JSON tree that JSON and YAML inputs are parsed into.
//!
//! It knows nothing of IAM: policies, catalogs and rules live in
//! `whittle-policy` and `whittle-analysis`, which read the [`Node`] trees built
//! here. The YAML reader knows CloudFormation's short-form tags only to spell
//! them in their JSON form.

pub mod hcl;
pub mod json;
pub mod source_file;
pub mod span;
pub mod yaml;

pub use hcl::parse_hcl;
pub use json::{Member, Node, RawJsonError, Value, parse_json};
pub use source_file::{JsonError, SourceFile, is_hcl_path};
pub use span::{Position, Span, Spanned};
pub use yaml::parse_yaml;
