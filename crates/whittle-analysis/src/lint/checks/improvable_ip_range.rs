//! `improvable-ip-range`: an IP range written with bits after its prefix, which
//! IAM ignores.

use super::helpers::conditions::text;
use super::helpers::ip::Cidr;
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags `IpAddress`/`NotIpAddress` values with host bits set.
pub struct ImprovableIpRange;

impl Check for ImprovableIpRange {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                if !matches!(condition.operator.value.base, "IpAddress" | "NotIpAddress") {
                    continue;
                }
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
