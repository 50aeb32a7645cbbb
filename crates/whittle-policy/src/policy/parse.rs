//! Builds a [`Policy`] from a JSON [`Node`], collecting every grammar violation.

use std::collections::HashSet;

use super::{
    Condition, ConditionOperator, ConditionValue, Effect, Element, Policy, Principal,
    PrincipalElement, Problem, Statement,
};
use whittle_syntax::{Member, Node, Span, Spanned, Value};

const POLICY_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
const PRINCIPAL_TYPES: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];
/// The policy language versions IAM accepts.
pub(crate) const VERSIONS: &[&str] = &["2012-10-17", "2008-10-17"];

/// Which grammar a document follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Grammar {
    /// Identity and resource-based policies: every statement has a Resource or
    /// NotResource.
    #[default]
    Policy,
    /// A role's trust policy: the role is the resource, so statements have no
    /// Resource.
    Trust,
}

/// Parses `node` as an IAM policy document. Never fails: grammar violations are
/// returned in [`Policy::problems`] next to everything that could be read.
pub fn parse_policy(node: &Node) -> Policy {
    parse_with(node, Grammar::Policy)
}

/// Parses `node` as a document of `grammar`; see [`parse_policy`].
pub fn parse_with(node: &Node, grammar: Grammar) -> Policy {
    let mut parser = Parser {
        grammar,
        problems: Vec::new(),
    };
    let mut policy = Policy {
        span: node.span,
        version: None,
        id: None,
        statements: Vec::new(),
        problems: Vec::new(),
    };
    let Some(members) = parser.object(node, "a policy document") else {
        policy.problems = parser.problems;
        return policy;
    };
    parser.check_keys(members, POLICY_KEYS, "policy document");
    policy.version = parser.string_member(node, "Version");
    if let Some(version) = &policy.version
        && !VERSIONS.contains(&version.value.as_str())
    {
        parser.problem(
                version.span,
                format!(
                    "unknown policy language version \"{}\": IAM accepts \"2012-10-17\" or \"2008-10-17\"",
                    version.value
                ),
            );
    }
    policy.id = parser.string_member(node, "Id");
    match node.get("Statement") {
        None => parser.problem(node.span, "the policy has no \"Statement\" element"),
        Some(statements) => {
            let items = match &statements.value {
                Value::Array(items) => items.iter().collect(),
                Value::Object(_) => vec![statements],
                _ => {
                    parser.problem(
                        statements.span,
                        format!(
                            "\"Statement\" must be an object or an array of objects, not {}",
                            statements.kind()
                        ),
                    );
                    Vec::new()
                }
            };
            for (index, item) in items.into_iter().enumerate() {
                if let Some(statement) = parser.statement(item, index) {
                    policy.statements.push(statement);
                }
            }
        }
    }
    policy.problems = parser.problems;
    policy
}

#[derive(Default)]
struct Parser {
    grammar: Grammar,
    problems: Vec<Problem>,
}

impl Parser {
    fn problem(&mut self, span: Span, message: impl Into<String>) {
        self.problems.push(Problem {
            span,
            message: message.into(),
        });
    }

