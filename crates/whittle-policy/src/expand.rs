//! Wildcard expansion of IAM action patterns against the catalog.
//!
//! IAM matches actions case-insensitively with `*` (any run of characters) and `?`
//! (one character). Patterns are resolved by service first (`s3:Get*` only looks at
//! S3's actions), each distinct pattern is expanded once per [`Expander`], and the
//! results are bitsets over catalog ids, so unions, complements (`NotAction`) and
//! intersections are a few hundred word operations.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::action_set::{ActionId, ActionSet};
use crate::catalog::Catalog;

/// Expands action patterns against a catalog, caching each distinct pattern.
#[derive(Debug)]
pub struct Expander<'c> {
    catalog: &'c Catalog,
    cache: Mutex<HashMap<String, Arc<ActionSet>>>,
}

impl<'c> Expander<'c> {
    /// An expander with an empty cache.
    pub fn new(catalog: &'c Catalog) -> Self {
        Self {
            catalog,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The catalog patterns are expanded against.
    pub fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    /// The actions `pattern` matches (empty for a pattern that matches nothing).
    pub fn expand(&self, pattern: &str) -> Arc<ActionSet> {
        let key = pattern.to_ascii_lowercase();
        if let Some(set) = self.lock().get(&key) {
            return Arc::clone(set);
        }
        let set = Arc::new(self.compute(&key));
        self.lock().insert(key, Arc::clone(&set));
        set
    }

    /// The union of the actions matched by `patterns`.
    pub fn expand_all<'p>(&self, patterns: impl IntoIterator<Item = &'p str>) -> ActionSet {
        let mut set = ActionSet::empty(self.catalog.len());
        for pattern in patterns {
            set.union_with(&self.expand(pattern));
        }
        set
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<ActionSet>>> {
        // A panic while holding the lock cannot leave the cache inconsistent:
        // entries are inserted whole.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Expands a lowercase pattern.
    fn compute(&self, pattern: &str) -> ActionSet {
        let mut set = ActionSet::empty(self.catalog.len());
        if pattern == "*" {
            return ActionSet::full(self.catalog.len());
        }
        let Some((service, action)) = pattern.split_once(':') else {
            return set;
        };
        let services: Vec<usize> = if has_wildcard(service) {
            let Some(matcher) = wildcard_matcher(service) else {
                return set;
            };
            (0..self.catalog.services().len())
                .filter(|&i| matcher.is_match(&self.catalog.services()[i].record.prefix))
                .collect()
        } else {
            self.catalog.service_index(service).into_iter().collect()
        };
        if !has_wildcard(action) {
            for i in services {
                let prefix = &self.catalog.services()[i].record.prefix;
                if let Some(id) = self.catalog.action_id(&format!("{prefix}:{action}")) {
                    set.insert(id);
                }
            }
            return set;
        }
        if action.chars().all(|c| c == '*') {
            for i in services {
                set.insert_range(self.catalog.services()[i].actions.clone());
            }
            return set;
        }
        let Some(matcher) = wildcard_matcher(action) else {
            return set;
        };
        for i in services {
            let service = &self.catalog.services()[i];
            for (offset, a) in self.catalog.service_actions(service).iter().enumerate() {
                if matcher.is_match(&a.record.name) {
                    set.insert(ActionId(service.actions.start + offset as u32));
                }
            }
        }
        set
    }
}

/// True when `s` holds an IAM wildcard (`*` or `?`).
pub fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// A case-insensitive matcher where only `*` (any run of characters) and `?`
/// (one character) are special, as in IAM.
#[derive(Debug, Clone)]
pub struct WildcardMatcher(Matcher);

#[derive(Debug, Clone)]
enum Matcher {
    /// The pattern compiled to a regular expression: fast on the many names
    /// one action pattern is tried on.
    /// With a `?`, also its segments: globset's `?` matches one byte of a
    /// character outside ASCII, IAM's one character, so such a text is
    /// matched segment by segment.
    Glob(GlobSet, Option<Segments>),
    /// The pattern matched segment by segment, for one longer than
    /// [`GLOB_LIMIT`] or that globset cannot compile.
    Segments(Segments),
}

/// Patterns longer than this (in characters) are not compiled to a regular
/// expression: a Resource of tens of thousands of characters with many `*`
/// makes one over globset's size limit (`Glob::compile_matcher` then panics)
/// or, just under it, so large that matching a long text takes minutes. The
/// longest ARN IAM accepts is 2,048 characters.
const GLOB_LIMIT: usize = 4_096;

impl WildcardMatcher {
    /// True when the pattern matches all of `text`.
    pub fn is_match(&self, text: &str) -> bool {
        match &self.0 {
            Matcher::Glob(_, Some(segments)) if !text.is_ascii() => segments.is_match(text),
            Matcher::Glob(set, _) => set.is_match(text),
            Matcher::Segments(segments) => segments.is_match(text),
        }
    }
}

/// A matcher for an IAM wildcard pattern; `None` when globset cannot read the
/// pattern as a glob.
pub fn wildcard_matcher(pattern: &str) -> Option<WildcardMatcher> {
    if pattern.chars().count() > GLOB_LIMIT {
        return Some(WildcardMatcher(Matcher::Segments(Segments::of(pattern))));
    }
    let mut glob = String::with_capacity(pattern.len() + 8);
    let mut literal = String::new();
    for c in pattern.chars() {
        if c == '*' || c == '?' {
            glob.push_str(&globset::escape(&literal));
            literal.clear();
            glob.push(c);
        } else {
            literal.push(c);
        }
    }
    glob.push_str(&globset::escape(&literal));
    let glob = GlobBuilder::new(&glob)
        .case_insensitive(true)
        .literal_separator(false)
        .backslash_escape(false)
        .build()
        .ok()?;
    // `Glob::compile_matcher` panics when the regular expression is over the
    // size limit; a set reports it as an error.
    let matcher = match GlobSetBuilder::new().add(glob).build() {
        Ok(set) => Matcher::Glob(set, pattern.contains('?').then(|| Segments::of(pattern))),
        Err(_) => Matcher::Segments(Segments::of(pattern)),
    };
    Some(WildcardMatcher(matcher))
}

/// A wildcard pattern as the parts between its `*`s, lowercased. A text
/// matches when the first part matches its start, the last its end, and each
/// other part somewhere after the one before; taking the leftmost place for
/// each leaves the most room for the rest, so no other place need be tried.
/// A part without `?` is found with `str::find` (linear); one with `?` is tried
/// at each position, at most its length times the text's.
#[derive(Debug, Clone)]
struct Segments {
    parts: Vec<String>,
}

impl Segments {
    fn of(pattern: &str) -> Self {
        Self {
            parts: fold(pattern).split('*').map(str::to_owned).collect(),
        }
    }

    fn is_match(&self, text: &str) -> bool {
        let text = fold(text);
        let (first, rest) = self.parts.split_first().expect("split yields a part");
        let Some((last, middle)) = rest.split_last() else {
            return part_at(first, &text, 0) == Some(text.len());
        };
        let Some(mut at) = part_at(first, &text, 0) else {
            return false;
        };
        let Some(end) = suffix_start(last, &text).filter(|&end| end >= at) else {
            return false;
        };
        let before_last = &text[..end];
        for part in middle {
            match find_part(part, before_last, at) {
                Some(after) => at = after,
                None => return false,
            }
        }
        true
    }
}

/// `text` with ASCII letters lowercased: the globs ignore the case of ASCII
/// letters only.
fn fold(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// Where `part` ends when it matches `text` at byte `at`, `?` reading any
/// one character.
fn part_at(part: &str, text: &str, at: usize) -> Option<usize> {
    let mut rest = text[at..].char_indices();
    for p in part.chars() {
        let (_, t) = rest.next()?;
        if p != '?' && p != t {
            return None;
        }
    }
    Some(rest.next().map_or(text.len(), |(i, _)| at + i))
}

/// Where `part` must start to match the end of `text`.
fn suffix_start(part: &str, text: &str) -> Option<usize> {
    let length = part.chars().count();
    let start = match length {
        0 => text.len(),
        _ => text.char_indices().rev().nth(length - 1)?.0,
    };
    (part_at(part, text, start) == Some(text.len())).then_some(start)
}

/// Where the leftmost match of `part` in `text` at or after byte `from` ends.
fn find_part(part: &str, text: &str, from: usize) -> Option<usize> {
    if !part.contains('?') {
        return text[from..].find(part).map(|i| from + i + part.len());
    }
    text[from..]
        .char_indices()
        .map(|(i, _)| from + i)
        .find_map(|at| part_at(part, text, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names(expander: &Expander<'_>, pattern: &str) -> Vec<String> {
        expander
            .expand(pattern)
            .iter()
            .map(|id| expander.catalog().action(id).qualified_name.clone())
            .collect()
    }

    #[test]
    fn service_scoped_patterns_are_case_insensitive() {
        let expander = Expander::new(Catalog::embedded());
        let found = names(&expander, "s3:getobject*");
        assert!(found.contains(&"s3:GetObject".to_owned()));
        assert!(found.contains(&"s3:GetObjectAcl".to_owned()));
        assert!(!found.contains(&"s3:PutObject".to_owned()));
        assert!(found.iter().all(|n| n.starts_with("s3:GetObject")));
    }

    #[test]
    fn question_mark_matches_exactly_one_character() {
        let expander = Expander::new(Catalog::embedded());
        assert_eq!(names(&expander, "s3:?etObject"), vec!["s3:GetObject"]);
        assert!(names(&expander, "s3:?GetObject").is_empty());
    }

    #[test]
    fn cross_service_and_full_wildcards() {
        let catalog = Catalog::embedded();
        let expander = Expander::new(catalog);
        assert_eq!(expander.expand("*").count(), catalog.len());
        assert!(expander.expand("*:*").is_full());
        let gets = names(&expander, "*:GetObject");
        assert!(gets.contains(&"s3:GetObject".to_owned()));
        assert!(gets.len() > 1);
        assert!(
            names(&expander, "*:get*")
                .iter()
                .any(|n| n.starts_with("ec2:Get"))
        );
    }

    #[test]
    fn patterns_that_match_nothing_are_empty() {
        let expander = Expander::new(Catalog::embedded());
        assert!(expander.expand("s4:GetObject").is_empty());
        assert!(expander.expand("s3:Foo*").is_empty());
        assert!(expander.expand("GetObject").is_empty());
        assert!(expander.expand("s3:[a]*").is_empty());
    }

    #[test]
    fn not_action_is_the_complement() {
        let catalog = Catalog::embedded();
        let expander = Expander::new(catalog);
        let not_iam = expander.expand("iam:*").complement();
        assert!(!not_iam.contains(catalog.action_id("iam:PassRole").unwrap()));
        assert!(not_iam.contains(catalog.action_id("s3:GetObject").unwrap()));
        assert_eq!(
            not_iam.count() + expander.expand("iam:*").count(),
            catalog.len()
        );
    }

    #[test]
    fn each_distinct_pattern_is_computed_once() {
        let expander = Expander::new(Catalog::embedded());
        let a = expander.expand("S3:Get*");
        let b = expander.expand("s3:get*");
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn a_pattern_too_long_for_a_regular_expression_still_matches() {
        // Globset's regular expression for this is over its size limit
        // (compile_matcher panicked), and one just under it took minutes.
        let pattern = format!("arn:aws:s3:::reports-{}", "*x".repeat(100_000));
        let matcher = wildcard_matcher(&pattern).expect("a matcher");
        assert!(matches!(matcher.0, Matcher::Segments(_)));
        assert!(matcher.is_match(&pattern));
        assert!(matcher.is_match(&format!("ARN:aws:s3:::Reports-{}", "yx".repeat(100_000))));
        assert!(!matcher.is_match(&format!("arn:aws:s3:::reports-{}", "x".repeat(99_999))));
        assert!(!matcher.is_match("arn:aws:s3:::other"));
        let questions = format!("{}?", "a".repeat(GLOB_LIMIT));
        let matcher = wildcard_matcher(&questions).expect("a matcher");
        assert!(matcher.is_match(&format!("{}b", "A".repeat(GLOB_LIMIT))));
        assert!(!matcher.is_match(&"a".repeat(GLOB_LIMIT)));
    }

    #[test]
    fn segments_read_star_and_question_mark_as_globs_do() {
        let cases = [
            ("*", ""),
            ("a*", "a"),
            ("*a", "ba"),
            ("a*b*c", "aXbYbc"),
            ("a?c", "abc"),
            ("a?c", "ac"),
            ("*?", ""),
            ("**", "x"),
            ("é*", "Éa"),
            ("É*", "éa"),
            ("a*a", "a"),
            ("?*?", "ab"),
            // One character, however many bytes it takes.
            ("?", "é"),
            ("a?c", "aéc"),
        ];
        for (pattern, text) in cases {
            let segments = Segments::of(pattern);
            let glob = wildcard_matcher(pattern).unwrap();
            assert_eq!(
                segments.is_match(text),
                glob.is_match(text),
                "{pattern} on {text}"
            );
        }
    }

    proptest! {
        #[test]
        fn segments_agree_with_the_regular_expression(
            // Globset reads `**` next to `/` as any number of path segments;
            // segments read it, as IAM does, as two `*`.
            pattern in "[aAb*?:é]{0,12}",
            text in "[aAbB:/éÉ*?]{0,12}",
        ) {
            let glob = wildcard_matcher(&pattern).unwrap();
            prop_assert!(matches!(glob.0, Matcher::Glob(..)));
            prop_assert_eq!(Segments::of(&pattern).is_match(&text), glob.is_match(&text));
        }

        #[test]
        fn set_operations_agree_with_counts(a in prop::collection::vec(0u32..1000, 0..50),
                                            b in prop::collection::vec(0u32..1000, 0..50)) {
            let mut x = ActionSet::empty(1000);
            a.iter().for_each(|&i| x.insert(ActionId(i)));
            let mut y = ActionSet::empty(1000);
            b.iter().for_each(|&i| y.insert(ActionId(i)));
            let mut union = x.clone();
            union.union_with(&y);
            let mut inter = x.clone();
            inter.intersect_with(&y);
            prop_assert_eq!(union.count() + inter.count(), x.count() + y.count());
            prop_assert_eq!(x.complement().count(), 1000 - x.count());
            let mut diff = x.clone();
            diff.subtract(&y);
            prop_assert_eq!(diff.count(), x.count() - inter.count());
            prop_assert_eq!(x.iter().count(), x.count());
            prop_assert!(inter.is_subset(&x) && inter.is_subset(&y) && x.is_subset(&union));
            prop_assert_eq!(x.is_subset(&y), diff.is_empty());
        }

        #[test]
        fn an_exact_action_name_in_any_case_expands_to_itself(i in 0usize..18_000) {
            let catalog = Catalog::embedded();
            let expander = Expander::new(catalog);
            let action = catalog.action(ActionId(i as u32));
            let set = expander.expand(&action.qualified_name.to_uppercase());
            prop_assert!(set.contains(ActionId(i as u32)));
        }
    }
}
