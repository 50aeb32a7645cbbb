//! `source-ip-with-private-range`: private ranges listed for `aws:SourceIp`,
//! which only ever holds public addresses, next to public ones.

use super::helpers::conditions::text;
use super::helpers::ip::Cidr;
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags the private values of an `aws:SourceIp` list that also has public ones.
pub struct SourceIpWithPrivateRange;

impl Check for SourceIpWithPrivateRange {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                let base = condition.operator.value.base;
                if !matches!(base, "IpAddress" | "NotIpAddress")
                    || !condition.key.value.eq_ignore_ascii_case("aws:SourceIp")
                {
                    continue;
                }
                let ranges: Vec<_> = condition
                    .values
                    .iter()
                    .filter_map(|v| Some((v, text(&v.value).and_then(Cidr::parse)?)))
                    .collect();
                if !ranges.iter().any(|(_, r)| !r.is_private()) {
                    continue;
                }
                let effect = if base == "NotIpAddress" {
                    "excludes nothing"
                } else {
                    "never matches"
                };
                for (value, _) in ranges.iter().filter(|(_, r)| r.is_private()) {
                    out.at(value.span)
                        .note("use aws:VpcSourceIp with aws:SourceVpc for private addresses, in a statement of their own")
                        .emit(format!(
                            "\"{}\" is a private range: aws:SourceIp holds only public addresses, so this value {effect}",
                            text(&value.value).unwrap_or_default()
                        ));
                }
            }
        }
    }
}
