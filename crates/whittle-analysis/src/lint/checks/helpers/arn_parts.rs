//! The six parts of a policy ARN, the ARN formats of its service that it could
//! be written for, and what a Region name and an account ID look like — shared
//! by the checks of ARN Regions and accounts.

use whittle_policy::arn::{parse_arn, split_parts};
use whittle_policy::catalog::Catalog;
use whittle_policy::pattern::Pattern;
use whittle_policy::policy::Policy;
use whittle_syntax::Spanned;

/// An ARN split into its parts (a `*` Resource is no ARN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::lint::checks) struct ArnParts<'a> {
    /// The service, e.g. `s3`.
    pub service: &'a str,
    /// The Region part, possibly empty.
    pub region: &'a str,
    /// The account part, possibly empty.
    pub account: &'a str,
    /// Everything after the fifth colon.
    pub resource: &'a str,
}

/// Every Resource and NotResource value of `policy` that is an ARN, with its
/// parts: what the checks of ARN Regions and accounts go through.
pub(in crate::lint::checks) fn resource_arns(
    policy: &Policy,
) -> impl Iterator<Item = (&Spanned<String>, ArnParts<'_>)> {
    policy
        .statements
        .iter()
        .filter_map(|statement| statement.resource.as_ref())
        .flat_map(|resource| &resource.values)
        .filter_map(|value| Some((value, ArnParts::of(&value.value)?)))
}

impl<'a> ArnParts<'a> {
    /// The parts of `value`; `None` when it is `*` or no valid ARN
    /// (`malformed-arn` reports those).
    pub fn of(value: &'a str) -> Option<Self> {
        parse_arn(value).ok()??;
        let parts = split_parts(value);
        let [_, _, service, region, account, resource] = parts[..] else {
            return None;
        };
        Some(Self {
            service,
            region,
            account,
            resource,
        })
    }
}

/// True for a part written out in full: no wildcard, no policy variable, no
/// unresolved template value ([`whittle_policy::unknown`]) and no placeholder
/// of another templating tool, so that what it names is known.
pub(in crate::lint::checks) fn is_literal(part: &str) -> bool {
    !part.contains(['*', '?'])
        && !part.contains("${")
        && !whittle_policy::unknown::contains(part)
        && !is_placeholder(part)
}

/// True for text that stands for a value an example or a script fills in:
/// `<my-vpc>`, `{{account}}`, `ACCOUNT_ID`, `REGION`. No account ID, Region,
/// VPC ID or service principal is written in capitals, so an all-capitals
/// value is a placeholder, not a mistake to report.
fn is_placeholder(part: &str) -> bool {
    let bracketed = |open: &str, close: &str| {
        part.find(open)
            .is_some_and(|at| part[at + open.len()..].contains(close))
    };
    let capitals = part.bytes().any(|b| b.is_ascii_uppercase())
        && part
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    bracketed("<", ">") || bracketed("{{", "}}") || capitals
}

/// The Region and account parts of every ARN format of the value's service
/// that the value could be written for, judged by the resource part alone:
/// `("", "")` for an S3 bucket, `("${Region}", "${Account}")` for a queue.
/// Empty when the service is unknown or no format fits.
pub(in crate::lint::checks) fn candidate_fields<'c>(
    catalog: &'c Catalog,
    value: &str,
) -> Vec<(&'c str, &'c str)> {
    let Some(parts) = ArnParts::of(value) else {
        return Vec::new();
    };
    let Some(service) = catalog.service(parts.service) else {
        return Vec::new();
    };
    let resource = Pattern::policy(parts.resource);
    service
        .record
        .resources
        .iter()
        .flat_map(|r| &r.arns)
        .filter_map(|format| match split_parts(format)[..] {
            [_, _, _, region, account, tail] => Some((region, account, tail)),
            _ => None,
        })
        .filter(|(_, _, tail)| resource.overlaps(&Pattern::template(tail)))
        .map(|(region, account, _)| (region, account))
        .collect()
}

/// True for the name of an AWS Region as AWS writes them: `us-east-1`,
/// `eu-central-2`, `us-gov-west-1`, `cn-northwest-1`, `us-isob-east-1`,
/// `eusc-de-east-1`.
pub(in crate::lint::checks) fn is_region_name(text: &str) -> bool {
    let mut parts: Vec<&str> = text.split('-').collect();
    let Some(number) = parts.pop() else {
        return false;
    };
    let numbered =
        !number.is_empty() && number.len() <= 2 && number.bytes().all(|b| b.is_ascii_digit());
    let (area, direction) = match parts[..] {
        [area, direction] => (area, direction),
        [area, "gov" | "iso" | "isob" | "isoe" | "isof", direction] => (area, direction),
        // The European Sovereign Cloud: eusc-de-east-1.
        ["eusc", country, direction] if country.len() == 2 => ("eu", direction),
        _ => return false,
    };
    numbered
        && area.len() == 2
        && area.bytes().all(|b| b.is_ascii_lowercase())
        && DIRECTIONS.contains(&direction)
}

/// The second part of every Region name.
const DIRECTIONS: [&str; 9] = [
    "east",
    "west",
    "north",
    "south",
    "central",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
];

/// True for an account ID (12 digits) or `aws`, the account of AWS managed
/// resources (`arn:aws:iam::aws:policy/…`).
pub(in crate::lint::checks) fn is_account(text: &str) -> bool {
    text == "aws" || (text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_are_told_from_other_text() {
        for region in [
            "us-east-1",
            "eu-central-2",
            "ap-southeast-5",
            "us-gov-west-1",
            "cn-northwest-1",
            "us-isob-east-1",
            "mx-central-1",
            "eusc-de-east-1",
        ] {
            assert!(is_region_name(region), "{region}");
        }
        for other in [
            "us-east",
            "useast1",
            "us-east-1a",
            "US-EAST-1",
            "global",
            "eu-middle-1",
            "",
        ] {
            assert!(!is_region_name(other), "{other}");
        }
    }

    #[test]
    fn the_fields_of_the_formats_a_value_fits_are_found() {
        let catalog = Catalog::embedded();
        let bucket = candidate_fields(catalog, "arn:aws:s3:us-east-1::reports");
        assert!(!bucket.is_empty());
        assert!(bucket.iter().any(|(region, _)| region.is_empty()));
        let queue = candidate_fields(catalog, "arn:aws:sqs:::jobs");
        assert!(!queue.is_empty());
        assert!(
            queue
                .iter()
                .all(|(region, account)| !region.is_empty() && !account.is_empty())
        );
        let named = candidate_fields(catalog, "arn:aws:s3::123456789012:reports");
        assert!(!named.is_empty());
        assert!(
            named.iter().all(|(_, account)| account.is_empty()),
            "{named:?}"
        );
        assert!(candidate_fields(catalog, "*").is_empty());
        assert!(candidate_fields(catalog, "arn:aws:nosuch:::x").is_empty());
    }

    #[test]
    fn literal_parts_have_no_wildcard_or_variable() {
        assert!(is_literal("123456789012"));
        assert!(!is_literal("*"));
        assert!(!is_literal("12345678901?"));
        assert!(!is_literal("${aws:PrincipalAccount}"));
        for placeholder in ["<my-vpc>", "{{ account_id }}", "ACCOUNT_ID", "REGION"] {
            assert!(!is_literal(placeholder), "{placeholder}");
        }
        assert!(is_literal("US-EAST-1"));
    }
}