    fn object<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Member]> {
        let members = node.as_object();
        if members.is_none() {
            self.problem(
                node.span,
                format!("{what} must be a JSON object, not {}", node.kind()),
            );
        }
        members
    }

    /// Reports unknown and duplicate keys of an object.
    fn check_keys(&mut self, members: &[Member], known: &[&str], container: &str) {
        let mut seen = HashSet::new();
        for member in members {
            if !seen.insert(member.key.as_str()) {
                self.problem(
                    member.key_span,
                    format!(
                        "duplicate key \"{}\" in the {container}: only one of them takes effect",
                        member.key
                    ),
                );
            }
            if !known.contains(&member.key.as_str()) {
                let hint = suggest(&member.key, known)
                    .map(|k| format!("; did you mean \"{k}\"?"))
                    .unwrap_or_default();
                self.problem(
                    member.key_span,
                    format!(
                        "unknown element \"{}\" in the {container}{hint}",
                        member.key
                    ),
                );
            }
        }
    }

    fn string_member(&mut self, node: &Node, key: &str) -> Option<Spanned<String>> {
        let value = node.get(key)?;
        match value.as_str() {
            Some(s) => Some(Spanned::new(s.to_owned(), value.span)),
            None => {
                self.problem(
                    value.span,
                    format!("\"{key}\" must be a string, not {}", value.kind()),
                );
                None
            }
        }
    }

    fn statement(&mut self, node: &Node, index: usize) -> Option<Statement> {
        let members = self.object(node, "a statement")?;
        self.check_keys(members, STATEMENT_KEYS, "statement");
        let sid = self.string_member(node, "Sid");
        let effect = self.effect(node)?;
        let principal = self.principal(node);
        let action = self.element(node, "Action", true);
        let resource = match self.grammar {
            Grammar::Policy => self.element(node, "Resource", false),
            Grammar::Trust => {
                if let Some(member) = node
                    .as_object()
                    .and_then(|m| m.iter().find(|m| m.key.ends_with("Resource")))
                {
                    self.problem(
                        member.key_span,
                        format!(
                            "a trust policy has no \"{}\": the role it belongs to is the resource, and IAM rejects the document",
                            member.key
                        ),
                    );
                }
                None
            }
        };
        let conditions = node
            .get("Condition")
            .map(|c| self.conditions(c))
            .unwrap_or_default();
        Some(Statement {
            index,
            span: node.span,
            sid,
            effect,
            principal,
            action,
            resource,
            conditions,
        })
    }

    fn effect(&mut self, node: &Node) -> Option<Spanned<Effect>> {
        let Some(effect) = self.string_member(node, "Effect") else {
            if node.get("Effect").is_none() {
                self.problem(node.span, "the statement has no \"Effect\"");
            }
            return None;
        };
        match effect.value.as_str() {
            "Allow" => Some(Spanned::new(Effect::Allow, effect.span)),
            "Deny" => Some(Spanned::new(Effect::Deny, effect.span)),
            // An Effect the input leaves unresolved (a Terraform `dynamic`
            // block's item) is read as what it could grant: Allow.
            other if crate::unknown::contains(other) => {
                Some(Spanned::new(Effect::Allow, effect.span))
            }
            other => {
                self.problem(
                    effect.span,
                    format!(
                        "\"Effect\" must be \"Allow\" or \"Deny\" (case-sensitive), not \"{other}\""
                    ),
                );
                None
            }
        }
    }

    /// Reads `base` or `Not{base}`; exactly one of the two must be present.
    fn element(&mut self, node: &Node, base: &str, is_action: bool) -> Option<Element> {
        let not_key = format!("Not{base}");
        let members = node.as_object()?;
        let plain = members.iter().rev().find(|m| m.key == base);
        let negated = members.iter().rev().find(|m| m.key == not_key);
        let (member, is_negated) = match (plain, negated) {
            (Some(m), None) => (m, false),
            (None, Some(m)) => (m, true),
            (Some(_), Some(m)) => {
                self.problem(
                    m.key_span,
                    format!("a statement cannot have both \"{base}\" and \"{not_key}\""),
                );
                return None;
            }
            (None, None) => {
                self.problem(
                    node.span,
                    format!("the statement has neither \"{base}\" nor \"{not_key}\""),
                );
                return None;
            }
        };
        let key = if is_negated { not_key.as_str() } else { base };
        let mut values = self.strings(&member.value, key);
        if is_action {
            values.retain(|v| {
                // An unresolved value may be any action: not the grammar's to judge.
                let valid =
                    v.value == "*" || v.value.contains(':') || crate::unknown::contains(&v.value);
                if !valid {
                    self.problem(
                        v.span,
                        format!(
                            "\"{}\" is not an action: write \"*\" or \"service:Action\"",
                            v.value
                        ),
                    );
                }
                valid
            });
        }
        Some(Element {
            negated: is_negated,
            key_span: member.key_span,
            values,
        })
    }

    /// A string or an array of strings; anything else is reported and skipped.
    fn strings(&mut self, node: &Node, key: &str) -> Vec<Spanned<String>> {
        let items: Vec<&Node> = match &node.value {
            Value::Array(items) => items.iter().collect(),
            _ => vec![node],
        };
        items
            .into_iter()
            .filter_map(|item| match item.as_str() {
                Some(s) => Some(Spanned::new(s.to_owned(), item.span)),
                None => {
                    self.problem(
                        item.span,
                        format!(
                            "\"{key}\" must be a string or an array of strings; found {}",
                            item.kind()
                        ),
                    );
                    None
                }
            })
            .collect()
    }

    fn principal(&mut self, node: &Node) -> Option<PrincipalElement> {
        let members = node.as_object()?;
        let mut found = members
            .iter()
            .rev()
            .filter(|m| m.key == "Principal" || m.key == "NotPrincipal");
        let member = found.next()?;
        if let Some(other) = found.next()
            && other.key != member.key
        {
            self.problem(
                member.key_span,
                "a statement cannot have both \"Principal\" and \"NotPrincipal\"",
            );
        }
        let value = match &member.value.value {
            Value::String(s) if s == "*" => Principal::Any,
            Value::Object(types) => Principal::Typed(
                types
                    .iter()
                    .filter_map(|t| {
                        if !PRINCIPAL_TYPES.contains(&t.key.as_str()) {
                            self.problem(
                                t.key_span,
                                format!(
                                    "unknown principal type \"{}\": expected one of {}",
                                    t.key,
                                    PRINCIPAL_TYPES.join(", ")
                                ),
                            );
                            return None;
                        }
                        let ids = self.strings(&t.value, &member.key);
                        Some((Spanned::new(t.key.clone(), t.key_span), ids))
                    })
                    .collect(),
            ),
            _ => {
                self.problem(
                    member.value.span,
                    format!(
                        "\"{}\" must be \"*\" or an object such as {{\"AWS\": \"arn:...\"}}",
                        member.key
                    ),
                );
                return None;
            }
        };
        Some(PrincipalElement {
            negated: member.key == "NotPrincipal",
            key_span: member.key_span,
            value,
        })
    }

    fn conditions(&mut self, node: &Node) -> Vec<Condition> {
        let Some(operators) = self.object(node, "\"Condition\"") else {
            return Vec::new();
        };
        let mut conditions = Vec::new();
        for operator in operators {
            let parsed = match ConditionOperator::parse(&operator.key) {
                Ok(op) => Spanned::new(op, operator.key_span),
                // An operator the input leaves unresolved still restricts the
                // statement: read it as an exact match on unknown terms.
                Err(_) if crate::unknown::contains(&operator.key) => Spanned::new(
                    ConditionOperator::parse("StringEquals").expect("a known operator"),
                    operator.key_span,
                ),
                Err(message) => {
                    self.problem(operator.key_span, message);
                    continue;
                }
            };
            let what = format!("the \"{}\" block", operator.key);
            let Some(keys) = self.object(&operator.value, &what) else {
                continue;
            };
            for key in keys {
                conditions.push(Condition {
                    operator: parsed.clone(),
                    key: Spanned::new(key.key.clone(), key.key_span),
                    values: self.condition_values(&key.value, &key.key),
                });
            }
        }
        conditions
    }

    fn condition_values(&mut self, node: &Node, key: &str) -> Vec<Spanned<ConditionValue>> {
        let items: Vec<&Node> = match &node.value {
            Value::Array(items) => items.iter().collect(),
            _ => vec![node],
        };
        items
            .into_iter()
            .filter_map(|item| {
                let value = match &item.value {
                    Value::String(s) => ConditionValue::String(s.clone()),
                    Value::Bool(b) => ConditionValue::Bool(*b),
                    Value::Number(n) => ConditionValue::Number(n.clone()),
                    _ => {
                        self.problem(
                            item.span,
                            format!(
                                "the value of condition key \"{key}\" must be a string, boolean, number or an array of them; found {}",
                                item.kind()
                            ),
                        );
                        return None;
                    }
                };
                Some(Spanned::new(value, item.span))
            })
            .collect()
    }
}

