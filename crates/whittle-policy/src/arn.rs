//! The ARN grammar of policy Resource values: [`parse_arn`] splits an ARN into
//! its six parts, keeping policy variables such as `${aws:username}` whole.

/// A syntactically valid resource ARN (wildcards and policy variables allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// The service part, e.g. `s3`.
    pub service: &'a str,
    /// Everything after the fifth colon, e.g. `reports/*`.
    pub resource: &'a str,
}

/// Why a value is not an ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArnProblem {
    /// It does not start with `arn:` at all.
    NotArn,
    /// It starts with `arn:` in another case, e.g. `ARN:`.
    PrefixCase,
    /// It has fewer than six colon-separated parts.
    TooFewParts(usize),
    /// The partition is not one of AWS's.
    UnknownPartition(String),
    /// The service part is empty.
    EmptyService,
    /// The service part has capitals; service names are lowercase.
    ServiceCase(String),
    /// Nothing follows the fifth colon.
    EmptyResource,
}

/// Reads `value` as a resource ARN: `*`, or `arn:partition:service:region:account:resource`
/// with a known partition and non-empty service and resource.
pub fn parse_arn(value: &str) -> Result<Option<Arn<'_>>, ArnProblem> {
    if !value.is_empty() && value.chars().all(|c| c == '*') {
        return Ok(None);
    }
    if !value.starts_with("arn:") {
        let prefix_case = value
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("arn:"));
        return Err(if prefix_case {
            ArnProblem::PrefixCase
        } else {
            ArnProblem::NotArn
        });
    }
    let parts = split_parts(value);
    let [_, partition, service, _, _, resource] = parts[..] else {
        return Err(ArnProblem::TooFewParts(parts.len()));
    };
    if !is_partition(partition) {
        return Err(ArnProblem::UnknownPartition(partition.to_owned()));
    }
    if service.is_empty() {
        return Err(ArnProblem::EmptyService);
    }
    if service.chars().any(|c| c.is_ascii_uppercase())
        && !service.contains("${")
        && !crate::unknown::contains(service)
    {
        return Err(ArnProblem::ServiceCase(service.to_owned()));
    }
    if resource.is_empty() {
        return Err(ArnProblem::EmptyResource);
    }
    Ok(Some(Arn { service, resource }))
}

/// Splits `value` at its first five colons outside policy variables and
/// unresolved values ([`crate::unknown`]), so that `${aws:PrincipalAccount}`
/// stays one piece; the sixth part is the rest.
pub fn split_parts(value: &str) -> Vec<&str> {
    let mut parts = Vec::with_capacity(6);
    let mut start = 0;
    let mut in_variable = false;
    let mut previous = None;
    for (i, c) in value.char_indices() {
        match c {
            '{' if previous == Some('$') => in_variable = true,
            '}' | crate::unknown::END => in_variable = false,
            crate::unknown::START => in_variable = true,
            ':' if !in_variable && parts.len() < 5 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        previous = Some(c);
    }
    parts.push(&value[start..]);
    parts
}

/// True for `aws` and the `aws-…` partitions (`aws-cn`, `aws-us-gov`, `aws-iso-b`,
/// …), and for a wildcard or a policy variable in the partition.
fn is_partition(partition: &str) -> bool {
    partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        })
        || crate::expand::has_wildcard(partition)
        || partition.contains("${")
        || crate::unknown::contains(partition)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(value: &str) -> Option<ArnProblem> {
        parse_arn(value).err()
    }

    #[test]
    fn unresolved_values_are_one_part_whatever_their_label() {
        let account = crate::unknown::placeholder("AWS::AccountId");
        let arn = format!("arn:aws:iam::{account}:role/app");
        assert_eq!(
            split_parts(&arn),
            ["arn", "aws", "iam", "", &account, "role/app"]
        );
        assert_eq!(
            parse_arn(&arn),
            Ok(Some(Arn {
                service: "iam",
                resource: "role/app"
            }))
        );
    }

    #[test]
    fn valid_arns_and_star_are_accepted() {
        for value in [
            "*",
            "arn:aws:s3:::reports/*",
            "arn:aws-cn:iam::123456789012:role/app",
            "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/abc",
            "arn:aws-iso-b:ec2:*:*:instance/*",
            "arn:*:logs:*:*:log-group:/aws/lambda/app:*",
            "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}",
            "arn:${aws:partition}:s3:::b",
        ] {
            assert_eq!(problem(value), None, "{value}");
        }
    }

    #[test]
    fn the_service_is_the_third_part_even_after_a_variable() {
        let arn = parse_arn("arn:aws:iam::${aws:PrincipalAccount}:user/x");
        assert_eq!(
            arn,
            Ok(Some(Arn {
                service: "iam",
                resource: "user/x"
            }))
        );
        assert_eq!(parse_arn("*"), Ok(None));
    }

    #[test]
    fn each_kind_of_mistake_is_told_apart() {
        assert_eq!(problem("reports-bucket"), Some(ArnProblem::NotArn));
        assert_eq!(problem(""), Some(ArnProblem::NotArn));
        assert_eq!(problem(" arn:aws:s3:::b"), Some(ArnProblem::NotArn));
        assert_eq!(problem("ARN:aws:s3:::b"), Some(ArnProblem::PrefixCase));
        assert_eq!(
            problem("arn:aws:s3::reports/*"),
            Some(ArnProblem::TooFewParts(5))
        );
        assert_eq!(
            problem("arn:amazon:s3:::b"),
            Some(ArnProblem::UnknownPartition("amazon".into()))
        );
        assert_eq!(problem("arn:aws::::b"), Some(ArnProblem::EmptyService));
        assert_eq!(
            problem("arn:aws:S3:::b"),
            Some(ArnProblem::ServiceCase("S3".into()))
        );
        assert_eq!(problem("arn:aws:s3:::"), Some(ArnProblem::EmptyResource));
    }
}
