//! What a policy, or a principal holding several policies, is allowed to do,
//! resolved to catalog actions.
//!
//! Each statement is expanded once into a [`StatementScope`]: its actions (with
//! `NotAction` as the complement), whether it covers every resource, and whether
//! it can apply at all. A Resource or Condition that still leaves an action usable
//! does not hide it; a statement that can never apply — a date condition already in
//! the past, resources only AWS owns — is marked *inert*, with the reason, so that
//! rules can lower their findings and say why.

use jiff::Timestamp;

use crate::action_set::ActionSet;
use crate::catalog::AccessLevel;
use crate::expand::Expander;
use crate::pattern::Pattern;
use crate::policy::{ConditionValue, Effect, Policy, Statement};
use whittle_syntax::Span;

/// One statement resolved against the catalog.
#[derive(Debug, Clone)]
pub struct StatementScope {
    /// 0-based position among the policy's statements.
    pub index: usize,
    /// Allow or Deny.
    pub effect: Effect,
    /// Where the statement's Action/NotAction key is (the statement, if none).
    pub action_span: Span,
    /// Every action it names (the complement, for NotAction).
    pub named: ActionSet,
    /// The named actions it can actually grant or deny.
    pub actions: ActionSet,
    /// The named actions it can never grant, because of [`StatementScope::inert`].
    pub inert_actions: ActionSet,
    /// True when its Resource covers every resource (`*`), or it uses NotResource.
    pub any_resource: bool,
    /// True when the Resource covers every resource of some type (`role/*`), or
    /// every resource.
    pub whole_type: bool,
    /// True when its Resource names only the calling user's own IAM resources
    /// (`…:user/${aws:username}`, `…:mfa/${aws:username}`).
    pub self_only: bool,
    /// True when it has a Condition block.
    pub conditional: bool,
    /// True for a `NotResource` element.
    pub negated_resource: bool,
    /// Why some or all of its actions can never apply, if so.
    pub inert: Option<String>,
    /// For an Allow statement that grants `iam:PassRole`, the services it may
    /// pass roles to.
    pub pass_role: Option<PassRoleGrant>,
}

/// The services an Allow statement that grants `iam:PassRole` may pass roles
/// to, from its `iam:PassedToService` conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassRoleGrant {
    /// One entry per condition that limits the services, each the patterns of
    /// its values (any may match); none when no condition limits them.
    limits: Vec<Vec<Pattern>>,
    /// True when the statement covers every role (or every resource of a type).
    pub broadly: bool,
}

impl PassRoleGrant {
    /// Reads the `iam:PassedToService` conditions of `statement`. Only
    /// `StringEquals`, `StringEqualsIgnoreCase` and `StringLike` limit (the key
    /// is always in a PassRole request, so `IfExists` and the set qualifiers
    /// change nothing); a negated operator is taken to limit nothing, which can
    /// only keep a finding. Values are matched as patterns, so a policy
    /// variable (`${…}`) or a value a template leaves unresolved admits every
    /// service.
    fn of(statement: &Statement, broadly: bool) -> Self {
        let limits = statement
            .conditions
            .iter()
            .filter(|c| c.key.value.eq_ignore_ascii_case("iam:PassedToService"))
            .filter(|c| {
                matches!(
                    c.operator.value.base,
                    "StringEquals" | "StringEqualsIgnoreCase" | "StringLike"
                )
            })
            .map(|c| {
                c.values
                    .iter()
                    .filter_map(|v| match &v.value {
                        ConditionValue::String(s) => Some(Pattern::policy(s)),
                        ConditionValue::Bool(_) | ConditionValue::Number(_) => None,
                    })
                    .collect()
            })
            .collect();
        Self { limits, broadly }
    }

    /// True when the statement may pass roles to the service principal `service`
    /// (`ec2.amazonaws.com`).
    pub fn admits(&self, service: &str) -> bool {
        self.limits
            .iter()
            .all(|values| values.iter().any(|p| p.matches(service)))
    }
}

