//! `malformed-arn`: a Resource or NotResource value that is neither `*` nor an ARN.
//!
//! Also the ARN grammar other checks rely on: [`parse_arn`] splits a policy ARN
//! into its six parts, keeping policy variables such as `${aws:username}` whole.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::catalog::Catalog;
use whittle_syntax::Span;

use whittle_policy::arn::{ArnProblem, parse_arn, split_parts};
use whittle_policy::pattern::{Pattern, service_formats};
use whittle_policy::unknown;

/// Flags Resource/NotResource values IAM cannot read as an ARN.
pub struct MalformedArn;

impl Check for MalformedArn {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            let Some(resource) = &statement.resource else {
                continue;
            };
            for value in &resource.values {
                // An unresolved value may complete the ARN (`!GetAtt T.Arn`,
                // `${Bucket.Arn}/*`): no grammar verdict on what is unknown.
                if unknown::contains(&value.value) {
                    continue;
                }
                if let Err(problem) = parse_arn(&value.value) {
                    report(cx.catalog(), &value.value, value.span, &problem, out);
                }
            }
        }
    }
}

/// Emits the finding for one malformed value.
fn report(catalog: &Catalog, value: &str, span: Span, problem: &ArnProblem, out: &mut Emitter<'_>) {
    let (message, hint) = match problem {
        ArnProblem::NotArn => (
            format!("\"{value}\" is neither \"*\" nor an ARN"),
            suggest_prefix(value),
        ),
        ArnProblem::PrefixCase => (
            format!("\"{value}\" must start with a lowercase \"arn:\""),
            Some(format!("arn:{}", &value[4..])),
        ),
        ArnProblem::TooFewParts(n) => (
            format!(
                "\"{value}\" has {n} colon-separated parts; an ARN has six: arn:partition:service:region:account:resource"
            ),
            suggest_missing_colon(catalog, value),
        ),
        ArnProblem::UnknownPartition(partition) => (
            format!(
                "\"{partition}\" in \"{value}\" is not an AWS partition (aws, aws-cn, aws-us-gov, …)"
            ),
            None,
        ),
        ArnProblem::EmptyService => (format!("\"{value}\" names no service"), None),
        ArnProblem::ServiceCase(service) => (
            format!("the service \"{service}\" in \"{value}\" must be lowercase"),
            Some(value.replacen(
                &format!(":{service}:"),
                &format!(":{}:", service.to_ascii_lowercase()),
                1,
            )),
        ),
        ArnProblem::EmptyResource => (
            format!("\"{value}\" names no resource: nothing follows its fifth colon"),
            None,
        ),
    };
    let mut finding = out.at(span);
    finding = match hint.filter(|h| matches!(parse_arn(h), Ok(Some(_)))) {
        Some(hint) => finding.note(format!("did you mean \"{hint}\"?")),
        None => finding.note("write \"*\" or an ARN such as \"arn:aws:s3:::example-bucket/*\""),
    };
    finding.emit(message);
}

/// `arn:aws:` in front of a value that looks like the rest of an ARN
/// (`s3:::bucket/*`), if that makes it one.
fn suggest_prefix(value: &str) -> Option<String> {
    let service = value.split(':').next()?;
    let looks_like_service = !service.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    (looks_like_service && value.matches(':').count() >= 3).then(|| format!("arn:aws:{value}"))
}

/// The value with one empty region or account added, when that makes it match
/// one of its service's ARN formats: `arn:aws:s3::bucket` → `arn:aws:s3:::bucket`.
fn suggest_missing_colon(catalog: &Catalog, value: &str) -> Option<String> {
    let parts = split_parts(value);
    if parts.len() != 5 {
        return None;
    }
    let formats = service_formats(catalog, parts[2])?;
    [3, 4]
        .into_iter()
        .map(|at| {
            let mut fixed = parts.clone();
            fixed.insert(at, "");
            fixed.join(":")
        })
        .find(|candidate| {
            let pattern = Pattern::policy(candidate);
            formats.iter().any(|f| pattern.overlaps(f))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_colon_is_put_back_where_the_service_expects_it() {
        let catalog = Catalog::embedded();
        assert_eq!(
            suggest_missing_colon(catalog, "arn:aws:s3::reports/*").as_deref(),
            Some("arn:aws:s3:::reports/*")
        );
        assert_eq!(
            suggest_missing_colon(catalog, "arn:aws:iam:123456789012:role/app").as_deref(),
            Some("arn:aws:iam::123456789012:role/app")
        );
        assert_eq!(suggest_missing_colon(catalog, "arn:aws:nosuch::x"), None);
    }

    #[test]
    fn a_missing_prefix_is_suggested() {
        assert_eq!(
            suggest_prefix("s3:::reports/*").as_deref(),
            Some("arn:aws:s3:::reports/*")
        );
        assert_eq!(suggest_prefix("reports-bucket"), None);
    }
}
