//! Making a suggested policy document fit IAM's size quotas, counted in
//! characters without whitespace: 6,144 for a managed policy; 2,048, 5,120 and
//! 10,240 for all inline policies of a user, a group or a role together.
//!
//! A document over its quota is first compressed: explicit action names of
//! Allow statements become wildcards that match, on the catalog, only actions
//! the statement already allows. If that is not enough and more documents may
//! be used, its statements are split over several documents. What each
//! statement allows on the catalog never changes; a wildcard can still match
//! actions AWS adds after the catalog was built, which is the price of fitting.

use std::collections::BTreeSet;
use std::ops::Range;

use serde_json::{Map, Value};
use whittle_policy::catalog::{Catalog, Service};
use whittle_policy::expand::{Expander, has_wildcard};
use whittle_policy::{ActionId, ActionSet};

use super::rewrite::statements;

/// A document made to fit a size quota.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// Documents that together allow what the input allows: the input itself
    /// when it fits, one compressed document, or the parts it was split into.
    pub documents: Vec<Value>,
    /// The wildcards compression introduced (`s3:Get*`, `sqs:*`), sorted.
    pub compressed: Vec<String>,
    /// False when a document is still over the quota or more than
    /// `max_documents` are needed; `documents` is then the best effort, with
    /// no statement dropped.
    pub fits: bool,
}

/// A document's size as IAM counts it against its quotas: the characters of
/// its JSON without whitespace.
pub fn policy_size(document: &Value) -> usize {
    serde_json::to_string(document).map_or(0, |t| t.chars().filter(|c| !c.is_whitespace()).count())
}

/// `document` made to fit `quota` characters in at most `max_documents`
/// documents (splitting helps only for managed policies: IAM's inline quotas
/// count all of a principal's inline policies together).
pub fn fit(
    document: &Value,
    quota: usize,
    max_documents: usize,
    expander: &Expander<'_>,
) -> Fitted {
    if policy_size(document) <= quota {
        return Fitted {
            documents: vec![document.clone()],
            compressed: Vec::new(),
            fits: true,
        };
    }
    let mut introduced = BTreeSet::new();
    let compact = compress(document, expander, &mut introduced);
    let documents = if max_documents > 1 && policy_size(&compact) > quota {
        split(&compact, quota)
    } else {
        vec![compact]
    };
    let fits = documents.len() <= max_documents.max(1)
        && documents.iter().all(|d| policy_size(d) <= quota);
    Fitted {
        documents,
        compressed: introduced.into_iter().collect(),
        fits,
    }
}

/// `document` with the Action list of every Allow statement compressed.
fn compress(document: &Value, expander: &Expander<'_>, introduced: &mut BTreeSet<String>) -> Value {
    let mut out = document.clone();
    match out.get_mut("Statement") {
        Some(Value::Array(items)) => {
            for statement in items {
                *statement = compress_statement(statement, expander, introduced);
            }
        }
        Some(statement @ Value::Object(_)) => {
            *statement = compress_statement(statement, expander, introduced);
        }
        _ => {}
    }
    out
}

