//! `arn-region-not-allowed`: a Region in an ARN of a global resource, such as
//! an IAM role or an S3 bucket (Access Analyzer's "ARN Region not allowed").

use super::helpers::arn_parts::{candidate_fields, is_literal, resource_arns};
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags Resource and NotResource ARNs with a Region where every ARN format of
/// the service that the value could be written for has an empty Region.
pub struct ArnRegionNotAllowed;

impl Check for ArnRegionNotAllowed {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for (value, parts) in resource_arns(cx.policy) {
            if parts.region.is_empty() || !is_literal(parts.region) {
                continue;
            }
            let fields = candidate_fields(cx.catalog(), &value.value);
            if fields.is_empty() || fields.iter().any(|(region, _)| !region.is_empty()) {
                continue;
            }
            out.at(value.span)
            .note(format!(
                "{} resources of this kind are global: leave the fourth part, the Region, empty",
                parts.service
            ))
            .emit(format!(
                "\"{}\" names the Region \"{}\", but {} does not put a Region in these ARNs: the ARN matches no resource",
                value.value, parts.region, parts.service
            ));
        }
    }
}
