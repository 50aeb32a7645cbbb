//! `resource-mismatch`: a Resource ARN that none of the statement's actions acts on.
//!
//! Each action names the resource types it can be scoped to; each type has ARN
//! formats such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`. A value is
//! reported only when it cannot match any format of any of the statement's actions,
//! reading every `${Variable}` of a format and every wildcard or policy variable of
//! the value as "any run of characters": only certain mismatches are findings.
//!
//! Also [`Pattern`], the matcher for catalog templates other checks use.

use std::collections::HashSet;

use crate::catalog::{Catalog, ResourceType, Service};
use crate::expand::ActionSet;
use crate::lint::{Check, Emitter, PolicyContext};
use crate::policy::{Element, Statement};
use crate::rules::Severity;
use crate::source::Spanned;

use super::malformed_arn::parse_arn;

/// Statements matching more actions than this (a wildcard such as `*`) are not judged.
const MAX_ACTIONS: usize = 2_000;
/// How many expected ARN formats a finding lists.
const MAX_FORMATS_SHOWN: usize = 3;

/// Flags Resource ARNs no action of their statement can act on.
pub struct ResourceMismatch;

impl Check for ResourceMismatch {
    fn name(&self) -> &'static str {
        "resource-mismatch"
    }

    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            let Some(resource) = judged_resources(statement) else {
                continue;
            };
            let Some(actions) = cx.matched_actions(statement) else {
                continue;
            };
            let count = actions.count();
            if count == 0 || count > MAX_ACTIONS {
                continue;
            }
            let targets = Targets::of(cx.catalog(), actions);
            for value in &resource.values {
                let Some(arn) = SpecificArn::of(value) else {
                    continue;
                };
                if !targets.accepts(&arn) {
                    report(cx.catalog(), actions, &targets, value, out);
                }
            }
        }
    }
}

/// The Resource element of a statement this check can judge: one with Action
/// (not NotAction) and Resource (not NotResource).
fn judged_resources(statement: &Statement) -> Option<&Element> {
    let action = statement.action.as_ref()?;
    let resource = statement.resource.as_ref()?;
    (!action.negated && !resource.negated).then_some(resource)
}

/// A valid Resource ARN that does not name every resource.
struct SpecificArn {
    pattern: Pattern,
    /// The service part, lowercased.
    service: String,
    /// True when the resource part is only wildcards (`arn:aws:s3:::*`): every
    /// resource of the service, which services also match against actions
    /// without resource types (AWS documents `s3:ListAllMyBuckets` on
    /// `arn:aws:s3:::*`).
    service_wide: bool,
}

impl SpecificArn {
    fn of(value: &Spanned<String>) -> Option<Self> {
        let Ok(Some(arn)) = parse_arn(&value.value) else {
            return None;
        };
        let every = Element {
            negated: false,
            key_span: value.span,
            values: vec![value.clone()],
        };
        (!every.covers_every_resource()).then(|| Self {
            pattern: Pattern::policy(&value.value),
            service: arn.service.to_ascii_lowercase(),
            service_wide: arn.resource.chars().all(|c| c == '*'),
        })
    }
}

/// What a set of actions can act on.
struct Targets<'c> {
    /// Every format of every resource type of the actions, with its type's name.
    formats: Vec<(&'c str, &'c str, Pattern)>,
    /// The prefixes of the services with actions that have no resource type.
    unscoped: Vec<&'c str>,
}

impl<'c> Targets<'c> {
    fn of(catalog: &'c Catalog, actions: &ActionSet) -> Self {
        let mut seen: HashSet<(usize, &str)> = HashSet::new();
        let mut targets = Self {
            formats: Vec::new(),
            unscoped: Vec::new(),
        };
        for id in actions.iter() {
            let action = catalog.action(id);
            let service = &catalog.services()[action.service];
            if action.record.resources.is_empty()
                && !targets.unscoped.contains(&service.record.prefix.as_str())
            {
                targets.unscoped.push(&service.record.prefix);
            }
            for resource in &action.record.resources {
                if !seen.insert((action.service, resource.resource_type.as_str())) {
                    continue;
                }
                let Some(kind) = resource_type(service, &resource.resource_type) else {
                    continue;
                };
                for arn in &kind.arns {
                    targets.formats.push((
                        kind.resource_type.as_str(),
                        arn.as_str(),
                        Pattern::arn_format(arn),
                    ));
                }
            }
        }
        targets
    }