/// An Allow statement with an Action array, its actions compressed and every
/// other key kept in place; any other statement as it is.
fn compress_statement(
    statement: &Value,
    expander: &Expander<'_>,
    introduced: &mut BTreeSet<String>,
) -> Value {
    let Value::Object(fields) = statement else {
        return statement.clone();
    };
    let allow = fields.get("Effect").and_then(Value::as_str) == Some("Allow");
    let (true, Some(Value::Array(entries)), None) =
        (allow, fields.get("Action"), fields.get("NotAction"))
    else {
        return statement.clone();
    };
    let wanted = allows(entries, expander);
    let compact = compress_actions(entries, &wanted, expander);
    let same = allows(&compact, expander) == wanted;
    debug_assert!(same, "compression changed what {statement} allows");
    if !same {
        return statement.clone();
    }
    let before: BTreeSet<&str> = strings(entries).collect();
    introduced.extend(
        strings(&compact)
            .filter(|p| has_wildcard(p) && !before.contains(p))
            .map(str::to_owned),
    );
    let mut out = Map::new();
    for (key, value) in fields {
        let value = if key == "Action" {
            Value::Array(compact.clone())
        } else {
            value.clone()
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

/// The strings of an Action array.
fn strings(entries: &[Value]) -> impl Iterator<Item = &str> {
    entries.iter().filter_map(Value::as_str)
}

/// An Action array allowing the same catalog actions in fewer characters:
/// wildcards, unknown names and non-strings stay, in order; explicit names
/// become `svc:*` for a whole service, else the shortest `svc:Prefix*` that
/// matches only allowed actions, sorted after them.
fn compress_actions(entries: &[Value], wanted: &ActionSet, expander: &Expander<'_>) -> Vec<Value> {
    let catalog = expander.catalog();
    let (mut named, mut kept) = partition(entries, catalog);
    named.subtract(&expander.expand_all(strings_of(&kept)));
    let mut whole = BTreeSet::new();
    let mut patterns = Vec::new();
    for (service, ids) in by_service(&named, catalog) {
        let service = &catalog.services()[service];
        if service
            .actions
            .clone()
            .all(|i| wanted.contains(ActionId(i)))
        {
            whole.insert(service.record.prefix.to_ascii_lowercase());
            patterns.push(format!("{}:*", service.record.prefix));
        } else {
            patterns.extend(PrefixIndex::new(catalog, service, wanted, &named).patterns(&ids));
        }
    }
    patterns.sort_by_key(|p| p.to_ascii_lowercase());
    // `svc:*` covers every other pattern of its service, known to the catalog or not.
    kept.retain(|v| {
        !v.as_str()
            .and_then(|p| p.split_once(':'))
            .is_some_and(|(s, _)| whole.contains(&s.to_ascii_lowercase()))
    });
    kept.into_iter()
        .cloned()
        .chain(patterns.into_iter().map(Value::String))
        .collect()
}

/// An Action array's catalog actions named explicitly, and its other entries
/// (wildcards, names the catalog does not know, non-strings) in order.
fn partition<'v>(entries: &'v [Value], catalog: &Catalog) -> (ActionSet, Vec<&'v Value>) {
    let mut named = ActionSet::empty(catalog.len());
    let mut rest = Vec::new();
    for entry in entries {
        match entry
            .as_str()
            .filter(|p| !has_wildcard(p))
            .and_then(|p| catalog.action_id(p))
        {
            Some(id) => named.insert(id),
            None => rest.push(entry),
        }
    }
    (named, rest)
}

fn strings_of<'v>(entries: &[&'v Value]) -> impl Iterator<Item = &'v str> {
    entries.iter().filter_map(|v| v.as_str())
}

/// What an Action array allows on the catalog, as [`Expander::expand_all`]
/// says; explicit names are looked up, not expanded, which is much faster on
/// the long lists this module is for.
fn allows(entries: &[Value], expander: &Expander<'_>) -> ActionSet {
    let (mut set, rest) = partition(entries, expander.catalog());
    set.union_with(&expander.expand_all(strings_of(&rest)));
    set
}

/// The actions of `set` grouped by service index, in catalog order.
fn by_service(set: &ActionSet, catalog: &Catalog) -> Vec<(usize, Vec<ActionId>)> {
    let mut groups: Vec<(usize, Vec<ActionId>)> = Vec::new();
    for id in set.iter() {
        let service = catalog.action(id).service;
        match groups.last_mut() {
            Some((s, ids)) if *s == service => ids.push(id),
            _ => groups.push((service, vec![id])),
        }
    }
    groups
}

/// One service's action names, lowercase and sorted, so that the actions a
/// prefix matches are a contiguous run; with running counts of the wanted and
/// of the explicitly named ones.
struct PrefixIndex<'c> {
    catalog: &'c Catalog,
    prefix: &'c str,
    names: Vec<String>,
    wanted_before: Vec<usize>,
    named_before: Vec<usize>,
}

