//! Sets of catalog actions as bitsets over dense [`ActionId`]s: unions,
//! complements (`NotAction`) and intersections are a few hundred word operations.

/// A dense id of an action in a [`Catalog`](crate::Catalog); ids of one service are contiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionId(pub u32);

/// A set of catalog actions, stored as a bitset over [`ActionId`]s.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActionSet {
    words: Box<[u64]>,
    len: usize,
}

impl ActionSet {
    /// The empty set for a catalog of `len` actions.
    pub fn empty(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)].into_boxed_slice(),
            len,
        }
    }

    /// The set of every action of a catalog of `len` actions.
    pub fn full(len: usize) -> Self {
        let mut set = Self::empty(len);
        set.words.iter_mut().for_each(|w| *w = u64::MAX);
        set.clear_tail();
        set
    }

    fn clear_tail(&mut self) {
        let extra = self.words.len() * 64 - self.len;
        if let Some(last) = self.words.last_mut().filter(|_| extra > 0) {
            *last &= u64::MAX >> extra;
        }
    }

    /// Adds an action.
    pub fn insert(&mut self, id: ActionId) {
        let i = id.0 as usize;
        self.words[i / 64] |= 1 << (i % 64);
    }

    /// Adds every id in `range`.
    pub fn insert_range(&mut self, range: std::ops::Range<u32>) {
        range.for_each(|i| self.insert(ActionId(i)));
    }

    /// True when the set holds `id`.
    pub fn contains(&self, id: ActionId) -> bool {
        let i = id.0 as usize;
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// Adds every action of `other`.
    pub fn union_with(&mut self, other: &ActionSet) {
        self.words
            .iter_mut()
            .zip(other.words.iter())
            .for_each(|(a, b)| *a |= b);
    }

    /// Keeps only the actions also in `other`.
    pub fn intersect_with(&mut self, other: &ActionSet) {
        self.words
            .iter_mut()
            .zip(other.words.iter())
            .for_each(|(a, b)| *a &= b);
    }

    /// Removes every action of `other`.
    pub fn subtract(&mut self, other: &ActionSet) {
        self.words
            .iter_mut()
            .zip(other.words.iter())
            .for_each(|(a, b)| *a &= !b);
    }

    /// Every action of the catalog that is not in this set.
    pub fn complement(&self) -> ActionSet {
        let mut set = self.clone();
        set.words.iter_mut().for_each(|w| *w = !*w);
        set.clear_tail();
        set
    }

    /// True when every action of this set is also in `other`.
    pub fn is_subset(&self, other: &ActionSet) -> bool {
        self.words
            .iter()
            .zip(other.words.iter())
            .all(|(a, b)| a & !b == 0)
    }

    /// True when the set shares an action with the set whose `i`-th word of
    /// bits is `word(i)`: a test against a combination of sets, without building it.
    pub fn meets(&self, word: impl Fn(usize) -> u64) -> bool {
        self.words
            .iter()
            .enumerate()
            .any(|(i, w)| *w != 0 && w & word(i) != 0)
    }

    /// The `i`-th 64-action word of the bitset.
    pub fn word(&self, i: usize) -> u64 {
        self.words[i]
    }

    /// The number of actions in the set.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// True when the set holds no action.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// True when the set holds every action of the catalog.
    pub fn is_full(&self) -> bool {
        self.count() == self.len
    }

    /// The actions in id order (which is service, then action, order).
    pub fn iter(&self) -> impl Iterator<Item = ActionId> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &word)| {
            let mut word = word;
            std::iter::from_fn(move || {
                if word == 0 {
                    return None;
                }
                let bit = word.trailing_zeros();
                word &= word - 1;
                Some(ActionId((i * 64) as u32 + bit))
            })
        })
    }
}
