//! `policy-size-exceeded`: the document is over IAM's size quota for its kind.

use crate::input::DocumentKind;
use crate::lint::{Check, Emitter, PolicyContext};
use crate::rules::Severity;
use whittle_syntax::Span;

/// The largest identity policy IAM accepts of any kind (role inline policies).
const LARGEST: usize = 10_240;
/// The managed-policy quota, also above the user and group inline quotas.
const MANAGED: usize = 6_144;

/// A role trust policy's default quota, and the most it can be raised to.
const TRUST_DEFAULT: usize = 2_048;
const TRUST_MAX: usize = 4_096;

/// Compares the document's size without whitespace with IAM's quotas.
pub struct PolicySizeExceeded;

impl Check for PolicySizeExceeded {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let size = cx.node.compact_len();
        let opening = Span::new(cx.policy.span.start, cx.policy.span.start + 1);
        let (limit, what) = match cx.kind {
            DocumentKind::Managed => (MANAGED, "a managed policy"),
            DocumentKind::UserInline => (2_048, "an inline policy of a user"),
            DocumentKind::GroupInline => (5_120, "an inline policy of a group"),
            DocumentKind::RoleInline => (LARGEST, "an inline policy of a role"),
            // Each service has its own quota for resource-based policies.
            DocumentKind::Resource => return,
            DocumentKind::Trust => {
                let tiers = Tiers {
                    hard: TRUST_MAX,
                    over_hard: format!(
                        "the trust policy has {size} characters without whitespace; IAM allows at most {TRUST_MAX} even with a raised quota"
                    ),
                    soft: TRUST_DEFAULT,
                    over_soft: format!(
                        "the trust policy has {size} characters without whitespace: over IAM's default quota of {TRUST_DEFAULT}"
                    ),
                    note: format!(
                        "the quota \"Role trust policy length\" can be raised to {TRUST_MAX} through Service Quotas"
                    ),
                };
                return tiers.check(size, opening, out);
            }
            DocumentKind::Unknown => {
                let tiers = Tiers {
                    hard: LARGEST,
                    over_hard: format!(
                        "the policy has {size} characters without whitespace; no identity policy may have more than {LARGEST}"
                    ),
                    soft: MANAGED,
                    over_soft: format!(
                        "the policy has {size} characters without whitespace: too large for a managed policy ({MANAGED}) or a user or group inline policy"
                    ),
                    note: "it fits only as an inline policy of a role".to_owned(),
                };
                return tiers.check(size, opening, out);
            }
        };
        if size > limit {
            out.at(opening).emit(format!(
                "the policy has {size} characters without whitespace; IAM allows at most {limit} for {what}"
            ));
        }
    }
}

/// A document of unsure quota: an error over the hard limit, a warning (with a
/// note on what still fits) over the soft one.
struct Tiers {
    hard: usize,
    over_hard: String,
    soft: usize,
    over_soft: String,
    note: String,
}

impl Tiers {
    fn check(self, size: usize, at: Span, out: &mut Emitter<'_>) {
        if size > self.hard {
            out.at(at).emit(self.over_hard);
        } else if size > self.soft {
            out.at(at)
                .severity(Severity::Warning)
                .note(self.note)
                .emit(self.over_soft);
        }
    }
}
