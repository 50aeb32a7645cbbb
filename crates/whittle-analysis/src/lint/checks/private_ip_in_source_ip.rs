//! `private-ip-in-source-ip`: `aws:SourceIp` compared only with private
//! addresses, which it never holds (Access Analyzer's "Private IP address"
//! and "Private NotIpAddress").

use std::net::IpAddr;

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::ConditionValue;

/// Flags `IpAddress`/`NotIpAddress` conditions on `aws:SourceIp` whose every
/// value is a private, loopback or link-local range: requests through a VPC
/// endpoint carry no public source address, and `aws:SourceIp` is absent then,
/// so `IpAddress` never matches and `NotIpAddress` always does.
pub struct PrivateIpInSourceIp;

impl Check for PrivateIpInSourceIp {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                let base = condition.operator.value.base;
                if !condition.key.value.eq_ignore_ascii_case("aws:SourceIp")
                    || !matches!(base, "IpAddress" | "NotIpAddress")
                    || condition.values.is_empty()
                    || !condition.values.iter().all(|v| is_private(&v.value))
                {
                    continue;
                }
                let effect = if base == "IpAddress" {
                    "the condition never matches"
                } else {
                    "the condition always matches"
                };
                out.at(condition.key.span)
                    .note("to allow traffic from a VPC, use aws:VpcSourceIp with aws:SourceVpc or aws:SourceVpce; aws:SourceIp holds public addresses only")
                    .emit(format!(
                        "\"aws:SourceIp\" is compared only with private addresses under \"{}\": {effect}",
                        condition.operator.value
                    ));
            }
        }
    }
}

/// True for an address or CIDR range inside the private (RFC 1918, RFC 4193),
/// loopback or link-local ranges.
fn is_private(value: &ConditionValue) -> bool {
    let ConditionValue::String(text) = value else {
        return false;
    };
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, prefix.parse::<u8>().ok()),
        None => (text.as_str(), None),
    };
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            let [a, b, ..] = v4.octets();
            let within = |needed: u8| prefix.is_none_or(|p| p >= needed);
            (a == 10 && within(8))
                || (a == 172 && (16..=31).contains(&b) && within(12))
                || (a == 192 && b == 168 && within(16))
                || (a == 127 && within(8))
                || (a == 169 && b == 254 && within(16))
        }
        Ok(IpAddr::V6(v6)) => {
            let first = v6.segments()[0];
            let within = |needed: u8| prefix.is_none_or(|p| p >= needed);
            ((first & 0xfe00) == 0xfc00 && within(7))
                || ((first & 0xffc0) == 0xfe80 && within(10))
                || (v6.is_loopback() && within(128))
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private(text: &str) -> bool {
        is_private(&ConditionValue::String(text.to_owned()))
    }

    #[test]
    fn private_ranges_are_told_from_public_ones() {
        for text in [
            "10.0.0.0/8",
            "10.1.2.3",
            "172.16.0.0/12",
            "172.31.255.0/24",
            "192.168.1.0/24",
            "127.0.0.1",
            "fd00::/8",
            "fe80::1",
        ] {
            assert!(private(text), "{text}");
        }
        for text in [
            "203.0.113.0/24",
            "172.32.0.0/16",
            "0.0.0.0/0",
            "10.0.0.0/7",
            "192.0.0.0/8",
            "2001:db8::/32",
            "not an address",
        ] {
            assert!(!private(text), "{text}");
        }
    }
}
