//! Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`)
//! in policy text: where they are, and what is wrong with how one is written.

/// One `${…}` in a string, or a `${` that is never closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::lint::checks) struct Variable<'a> {
    /// The text between `${` and `}` (to the end of the string when unclosed).
    pub body: &'a str,
    /// False when no `}` closes it.
    pub closed: bool,
}

/// The policy variables of `text`, in order. `$${`-style escapes do not exist
/// in IAM: `${*}`, `${?}` and `${$}` are IAM's escapes for the literal
/// characters and count as variables here, with the bodies `*`, `?` and `$`.
pub(in crate::lint::checks) fn variables(text: &str) -> Vec<Variable<'_>> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                found.push(Variable {
                    body: &after[..end],
                    closed: true,
                });
                rest = &after[end + 1..];
            }
            None => {
                found.push(Variable {
                    body: after,
                    closed: false,
                });
                break;
            }
        }
    }
    found
}

/// True when `text` holds a policy variable other than IAM's escapes for
/// literal characters (`${*}`, `${?}`, `${$}`).
pub(in crate::lint::checks) fn has_variable(text: &str) -> bool {
    variables(text).iter().any(|v| !v.is_escape())
}

/// What is wrong with how a variable is written: the titles of Access
/// Analyzer's checks, so that the finding names the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::lint::checks) enum VariableProblem {
    /// `${aws:username` with no `}`.
    MissingBrace,
    /// `${}`.
    Empty,
    /// A space in the variable's name: `${aws: username}`.
    Space,
    /// A default value not in single quotes: `${aws:PrincipalTag/team, default}`.
    MissingQuote,
    /// A character no key name has: `${aws:user-name!}`.
    UnsupportedSymbol(char),
}

impl Variable<'_> {
    /// True for `${*}`, `${?}` and `${$}`, which stand for the characters.
    pub fn is_escape(&self) -> bool {
        self.closed && matches!(self.body, "*" | "?" | "$")
    }

    /// What is wrong with the variable, if anything.
    pub fn problem(&self) -> Option<VariableProblem> {
        if !self.closed {
            return Some(VariableProblem::MissingBrace);
        }
        if self.is_escape() {
            return None;
        }
        let (name, default) = match self.body.split_once(',') {
            Some((name, default)) => (name, Some(default)),
            None => (self.body, None),
        };
        if name.trim().is_empty() {
            return Some(VariableProblem::Empty);
        }
        if name.contains(char::is_whitespace) {
            return Some(VariableProblem::Space);
        }
        if let Some(symbol) = name.chars().find(|&c| !is_name_char(c)) {
            return Some(VariableProblem::UnsupportedSymbol(symbol));
        }
        if let Some(default) = default {
            let quoted = default.trim_start();
            if quoted.len() < 2 || !quoted.starts_with('\'') || !quoted.ends_with('\'') {
                return Some(VariableProblem::MissingQuote);
            }
        }
        None
    }
}

/// Characters of condition key names (`aws:PrincipalTag/cost-center`,
/// `saml:namequalifier`, `accounts.google.com:sub`, `aws:TagKeys`).
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '-' | '_' | '.' | '@' | '+' | '=')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Option<VariableProblem>> {
        variables(text).iter().map(Variable::problem).collect()
    }

    #[test]
    fn well_written_variables_have_no_problem() {
        for text in [
            "arn:aws:s3:::home/${aws:username}/*",
            "arn:aws:s3:::b-${aws:PrincipalTag/team, 'company-wide'}",
            "${aws:PrincipalTag/cost-center}",
            "a${*}b${?}c${$}",
            "${accounts.google.com:sub}",
        ] {
            assert!(problems(text).iter().all(Option::is_none), "{text}");
        }
    }

    #[test]
    fn each_mistake_is_named() {
        use VariableProblem::*;
        assert_eq!(problems("home/${aws:username/*"), [Some(MissingBrace)]);
        assert_eq!(problems("home/${}/x"), [Some(Empty)]);
        assert_eq!(problems("home/${ }/x"), [Some(Empty)]);
        assert_eq!(problems("home/${aws: username}"), [Some(Space)]);
        assert_eq!(
            problems("${aws:PrincipalTag/team, default}"),
            [Some(MissingQuote)]
        );
        assert_eq!(
            problems("${aws:PrincipalTag/team, 'default}"),
            [Some(MissingQuote)]
        );
        assert_eq!(problems("${aws:user!name}"), [Some(UnsupportedSymbol('!'))]);
    }

    #[test]
    fn escapes_are_no_variables() {
        assert!(!has_variable("a${*}b"));
        assert!(has_variable("a${aws:username}"));
        assert!(!has_variable("plain text $ { }"));
    }
}
