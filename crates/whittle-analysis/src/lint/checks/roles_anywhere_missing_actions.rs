//! `roles-anywhere-missing-actions`: a trust policy that trusts IAM Roles
//! Anywhere without all three actions it needs (Access Analyzer's "Missing
//! action for roles anywhere trust policy").

use crate::input::DocumentKind;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::Principal;

const SERVICE: &str = "rolesanywhere.amazonaws.com";
/// What Roles Anywhere calls to hand out a session of the role.
const NEEDED: [&str; 3] = ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"];

/// Flags each Allow statement of a trust policy naming the
/// `rolesanywhere.amazonaws.com` service principal whose actions lack one of
/// `sts:AssumeRole`, `sts:SetSourceIdentity` and `sts:TagSession`.
pub struct RolesAnywhereMissingActions;

impl Check for RolesAnywhereMissingActions {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        if cx.kind != DocumentKind::Trust {
            return;
        }
        let catalog = cx.catalog();
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(Principal::Typed(kinds)) = statement.principal.as_ref().map(|p| &p.value)
            else {
                continue;
            };
            let trusts = kinds.iter().any(|(kind, values)| {
                kind.value == "Service" && values.iter().any(|v| v.value == SERVICE)
            });
            let (true, Some(action), Some(granted)) =
                (trusts, &statement.action, cx.matched_actions(statement))
            else {
                continue;
            };
            let missing: Vec<&str> = NEEDED
                .into_iter()
                .filter(|name| {
                    catalog
                        .action_id(name)
                        .is_some_and(|id| !granted.contains(id))
                })
                .collect();
            if missing.is_empty() {
                continue;
            }
            out.at(action.key_span)
                .note("allow sts:AssumeRole, sts:SetSourceIdentity and sts:TagSession to rolesanywhere.amazonaws.com")
                .emit(format!(
                    "IAM Roles Anywhere cannot hand out sessions of this role: the statement does not allow {}",
                    missing.join(", ")
                ));
        }
    }
}