impl StatementScope {
    /// Resolves one statement; `None` for a statement without Action/NotAction.
    pub fn resolve(statement: &Statement, expander: &Expander<'_>, now: Timestamp) -> Option<Self> {
        let action = statement.action.as_ref()?;
        let named = expander.expand_all(action.values.iter().map(|v| v.value.as_str()));
        let named = if action.negated {
            named.complement()
        } else {
            named
        };
        let any_resource = statement
            .resource
            .as_ref()
            .is_some_and(|r| r.negated || r.covers_every_resource());
        let whole_type = statement
            .resource
            .as_ref()
            .is_some_and(|r| r.negated || r.covers_a_whole_type());
        let catalog = expander.catalog();
        let mut actions = named.clone();
        let pass_role_id = catalog.action_id("iam:PassRole");
        let mut inert_actions = ActionSet::empty(catalog.len());
        let inert = if let Some(reason) = expired(statement, now) {
            std::mem::swap(&mut actions, &mut inert_actions);
            Some(reason)
        } else if let Some(reason) = aws_owned(statement) {
            // AWS's own resources can be read, never changed by a customer.
            for id in named.iter() {
                let access = catalog.action(id).record.access;
                if !matches!(access, AccessLevel::List | AccessLevel::Read) {
                    inert_actions.insert(id);
                }
            }
            actions.subtract(&inert_actions);
            (!inert_actions.is_empty()).then_some(reason)
        } else {
            None
        };
        let pass_role = pass_role_id
            .filter(|&id| statement.effect.value == Effect::Allow && actions.contains(id))
            .map(|_| PassRoleGrant::of(statement, whole_type));
        Some(Self {
            index: statement.index,
            effect: statement.effect.value,
            action_span: action.key_span,
            named,
            actions,
            inert_actions,
            any_resource,
            whole_type,
            self_only: statement
                .resource
                .as_ref()
                .is_some_and(|r| !r.negated && r.values.iter().all(|v| names_self(&v.value))),
            conditional: !statement.conditions.is_empty(),
            negated_resource: statement.resource.as_ref().is_some_and(|r| r.negated),
            inert,
            pass_role,
        })
    }

    /// True for an Allow statement that grants some action.
    pub fn grants(&self) -> bool {
        self.effect == Effect::Allow && !self.actions.is_empty()
    }

    /// True for a Deny statement that takes its actions away on every
    /// resource whatever the request: no Condition, and a Resource that
    /// covers everything. A `NotResource` Deny spares what it lists.
    pub fn denies_everywhere(&self) -> bool {
        self.effect == Effect::Deny
            && self.any_resource
            && !self.negated_resource
            && !self.conditional
    }
}

/// The longest any temporary credentials live (GetSessionToken and
/// GetFederationToken sessions: 36 hours); role sessions end sooner.
const LONGEST_SESSION: jiff::SignedDuration = jiff::SignedDuration::from_hours(36);

/// Why a statement can no longer apply because of a date condition, if so: a
/// `DateLessThan` on the current time in the past, or on the time the
/// caller's credentials were issued so far back that no session issued then
/// is still valid.
fn expired(statement: &Statement, now: Timestamp) -> Option<String> {
    for condition in &statement.conditions {
        let key = condition.key.value.to_ascii_lowercase();
        let grace = match key.as_str() {
            "aws:currenttime" | "aws:epochtime" => jiff::SignedDuration::ZERO,
            "aws:tokenissuetime" => LONGEST_SESSION,
            _ => continue,
        };
        let before = matches!(
            condition.operator.value.base,
            "DateLessThan" | "DateLessThanEquals"
        );
        if !before || condition.operator.value.if_exists {
            continue;
        }
        // All values must be in the past for the condition never to hold.
        let deadlines: Option<Vec<Timestamp>> = condition
            .values
            .iter()
            .map(|v| parse_date(&v.value))
            .collect();
        if let Some(latest) = deadlines.and_then(|d| d.into_iter().max())
            && latest.saturating_add(grace).is_ok_and(|end| end <= now)
        {
            let why = if grace.is_zero() {
                format!("{latest} has passed")
            } else {
                format!("credentials issued before {latest} expired at most 36 hours later")
            };
            return Some(format!(
                "its condition {} on {} expired: {why}",
                condition.operator.value, condition.key.value
            ));
        }
    }
    None
}

