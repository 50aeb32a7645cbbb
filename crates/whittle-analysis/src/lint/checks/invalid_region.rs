//! `invalid-region`: a Region in a Resource ARN or in an `aws:RequestedRegion`
//! condition that is no AWS Region name (Access Analyzer's "Invalid ARN
//! Region" and "Invalid Region").

use super::helpers::arn_parts::{ArnParts, is_literal, is_region_name};
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::ConditionValue;

/// Flags Region parts of ARNs and `aws:RequestedRegion` values compared as
/// strings that are written out and do not have the shape of a Region name
/// (`us-east-1`, `us-gov-west-1`): `us-east`, `useast1`, `us-east-1a`.
pub struct InvalidRegion;

impl Check for InvalidRegion {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for value in statement.resource.iter().flat_map(|r| &r.values) {
                let Some(parts) = ArnParts::of(&value.value) else {
                    continue;
                };
                let region = parts.region;
                if region.is_empty() || !is_literal(region) || is_region_name(region) {
                    continue;
                }
                out.at(value.span).note(NOTE).emit(format!(
                    "\"{region}\" in \"{}\" is not an AWS Region: the ARN matches no resource",
                    value.value
                ));
            }
            for condition in &statement.conditions {
                if !condition
                    .key
                    .value
                    .eq_ignore_ascii_case("aws:RequestedRegion")
                    || !condition.operator.value.base.starts_with("String")
                {
                    continue;
                }
                for value in &condition.values {
                    let ConditionValue::String(region) = &value.value else {
                        continue;
                    };
                    if !is_literal(region) || is_region_name(region) {
                        continue;
                    }
                    out.at(value.span).note(NOTE).emit(format!(
                        "\"{region}\" is not an AWS Region: no request is made in it"
                    ));
                }
            }
        }
    }
}

const NOTE: &str =
    "write a Region code such as \"us-east-1\" or \"eu-west-2\", or \"*\" for every Region";