/// The known key closest to `key`, for "did you mean" hints.
fn suggest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    // Policy keys are short: a long key is no typo of one (and Jaro-Winkler
    // is quadratic in its length).
    if key.len() > 64 {
        return None;
    }
    known
        .iter()
        .map(|k| {
            (
                strsim::jaro_winkler(&key.to_lowercase(), &k.to_lowercase()),
                *k,
            )
        })
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use whittle_syntax::parse_json;

    fn parse(text: &str) -> Policy {
        parse_policy(&parse_json(text).unwrap())
    }

    fn messages(policy: &Policy) -> Vec<&str> {
        policy.problems.iter().map(|p| p.message.as_str()).collect()
    }

    #[test]
    fn a_complete_policy_is_read_without_problems() {
        let policy = parse(
            r#"{"Version":"2012-10-17","Id":"p1","Statement":[{"Sid":"A","Effect":"Allow",
            "Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::b/*",
            "Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*","b"]},
            "Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":10}}},
            {"Effect":"Deny","NotAction":"iam:*","NotResource":["*"],
             "Principal":{"AWS":["arn:aws:iam::123456789012:root"]}}]}"#,
        );
        assert_eq!(messages(&policy), Vec::<&str>::new());
        assert_eq!(policy.statements.len(), 2);
        let first = &policy.statements[0];
        assert_eq!(first.action.as_ref().unwrap().values.len(), 2);
        assert_eq!(first.conditions.len(), 3);
        assert_eq!(
            first.conditions[1].values[0].value,
            ConditionValue::Bool(true)
        );
        let second = &policy.statements[1];
        assert!(second.action.as_ref().unwrap().negated);
        assert!(second.resource.as_ref().unwrap().negated);
        assert!(matches!(
            second.principal.as_ref().unwrap().value,
            Principal::Typed(_)
        ));
    }

    #[test]
    fn a_single_statement_object_is_accepted() {
        let policy = parse(r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}"#);
        assert!(policy.problems.is_empty());
        assert_eq!(policy.statements[0].effect.value, Effect::Deny);
    }

    #[test]
    fn grammar_violations_are_reported_and_parsing_goes_on() {
        let policy = parse(
            r#"{"Version":"2012-10-18","Statement":[
              {"Effect":"allow","Action":"s3:GetObject","Resource":"*"},
              {"Effect":"Allow","Actions":"s3:GetObject","Resource":"*"},
              {"Effect":"Allow","Action":["s3:GetObject",1],"NotAction":"x:y","Resource":"*"},
              {"Effect":"Allow","Action":"GetObject","Resource":"*","Condition":{"StringEquals":{"k":{"a":1}}}}
            ]}"#,
        );
        let all = messages(&policy).join("\n");
        assert!(all.contains("unknown policy language version"), "{all}");
        assert!(all.contains("not \"allow\""), "{all}");
        assert!(all.contains("did you mean \"Action\""), "{all}");
        assert!(all.contains("both \"Action\" and \"NotAction\""), "{all}");
        assert!(all.contains("\"GetObject\" is not an action"), "{all}");
        assert!(all.contains("must be a string, boolean, number"), "{all}");
        // The statement with an invalid Effect is dropped; the others are kept.
        assert_eq!(policy.statements.len(), 3);
    }

    #[test]
    fn problems_point_at_the_offending_element() {
        let text = r#"{"Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}"#;
        let policy = parse(text);
        let span = policy.problems[0].span;
        assert_eq!(&text[span.start..span.end], "\"Permit\"");
    }

    #[test]
    fn non_objects_and_missing_statements_are_problems() {
        assert!(!parse("[1]").problems.is_empty());
        assert!(messages(&parse(r#"{"Version":"2012-10-17"}"#))[0].contains("no \"Statement\""));
        let dup = parse(r#"{"Statement":[],"Statement":[]}"#);
        assert!(messages(&dup)[0].contains("duplicate key"));
    }
}