    /// True when some action may act on `arn`: one of the formats can match it,
    /// or it names every resource of a service with actions that have no
    /// resource type.
    fn accepts(&self, arn: &SpecificArn) -> bool {
        self.formats
            .iter()
            .any(|(_, _, f)| f.overlaps(&arn.pattern))
            || (arn.service_wide
                && self.unscoped.iter().any(|p| {
                    crate::expand::wildcard_matcher(&arn.service).is_some_and(|m| m.is_match(p))
                }))
    }
}

/// A resource type of a service by name.
fn resource_type<'c>(service: &'c Service, name: &str) -> Option<&'c ResourceType> {
    service
        .record
        .resources
        .iter()
        .find(|r| r.resource_type == name)
}

/// Every ARN format of the service with `prefix`, for suggestions.
pub(super) fn service_formats(catalog: &Catalog, prefix: &str) -> Option<Vec<Pattern>> {
    let service = catalog.service(prefix)?;
    Some(
        service
            .record
            .resources
            .iter()
            .flat_map(|r| &r.arns)
            .map(|arn| Pattern::arn_format(arn))
            .collect(),
    )
}

/// Emits the finding for one value no action acts on: a warning when no action
/// has a resource type (the catalog may lag behind a service), else an error.
fn report(
    catalog: &Catalog,
    actions: &ActionSet,
    targets: &Targets<'_>,
    value: &Spanned<String>,
    out: &mut Emitter<'_>,
) {
    let count = actions.count();
    let subject = match actions.iter().next().filter(|_| count == 1) {
        Some(id) => catalog.action(id).qualified_name.clone(),
        None => format!("any of the statement's {count} actions"),
    };
    if targets.formats.is_empty() {
        let what = if count == 1 {
            format!("{subject} cannot")
        } else {
            format!("none of the statement's {count} actions can")
        };
        out.at(value.span)
            .severity(Severity::Warning)
            .note("the action catalog lists no resource type for them: IAM then matches only \"Resource\": \"*\"; narrow them with conditions instead")
            .emit(format!("\"{}\" never applies: {what} be limited to a resource", value.value));
        return;
    }
    let mut finding = out.at(value.span);
    let with_objects = format!("{}/*", value.value);
    if SpecificArn::of(&Spanned::new(with_objects.clone(), value.span))
        .is_some_and(|a| targets.accepts(&a))
    {
        finding = finding.note(format!("did you mean \"{with_objects}\"?"));
    }
    finding.note(expected_formats(targets)).emit(format!(
        "\"{}\" is not a resource {subject} acts on",
        value.value
    ));
}

/// "expected a resource of type object (arn:…), …", listing a few formats.
fn expected_formats(targets: &Targets<'_>) -> String {
    let shown: Vec<String> = targets
        .formats
        .iter()
        .take(MAX_FORMATS_SHOWN)
        .map(|(kind, arn, _)| format!("{kind} ({arn})"))
        .collect();
    let more = targets.formats.len().saturating_sub(MAX_FORMATS_SHOWN);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("expected a resource of type {}{tail}", shown.join(", "))
}

/// One element of a [`Pattern`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// A character, lowercased: comparisons are case-insensitive.
    Char(char),
    /// `?`: any one character.
    One,
    /// `*` or a variable: any run of characters, possibly empty.
    Any,
    /// A variable in the partition, service, Region or account of an ARN
    /// format: any run of characters without a colon.
    Field,
}

impl Token {
    /// True for the tokens that read any number of characters.
    fn repeats(self) -> bool {
        matches!(self, Token::Any | Token::Field)
    }

    /// True when a repeating token can read the one character `single` reads.
    fn absorbs(self, single: Token) -> bool {
        self == Token::Any || single != Token::Char(':')
    }
}

