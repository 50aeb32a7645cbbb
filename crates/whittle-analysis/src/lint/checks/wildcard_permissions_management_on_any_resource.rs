//! `wildcard-permissions-management-on-any-resource`: a wildcard action that
//! expands to Permissions management actions, allowed on every resource.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::catalog::AccessLevel;

/// Flags wildcard action patterns (other than `*` and `service:*`) that grant
/// Permissions management actions on `"Resource": "*"`.
pub struct WildcardPermissionsManagementOnAnyResource;

impl Check for WildcardPermissionsManagementOnAnyResource {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        super::helpers::wildcards::report(
            cx,
            out,
            &[AccessLevel::PermissionsManagement],
            "Permissions management",
        );
    }
}