impl<'c> PrefixIndex<'c> {
    fn new(
        catalog: &'c Catalog,
        service: &'c Service,
        wanted: &ActionSet,
        named: &ActionSet,
    ) -> Self {
        let mut actions: Vec<(String, ActionId)> = service
            .actions
            .clone()
            .map(|i| {
                let id = ActionId(i);
                (catalog.action(id).record.name.to_ascii_lowercase(), id)
            })
            .collect();
        actions.sort();
        let running = |set: &ActionSet| {
            let mut counts = vec![0];
            for (_, id) in &actions {
                counts.push(counts.last().copied().unwrap_or(0) + usize::from(set.contains(*id)));
            }
            counts
        };
        Self {
            catalog,
            prefix: &service.record.prefix,
            wanted_before: running(wanted),
            named_before: running(named),
            names: actions.into_iter().map(|(name, _)| name).collect(),
        }
    }

    /// The run of names starting with `prefix` (lowercase).
    fn matched(&self, prefix: &str) -> Range<usize> {
        let start = self.names.partition_point(|n| n.as_str() < prefix);
        let end = self
            .names
            .partition_point(|n| n.as_str() < prefix || n.starts_with(prefix));
        start..end
    }

    fn count(running: &[usize], run: &Range<usize>) -> usize {
        running[run.end] - running[run.start]
    }

    /// For one named action: the lowercase key a pattern covers and the
    /// pattern, `svc:Prefix*` for the shortest prefix whose every match is
    /// wanted, if that replaces at least two names; else the name itself.
    fn pattern(&self, name: &str) -> (String, String) {
        let lower = name.to_ascii_lowercase();
        let valid = (1..=lower.len())
            .filter(|&len| lower.is_char_boundary(len))
            .map(|len| (len, self.matched(&lower[..len])))
            .find(|(_, run)| Self::count(&self.wanted_before, run) == run.len());
        match valid {
            Some((len, run)) if Self::count(&self.named_before, &run) >= 2 => (
                lower[..len].to_owned(),
                format!("{}:{}*", self.prefix, &name[..len]),
            ),
            _ => (lower, format!("{}:{name}", self.prefix)),
        }
    }

    /// The patterns for the named actions `ids`, without those a shorter
    /// chosen wildcard already covers.
    fn patterns(&self, ids: &[ActionId]) -> Vec<String> {
        let mut chosen: Vec<(String, String)> = ids
            .iter()
            .map(|&id| self.pattern(&self.catalog.action(id).record.name))
            .collect();
        chosen.sort_by_key(|(key, _)| key.len());
        let mut prefixes: Vec<String> = Vec::new();
        let mut out = Vec::new();
        for (key, pattern) in chosen {
            if prefixes.iter().any(|p| key.starts_with(p.as_str())) {
                continue;
            }
            if pattern.ends_with('*') {
                prefixes.push(key);
            }
            out.push(pattern);
        }
        out
    }
}

/// The documents `document`'s statements split into, greedily in order, each
/// within `quota` where possible; a statement too big on its own is split by
/// its Action list into statements with the same other keys.
pub fn split(document: &Value, quota: usize) -> Vec<Value> {
    let base = with_array(document, "Statement", Vec::new());
    let room = quota.saturating_sub(policy_size(&base));
    let pieces = statements(document)
        .into_iter()
        .flat_map(|s| split_statement(s, room));
    let parts = pack(pieces, 0, room);
    if parts.is_empty() {
        // Nothing to split: no statements, or not a policy document at all.
        return vec![document.clone()];
    }
    parts
        .into_iter()
        .map(|part| with_array(&base, "Statement", part))
        .collect()
}

/// `statement` as it is when it fits `room`, else split by its Action list
/// into statements that each fit if one action does. Parts of one statement
/// never share a document (each but the last is full), so a Sid stays unique.
fn split_statement(statement: &Value, room: usize) -> Vec<Value> {
    let entries = match statement.get("Action") {
        Some(Value::Array(entries)) if entries.len() > 1 && policy_size(statement) > room => {
            entries
        }
        _ => return vec![statement.clone()],
    };
    let empty = policy_size(&with_array(statement, "Action", Vec::new()));
    pack(entries.iter().cloned(), empty, room)
        .into_iter()
        .map(|chunk| with_array(statement, "Action", chunk))
        .collect()
}

