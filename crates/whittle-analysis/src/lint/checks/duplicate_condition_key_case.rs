//! `duplicate-condition-key-case`: one condition operator block that names the
//! same key twice, in different case (Access Analyzer's "Duplicate keys with
//! different case").

use std::collections::HashMap;

use crate::lint::{Check, Emitter, PolicyContext};

/// Flags a condition key that repeats an earlier key of the same operator
/// block but for case: key names are case-insensitive, so the block holds two
/// tests of one key, and which values IAM compares is not what either says.
pub struct DuplicateConditionKeyCase;

impl Check for DuplicateConditionKeyCase {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            // The conditions of one operator block share its key's span.
            let mut seen: HashMap<(usize, String), &str> = HashMap::new();
            for condition in &statement.conditions {
                let key = condition.key.value.as_str();
                let block = (condition.operator.span.start, key.to_ascii_lowercase());
                match seen.get(&block) {
                    Some(&first) if first != key => {
                        out.at(condition.key.span)
                            .note("condition key names are not case-sensitive: write the key once, with all its values")
                            .emit(format!(
                                "\"{key}\" repeats \"{first}\" in the same \"{}\" block, in different case",
                                condition.operator.value
                            ));
                    }
                    Some(_) => {}
                    None => {
                        seen.insert(block, key);
                    }
                }
            }
        }
    }
}
