//! The IAM policy language: a typed model of policy documents that keeps the span
//! of every statement and element, and the parser that builds it from a [`Node`].
//!
//! Grammar violations do not stop the parse: they are collected as [`Problem`]s
//! (reported by the `malformed-policy` rule) and the rest of the document is kept,
//! so one typo does not hide every other finding.

mod condition;
mod parse;

pub use condition::{ConditionOperator, SetQualifier};
pub use parse::{Grammar, parse_policy, parse_with};

use whittle_syntax::{Node, Span, Spanned};

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The whole document.
    pub span: Span,
    /// The `Version` element, if present.
    pub version: Option<Spanned<String>>,
    /// The `Id` element, if present.
    pub id: Option<Spanned<String>>,
    /// Statements whose `Effect` could be read, in document order.
    pub statements: Vec<Statement>,
    /// Grammar violations found while parsing.
    pub problems: Vec<Problem>,
}

impl Policy {
    /// Parses `node` as a policy document; never fails, see [`Policy::problems`].
    pub fn parse(node: &Node) -> Self {
        parse_policy(node)
    }

    /// Parses `node` as a role's trust policy, whose statements have no Resource.
    pub fn parse_trust(node: &Node) -> Self {
        parse_with(node, Grammar::Trust)
    }

    /// The statement at `index` (a binary search: statements are in document
    /// order); `None` for an item of `Statement` that is not a statement.
    pub fn statement(&self, index: usize) -> Option<&Statement> {
        let at = self
            .statements
            .binary_search_by_key(&index, |s| s.index)
            .ok()?;
        Some(&self.statements[at])
    }
}

/// A grammar violation: the document is not valid in IAM's policy language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the offending element was written.
    pub span: Span,
    /// What is wrong, e.g. `"Effect" must be "Allow" or "Deny", not "allow"`.
    pub message: String,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Grants the matched actions.
    Allow,
    /// Denies the matched actions; an explicit Deny beats any Allow.
    Deny,
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// 0-based position among the document's statements.
    pub index: usize,
    /// The whole statement object.
    pub span: Span,
    /// The `Sid`, if present.
    pub sid: Option<Spanned<String>>,
    /// The `Effect`.
    pub effect: Spanned<Effect>,
    /// `Principal` or `NotPrincipal`, if present.
    pub principal: Option<PrincipalElement>,
    /// `Action` or `NotAction`; `None` when the statement has neither.
    pub action: Option<Element>,
    /// `Resource` or `NotResource`; `None` when the statement has neither.
    pub resource: Option<Element>,
    /// The `Condition` block, flattened to one entry per operator and key.
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// True for an `Allow` statement.
    pub fn is_allow(&self) -> bool {
        self.effect.value == Effect::Allow
    }
}

/// An `Action`/`NotAction` or `Resource`/`NotResource` element.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// True for the `Not…` form, which names the complement.
    pub negated: bool,
    /// Where the element's key was written.
    pub key_span: Span,
    /// The values, each with its own span (a single string becomes one value).
    pub values: Vec<Spanned<String>>,
}

impl Element {
    /// The element's key as written in IAM's grammar, e.g. `NotAction`.
    pub fn key(&self, base: &str) -> String {
        if self.negated {
            format!("Not{base}")
        } else {
            base.to_owned()
        }
    }

    /// True for a `Resource` element that names every resource: `*`, or an ARN
    /// pattern whose every part after `arn:` is a wildcard (`arn:*:*:*:*:*`).
    pub fn covers_every_resource(&self) -> bool {
        !self.negated && self.values.iter().any(|v| is_any_resource(&v.value))
    }

    /// True for a `Resource` element that names every resource of some type:
    /// every resource, or an ARN pattern such as `arn:aws:iam::123456789012:role/*`
    /// or `arn:aws:s3:::*` whose resource part is a type followed by wildcards.
    pub fn covers_a_whole_type(&self) -> bool {
        !self.negated
            && self
                .values
                .iter()
                .any(|v| is_any_resource(&v.value) || is_whole_type(&v.value))
    }
}

/// A `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalElement {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// Where the element's key was written.
    pub key_span: Span,
    /// The principals named.
    pub value: Principal,
}

