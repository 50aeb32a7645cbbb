//! `improvable-ip-range`: an IP range written with bits after its prefix, which
//! IAM ignores.

use super::helpers::conditions::text;
use super::helpers::ip::Cidr;
use crate::lint::{Check, Emitter, PolicyContext};

/// Conditions with more values than this are not searched for mergeable
/// pairs.
const MAX_VALUES: usize = 4096;

/// Flags `IpAddress`/`NotIpAddress` values with host bits set, and pairs of
/// ranges that are the two halves of one range.
pub struct ImprovableIpRange;

impl Check for ImprovableIpRange {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                if !matches!(condition.operator.value.base, "IpAddress" | "NotIpAddress") {
                    continue;
                }
                mergeable(condition, out);
                for value in &condition.values {
                    let Some(cidr) = text(&value.value).and_then(Cidr::parse) else {
                        continue;
                    };
                    if !cidr.has_host_bits() {
                        continue;
                    }
                    let written = text(&value.value).unwrap_or_default();
                    out.at(value.span)
                        .note(format!(
                            "write \"{}\", or a longer prefix if one address or a smaller range was meant",
                            cidr.canonical()
                        ))
                        .emit(format!(
                            "\"{written}\" has bits set after the prefix, which IAM ignores: it is the range {}",
                            cidr.canonical()
                        ));
                }
            }
        }
    }
}

/// Pairs of listed ranges that together make one range twice their size
/// (`10.0.0.0/9` and `10.128.0.0/9` are `10.0.0.0/8`): reported once, at the
/// later of the two.
fn mergeable(condition: &whittle_policy::policy::Condition, out: &mut Emitter<'_>) {
    if condition.values.len() > MAX_VALUES {
        return;
    }
    let ranges: Vec<(Cidr, &whittle_syntax::Spanned<_>)> = condition
        .values
        .iter()
        .filter_map(|v| Some((text(&v.value).and_then(Cidr::parse)?, v)))
        .filter(|(c, _)| !c.has_host_bits())
        .collect();
    let seen: std::collections::HashSet<Cidr> = ranges.iter().map(|(c, _)| *c).collect();
    let mut reported = std::collections::HashSet::new();
    for (cidr, value) in &ranges {
        let (Some(sibling), Some(parent)) = (cidr.sibling(), cidr.parent()) else {
            continue;
        };
        if !seen.contains(&sibling) || !reported.insert(parent) {
            continue;
        }
        out.at(value.span)
            .note(format!(
                "write \"{}\" once instead of its two halves",
                parent.canonical()
            ))
            .emit(format!(
                "\"{}\" and its other half \"{}\", both listed, are together the range {}",
                cidr.canonical(),
                sibling.canonical(),
                parent.canonical()
            ));
    }
}