/// Why a statement's changes cannot apply because only AWS owns its resources.
fn aws_owned(statement: &Statement) -> Option<String> {
    let resource = statement.resource.as_ref()?;
    if resource.negated || resource.values.is_empty() {
        return None;
    }
    if resource.values.iter().all(|r| is_aws_owned(&r.value)) {
        return Some(format!(
            "its resources ({}) belong to AWS, not to any customer account",
            resource
                .values
                .iter()
                .map(|r| r.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    None
}

/// True for an ARN in the account `aws`, such as `arn:aws:iam::aws:policy/...`.
fn is_aws_owned(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
}

/// Parses an IAM date value: ISO 8601 (date or date-time) or epoch seconds.
pub fn parse_date(value: &ConditionValue) -> Option<Timestamp> {
    match value {
        ConditionValue::Number(n) => n
            .parse::<i64>()
            .ok()
            .and_then(|s| Timestamp::from_second(s).ok()),
        ConditionValue::String(s) => {
            if let Ok(ts) = s.parse::<Timestamp>() {
                return Some(ts);
            }
            if let Ok(seconds) = s.parse::<i64>() {
                return Timestamp::from_second(seconds).ok();
            }
            s.parse::<jiff::civil::Date>().ok().and_then(|d| {
                jiff::tz::TimeZone::UTC
                    .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                    .ok()
            })
        }
        ConditionValue::Bool(_) => None,
    }
}

/// The resolved statements of one policy document.
#[derive(Debug, Clone)]
pub struct PolicyScope {
    /// Every statement that has actions, in document order.
    pub statements: Vec<StatementScope>,
}

impl PolicyScope {
    /// Resolves every statement of `policy`.
    pub fn resolve(policy: &Policy, expander: &Expander<'_>, now: Timestamp) -> Self {
        Self {
            statements: policy
                .statements
                .iter()
                .filter_map(|s| StatementScope::resolve(s, expander, now))
                .collect(),
        }
    }

    /// The resolved statement at `index` among the policy's statements (a
    /// binary search: they are in document order); `None` when it has no
    /// Action or NotAction.
    pub fn statement(&self, index: usize) -> Option<&StatementScope> {
        let at = self
            .statements
            .binary_search_by_key(&index, |s| s.index)
            .ok()?;
        Some(&self.statements[at])
    }
}

/// An IAM user or MFA device ARN whose name is the caller's own:
/// `arn:aws:iam::*:user/${aws:username}`, with any path.
fn names_self(value: &str) -> bool {
    let Some(resource) = value
        .strip_prefix("arn:")
        .and_then(|rest| rest.splitn(5, ':').nth(4))
    else {
        return false;
    };
    let iam = value.split(':').nth(2) == Some("iam");
    iam && (resource.starts_with("user/") || resource.starts_with("mfa/"))
        && resource.rsplit('/').next() == Some("${aws:username}")
}

/// Allowed and denied actions of a policy or of a principal's policies together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permissions {
    /// Actions some applicable Allow statement grants.
    pub allowed: ActionSet,
    /// Actions some applicable Allow statement grants on every resource.
    pub allowed_on_any_resource: ActionSet,
    /// Actions some applicable Allow statement grants on every resource of a
    /// type (`role/*`) or on every resource.
    pub allowed_broadly: ActionSet,
    /// Actions some applicable Allow statement grants on more than the calling
    /// user's own IAM resources.
    pub allowed_beyond_self: ActionSet,
    /// Actions an unconditional Deny on every resource removes
    /// ([`StatementScope::denies_everywhere`]): an explicit Deny beats any Allow.
    pub denied: ActionSet,
    /// The services each Allow statement that grants `iam:PassRole` may pass
    /// roles to.
    pub pass_role: Vec<PassRoleGrant>,
}

impl Permissions {
    /// No permissions, for a catalog of `len` actions.
    pub fn empty(len: usize) -> Self {
        Self {
            allowed: ActionSet::empty(len),
            allowed_on_any_resource: ActionSet::empty(len),
            allowed_broadly: ActionSet::empty(len),
            allowed_beyond_self: ActionSet::empty(len),
            denied: ActionSet::empty(len),
            pass_role: Vec::new(),
        }
    }

    /// Adds the statements of one policy.
    pub fn add(&mut self, scope: &PolicyScope) {
        for statement in &scope.statements {
            match statement.effect {
                Effect::Allow => {
                    self.allowed.union_with(&statement.actions);
                    if statement.any_resource {
                        self.allowed_on_any_resource.union_with(&statement.actions);
                    }
                    if statement.whole_type {
                        self.allowed_broadly.union_with(&statement.actions);
                    }
                    if !statement.self_only {
                        self.allowed_beyond_self.union_with(&statement.actions);
                    }
                    if let Some(grant) = &statement.pass_role {
                        self.pass_role.push(grant.clone());
                    }
                }
                Effect::Deny if statement.denies_everywhere() => {
                    self.denied.union_with(&statement.actions);
                }
                Effect::Deny => {}
            }
        }
    }

    /// Adds everything `other` allows and denies.
    pub fn merge(&mut self, other: &Permissions) {
        self.allowed.union_with(&other.allowed);
        self.allowed_on_any_resource
            .union_with(&other.allowed_on_any_resource);
        self.allowed_broadly.union_with(&other.allowed_broadly);
        self.allowed_beyond_self
            .union_with(&other.allowed_beyond_self);
        self.denied.union_with(&other.denied);
        self.pass_role.extend(other.pass_role.iter().cloned());
    }

    /// Limits what is allowed to what `boundary` allows (a permissions boundary).
    pub fn limit_to(&mut self, boundary: &Permissions) {
        let mut ceiling = boundary.allowed.clone();
        ceiling.subtract(&boundary.denied);
        self.allowed.intersect_with(&ceiling);
        self.allowed_on_any_resource.intersect_with(&ceiling);
        self.allowed_broadly.intersect_with(&ceiling);
        self.allowed_beyond_self.intersect_with(&ceiling);
    }

    /// What can actually be used: allowed and not explicitly denied.
    pub fn effective(&self) -> ActionSet {
        let mut set = self.allowed.clone();
        set.subtract(&self.denied);
        set
    }

    /// What can actually be used on every resource.
    pub fn effective_on_any_resource(&self) -> ActionSet {
        let mut set = self.allowed_on_any_resource.clone();
        set.subtract(&self.denied);
        set
    }

    /// What can actually be used on more than the caller's own IAM resources.
    pub fn effective_beyond_self(&self) -> ActionSet {
        let mut set = self.allowed_beyond_self.clone();
        set.subtract(&self.denied);
        set
    }

    /// Whether `iam:PassRole` is granted to pass roles to one of `services`:
    /// `None` when no grant admits any of them, `Some(true)` when one that does
    /// covers every role (or every role of a path), `Some(false)` when those
    /// that do name roles.
    pub fn pass_role_to(&self, services: &[String]) -> Option<bool> {
        let admitting = self
            .pass_role
            .iter()
            .filter(|g| services.iter().any(|s| g.admits(s)));
        admitting.fold(None, |broad, g| Some(broad.unwrap_or(false) || g.broadly))
    }

    /// What can actually be used on every resource of some type.
    pub fn effective_broadly(&self) -> ActionSet {
        let mut set = self.allowed_broadly.clone();
        set.subtract(&self.denied);
        set
    }
}

/// The permissions of one policy on its own.
pub fn policy_permissions(scope: &PolicyScope, catalog_len: usize) -> Permissions {
    let mut permissions = Permissions::empty(catalog_len);
    permissions.add(scope);
    permissions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use whittle_syntax::parse_json;

    fn scope(text: &str) -> PolicyScope {
        let policy = Policy::parse(&parse_json(text).unwrap());
        let now: Timestamp = "2026-11-24T00:00:00Z".parse().unwrap();
        PolicyScope::resolve(&policy, &Expander::new(Catalog::embedded()), now)
    }

    fn permissions(text: &str) -> Permissions {
        policy_permissions(&scope(text), Catalog::embedded().len())
    }

    #[test]
    fn grants_on_the_callers_own_user_are_told_apart() {
        let own = permissions(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:CreateAccessKey",
                "Resource":["arn:aws:iam::*:user/${aws:username}","arn:aws:iam::*:user/people/${aws:username}"]}]}"#,
        );
        assert!(!own.allowed.is_empty());
        assert!(own.effective_beyond_self().is_empty());
        for other in [
            "arn:aws:iam::*:user/*",
            "arn:aws:iam::*:user/${aws:username}-admin",
            "arn:aws:s3:::bucket/${aws:username}",
            "*",
        ] {
            let p = permissions(&format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"{other}"}}]}}"#
            ));
            assert!(!p.effective_beyond_self().is_empty(), "{other}");
        }
    }

    #[test]
    fn passed_to_service_conditions_limit_where_roles_go() {
        let services = |s: &[&str]| s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let ec2 = services(&["ec2.amazonaws.com"]);
        let lambda = services(&["lambda.amazonaws.com"]);
        let p = permissions(
            r#"{"Statement":[
              {"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
               "Condition":{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}},
              {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::1:role/ec2-app",
               "Condition":{"StringLike":{"iam:PassedToService":["ec2.*"]}}}]}"#,
        );
        assert_eq!(p.pass_role_to(&lambda), Some(true));
        assert_eq!(p.pass_role_to(&ec2), Some(false));
        assert_eq!(p.pass_role_to(&services(&["glue.amazonaws.com"])), None);
        // No condition, a negated one, or an unknown value: every service.
        for condition in [
            "",
            r#","Condition":{"StringNotEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}"#,
            r#","Condition":{"StringEquals":{"iam:PassedToService":"${Service}"}}"#,
        ] {
            let p = permissions(&format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":"iam:*","Resource":"*"{condition}}}]}}"#
            ));
            assert_eq!(p.pass_role_to(&ec2), Some(true), "{condition}");
        }
        // A value a template leaves unresolved may be any service.
        let unknown = crate::unknown::placeholder("Ref Service");
        let p = permissions(&format!(
            r#"{{"Statement":[{{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{{"StringEquals":{{"iam:PassedToService":"{unknown}"}}}}}}]}}"#
        ));
        assert_eq!(p.pass_role_to(&ec2), Some(true));
        // A statement without iam:PassRole grants nothing to pass.
        let p = permissions(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}"#,
        );
        assert_eq!(p.pass_role_to(&ec2), None);
    }

    #[test]
    fn explicit_deny_beats_allow() {
        let p = permissions(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
                             {"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
        );
        assert!(p.allowed.is_full());
        assert!(p.effective().is_empty());
    }

    #[test]
    fn a_conditional_or_scoped_deny_does_not_remove_actions() {
        let p = permissions(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
               {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}},
               {"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::audit/*"}]}"#,
        );
        assert_eq!(p.effective().count(), p.allowed.count());
    }

    #[test]
    fn not_action_is_the_complement() {
        let catalog = Catalog::embedded();
        let p =
            permissions(r#"{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#);
        assert!(
            !p.allowed
                .contains(catalog.action_id("iam:PassRole").unwrap())
        );
        assert!(
            p.allowed
                .contains(catalog.action_id("ec2:RunInstances").unwrap())
        );
    }

    #[test]
    fn expired_dates_and_aws_owned_resources_make_a_statement_inert() {
        let s = scope(
            r#"{"Statement":[
              {"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"*",
               "Condition":{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}},
              {"Effect":"Allow","Action":["iam:CreatePolicyVersion","iam:GetPolicyVersion"],"Resource":"arn:aws:iam::aws:policy/ReadOnlyAccess"},
              {"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"*",
               "Condition":{"DateLessThan":{"aws:CurrentTime":"2099-01-01"}}}]}"#,
        );
        assert!(
            s.statements[0]
                .inert
                .as_deref()
                .unwrap()
                .contains("expired")
        );
        assert!(
            s.statements[1]
                .inert
                .as_deref()
                .unwrap()
                .contains("belong to AWS")
        );
        assert!(s.statements[2].inert.is_none());
        // Reading AWS's own policies works; only changing them cannot.
        let catalog = Catalog::embedded();
        let read = catalog.action_id("iam:GetPolicyVersion").unwrap();
        let write = catalog.action_id("iam:CreatePolicyVersion").unwrap();
        assert!(s.statements[1].actions.contains(read));
        assert!(s.statements[1].inert_actions.contains(write));
        assert!(s.statements[0].actions.is_empty());
    }

    #[test]
    fn a_boundary_limits_what_is_allowed() {
        let catalog = Catalog::embedded();
        let mut p =
            permissions(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
        p.limit_to(&permissions(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        ));
        assert!(
            p.effective()
                .contains(catalog.action_id("s3:GetObject").unwrap())
        );
        assert!(
            !p.effective()
                .contains(catalog.action_id("iam:PassRole").unwrap())
        );
    }
}