/// What a pattern's text is, which decides what its holes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A policy value: `*`, `?` and `${…}`.
    Policy,
    /// A catalog template: `${Name}` and `<name>`.
    Template,
    /// A catalog ARN format: `${Name}`, colon-free before the resource part.
    ArnFormat,
}

/// A string with holes: a policy value with wildcards and policy variables, or a
/// catalog template with `${Name}` or `<name>` placeholders. Matching ignores case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pattern(Vec<Token>);

impl Pattern {
    /// A policy value: `*` and `${…}` match any run, `?` one character.
    pub(super) fn policy(text: &str) -> Self {
        Self::parse(text, Source::Policy)
    }

    /// A catalog template such as a condition key: `${Name}` and `<name>` match
    /// any run.
    pub(super) fn template(text: &str) -> Self {
        Self::parse(text, Source::Template)
    }

    /// A catalog ARN format: `${Name}` matches any run, without colons in the
    /// partition, service, Region and account (only the resource part has them).
    pub(super) fn arn_format(text: &str) -> Self {
        Self::parse(text, Source::ArnFormat)
    }

    fn parse(text: &str, source: Source) -> Self {
        let mut tokens = Vec::with_capacity(text.len());
        let mut colons = 0;
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = placeholder_end(rest, source) {
                let hole = if source == Source::ArnFormat && colons < 5 {
                    Token::Field
                } else {
                    Token::Any
                };
                if tokens.last() != Some(&hole) {
                    tokens.push(hole);
                }
                rest = &rest[after..];
                continue;
            }
            colons += usize::from(c == ':');
            tokens.push(match c {
                '*' if source != Source::Template => Token::Any,
                '?' if source == Source::Policy => Token::One,
                _ => Token::Char(c.to_ascii_lowercase()),
            });
            rest = &rest[c.len_utf8()..];
        }
        Self(tokens)
    }

    /// True when the pattern matches `text` exactly (no holes in `text`).
    pub(super) fn matches(&self, text: &str) -> bool {
        let literal = Pattern(
            text.chars()
                .map(|c| Token::Char(c.to_ascii_lowercase()))
                .collect(),
        );
        self.overlaps(&literal)
    }

    /// True when some string matches both patterns: a walk over pairs of
    /// positions, one in each pattern.
    pub(super) fn overlaps(&self, other: &Pattern) -> bool {
        let (a, b) = (&self.0, &other.0);
        let width = b.len() + 1;
        let mut seen = vec![false; (a.len() + 1) * width];
        let mut stack = vec![(0, 0)];
        while let Some((i, j)) = stack.pop() {
            if std::mem::replace(&mut seen[i * width + j], true) {
                continue;
            }
            if i == a.len() && j == b.len() {
                return true;
            }
            let moves = steps(a.get(i).copied(), b.get(j).copied());
            stack.extend(moves.into_iter().flatten().map(|(di, dj)| (i + di, j + dj)));
        }
        false
    }
}

/// Where a placeholder starting at the beginning of `text` ends, if one does:
/// `${…}` always, `<…>` in catalog templates only.
fn placeholder_end(text: &str, source: Source) -> Option<usize> {
    let close = if text.starts_with("${") {
        '}'
    } else if source == Source::Template && text.starts_with('<') {
        '>'
    } else {
        return None;
    };
    text.find(close).map(|end| end + 1)
}

