//! `redundant-statement`: an Allow statement another statement already covers.
//!
//! Comparing every statement with every other is quadratic: a document of
//! 10,000 statements would take minutes. A statement is compared only with the
//! statements that could cover it, from one of two indexes, whichever lists
//! fewer: by action (those granting its rarest action, and those too broad to
//! index by action) or by resource (those naming its rarest Resource value, and
//! those on every resource). A cover must appear in both lists, and both are in
//! document order, so the first cover found is the one an all-pairs scan finds.

use std::collections::{HashMap, HashSet};

use crate::lint::{Check, Emitter, PolicyContext, work};
use whittle_policy::policy::Statement;
use whittle_policy::{ActionId, ActionSet};

/// Flags unconditional Allow statements whose actions and resources another
/// unconditional Allow statement of the same policy already grants.
pub struct RedundantStatement;

/// Statements granting more actions than this are not indexed by action (their
/// entries would outweigh their action sets); every statement is compared with
/// them, and a statement this broad only with them.
const BROAD: usize = 512;

impl Check for RedundantStatement {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let index = Covers::of(cx);
        for (position, entry) in index.entries.iter().enumerate() {
            let Some(cover) = index.first_cover(position) else {
                continue;
            };
            let (statement, other) = (entry.statement, index.entries[cover].statement);
            let name = |s: &Statement| match &s.sid {
                Some(sid) => format!("statement {} (\"{}\")", s.index + 1, sid.value),
                None => format!("statement {}", s.index + 1),
            };
            out.at(statement.span)
                .note(format!(
                    "remove it, or merge what differs into {}",
                    name(other)
                ))
                .emit(format!(
                    "{} grants nothing that {} does not already grant",
                    name(statement),
                    name(other)
                ));
        }
    }
}

/// An unconditional Allow statement without a principal that grants some
/// action on the resources of a `Resource` element: one that may cover or be
/// covered.
struct Entry<'a> {
    statement: &'a Statement,
    actions: &'a ActionSet,
    /// How many actions it grants.
    count: usize,
    /// Its Resource values, as written.
    resources: HashSet<&'a str>,
    /// True when its Resource covers every resource.
    everywhere: bool,
}

/// Every [`Entry`] of a policy in document order, indexed by action and by
/// resource. Lists hold positions in `entries`, ascending.
struct Covers<'a> {
    entries: Vec<Entry<'a>>,
    /// Per action, the entries of at most [`BROAD`] actions that grant it.
    by_action: ActionLists,
    /// The entries of more than [`BROAD`] actions.
    broad: Vec<usize>,
    /// Per Resource value, the entries that name it.
    by_resource: HashMap<&'a str, Vec<usize>>,
    /// The entries on every resource.
    everywhere: Vec<usize>,
}

impl<'a> Covers<'a> {
    fn of(cx: &'a PolicyContext<'a>) -> Self {
        let entries: Vec<Entry<'a>> = cx
            .policy
            .statements
            .iter()
            .filter(|s| s.is_allow() && s.conditions.is_empty() && s.principal.is_none())
            .filter_map(|statement| {
                let resource = statement.resource.as_ref().filter(|r| !r.negated)?;
                let actions = cx.matched_actions(statement).filter(|a| !a.is_empty())?;
                Some(Entry {
                    statement,
                    actions,
                    count: actions.count(),
                    resources: resource.values.iter().map(|v| v.value.as_str()).collect(),
                    everywhere: resource.covers_every_resource(),
                })
            })
            .collect();
        let mut index = Covers {
            entries: Vec::new(),
            by_action: ActionLists::default(),
            broad: Vec::new(),
            by_resource: HashMap::new(),
            everywhere: Vec::new(),
        };
        let mut granted = Vec::new();
        for (position, entry) in entries.iter().enumerate() {
            if entry.count > BROAD {
                index.broad.push(position);
            } else {
                granted.extend(entry.actions.iter().map(|id| (id, position)));
            }
            for &value in &entry.resources {
                index.by_resource.entry(value).or_default().push(position);
            }
            if entry.everywhere {
                index.everywhere.push(position);
            }
        }
        index.by_action = ActionLists::of(granted);
        index.entries = entries;
        index
    }