impl PrincipalElement {
    /// Each principal named with its type (`AWS`, `Service`, `Federated`,
    /// `CanonicalUser`); none for `"*"`.
    pub fn typed_values(&self) -> impl Iterator<Item = (&Spanned<String>, &Spanned<String>)> {
        let kinds = match &self.value {
            Principal::Any => &[][..],
            Principal::Typed(kinds) => &kinds[..],
        };
        kinds
            .iter()
            .flat_map(|(kind, values)| values.iter().map(move |value| (kind, value)))
    }
}

/// The principals of a `Principal` element.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// `"*"`: everyone, including anonymous callers.
    Any,
    /// `{"AWS": [...], "Service": [...], ...}`.
    Typed(Vec<(Spanned<String>, Vec<Spanned<String>>)>),
}

/// One operator-key pair of a `Condition` block with its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator: Spanned<ConditionOperator>,
    /// The condition key, e.g. `aws:SourceIp`.
    pub key: Spanned<String>,
    /// The values (a single value becomes one entry).
    pub values: Vec<Spanned<ConditionValue>>,
}

/// A condition value as written: IAM accepts strings, booleans and numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum ConditionValue {
    /// A string value.
    String(String),
    /// A JSON boolean.
    Bool(bool),
    /// A JSON number, kept as written.
    Number(String),
}

fn is_any_resource(value: &str) -> bool {
    let all_stars = |s: &str| !s.is_empty() && s.chars().all(|c| c == '*');
    all_stars(value)
        || value
            .strip_prefix("arn:")
            .is_some_and(|rest| rest.split(':').all(all_stars) && rest.contains('*'))
}

/// An ARN pattern whose resource part is at most a resource type followed only by
/// wildcard segments: `role/*`, `table/*`, `*`, `*/*`. S3 has no resource types
/// in its ARNs, so `arn:aws:s3:::bucket/*` names one bucket's objects.
fn is_whole_type(value: &str) -> bool {
    let all_stars = |s: &str| !s.is_empty() && s.chars().all(|c| c == '*');
    let Some(rest) = value.strip_prefix("arn:") else {
        return false;
    };
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    let [_, service, _, _, resource] = parts[..] else {
        return false;
    };
    let mut segments = resource.split(['/', ':']).peekable();
    if service != "s3" && segments.peek().is_some_and(|s| !s.contains(['*', '?'])) {
        segments.next();
    }
    let mut any = false;
    for segment in segments {
        if !all_stars(segment) {
            return false;
        }
        any = true;
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(values: &[&str]) -> Element {
        Element {
            negated: false,
            key_span: Span::default(),
            values: values
                .iter()
                .map(|v| Spanned::new((*v).to_owned(), Span::default()))
                .collect(),
        }
    }

    #[test]
    fn any_resource_is_star_or_an_all_wildcard_arn() {
        assert!(resource(&["*"]).covers_every_resource());
        assert!(resource(&["arn:aws:s3:::b", "arn:*:*:*:*:*"]).covers_every_resource());
        assert!(!resource(&["arn:aws:s3:::*"]).covers_every_resource());
        assert!(!resource(&["arn:aws:iam::123456789012:role/*"]).covers_every_resource());
    }

    #[test]
    fn a_whole_type_is_a_type_followed_by_wildcards() {
        for every in [
            "*",
            "arn:aws:iam::123456789012:role/*",
            "arn:aws:s3:::*",
            "arn:aws:s3:::*/*",
            "arn:aws:dynamodb:*:*:table/*",
            "arn:aws:ec2:*:*:instance/*",
        ] {
            assert!(resource(&[every]).covers_a_whole_type(), "{every}");
        }
        for named in [
            "arn:aws:iam::123456789012:role/app-*",
            "arn:aws:iam::123456789012:role/service-role/*",
            "arn:aws:s3:::reports/*",
            "arn:aws:s3:::reports",
            "arn:aws:logs:*:*:log-group:app:*",
            "arn:aws:sqs:*:*:jobs",
            "not-an-arn",
        ] {
            assert!(!resource(&[named]).covers_a_whole_type(), "{named}");
        }
    }
}
