//! "Did you mean …" suggestions for misspelt names.

/// Names longer than this are not typos of a real name (the longest AWS
/// action, key or service name is well under it): no suggestion, and no
/// quadratic edit distance on a hostile 640 KB string.
const MAX_NAME: usize = 200;

/// The candidate closest to `target` (case-insensitive edit distance), if it is
/// close enough to be a plausible typo: at most one edit per four characters.
pub(in crate::lint::checks) fn closest<'a>(
    target: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let length = target.chars().count();
    if length > MAX_NAME {
        return None;
    }
    let target = target.to_ascii_lowercase();
    let budget = (length / 4).max(1);
    candidates
        .into_iter()
        // The distance is at least the difference in length.
        .filter(|candidate| candidate.chars().count().abs_diff(length) <= budget)
        .filter_map(|candidate| {
            let lower = candidate.to_ascii_lowercase();
            let distance = strsim::damerau_levenshtein(&target, &lower);
            (distance <= budget)
                .then(|| (distance, strsim::jaro_winkler(&target, &lower), candidate))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map(|(_, _, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn near_misses_are_found_and_far_ones_are_not() {
        let names = ["GetObject", "GetObjectAcl", "PutObject"];
        assert_eq!(closest("GetObjct", names), Some("GetObject"));
        assert_eq!(closest("getobjectacl", names), Some("GetObjectAcl"));
        assert_eq!(closest("DeleteBucket", names), None);
        assert_eq!(
            closest("lamda", ["lambda", "lakeformation"]),
            Some("lambda")
        );
        assert_eq!(closest("ec3", ["ec2", "ecs", "s3"]), Some("ec2"));
        // Far longer than any real name: no suggestion, however close.
        let long = "GetObject".repeat(100);
        assert_eq!(closest(&long, [long.as_str()]), None);
    }
}
