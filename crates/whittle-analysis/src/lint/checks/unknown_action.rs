//! `unknown-action`: an action of a known service that does not exist.
//!
//! A name close to a real action is a misspelling (an error, with the
//! suggestion), and so is a wildcard that matches nothing. A name close to none may be an action newer than the catalog
//! (AWS's own managed policies use some) or a retired one: a warning that says
//! it is not in whittle's catalog of its date, not that AWS has no such action.
//! AWS's newer actions often resemble older ones (`GetPaymentPreferences` and
//! `ListPaymentPreferences`), so only a name at most [`TYPO_EDITS`] edits from a
//! real one counts as a misspelling.

use super::helpers::suggest::closest;
use crate::diagnostics::echo;
use crate::lint::{Check, Emitter, PolicyContext};
use crate::rules::Severity;
use whittle_policy::unknown;

/// The most edits (insertions, deletions, substitutions, transpositions) that
/// make a misspelling rather than another name.
const TYPO_EDITS: usize = 2;

/// The longest action name AWS could add: its longest today is under 100.
const MAX_ACTION_NAME: usize = 128;

/// True when `name` could be an AWS action: letters and digits, not too long.
/// Anything else is a mistake, not an action newer than the catalog.
fn plausible(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_ACTION_NAME
        && name.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// True when `name` is a misspelling of `near`: a few edits apart.
fn is_typo(name: &str, near: &str) -> bool {
    strsim::damerau_levenshtein(&name.to_ascii_lowercase(), &near.to_ascii_lowercase())
        <= TYPO_EDITS
}

/// Flags action patterns of known services that match no action of them.
pub struct UnknownAction;

impl Check for UnknownAction {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let catalog = cx.catalog();
        for statement in &cx.policy.statements {
            let Some(action) = &statement.action else {
                continue;
            };
            // An unresolved value may be any action.
            for value in action
                .values
                .iter()
                .filter(|v| !unknown::contains(&v.value))
            {
                let Some((prefix, name)) = value.value.split_once(':') else {
                    continue;
                };
                // A pattern with an unknown prefix is unknown-service-prefix's finding.
                let service = catalog.service(prefix);
                if service.is_none() && !whittle_policy::expand::has_wildcard(prefix) {
                    continue;
                }
                if !cx.expander.expand(&value.value).is_empty() {
                    continue;
                }
                let Some(service) = service else {
                    // A wildcard prefix that matches services but none of their actions.
                    if cx.expander.expand(&format!("{prefix}:*")).is_empty() {
                        continue;
                    }
                    out.at(value.span).emit(format!(
                        "\"{}\" matches no action of any service matching \"{}\"",
                        echo(&value.value),
                        echo(prefix)
                    ));
                    continue;
                };
                let names = catalog
                    .service_actions(service)
                    .iter()
                    .map(|a| a.record.name.as_str());
                let mut finding = out.at(value.span);
                if !statement.is_allow() {
                    finding = finding.note("in a Deny statement an unknown action denies nothing");
                }
                let wildcard = whittle_policy::expand::has_wildcard(name);
                let near = closest(name, names);
                let what = if wildcard {
                    "matches no action of"
                } else {
                    "is not an action of"
                };
                // A wildcard that matches nothing of a known service is a
                // mistake whatever the catalog's age; a plain name far from
                // every known one may be newer than the catalog.
                if !wildcard && plausible(name) && !near.is_some_and(|near| is_typo(name, near)) {
                    if let Some(near) = near {
                        finding = finding.note(format!(
                            "a similar action: \"{}:{near}\"",
                            service.record.prefix
                        ));
                    }
                    finding
                        .severity(Severity::Warning)
                        .note("an action newer or older than the catalog, or a misspelling: `whittle catalog update` fetches AWS's current service reference")
                        .emit(format!(
                            "\"{}\" {what} {} in whittle's action catalog (data of {})",
                            echo(&value.value),
                            service.record.name,
                            catalog.date()
                        ));
                    continue;
                }
                if let Some(near) = near {
                    finding = finding.note(format!(
                        "did you mean \"{}:{near}\"?",
                        service.record.prefix
                    ));
                }
                finding.emit(format!(
                    "\"{}\" {what} {}",
                    echo(&value.value),
                    service.record.name
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_typo;

    #[test]
    fn only_a_few_edits_make_a_typo() {
        assert!(is_typo("DeleteBuckt", "DeleteBucket"));
        assert!(is_typo("getobjcet", "GetObject"));
        assert!(!is_typo("GetPaymentPreferences", "ListPaymentPreferences"));
        assert!(!is_typo(
            "DescribeRoutingControlByName",
            "DescribeRoutingControl"
        ));
    }

    #[test]
    fn only_names_aws_could_use_may_be_newer_than_the_catalog() {
        use super::plausible;
        assert!(plausible("GetPaymentPreferences"));
        assert!(!plausible("Get-Payment"));
        assert!(!plausible(&"x".repeat(129)));
        assert!(!plausible(""));
    }
}
