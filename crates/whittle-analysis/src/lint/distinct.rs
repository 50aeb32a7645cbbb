//! Each distinct document of a file judged once. An account export repeats
//! the same text across principals (one trust policy for every role, an
//! inline policy copied from role to role): what the rules find in a
//! document, what it grants and how it parses depend only on its text, its
//! kind and where it came from, so one copy is evaluated and its findings are
//! placed at every other copy, shifted by the distance between the two in
//! the file.

use std::collections::HashMap;

use whittle_policy::permissions::Permissions;
use whittle_syntax::Span;

use crate::input::{DocumentKind, EmbeddedDocument};
use whittle_policy::Policy;
use whittle_policy::permissions::PolicyScope;

/// A document of the export, parsed, with its statements resolved.
pub(crate) struct Parsed {
    /// The parsed document.
    pub policy: Policy,
    /// Its statements resolved against the catalog.
    pub scope: PolicyScope,
}

/// The documents of a file grouped by text.
pub(crate) struct Groups {
    /// Per document: the index of its group.
    pub of: Vec<usize>,
    /// Per group: the document evaluated for all of it (its first).
    pub representatives: Vec<usize>,
}

impl Groups {
    /// Groups `documents` of a file whose text is `text`. Only documents read
    /// from IAM (`shareable`) are grouped: elsewhere, what a document means
    /// can depend on more than its text (a template's conditions, a key
    /// policy's key), and files hold few documents.
    pub fn of(text: &str, documents: &[EmbeddedDocument], shareable: bool) -> Self {
        let mut index: HashMap<(DocumentKind, bool, &str), usize, foldhash::fast::RandomState> =
            HashMap::default();
        let mut of = Vec::with_capacity(documents.len());
        let mut representatives = Vec::new();
        for (i, document) in documents.iter().enumerate() {
            let next = representatives.len();
            let key = (shareable && same_text_same_verdict(document))
                .then(|| text.get(document.node.span.start..document.node.span.end))
                .flatten()
                .filter(|written| !written.is_empty())
                .map(|written| (document.kind, document.written_by_aws, written));
            let group = match key {
                Some(key) => *index.entry(key).or_insert(next),
                None => next,
            };
            if group == next {
                representatives.push(i);
            }
            of.push(group);
        }
        Self {
            of,
            representatives,
        }
    }

    /// Frees the trees of the documents that are copies: only the
    /// representatives are parsed, and a copy keeps its span, which places
    /// its findings.
    pub fn release_copies(&self, documents: &mut [EmbeddedDocument]) {
        for (i, document) in documents.iter_mut().enumerate() {
            if self.representatives[self.of[i]] != i {
                document.node.take();
            }
        }
    }

    /// How far document `i` is from its group's representative, in bytes.
    pub fn shift(&self, documents: &[EmbeddedDocument], i: usize) -> isize {
        let representative = self.representatives[self.of[i]];
        documents[i].node.span.start as isize - documents[representative].node.span.start as isize
    }
}

/// Whether two copies of `document`'s text are judged alike wherever they
/// are: not for a resource policy (a key policy is scoped to its own key) nor
/// for one holding CloudFormation conditions (named by where they are).
fn same_text_same_verdict(document: &EmbeddedDocument) -> bool {
    document.kind != DocumentKind::Resource && document.conditions.is_empty()
}

/// What the documents of an account export grant and how they parse, kept
/// once per distinct text for the principal-level analysis and the graph.
pub(crate) struct Distinct {
    /// Per document: its group.
    of: Vec<usize>,
    /// Per document: its offset in the file less its representative's.
    shift: Vec<isize>,
    /// Per group: what the document grants on its own.
    permissions: Vec<Permissions>,
    /// Per group: the document parsed and resolved.
    parsed: Vec<Parsed>,
}

impl Distinct {
    /// The evaluations of each group of `groups`, in group order.
    pub fn new(
        groups: &Groups,
        documents: &[EmbeddedDocument],
        evaluated: Vec<(Permissions, Parsed)>,
    ) -> Self {
        debug_assert_eq!(evaluated.len(), groups.representatives.len());
        let (permissions, parsed) = evaluated.into_iter().unzip();
        Self {
            of: groups.of.clone(),
            shift: (0..documents.len())
                .map(|i| groups.shift(documents, i))
                .collect(),
            permissions,
            parsed,
        }
    }

    /// What document `i` grants on its own.
    pub fn permissions(&self, i: usize) -> &Permissions {
        &self.permissions[self.of[i]]
    }

    /// Document `i`, parsed. Its spans are those of its group's
    /// representative: [`Distinct::place`] moves them to document `i`.
    pub fn parsed(&self, i: usize) -> &Parsed {
        &self.parsed[self.of[i]]
    }

    /// The group of document `i`: documents of one group grant the same.
    pub fn group(&self, i: usize) -> usize {
        self.of[i]
    }

    /// How many groups there are.
    pub fn groups(&self) -> usize {
        self.permissions.len()
    }

    /// What group `g` grants.
    pub fn group_permissions(&self, g: usize) -> &Permissions {
        &self.permissions[g]
    }

    /// A span of [`Distinct::parsed`]`(i)` moved to where document `i` is.
    pub fn place(&self, i: usize, span: Span) -> Span {
        shifted(span, self.shift[i])
    }
}

/// `span` moved by `shift` bytes.
pub(crate) fn shifted(span: Span, shift: isize) -> Span {
    Span {
        start: span.start.saturating_add_signed(shift),
        end: span.end.saturating_add_signed(shift),
    }
}
