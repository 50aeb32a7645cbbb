//! Per principal: what it is granted, uses, leaves unused and does not know
//! about; what the recommendations take away from it (actions, whole
//! services, risk categories); and, when they take nothing, why.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;
use whittle_policy::ActionSet;

use super::{
    Holdings, PolicyRef, Principal, PrincipalStatus, PrincipalSummary, Recommendation, Run, Scope,
    UnitGrants, Usage, grants,
};

impl Run<'_> {
    /// What each selected principal is granted, uses, leaves unused and loses.
    pub(super) fn summaries(
        &self,
        holdings: &Holdings<'_>,
        granted_by: &HashMap<&str, ActionSet>,
        grants_of: &BTreeMap<&PolicyRef, UnitGrants>,
        recommendations: &[Recommendation],
    ) -> Vec<PrincipalSummary> {
        let empty = ActionSet::empty(self.catalog.len());
        let after = self.after(holdings, grants_of, recommendations);
        holdings
            .principals
            .values()
            .filter(|p| self.selected(p.arn))
            .map(|p| {
                let granted = granted_by.get(p.arn).unwrap_or(&empty);
                let kept = after.get(p.arn).unwrap_or(granted);
                self.summary(p, granted, kept)
            })
            .collect()
    }

    fn summary(
        &self,
        p: &Principal<'_>,
        granted: &ActionSet,
        kept: &ActionSet,
    ) -> PrincipalSummary {
        let catalog = self.catalog;
        let mut removed = granted.clone();
        removed.subtract(kept);
        let mut summary = PrincipalSummary {
            arn: p.arn.to_owned(),
            kind: p.kind,
            status: p.status,
            granted: granted.count(),
            used: 0,
            unused: 0,
            untracked: 0,
            not_reported: 0,
            missing_services: Vec::new(),
            removed: removed.count(),
            removed_services: Vec::new(),
            removed_risks: BTreeMap::new(),
            removed_admin: !removed.is_empty() && granted.count() == catalog.len(),
            unchanged: None,
        };
        let mut missing = BTreeSet::new();
        if let Some(index) = &p.index {
            for id in granted.iter() {
                match index.classify(catalog, id) {
                    Usage::Used(_) => summary.used += 1,
                    Usage::UnusedService(_) | Usage::UnusedAction(_) => summary.unused += 1,
                    Usage::Untracked => summary.untracked += 1,
                    Usage::NotReported => {
                        summary.not_reported += 1;
                        let service = catalog.action(id).service;
                        missing.insert(catalog.services()[service].record.prefix.clone());
                    }
                }
            }
        }
        summary.missing_services = missing.into_iter().collect();
        let mut services: BTreeMap<usize, (bool, bool)> = BTreeMap::new();
        for id in granted.iter() {
            let entry = services.entry(catalog.action(id).service).or_default();
            entry.0 = true;
            entry.1 |= kept.contains(id);
        }
        summary.removed_services = services
            .into_iter()
            .filter(|(_, (_, still))| !still)
            .map(|(s, _)| catalog.services()[s].record.prefix.clone())
            .collect();
        for (category, actions) in &self.options.categories {
            let mut lost = removed.clone();
            lost.intersect_with(actions);
            if !lost.is_empty() {
                let mut names: Vec<String> = catalog.names(&lost).map(str::to_owned).collect();
                names.sort();
                summary.removed_risks.insert(category.clone(), names);
            }
        }
        if summary.removed == 0 {
            summary.unchanged = Some(self.unchanged(p, &summary));
        }
        summary
    }

    /// Why nothing is taken from `p`.
    fn unchanged(&self, p: &Principal<'_>, summary: &PrincipalSummary) -> String {
        let options = self.options;
        match p.status {
            PrincipalStatus::TooNew => format!(
                "created {}, inside the {}-day window: too new to judge",
                p.created.map_or_else(|| "recently".to_owned(), |t| t.to_string()),
                options.unused_days
            ),
            PrincipalStatus::OptedOut => format!("tagged {}: left alone", options.keep_tag),
            PrincipalStatus::NoData => {
                "no complete last-accessed report in the snapshot: fetch one (whittle fetch) and run again".to_owned()
            }
            PrincipalStatus::StaleData => {
                let completed = self
                    .snapshot
                    .report(p.arn)
                    .and_then(|r| r.last_accessed.job_completion_date);
                match completed {
                    Some(t) => format!(
                        "its report was completed {t}, {} before {}, more than --max-data-age {} days: fetch again, or raise --max-data-age",
                        age(options.as_of.duration_since(t)),
                        options.as_of,
                        options.max_data_age_days
                    ),
                    None => format!(
                        "its report has no completion time, so its age is unknown (--max-data-age {} days): fetch again",
                        options.max_data_age_days
                    ),
                }
            }
            PrincipalStatus::Analysed if summary.unused == 0 => {
                let unknown = summary.untracked + summary.not_reported;
                if unknown == 0 {
                    "every action it is granted was used inside the window".to_owned()
                } else {
                    format!(
                        "every action it is granted was used inside the window or is unknown ({} not tracked by IAM, {} in services its report does not list)",
                        summary.untracked, summary.not_reported
                    )
                }
            }
            PrincipalStatus::Analysed => format!(
                "its {} unused {} stay: they are in policies kept as they are (shared with principals that use them or lack data under --strategy {}, recently changed, or in statements kept by their Sid)",
                summary.unused,
                plural(summary.unused, "action", "actions"),
                options.strategy.as_str()
            ),
        }
    }

    /// What each selected principal holds once every recommendation applies:
    /// its own replacement of a policy where it has one, else the policy as
    /// trimmed in place, else as it is; nothing of the policies it holds only
    /// through groups it leaves (their copies are its replacements).
    fn after(
        &self,
        holdings: &Holdings<'_>,
        grants_of: &BTreeMap<&PolicyRef, UnitGrants>,
        recommendations: &[Recommendation],
    ) -> HashMap<String, ActionSet> {
        let mut in_place: BTreeMap<&PolicyRef, ActionSet> = BTreeMap::new();
        let mut own: BTreeMap<(&str, &PolicyRef), ActionSet> = BTreeMap::new();
        let mut left: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for r in recommendations {
            let set = self.granted(r.suggested.as_ref());
            match &r.scope {
                Scope::Policy => {
                    in_place.insert(&r.policy, set);
                }
                Scope::Principal { arn, groups, .. } => {
                    left.entry(arn)
                        .or_default()
                        .extend(groups.iter().map(String::as_str));
                    own.insert((arn, &r.policy), set);
                }
            }
        }
        let mut out = HashMap::new();
        for principal in holdings.principals.values() {
            if !self.selected(principal.arn) {
                continue;
            }
            let gone = left.get(principal.arn);
            let mut set = ActionSet::empty(self.catalog.len());
            for key in holdings.held.get(principal.arn).into_iter().flatten() {
                if let Some(replacement) = own.get(&(principal.arn, key)) {
                    set.union_with(replacement);
                    continue;
                }
                let via = &holdings.units[key].via[principal.arn];
                if gone.is_some_and(|gone| via.iter().all(|owner| gone.contains(owner))) {
                    continue;
                }
                match (in_place.get(key), grants_of.get(key)) {
                    (Some(trimmed), _) => set.union_with(trimmed),
                    (None, Some(grants)) => set.union_with(&grants.all),
                    (None, None) => {}
                }
            }
            out.insert(principal.arn.to_owned(), set);
        }
        out
    }

    /// What a document allows (nothing for none).
    fn granted(&self, document: Option<&Value>) -> ActionSet {
        let mut all = ActionSet::empty(self.catalog.len());
        if let Some(document) = document {
            for g in grants(document, &self.expander, &self.options.keep_sid_prefix) {
                all.union_with(&g.actions);
            }
        }
        all
    }
}

/// `n singular` or `n plural`.
pub fn plural<'a>(n: usize, singular: &'a str, plural: &'a str) -> &'a str {
    if n == 1 { singular } else { plural }
}

/// A duration in days, hours, minutes and seconds, largest first.
fn age(duration: jiff::SignedDuration) -> String {
    let total = duration.as_secs().max(0);
    let (days, rest) = (total / 86_400, total % 86_400);
    let (hours, rest) = (rest / 3_600, rest % 3_600);
    let (minutes, seconds) = (rest / 60, rest % 60);
    let mut parts = Vec::new();
    for (n, unit) in [
        (days, "day"),
        (hours, "hour"),
        (minutes, "minute"),
        (seconds, "second"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if parts.is_empty() {
        "0 seconds".to_owned()
    } else {
        parts.join(" ")
    }
}
