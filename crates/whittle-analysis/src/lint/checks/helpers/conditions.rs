//! What a statement's conditions say about who may call and about requests
//! that lack a key: shared by the rules on public access, service principals,
//! tag keys and MFA.

use whittle_policy::policy::{
    Condition, ConditionOperator, ConditionValue, SetQualifier, Statement,
};

/// Condition keys that narrow *who* may use a statement whose principal is
/// everyone: the caller's organisation, account or ARN, the calling service's
/// source resource or account, the network path (VPC, VPC endpoint, source IP
/// ranges). From S3's "The meaning of public" (aws:SourceIp, aws:SourceArn,
/// aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount,
/// s3:x-amz-server-side-encryption-aws-kms-key-id, aws:userid) and IAM Access
/// Analyzer's organisation and account keys. `aws:SecureTransport`,
/// `aws:RequestedRegion` and the like say how, not who, and are absent here.
const NARROWING_KEYS: &[&str] = &[
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalServiceName",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOwner",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:SourceIp",
    "aws:userid",
    "kms:CallerAccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:DataAccessPointAccount",
    "s3:DataAccessPointArn",
];

/// Keys that tie a service principal to the resource or account it acts for
/// (the confused-deputy keys).
pub(in crate::lint::checks) const SOURCE_KEYS: &[&str] = &[
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceOwner",
];

/// True when `condition` limits the callers of a statement to some: a key of
/// [`NARROWING_KEYS`] compared by a positive operator (no `IfExists`, which lets
/// requests without the key through) with no value that every request matches.
pub(in crate::lint::checks) fn narrows_who(condition: &Condition) -> bool {
    pins_any_of(condition, NARROWING_KEYS)
}

/// True when `condition` is a required comparison of one of `keys` with no
/// value that every request matches.
pub(in crate::lint::checks) fn pins_any_of(condition: &Condition, keys: &[&str]) -> bool {
    let operator = &condition.operator.value;
    keys.iter()
        .any(|key| key.eq_ignore_ascii_case(&condition.key.value))
        && is_key_required(operator)
        && !condition.values.is_empty()
        && condition
            .values
            .iter()
            .all(|v| !matches_every_request(operator.base, &v.value))
}

/// True when a value compared by the operator `base` matches every value a
/// request can carry: `*` under `StringLike` or an `Arn…` operator (under
/// `StringEquals` it is the literal character), `0.0.0.0/0` or `::/0` under
/// `IpAddress`.
fn matches_every_request(base: &str, value: &ConditionValue) -> bool {
    match base {
        "StringLike" | "ArnLike" | "ArnEquals" => matches_any_value(value),
        "IpAddress" => text(value).is_some_and(|t| matches!(t.trim(), "0.0.0.0/0" | "::/0")),
        _ => false,
    }
}

/// True for an operator that evaluates to false when the request lacks the key:
/// a positive comparison (not `Not…`, not `Null`), without `IfExists` and without
/// `ForAllValues:` (which is true of an empty set of values).
pub(in crate::lint::checks) fn is_key_required(operator: &ConditionOperator) -> bool {
    !operator.if_exists
        && operator.qualifier != Some(SetQualifier::ForAllValues)
        && operator.base != "Null"
        && !is_negated(operator.base)
}

/// `StringNotEquals`, `ArnNotLike`, `NotIpAddress` and the other operators that
/// negate a comparison.
pub(in crate::lint::checks) fn is_negated(base: &str) -> bool {
    base.contains("Not")
}

/// A value that matches every request value: the wildcard `*` (or only
/// wildcards). The one place that asks so, for when unresolved template values
/// stop being written as `*`.
pub(in crate::lint::checks) fn matches_any_value(value: &ConditionValue) -> bool {
    match value {
        ConditionValue::String(s) => {
            !s.is_empty() && s.chars().all(|c| c == '*' || c == '?') && s.contains('*')
        }
        _ => false,
    }
}

/// The value of a Bool-like condition as IAM reads it: JSON `true`/`false` or
/// the strings `"true"`/`"false"` in any case.
pub(in crate::lint::checks) fn bool_value(value: &ConditionValue) -> Option<bool> {
    match value {
        ConditionValue::Bool(b) => Some(*b),
        ConditionValue::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        ConditionValue::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// The `Bool` conditions (with or without `IfExists`) of `statement` on
/// `key`, each with the booleans it compares against.
pub(in crate::lint::checks) fn bool_conditions<'s>(
    statement: &'s Statement,
    key: &'s str,
) -> impl Iterator<Item = (&'s Condition, Vec<bool>)> {
    statement
        .conditions
        .iter()
        .filter(move |c| c.operator.value.base == "Bool" && c.key.value.eq_ignore_ascii_case(key))
        .map(|c| {
            (
                c,
                c.values
                    .iter()
                    .filter_map(|v| bool_value(&v.value))
                    .collect(),
            )
        })
}

/// The text of a string or number value; `None` for a JSON boolean.
pub(in crate::lint::checks) fn text(value: &ConditionValue) -> Option<&str> {
    match value {
        ConditionValue::String(s) | ConditionValue::Number(s) => Some(s),
        ConditionValue::Bool(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whittle_syntax::{Span, Spanned};

    fn condition(operator: &str, key: &str, values: &[&str]) -> Condition {
        Condition {
            operator: Spanned::new(ConditionOperator::parse(operator).unwrap(), Span::default()),
            key: Spanned::new(key.to_owned(), Span::default()),
            values: values
                .iter()
                .map(|v| Spanned::new(ConditionValue::String((*v).to_owned()), Span::default()))
                .collect(),
        }
    }

    #[test]
    fn who_is_narrowed_by_required_fixed_values_of_caller_keys() {
        assert!(narrows_who(&condition(
            "StringEquals",
            "aws:PrincipalOrgID",
            &["o-a1b2c3"]
        )));
        assert!(narrows_who(&condition(
            "ArnLike",
            "AWS:SourceArn",
            &["arn:aws:s3:::b"]
        )));
        assert!(narrows_who(&condition(
            "IpAddress",
            "aws:SourceIp",
            &["203.0.113.0/24"]
        )));
        assert!(!narrows_who(&condition(
            "Bool",
            "aws:SecureTransport",
            &["true"]
        )));
        assert!(!narrows_who(&condition(
            "StringEqualsIfExists",
            "aws:SourceAccount",
            &["111122223333"]
        )));
        assert!(!narrows_who(&condition(
            "StringNotEquals",
            "aws:PrincipalOrgID",
            &["o-a1b2c3"]
        )));
        assert!(!narrows_who(&condition(
            "StringLike",
            "aws:PrincipalOrgID",
            &["*"]
        )));
        assert!(!narrows_who(&condition(
            "IpAddress",
            "aws:SourceIp",
            &["0.0.0.0/0"]
        )));
        // Under StringEquals "*" is the character, not a wildcard.
        assert!(narrows_who(&condition(
            "StringEquals",
            "aws:SourceAccount",
            &["*"]
        )));
    }
}
