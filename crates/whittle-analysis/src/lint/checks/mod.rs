//! One module per lint rule; each implements [`Check`] for the rule of the same name.

mod allow_not_action;
mod allow_not_resource;
mod duplicate_sid;
mod full_admin_access;
mod malformed_policy;
mod missing_or_old_version;
mod service_wide_wildcard;
mod unknown_action;
mod unknown_service_prefix;

use super::Check;

/// Every check compiled into whittle.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![
        Box::new(malformed_policy::MalformedPolicy),
        Box::new(unknown_service_prefix::UnknownServicePrefix),
        Box::new(unknown_action::UnknownAction),
        Box::new(missing_or_old_version::MissingOrOldVersion),
        Box::new(duplicate_sid::DuplicateSid),
        Box::new(full_admin_access::FullAdminAccess),
        Box::new(service_wide_wildcard::ServiceWideWildcard),
        Box::new(allow_not_action::AllowNotAction),
        Box::new(allow_not_resource::AllowNotResource),
    ]
}
