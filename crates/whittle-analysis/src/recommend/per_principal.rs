//! Per-principal replacements: a policy held by several principals that use
//! different parts of it is not trimmed in place (that keeps the union of what
//! they use); each holder with data that left part of it unused gets a
//! customer managed copy without that part, and loses the original — detached
//! from it, or, for a group's policy, by leaving the group, with a copy of
//! each of the group's policies so that nothing it kept is lost. The other
//! holders keep the policy as it is.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    Holdings, PolicyRef, Principal, PrincipalStatus, Quota, Recommendation, Run, Scope, Strategy,
    Unit, UnitGrants, UsageIndex,
};

impl Run<'_> {
    /// Whether `unit` is replaced per principal rather than trimmed in place:
    /// never for a policy with one holder (in place is the same access with
    /// fewer policies), nor when no holder has usable data.
    pub(super) fn per_principal(
        &self,
        unit: &Unit<'_>,
        grants: &UnitGrants,
        principals: &BTreeMap<&str, Principal<'_>>,
    ) -> bool {
        let judged = unit
            .holders
            .iter()
            .any(|h| principals.get(h).is_some_and(|p| p.index.is_some()));
        if unit.holders.len() < 2 || !judged {
            return false;
        }
        match self.options.strategy {
            Strategy::InPlace => false,
            Strategy::PerPrincipal => true,
            Strategy::Auto => !self.agree(unit, grants, principals),
        }
    }

    /// True when every holder has usable data and each would lose the same
    /// actions on its own: trimming in place then loses nothing.
    fn agree(
        &self,
        unit: &Unit<'_>,
        grants: &UnitGrants,
        principals: &BTreeMap<&str, Principal<'_>>,
    ) -> bool {
        let mut first = None;
        for holder in &unit.holders {
            let Some(index) = principals.get(holder).and_then(|p| p.index.as_ref()) else {
                return false;
            };
            let removed = self.trimmed(unit, grants, &[index], &mut Vec::new()).0;
            match &first {
                None => first = Some(removed),
                Some(other) if *other != removed => return false,
                Some(_) => {}
            }
        }
        true
    }

    /// The replacements of the `replaced` units for every selected principal
    /// with usable data that left part of them unused, and the copies of the
    /// policies of the groups those principals leave.
    pub(super) fn replacements(
        &self,
        holdings: &Holdings<'_>,
        replaced: &BTreeSet<&PolicyRef>,
        grants_of: &BTreeMap<&PolicyRef, UnitGrants>,
    ) -> Vec<Recommendation> {
        let mut out = Vec::new();
        for principal in holdings.principals.values() {
            let Some(index) = principal.index.as_ref() else {
                continue;
            };
            if !self.selected(principal.arn) || principal.status != PrincipalStatus::Analysed {
                continue;
            }
            let mut changed: BTreeMap<&PolicyRef, Recommendation> = BTreeMap::new();
            // The principal's own policies, not every replaced one: an
            // account holds thousands of each.
            let held = holdings.held.get(principal.arn).into_iter().flatten();
            for key in held.filter(|key| replaced.contains(key)) {
                let unit = &holdings.units[key];
                let r = self.replacement(unit, &grants_of[key], principal.arn, index);
                if r.suggested.as_ref() != Some(&r.original) {
                    changed.insert(key, r);
                }
            }
            // The groups giving a replaced policy are left; each of their
            // other policies the principal would lose is copied for it.
            let left: BTreeSet<&str> = changed
                .keys()
                .flat_map(|key| holdings.units[*key].via[principal.arn].iter())
                .filter(|owner| **owner != principal.arn)
                .copied()
                .collect();
            for group in &left {
                for key in holdings.groups.get(group).into_iter().flatten() {
                    let unit = &holdings.units[key];
                    let kept_otherwise = unit.via[principal.arn]
                        .iter()
                        .any(|owner| !left.contains(owner));
                    if changed.contains_key(key) || kept_otherwise {
                        continue;
                    }
                    let r = self.replacement(unit, &grants_of[key], principal.arn, index);
                    changed.insert(key, r);
                }
            }
            for (key, mut r) in changed {
                let via = &holdings.units[key].via[principal.arn];
                let groups: Vec<String> = via
                    .iter()
                    .filter(|owner| left.contains(*owner))
                    .map(|g| (*g).to_owned())
                    .collect();
                if !groups.is_empty() {
                    r.reasons.push(format!(
                        "{} leaves {}, which keep serving their other members; it gets a copy of each of their policies without what it left unused",
                        principal.arn,
                        groups.join(", ")
                    ));
                }
                if r.removed.is_empty() && r.suggested.is_some() {
                    r.reasons
                        .push("copied unchanged: every action of it was used or is unknown".into());
                }
                r.scope = Scope::Principal {
                    arn: principal.arn.to_owned(),
                    direct: via.contains(principal.arn),
                    groups,
                };
                out.push(r);
            }
        }
        out
    }

    /// `unit` less what `holder` (judged by `index`) left unused.
    fn replacement(
        &self,
        unit: &Unit<'_>,
        grants: &UnitGrants,
        holder: &str,
        index: &UsageIndex,
    ) -> Recommendation {
        let others = unit.holders.len().saturating_sub(1);
        let mut reasons = Vec::new();
        if others > 0 {
            reasons.push(format!(
                "replaced for {holder} alone: {others} other holder{} keep{} it as it is",
                if others == 1 { "" } else { "s" },
                if others == 1 { "s" } else { "" },
            ));
        }
        let (suggested, verdict) = self.trimmed(unit, grants, &[index], &mut reasons);
        let suggested = match suggested {
            Some(doc) if doc != *unit.document => {
                Some(self.fitted(doc, Quota::MANAGED, &mut reasons))
            }
            other => other,
        };
        Recommendation {
            policy: unit.policy.clone(),
            scope: Scope::Policy,
            principals: vec![holder.to_owned()],
            original: unit.document.clone(),
            suggested,
            removed: verdict.removed,
            kept_untracked: verdict.untracked.into_iter().collect(),
            reasons,
            unjudged: Vec::new(),
        }
    }
}
