//! One module per lint rule that needs code: `<rule_name>.rs` defines a unit
//! struct named after its file (`full_admin_access.rs` → `FullAdminAccess`) that
//! implements [`Check`] for the rule whose name is the file's in kebab-case
//! (`full-admin-access`). Code shared by checks lives in `helpers`.
//!
//! `build.rs` generates [`all`] from the files here and fails the build when a
//! file has no `mod` line below or a `mod` line has no file.

mod helpers;

mod allow_not_action;
mod allow_not_resource;
mod assume_role_on_any_resource;
mod condition_type_mismatch;
mod cross_service_wildcard;
mod duplicate_sid;
mod empty_element;
mod full_admin_access;
mod invalid_sid;
mod malformed_arn;
mod malformed_policy;
mod missing_or_old_version;
mod oidc_trust_without_subject;
mod pass_role_on_any_resource;
mod pass_role_without_service_condition;
mod policy_size_exceeded;
mod principal_in_identity_policy;
mod privesc_chain;
mod public_resource_policy;
mod redundant_action;
mod redundant_statement;
mod resource_mismatch;
mod service_wide_wildcard;
mod statement_never_applies;
mod string_equals_with_wildcard;
mod unknown_action;
mod unknown_condition_key;
mod unknown_service_prefix;
mod wildcard_permissions_management_on_any_resource;
mod wildcard_write_on_any_resource;

use super::Check;

include!(concat!(env!("OUT_DIR"), "/checks.rs"));
