//! `malformed-policy-variable`: a policy variable written wrongly — no closing
//! brace, empty, a space or another symbol in its name, a default value not in
//! quotes (Access Analyzer's "Missing brace in variable", "Empty variable",
//! "Unsupported space in variable", "Unsupported symbol in variable", "Missing
//! quote in variable").

use super::helpers::variables::{VariableProblem, variables};
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::ConditionValue;
use whittle_syntax::Span;

/// Flags the first malformed `${…}` of every Resource value and condition
/// value.
pub struct MalformedPolicyVariable;

impl Check for MalformedPolicyVariable {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for value in statement.resource.iter().flat_map(|r| &r.values) {
                report(&value.value, value.span, out);
            }
            for condition in &statement.conditions {
                for value in &condition.values {
                    if let ConditionValue::String(text) = &value.value {
                        report(text, value.span, out);
                    }
                }
            }
        }
    }
}

/// Emits a finding for the first malformed variable of `text`, if any.
fn report(text: &str, span: Span, out: &mut Emitter<'_>) {
    let Some((variable, problem)) = variables(text)
        .into_iter()
        .find_map(|v| v.problem().map(|p| (v, p)))
    else {
        return;
    };
    let body = variable.body;
    let (message, note) = match problem {
        VariableProblem::MissingBrace => (
            format!("the policy variable \"${{{body}\" in \"{text}\" has no closing brace"),
            "add \"}\" after the variable's name".to_owned(),
        ),
        VariableProblem::Empty => (
            format!("\"{text}\" holds an empty policy variable \"${{{body}}}\""),
            "name a key inside the braces, such as ${aws:username}, or remove the ${}".to_owned(),
        ),
        VariableProblem::Space => (
            format!("the policy variable \"${{{body}}}\" has a space in its name"),
            "remove the space: only a default value after the comma may hold spaces".to_owned(),
        ),
        VariableProblem::UnsupportedSymbol(symbol) => (
            format!("the policy variable \"${{{body}}}\" has \"{symbol}\" in its name, which no condition key has"),
            "a variable names a condition key, such as ${aws:username} or ${aws:PrincipalTag/team}".to_owned(),
        ),
        VariableProblem::MissingQuote => (
            format!("the default value of the policy variable \"${{{body}}}\" is not in single quotes"),
            "write the default after a comma in single quotes: ${aws:PrincipalTag/team, 'company-wide'}".to_owned(),
        ),
    };
    out.at(span)
        .note(format!(
            "{note}; IAM does not substitute a malformed variable"
        ))
        .emit(message);
}