/// The moves from a pair of positions whose tokens are `a` and `b`: let a
/// repeating token read nothing, or read one character both tokens can read.
fn steps(a: Option<Token>, b: Option<Token>) -> [Option<(usize, usize)>; 3] {
    let skip_a = a.is_some_and(Token::repeats).then_some((1, 0));
    let skip_b = b.is_some_and(Token::repeats).then_some((0, 1));
    let read = match (a, b) {
        (None, _) | (_, None) => None,
        (Some(x), Some(y)) if x.repeats() && y.repeats() => None,
        (Some(x), Some(y)) if x.repeats() => x.absorbs(y).then_some((0, 1)),
        (Some(x), Some(y)) if y.repeats() => y.absorbs(x).then_some((1, 0)),
        (Some(Token::Char(x)), Some(Token::Char(y))) => (x == y).then_some((1, 1)),
        _ => Some((1, 1)),
    };
    [skip_a, skip_b, read]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn overlap(template: &str, value: &str) -> bool {
        Pattern::arn_format(template).overlaps(&Pattern::policy(value))
    }

    #[test]
    fn template_variables_match_any_run_of_characters() {
        let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert!(overlap(object, "arn:aws:s3:::reports/2024/q1.csv"));
        assert!(overlap(object, "arn:aws:s3:::reports/*"));
        assert!(!overlap(object, "arn:aws:s3:::reports"));
        assert!(!overlap(object, "arn:aws:dynamodb:::reports/x"));
    }

    #[test]
    fn wildcards_and_variables_in_the_value_match_anything() {
        let role = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
        assert!(overlap(role, "arn:aws:iam::*:role/app"));
        assert!(overlap(role, "arn:aws:iam::${aws:PrincipalAccount}:role/*"));
        assert!(overlap(role, "arn:aws:iam::123456789012:*"));
        assert!(overlap(role, "arn:aws:iam::12345678901?:role/a"));
        assert!(!overlap(role, "arn:aws:iam::123456789012:user/app"));
        assert!(overlap(role, "ARN:AWS:IAM::123456789012:ROLE/APP"));
    }

    #[test]
    fn format_variables_before_the_resource_part_hold_no_colons() {
        let table = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
        assert!(!overlap(table, "arn:aws:s3:::orders/*"));
        assert!(overlap(table, "arn:aws:dynamodb:*:*:table/orders"));
        assert!(overlap(table, "arn:aws:*"));
        let log_group = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
        assert!(overlap(
            log_group,
            "arn:aws:logs:eu-west-1:123456789012:log-group:/app:*"
        ));
    }

    #[test]
    fn question_marks_read_exactly_one_character() {
        assert!(overlap("ab", "a?"));
        assert!(!overlap("ab", "a??"));
        assert!(!overlap("ab", "?"));
    }

    #[test]
    fn angle_bracket_placeholders_count_in_templates_only() {
        assert!(
            Pattern::template("s3:ExistingObjectTag/<key>").matches("s3:ExistingObjectTag/team")
        );
        assert!(!Pattern::policy("a<b>").matches("axyz"));
        assert!(Pattern::template("aws:RequestTag/${TagKey}").matches("AWS:requesttag/Project"));
        assert!(!Pattern::template("aws:RequestTag/${TagKey}").matches("aws:RequestTag"));
    }

    #[test]
    fn an_unclosed_variable_is_literal() {
        assert!(Pattern::policy("a${b").matches("a${b"));
    }

    #[test]
    fn actions_without_resource_types_take_only_service_wide_arns() {
        let catalog = Catalog::embedded();
        let arn = |v: &str| SpecificArn::of(&Spanned::new(v.to_owned(), Span::default())).unwrap();
        let mut set = ActionSet::empty(catalog.len());
        set.insert(catalog.action_id("s3:ListAllMyBuckets").unwrap());
        let targets = Targets::of(catalog, &set);
        assert!(targets.formats.is_empty());
        assert!(targets.accepts(&arn("arn:aws:s3:::*")));
        assert!(!targets.accepts(&arn("arn:aws:s3:::reports")));
        assert!(!targets.accepts(&arn("arn:aws:ec2:*:*:*")));
        set.insert(catalog.action_id("s3:GetObject").unwrap());
        let targets = Targets::of(catalog, &set);
        assert!(targets.accepts(&arn("arn:aws:s3:::b/k")));
        assert!(!targets.accepts(&arn("arn:aws:s3:::b")));
    }

    #[test]
    fn wildcards_in_catalog_formats_match_anything() {
        assert!(overlap(
            "arn:${Partition}:dms:${Region}:${Account}:rep:*",
            "arn:aws:dms:*:*:rep:abc"
        ));
    }
}
