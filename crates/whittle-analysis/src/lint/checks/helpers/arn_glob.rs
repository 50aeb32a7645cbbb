//! Whether one Resource value covers another: IAM's `*` and `?` wildcards in
//! ARNs, matched case-sensitively as IAM matches resources.

/// Patterns longer than this are not compared (no quadratic match on a hostile
/// value); no real ARN comes near it.
const MAX_LEN: usize = 2048;

/// True when `pattern` (with `*` and `?`) matches all of `text`, treated as
/// literal characters, with `*` and `?` never matching a `/` (stricter than
/// IAM, whose `*` spans path segments). `false` for over-long inputs.
pub(in crate::lint::checks) fn glob_matches(pattern: &str, text: &str) -> bool {
    if pattern.len() > MAX_LEN || text.len() > MAX_LEN {
        return false;
    }
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Iterative matching with one backtrack point for the last `*`: linear in
    // practice, at most |p|·|t| steps.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && ((p[pi] == '?' && t[ti] != '/') || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star.filter(|(_, st)| t[*st] != '/') {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// True when every string `narrow` matches is matched by `wide`: `narrow`
/// without wildcards matched by `wide`, or `narrow` read with its wildcards as
/// literals matched by a `wide` whose wildcards are all `*` (a `*` in `wide`
/// covers anything, so the literal reading is the general case).
///
/// Conservative where a template's unresolved parts were read as `*`:
/// `arn:aws:s3:::${Bucket}` and `arn:aws:s3:::${Bucket}/*` become
/// `arn:aws:s3:::*` and `arn:aws:s3:::*/*`, which are distinct resources, so a
/// wildcard never covers a `/`, and a value of only wildcards covers nothing
/// and is covered by nothing here.
pub(in crate::lint::checks) fn covers(wide: &str, narrow: &str) -> bool {
    let only_wildcards = |s: &str| s.chars().all(|c| c == '*' || c == '?');
    if narrow.contains("${")
        || wide.contains("${")
        || only_wildcards(wide)
        || only_wildcards(narrow)
    {
        return false;
    }
    if !narrow.contains(['*', '?']) {
        return glob_matches(wide, narrow);
    }
    !wide.contains('?') && glob_matches(wide, narrow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_what_they_match() {
        assert!(covers(
            "arn:aws:iam::111122223333:role/jane*",
            "arn:aws:iam::111122223333:role/jane-admin"
        ));
        assert!(!covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/reports/*"));
        assert!(!covers("*", "arn:aws:s3:::b"));
        assert!(!covers("arn:aws:s3:::*", "arn:aws:s3:::*/*"));
        assert!(covers("arn:aws:s3:::logs-*/*", "arn:aws:s3:::logs-eu-*/*"));
        assert!(!covers("arn:aws:s3:::b/*", "arn:aws:s3:::b"));
        assert!(!covers(
            "arn:aws:iam::111122223333:role/Jane*",
            "arn:aws:iam::111122223333:role/jane-admin"
        ));
        assert!(!covers("arn:aws:s3:::b/?", "arn:aws:s3:::b/*"));
        assert!(!covers(
            "arn:aws:s3:::${aws:username}/*",
            "arn:aws:s3:::x/y"
        ));
        assert!(glob_matches("a*b*c", "aXXbYYc") && !glob_matches("a*b*c", "aXXbYY"));
    }
}
