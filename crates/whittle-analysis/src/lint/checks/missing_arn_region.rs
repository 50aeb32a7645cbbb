//! `missing-arn-region`: an ARN with an empty Region for a service whose
//! resources all live in a Region (Access Analyzer's "Missing ARN Region").

use super::helpers::arn_parts::{candidate_fields, resource_arns};
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags Resource and NotResource ARNs with an empty Region where every ARN
/// format of the service that the value could be written for has a Region:
/// `arn:aws:sqs::123456789012:jobs`.
pub struct MissingArnRegion;

impl Check for MissingArnRegion {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for (value, parts) in resource_arns(cx.policy) {
            if !parts.region.is_empty() {
                continue;
            }
            let fields = candidate_fields(cx.catalog(), &value.value);
            if fields.is_empty() || fields.iter().any(|(region, _)| region.is_empty()) {
                continue;
            }
            out.at(value.span)
            .note("write the Region (\"us-east-1\") or \"*\" for every Region in the fourth part")
            .emit(format!(
                "\"{}\" has no Region, but every {} ARN of this kind has one: the ARN matches no resource",
                value.value, parts.service
            ));
        }
    }
}
