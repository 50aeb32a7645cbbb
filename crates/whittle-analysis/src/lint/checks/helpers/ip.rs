//! IP address ranges as IAM's `IpAddress` operators read them: an address with
//! an optional `/prefix` (CIDR), IPv4 or IPv6.

use std::net::IpAddr;

/// A parsed address range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(in crate::lint::checks) struct Cidr {
    /// The address as written, widened to 128 bits (IPv4 in the low 32).
    address: u128,
    /// The prefix length.
    prefix: u32,
    /// True for IPv4.
    v4: bool,
}

/// The private ranges of RFC 1918 and IPv6 unique local addresses (RFC 4193):
/// addresses `aws:SourceIp` never sees, since requests from them reach AWS
/// through a VPC endpoint or a NAT.
const PRIVATE: [&str; 4] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];

impl Cidr {
    /// Parses `10.0.0.0/8`, `203.0.113.7` (a single address) or `2001:db8::/32`;
    /// `None` for anything else.
    pub(in crate::lint::checks) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u32>().ok()?)),
            None => (text, None),
        };
        let (address, v4) = match address.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => (u128::from(u32::from(a)), true),
            IpAddr::V6(a) => (u128::from(a), false),
        };
        let bits = if v4 { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        (prefix <= bits).then_some(Self {
            address,
            prefix,
            v4,
        })
    }

    fn bits(self) -> u32 {
        if self.v4 { 32 } else { 128 }
    }

    /// The mask of the network bits.
    fn mask(self) -> u128 {
        let host = self.bits() - self.prefix;
        let all = if self.v4 {
            u128::from(u32::MAX)
        } else {
            u128::MAX
        };
        if host >= 128 {
            0
        } else {
            all & !((1u128 << host) - 1) & all
        }
    }

    /// True when bits after the prefix are set (`10.1.2.3/8`): IAM ignores them.
    pub(in crate::lint::checks) fn has_host_bits(self) -> bool {
        self.address & !self.mask() != 0
    }

    /// The range written with its host bits cleared, e.g. `10.0.0.0/8`.
    pub(in crate::lint::checks) fn canonical(self) -> String {
        let network = self.address & self.mask();
        let address = if self.v4 {
            IpAddr::from(std::net::Ipv4Addr::from(
                u32::try_from(network).unwrap_or(0),
            ))
        } else {
            IpAddr::from(std::net::Ipv6Addr::from(network))
        };
        format!("{address}/{}", self.prefix)
    }

    /// The range with its host bits cleared.
    pub(in crate::lint::checks) fn network(self) -> Cidr {
        Cidr {
            address: self.address & self.mask(),
            ..self
        }
    }

    /// The other half of the range one bit shorter that holds `self`
    /// (`10.128.0.0/9` for `10.0.0.0/9`); `None` for a `/0`.
    pub(in crate::lint::checks) fn sibling(self) -> Option<Cidr> {
        let host = self.bits().checked_sub(self.prefix)?;
        if self.prefix == 0 || host >= 128 {
            return None;
        }
        let network = self.network();
        Some(Cidr {
            address: network.address ^ (1u128 << host),
            ..network
        })
    }

    /// The range one bit shorter that holds `self` and its sibling.
    pub(in crate::lint::checks) fn parent(self) -> Option<Cidr> {
        let prefix = self.prefix.checked_sub(1)?;
        Some(Cidr { prefix, ..self }.network())
    }

    /// True when every address of `self` is in `other`.
    pub(in crate::lint::checks) fn within(self, other: Cidr) -> bool {
        self.v4 == other.v4
            && self.prefix >= other.prefix
            && (self.address & other.mask()) == (other.address & other.mask())
    }

    /// True when the whole range is private (RFC 1918, IPv6 unique local).
    pub(in crate::lint::checks) fn is_private(self) -> bool {
        PRIVATE
            .iter()
            .filter_map(|range| Cidr::parse(range))
            .any(|range| self.within(range))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Cidr {
        Cidr::parse(text).unwrap()
    }

    #[test]
    fn ranges_parse_and_print_canonically() {
        assert!(cidr("10.1.2.3/8").has_host_bits());
        assert_eq!(cidr("10.1.2.3/8").canonical(), "10.0.0.0/8");
        assert!(!cidr("203.0.113.0/24").has_host_bits());
        assert!(!cidr("203.0.113.7").has_host_bits());
        assert_eq!(cidr("2001:db8::1/32").canonical(), "2001:db8::/32");
        assert!(!cidr("0.0.0.0/0").has_host_bits());
        assert!(Cidr::parse("10.0.0.0/33").is_none() && Cidr::parse("nope").is_none());
    }

    #[test]
    fn private_ranges_are_those_of_rfc_1918_and_unique_local() {
        assert!(cidr("10.20.0.0/16").is_private() && cidr("192.168.1.1").is_private());
        assert!(cidr("172.31.0.0/16").is_private() && cidr("fd00::/8").is_private());
        assert!(!cidr("172.32.0.0/16").is_private() && !cidr("203.0.113.0/24").is_private());
        assert!(!cidr("0.0.0.0/0").is_private());
        assert!(cidr("10.1.0.0/16").within(cidr("10.0.0.0/8")));
        assert!(!cidr("10.0.0.0/8").within(cidr("10.1.0.0/16")));
        assert_eq!(cidr("10.0.0.0/9").sibling(), Some(cidr("10.128.0.0/9")));
        assert_eq!(cidr("10.128.0.0/9").parent(), Some(cidr("10.0.0.0/8")));
        assert_eq!(cidr("0.0.0.0/0").sibling(), None);
    }
}
