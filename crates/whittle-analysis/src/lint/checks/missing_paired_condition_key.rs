//! `missing-paired-condition-key`: a private IP address condition without the
//! VPC that makes the address mean something.

use crate::lint::{Check, Emitter, PolicyContext};

/// Each key and the keys one of which must sit in the same statement.
const PAIRS: &[(&str, &[&str])] = &[
    ("aws:VpcSourceIp", &["aws:SourceVpc", "aws:SourceVpce"]),
    (
        "aws:Ec2InstanceSourcePrivateIPv4",
        &["aws:Ec2InstanceSourceVpc"],
    ),
];

/// Flags conditions on a key of [`PAIRS`] in a statement with none of its
/// partners.
pub struct MissingPairedConditionKey;

impl Check for MissingPairedConditionKey {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            let has = |key: &str| {
                statement
                    .conditions
                    .iter()
                    .any(|c| c.key.value.eq_ignore_ascii_case(key))
            };
            for condition in &statement.conditions {
                let Some((key, partners)) = PAIRS
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(&condition.key.value))
                else {
                    continue;
                };
                if partners.iter().any(|p| has(p)) {
                    continue;
                }
                let partners = partners.join(" or ");
                out.at(condition.key.span)
                    .note(format!("add a condition on {partners} to the same statement"))
                    .emit(format!(
                        "{key} without {partners}: private addresses repeat across VPCs and accounts, so the address alone does not say where the request comes from"
                    ));
            }
        }
    }
}
