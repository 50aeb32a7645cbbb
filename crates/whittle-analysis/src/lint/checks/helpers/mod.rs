//! Code that several checks share. Not a check: `build.rs` registers the files
//! of `src/lint/checks/` only, and a check imports from here, never from another
//! check.

pub(super) mod arn_glob;
pub(super) mod arn_parts;
pub(super) mod conditions;
pub(super) mod ip;
pub(super) mod suggest;
pub(super) mod tag_keys;
pub(super) mod variables;
pub(super) mod wildcards;
pub(super) mod written;