/// `items` in order, packed greedily into groups that serialise within
/// `room` characters where one item alone allows it. Serialisation is
/// additive: a group is the `overhead` of what holds it, its items and a
/// comma between each two.
fn pack(items: impl IntoIterator<Item = Value>, overhead: usize, room: usize) -> Vec<Vec<Value>> {
    let mut groups: Vec<Vec<Value>> = Vec::new();
    let mut used = 0;
    for item in items {
        let size = policy_size(&item);
        match groups.last_mut() {
            Some(group) if used + 1 + size <= room => {
                used += 1 + size;
                group.push(item);
            }
            _ => {
                used = overhead + size;
                groups.push(vec![item]);
            }
        }
    }
    groups
}

/// `value` with `key` set to an array of `items` (unchanged if not an object).
fn with_array(value: &Value, key: &str, items: Vec<Value>) -> Value {
    let mut out = value.clone();
    if let Value::Object(fields) = &mut out {
        fields.insert(key.to_owned(), Value::Array(items));
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::super::rewrite::{grants, rewrite};
    use super::*;

    fn expander() -> Expander<'static> {
        Expander::new(Catalog::embedded())
    }

    /// The catalog names `pattern` matches.
    fn names(expander: &Expander<'_>, pattern: &str) -> Vec<String> {
        let set = expander.expand(pattern);
        expander.catalog().names(&set).map(str::to_owned).collect()
    }

    /// What a statement's Action array expands to.
    fn action_set(statement: &Value, expander: &Expander<'_>) -> ActionSet {
        match &statement["Action"] {
            Value::Array(entries) => expander.expand_all(strings(entries)),
            other => expander.expand_all(other.as_str()),
        }
    }

    /// Everything the Allow statements of `documents` allow together.
    fn allowed<'d>(
        documents: impl IntoIterator<Item = &'d Value>,
        expander: &Expander<'_>,
    ) -> ActionSet {
        let mut all = ActionSet::empty(expander.catalog().len());
        for document in documents {
            grants(document, expander, "")
                .iter()
                .for_each(|g| all.union_with(&g.actions));
        }
        all
    }

    /// A statement without its Action element.
    fn without_action(statement: &Value) -> Value {
        let mut out = statement.clone();
        if let Value::Object(fields) = &mut out {
            fields.shift_remove("Action");
        }
        out
    }

    #[test]
    fn hundreds_of_explicit_actions_compress_below_the_managed_quota() {
        let expander = expander();
        let mut actions = names(&expander, "ec2:Describe*");
        actions.extend(names(&expander, "s3:*"));
        actions.extend(names(&expander, "iam:Get*"));
        actions.extend(names(&expander, "iam:List*"));
        actions.push("s3:NotInTheCatalog".to_owned());
        assert!(actions.len() > 400, "{} actions", actions.len());
        let condition = json!({"Bool": {"aws:SecureTransport": "true"}});
        let document = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": actions, "Resource": "*", "Condition": condition},
            {"Effect": "Deny", "Action": names(&expander, "iam:Delete*"), "Resource": "*"},
            {"Effect": "Allow", "NotAction": names(&expander, "iam:Create*"), "NotResource": "arn:aws:s3:::secret/*"}]});
        assert!(policy_size(&document) > 6_144);
        let fitted = fit(&document, 6_144, 1, &expander);
        assert!(fitted.fits);
        let [out] = &fitted.documents[..] else {
            panic!("one document: {fitted:?}")
        };
        assert!(policy_size(out) <= 6_144, "{}", policy_size(out));
        let (before, after) = (&document["Statement"], &out["Statement"]);
        assert_eq!(
            action_set(&after[0], &expander),
            action_set(&before[0], &expander)
        );
        // Every other key stays, in order; Deny and NotAction are untouched.
        assert_eq!(without_action(&after[0]), without_action(&before[0]));
        let keys: Vec<&String> = after[0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["Sid", "Effect", "Action", "Resource", "Condition"]);
        assert_eq!(after[1], before[1]);
        assert_eq!(after[2], before[2]);
        // A whole service is `svc:*`, and covers the name the catalog does not know.
        assert!(
            fitted.compressed.contains(&"s3:*".to_owned()),
            "{:?}",
            fitted.compressed
        );
        assert!(
            !strings(after[0]["Action"].as_array().unwrap())
                .any(|p| p.starts_with("s3:") && p != "s3:*")
        );
        assert!(fitted.compressed.iter().any(|p| p.starts_with("ec2:De")));
    }

    #[test]
    fn a_document_within_the_quota_is_unchanged() {
        let expander = expander();
        let document = json!({"Statement": {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectAcl"], "Resource": "*"}});
        let fitted = fit(&document, 6_144, 1, &expander);
        assert_eq!(
            fitted,
            Fitted {
                documents: vec![document],
                compressed: Vec::new(),
                fits: true
            }
        );
    }

    #[test]
    fn something_that_is_not_a_policy_document_comes_back_as_it_is() {
        let expander = expander();
        for document in [
            Value::Array(vec![json!("s3:GetObject"); 100]),
            json!({"Version": "2012-10-17", "Id": "x".repeat(100)}),
        ] {
            let fitted = fit(&document, 50, 5, &expander);
            assert_eq!(fitted.documents, [document]);
            assert!(!fitted.fits);
        }
    }

    #[test]
    fn a_name_whose_every_prefix_matches_more_stays_explicit() {
        let expander = expander();
        // s3:GetObject* would also match s3:GetObjectAcl, which is not allowed.
        let mut actions = vec!["s3:GetObject".to_owned()];
        actions.extend(names(&expander, "s3:List*"));
        let statement = json!({"Effect": "Allow", "Action": actions, "Resource": "*"});
        let out = compress_statement(&statement, &expander, &mut BTreeSet::new());
        let entries = out["Action"].as_array().unwrap();
        assert!(entries.contains(&json!("s3:GetObject")), "{out}");
        assert_eq!(
            action_set(&out, &expander),
            action_set(&statement, &expander)
        );
        assert!(entries.len() < actions.len());
    }

    #[test]
    fn over_quota_even_compressed_is_best_effort_in_one_document() {
        let expander = expander();
        let actions: Vec<String> = names(&expander, "ec2:*").into_iter().step_by(2).collect();
        let document = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]});
        let fitted = fit(&document, 2_048, 1, &expander);
        assert!(!fitted.fits);
        assert_eq!(fitted.documents.len(), 1);
        assert_eq!(
            allowed(&fitted.documents, &expander),
            allowed([&document], &expander)
        );
    }

    #[test]
    fn splitting_keeps_every_statement_and_each_part_within_the_quota() {
        let expander = expander();
        let ec2: Vec<String> = names(&expander, "ec2:*").into_iter().step_by(2).collect();
        let iam: Vec<String> = names(&expander, "iam:*").into_iter().step_by(3).collect();
        let condition = json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}});
        let document = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Small", "Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": "*"},
            {"Sid": "Big", "Effect": "Allow", "Action": ec2, "Resource": "*", "Condition": condition},
            {"Sid": "Iam", "Effect": "Allow", "Action": iam, "Resource": "*"},
            {"Sid": "NoDelete", "Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}]});
        let fitted = fit(&document, 2_048, 20, &expander);
        assert!(fitted.fits, "{} documents", fitted.documents.len());
        assert!(fitted.documents.len() > 2);
        for part in &fitted.documents {
            assert!(policy_size(part) <= 2_048, "{}", policy_size(part));
            assert_eq!(part["Version"], "2012-10-17");
        }
        assert_eq!(
            allowed(&fitted.documents, &expander),
            allowed([&document], &expander)
        );
        let parts: Vec<&Value> = fitted.documents.iter().flat_map(statements).collect();
        // The big statement is split by its actions: same Sid, Resource and Condition.
        let big: Vec<&&Value> = parts.iter().filter(|s| s["Sid"] == "Big").collect();
        assert!(big.len() > 1);
        let mut union = ActionSet::empty(expander.catalog().len());
        for part in &big {
            assert_eq!(
                without_action(part),
                without_action(&document["Statement"][1])
            );
            union.union_with(&action_set(part, &expander));
        }
        assert_eq!(union, action_set(&document["Statement"][1], &expander));
        // The Deny statement is kept as it is, once.
        assert_eq!(
            parts
                .iter()
                .filter(|s| **s == &document["Statement"][3])
                .count(),
            1
        );
        // A Sid stays unique within each document.
        for part in &fitted.documents {
            let sids: Vec<&str> = statements(part)
                .iter()
                .filter_map(|s| s["Sid"].as_str())
                .collect();
            assert_eq!(sids.iter().collect::<BTreeSet<_>>().len(), sids.len());
        }
    }

    /// A deterministic pseudo-random bit for `i` (splitmix64).
    fn coin(seed: u64, i: u64, percent: u64) -> bool {
        let mut z = seed ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % 100 < percent
    }

    proptest! {
        #[test]
        fn a_wildcard_never_matches_an_action_not_allowed_before(
            service in prop::sample::select(vec!["s3", "ec2", "iam", "lambda", "dynamodb", "kms"]),
            percent in 0u64..=100,
            seed in any::<u64>(),
        ) {
            let expander = expander();
            let all = names(&expander, &format!("{service}:*"));
            let actions: Vec<String> = all.into_iter().enumerate()
                .filter(|(i, _)| coin(seed, *i as u64, percent))
                .map(|(_, a)| a)
                .collect();
            let statement = json!({"Effect": "Allow", "Action": actions, "Resource": "*"});
            let wanted = action_set(&statement, &expander);
            let mut introduced = BTreeSet::new();
            let out = compress_statement(&statement, &expander, &mut introduced);
            prop_assert_eq!(action_set(&out, &expander), wanted.clone());
            for pattern in &introduced {
                prop_assert!(expander.expand(pattern).is_subset(&wanted), "{} matches more", pattern);
            }
            prop_assert!(policy_size(&out) <= policy_size(&statement));
        }
    }

    #[test]
    fn every_halved_corpus_policy_fits_with_the_same_allowed_actions() {
        let expander = expander();
        let (mut checked, mut over, mut compressed, mut most_parts) = (0, 0, 0, 0);
        let (mut split_needed, mut unfit) = (Vec::new(), Vec::new());
        for (i, (name, document)) in crate::bench_support::corpus().iter().enumerate() {
            let statement_grants = grants(document, &expander, "");
            let mut removed = ActionSet::empty(expander.catalog().len());
            for grant in &statement_grants {
                grant
                    .actions
                    .iter()
                    .filter(|id| coin(i as u64, u64::from(id.0), 50))
                    .for_each(|id| removed.insert(id));
            }
            let Some(halved) = rewrite(document, &statement_grants, &removed, &expander) else {
                continue;
            };
            checked += 1;
            let want = allowed([&halved], &expander);
            over += usize::from(policy_size(&halved) > 6_144);
            let fitted = fit(&halved, 6_144, 1, &expander);
            assert_eq!(fitted.documents.len(), 1, "{name}");
            assert_eq!(allowed(&fitted.documents, &expander), want, "{name}");
            compressed += usize::from(!fitted.compressed.is_empty());
            if fitted.fits {
                assert!(policy_size(&fitted.documents[0]) <= 6_144, "{name}");
                continue;
            }
            let parts = fit(&halved, 6_144, usize::MAX, &expander);
            assert_eq!(allowed(&parts.documents, &expander), want, "{name}");
            if !parts.fits {
                // Only a statement that cannot be split may stay over the quota.
                for part in parts.documents.iter().filter(|d| policy_size(d) > 6_144) {
                    let [statement] = &statements(part)[..] else {
                        panic!("{name}: a part over the quota with several statements")
                    };
                    assert!(
                        split_statement(statement, 0).len() == 1,
                        "{name}: a splittable statement over the quota"
                    );
                }
                unfit.push(name.clone());
                continue;
            }
            most_parts = most_parts.max(parts.documents.len());
            split_needed.push(format!("{name} ({})", parts.documents.len()));
        }
        eprintln!(
            "{checked} halved corpus policies, {over} over the quota; {compressed} compressed; {} needed splitting (at most {most_parts} parts): {}; {} cannot fit (one statement over the quota that cannot be split): {}",
            split_needed.len(),
            split_needed.join(", "),
            unfit.len(),
            unfit.join(", ")
        );
        assert!(checked > 1_000);
    }
}
