//! A tally of the comparisons the lint makes between statements, kept in test
//! builds only: tests bound the work per statement with it instead of timing
//! anything, so an all-pairs loop fails them deterministically.

#[cfg(test)]
thread_local! {
    static TALLY: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts `n` comparisons (nothing outside tests).
#[inline]
pub(crate) fn count(n: usize) {
    #[cfg(test)]
    TALLY.with(|tally| tally.set(tally.get() + n));
    #[cfg(not(test))]
    let _ = n;
}

/// The comparisons counted on this thread since the last call.
#[cfg(test)]
pub(crate) fn take() -> usize {
    TALLY.with(|tally| tally.replace(0))
}