    /// The first entry, in document order, that covers the entry at `position`.
    fn first_cover(&self, position: usize) -> Option<usize> {
        let (by_action, by_resource) = (self.by_action(position), self.by_resource(position));
        let shorter = match by_resource {
            Some(r) if r.0.len() + r.1.len() < by_action.0.len() + by_action.1.len() => r,
            _ => by_action,
        };
        merged(shorter.0, shorter.1)
            .filter(|&other| other != position)
            .find(|&other| self.covers(other, position))
    }

    /// The entries that grant every action of the entry at `position` are among
    /// these two lists.
    fn by_action(&self, position: usize) -> (&[usize], &[usize]) {
        let entry = &self.entries[position];
        if entry.count > BROAD {
            return (&self.broad, &[]);
        }
        let rarest = entry
            .actions
            .iter()
            .map(|id| self.by_action.granting(id))
            .min_by_key(|list| list.len())
            .unwrap_or_default();
        (rarest, &self.broad)
    }

    /// The entries that cover the resources of the entry at `position` are among
    /// these two lists; `None` for an empty Resource, which every entry covers.
    fn by_resource(&self, position: usize) -> Option<(&[usize], &[usize])> {
        let rarest = self.entries[position]
            .resources
            .iter()
            .filter_map(|value| self.by_resource.get(value))
            .min_by_key(|list| list.len())?;
        Some((rarest, &self.everywhere))
    }

    /// True when `other` grants every action of `entry` on every resource of
    /// it; of two identical statements, the earlier covers the later.
    fn covers(&self, other: usize, entry: usize) -> bool {
        work::count(1);
        let (o, e) = (&self.entries[other], &self.entries[entry]);
        e.actions.is_subset(o.actions)
            && (e.actions != o.actions || o.statement.index < e.statement.index)
            && (o.everywhere || e.resources.iter().all(|r| o.resources.contains(r)))
    }
}

/// For each action, the entries that grant it, ascending: (action, entry)
/// pairs sorted, which is cheaper to build than a map of lists for the many
/// small documents.
#[derive(Default)]
struct ActionLists {
    actions: Vec<ActionId>,
    entries: Vec<usize>,
}

impl ActionLists {
    fn of(mut pairs: Vec<(ActionId, usize)>) -> Self {
        pairs.sort_unstable();
        let (actions, entries) = pairs.into_iter().unzip();
        Self { actions, entries }
    }

    /// The entries that grant `id`.
    fn granting(&self, id: ActionId) -> &[usize] {
        let start = self.actions.partition_point(|&a| a < id);
        let end = self.actions.partition_point(|&a| a <= id);
        &self.entries[start..end]
    }
}

