//! One module per lint rule that needs code: `<rule_name>.rs` defines a unit
//! struct named after its file (`full_admin_access.rs` → `FullAdminAccess`) that
//! implements [`Check`] for the rule whose name is the file's in kebab-case
//! (`full-admin-access`). Code shared by checks lives in `helpers`.
//!
//! `build.rs` generates [`all`] from the files here and fails the build when a
//! file has no `mod` line below or a `mod` line has no file.

mod helpers;

mod allow_not_action;
mod allow_not_principal;
mod allow_not_resource;
mod allow_with_unsupported_tag_condition;
mod arn_account_not_allowed;
mod arn_region_not_allowed;
mod assume_role_on_any_resource;
mod binary_value_not_base64;
mod condition_type_mismatch;
mod create_service_linked_role_on_any_resource;
mod cross_service_wildcard;
mod deny_with_unsupported_tag_condition;
mod deprecated_condition_key;
mod duplicate_condition_key_case;
mod duplicate_sid;
mod empty_element;
mod empty_principal;
mod empty_sid;
mod epoch_date_value;
mod federated_principal_outside_trust;
mod for_all_values_with_single_valued_key;
mod full_admin_access;
mod improvable_ip_range;
mod invalid_arn_account;
mod invalid_federated_principal;
mod invalid_region;
mod invalid_service_principal;
mod invalid_sid;
mod invalid_vpc_id;
mod inverted_secure_transport;
mod malformed_arn;
mod malformed_policy;
mod malformed_policy_variable;
mod mismatched_trust_action;
mod missing_arn_region;
mod missing_or_old_version;
mod missing_paired_condition_key;
mod missing_principal;
mod missing_set_qualifier;
mod missing_tag_key;
mod mixed_condition_value_types;
mod multiple_boolean_values;
mod not_principal_in_trust_policy;
mod null_with_qualifier;
mod oidc_trust_without_subject;
mod pass_role_on_any_resource;
mod pass_role_without_service_condition;
mod policy_size_exceeded;
mod principal_in_identity_policy;
mod principal_unique_id;
mod private_ip_in_source_ip;
mod privesc_chain;
mod public_resource_policy;
mod redundant_action;
mod redundant_condition_value;
mod redundant_principal;
mod redundant_resource;
mod redundant_statement;
mod resource_mismatch;
mod roles_anywhere_missing_actions;
mod service_principal_without_source;
mod service_wide_wildcard;
mod source_ip_with_private_range;
mod statement_never_applies;
mod string_equals_with_wildcard;
mod unknown_action;
mod unknown_condition_key;
mod unknown_service_prefix;
mod unsupported_wildcard_in_principal;
mod variable_in_unsupported_element;
mod variable_requires_version;
mod variable_with_unsupported_operator;
mod weak_mfa_condition;
mod wildcard_in_arn_service;
mod wildcard_permissions_management_on_any_resource;
mod wildcard_write_on_any_resource;

use super::Check;

include!(concat!(env!("OUT_DIR"), "/checks.rs"));
