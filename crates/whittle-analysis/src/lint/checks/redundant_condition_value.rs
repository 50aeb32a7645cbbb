//! `redundant-condition-value`: a value of a condition that another value of
//! the same condition already covers — a looser numeric bound, an IP range
//! inside another, a repeated value.

use super::helpers::conditions::text;
use super::helpers::ip::Cidr;
use crate::lint::{Check, Emitter, PolicyContext};
use std::collections::HashSet;

use whittle_policy::policy::{Condition, ConditionValue, SetQualifier};
use whittle_syntax::Span;

/// Flags redundant values of numeric bounds, IP ranges and repeated values.
pub struct RedundantConditionValue;

impl Check for RedundantConditionValue {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in statement.conditions.iter().filter(|c| c.values.len() > 1) {
                if condition.operator.value.qualifier == Some(SetQualifier::ForAllValues) {
                    continue;
                }
                let mut reported = Vec::new();
                repeated(condition, &mut reported, out);
                numeric(condition, &mut reported, out);
                ranges(condition, &mut reported, out);
            }
        }
    }
}

/// Lists longer than this are not compared pairwise for nested IP ranges: no
/// quadratic work on a hostile list.
const MAX_PAIRWISE: usize = 512;

/// Values written twice (the later ones).
fn repeated(condition: &Condition, reported: &mut Vec<Span>, out: &mut Emitter<'_>) {
    let mut seen = HashSet::new();
    for value in &condition.values {
        let key = match &value.value {
            ConditionValue::String(s) => (0, s.as_str()),
            ConditionValue::Number(n) => (1, n.as_str()),
            ConditionValue::Bool(b) => (2, if *b { "true" } else { "false" }),
        };
        if !seen.insert(key) {
            reported.push(value.span);
            out.at(value.span)
                .note("remove the repeated value")
                .emit(format!(
                    "the value is listed twice for {} under {}",
                    condition.key.value, condition.operator.value
                ));
        }
    }
}

/// All but the loosest bound of a numeric less-than or greater-than list.
fn numeric(condition: &Condition, reported: &mut Vec<Span>, out: &mut Emitter<'_>) {
    let base = condition.operator.value.base;
    let greatest = match base {
        "NumericLessThan" | "NumericLessThanEquals" => true,
        "NumericGreaterThan" | "NumericGreaterThanEquals" => false,
        _ => return,
    };
    let numbers: Vec<(Span, f64)> = condition
        .values
        .iter()
        .filter_map(|v| Some((v.span, text(&v.value)?.trim().parse::<f64>().ok()?)))
        .filter(|(_, n)| n.is_finite())
        .collect();
    let loosest = numbers
        .iter()
        .map(|(_, n)| *n)
        .reduce(|a, b| if greatest { a.max(b) } else { a.min(b) });
    let Some(loosest) = loosest else { return };
    let word = if greatest { "greatest" } else { "least" };
    for (span, _) in numbers.iter().filter(|(_, n)| *n != loosest) {
        if reported.contains(span) {
            continue;
        }
        reported.push(*span);
        out.at(*span)
            .note(format!("keep only the {word} value, {loosest}"))
            .emit(format!(
                "{base} matches when any value does: only the {word} value for {} counts",
                condition.key.value
            ));
    }
}

/// IP ranges inside another range of the same list.
fn ranges(condition: &Condition, reported: &mut Vec<Span>, out: &mut Emitter<'_>) {
    if !matches!(condition.operator.value.base, "IpAddress" | "NotIpAddress") {
        return;
    }
    let cidrs: Vec<(Span, Cidr, &str)> = condition
        .values
        .iter()
        .filter_map(|v| {
            let t = text(&v.value)?;
            Some((v.span, Cidr::parse(t)?, t))
        })
        .collect();
    if cidrs.len() > MAX_PAIRWISE {
        return;
    }
    for (i, (span, cidr, _)) in cidrs.iter().enumerate() {
        if reported.contains(span) {
            continue;
        }
        let wider = cidrs.iter().enumerate().find(|(j, (_, other, _))| {
            *j != i && cidr.within(*other) && !(other.within(*cidr) && *j > i)
        });
        let Some((_, (_, _, wider))) = wider else {
            continue;
        };
        reported.push(*span);
        out.at(*span)
            .note("remove it: the wider range already matches its addresses")
            .emit(format!(
                "the range is inside \"{wider}\", listed in the same condition"
            ));
    }
}