/// Two ascending lists as one, without repeats.
fn merged<'l>(a: &'l [usize], b: &'l [usize]) -> impl Iterator<Item = usize> + 'l {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => return None,
        };
        i += usize::from(a.get(i) == Some(&next));
        j += usize::from(b.get(j) == Some(&next));
        Some(next)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::DocumentKind;
    use proptest::prelude::*;
    use serde_json::{Value, json};
    use whittle_policy::permissions::{PolicyScope, policy_permissions};
    use whittle_policy::{Catalog, Expander, Policy};

    /// The rule as first written, pair by pair: for each statement, the index
    /// of the first statement covering it.
    fn all_pairs(cx: &PolicyContext<'_>) -> Vec<(usize, usize)> {
        let resources_covered = |statement: &Statement, other: &Statement| {
            let (Some(mine), Some(theirs)) = (&statement.resource, &other.resource) else {
                return false;
            };
            !mine.negated
                && !theirs.negated
                && (theirs.covers_every_resource()
                    || mine
                        .values
                        .iter()
                        .all(|m| theirs.values.iter().any(|t| t.value == m.value)))
        };
        let candidates: Vec<&Statement> = cx
            .policy
            .statements
            .iter()
            .filter(|s| s.is_allow() && s.conditions.is_empty() && s.principal.is_none())
            .collect();
        let mut out = Vec::new();
        for statement in &candidates {
            let Some(actions) = cx.matched_actions(statement).filter(|a| !a.is_empty()) else {
                continue;
            };
            let cover = candidates.iter().find(|other| {
                other.index != statement.index
                    && cx.matched_actions(other).is_some_and(|o| {
                        actions.is_subset(o) && (actions != o || other.index < statement.index)
                    })
                    && resources_covered(statement, other)
            });
            if let Some(other) = cover {
                out.push((statement.index, other.index));
            }
        }
        out
    }

    fn indexed(cx: &PolicyContext<'_>) -> Vec<(usize, usize)> {
        let covers = Covers::of(cx);
        let index = |position: usize| covers.entries[position].statement.index;
        (0..covers.entries.len())
            .filter_map(|p| covers.first_cover(p).map(|c| (index(p), index(c))))
            .collect()
    }

    fn with_context<T>(document: &Value, f: impl FnOnce(&PolicyContext<'_>) -> T) -> T {
        let catalog = Catalog::embedded();
        let node = whittle_syntax::parse_json(&document.to_string()).unwrap();
        let policy = Policy::parse(&node);
        let expander = Expander::new(catalog);
        let scope = PolicyScope::resolve(&policy, &expander, jiff::Timestamp::UNIX_EPOCH);
        let permissions = policy_permissions(&scope, catalog.len());
        f(&PolicyContext {
            policy: &policy,
            node: &node,
            kind: DocumentKind::Unknown,
            scope: &scope,
            permissions: &permissions,
            expander: &expander,
            condition_keys: &std::sync::OnceLock::new(),
        })
    }

    /// Statements over a few overlapping actions and resources: narrow and
    /// broad (more than [`BROAD`] actions), negated, empty, conditional.
    fn statement() -> impl Strategy<Value = Value> {
        let actions = prop::sample::subsequence(
            vec![
                "s3:GetObject",
                "s3:PutObject",
                "s3:Get*",
                "s3:*",
                "ec2:*",
                "*",
                "iam:PassRole",
            ],
            1..4,
        );
        let resources = prop::sample::subsequence(
            vec![
                "*",
                "arn:aws:s3:::a/*",
                "arn:aws:s3:::b/*",
                "arn:aws:s3:::*",
                "arn:*:*:*:*:*",
            ],
            0..3,
        );
        (actions, resources, any::<u8>()).prop_map(|(actions, resources, flags)| {
            let effect = if flags % 7 == 0 { "Deny" } else { "Allow" };
            let mut statement = json!({ "Effect": effect });
            let action = if flags & 8 != 0 {
                "NotAction"
            } else {
                "Action"
            };
            statement[action] = json!(actions);
            if flags & 16 == 0 {
                let resource = if flags & 32 != 0 {
                    "NotResource"
                } else {
                    "Resource"
                };
                statement[resource] = json!(resources);
            }
            if flags & 64 != 0 && flags & 128 != 0 {
                statement["Condition"] = json!({"Bool": {"aws:SecureTransport": "true"}});
            }
            statement
        })
    }

    proptest! {
        #[test]
        fn the_indexes_find_the_cover_comparing_every_pair_finds(
            statements in prop::collection::vec(statement(), 0..40)
        ) {
            let document = json!({"Version": "2012-10-17", "Statement": statements});
            let (indexed, all_pairs) = with_context(&document, |cx| (indexed(cx), all_pairs(cx)));
            prop_assert_eq!(indexed, all_pairs);
        }
    }

    #[test]
    fn merged_lists_keep_order_and_drop_repeats() {
        assert_eq!(
            merged(&[1, 4, 6], &[0, 4, 7]).collect::<Vec<_>>(),
            [0, 1, 4, 6, 7]
        );
        assert_eq!(merged(&[], &[2]).collect::<Vec<_>>(), [2]);
    }
}
