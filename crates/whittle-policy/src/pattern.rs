//! Strings with holes, matched case-insensitively: policy values with `*`, `?`
//! and `${…}` variables, and the catalog's ARN formats and key templates with
//! `${Name}` or `<name>` placeholders. [`Pattern::overlaps`] tells whether some
//! string matches both, which is how a Resource is judged against an action's
//! resource types.

use crate::catalog::Catalog;

/// Every ARN format of the service with `prefix`, for suggestions.
pub fn service_formats(catalog: &Catalog, prefix: &str) -> Option<Vec<Pattern>> {
    let service = catalog.service(prefix)?;
    Some(
        service
            .record
            .resources
            .iter()
            .flat_map(|r| &r.arns)
            .map(|arn| Pattern::arn_format(arn))
            .collect(),
    )
}

/// One element of a [`Pattern`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// A character, lowercased: comparisons are case-insensitive.
    Char(char),
    /// `?`: any one character.
    One,
    /// `*` or a variable: any run of characters, possibly empty.
    Any,
    /// A variable in the partition, service, Region or account of an ARN
    /// format: any run of characters without a colon.
    Field,
}

impl Token {
    /// True for the tokens that read any number of characters.
    fn repeats(self) -> bool {
        matches!(self, Token::Any | Token::Field)
    }

    /// True when a repeating token can read the one character `single` reads.
    fn absorbs(self, single: Token) -> bool {
        self == Token::Any || single != Token::Char(':')
    }
}

/// What a pattern's text is, which decides what its holes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A policy value: `*`, `?` and `${…}`.
    Policy,
    /// A catalog template: `${Name}` and `<name>`.
    Template,
    /// A catalog ARN format: `${Name}`, colon-free before the resource part.
    ArnFormat,
}

/// A string with holes: a policy value with wildcards and policy variables, or a
/// catalog template with `${Name}` or `<name>` placeholders. Matching ignores case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(Vec<Token>);

impl Pattern {
    /// A policy value: `*` and `${…}` match any run, `?` one character.
    pub fn policy(text: &str) -> Self {
        Self::parse(text, Source::Policy)
    }

    /// A catalog template such as a condition key: `${Name}` and `<name>` match
    /// any run.
    pub fn template(text: &str) -> Self {
        Self::parse(text, Source::Template)
    }

    /// A catalog ARN format: `${Name}` matches any run, without colons in the
    /// partition, service, Region and account (only the resource part has them).
    pub fn arn_format(text: &str) -> Self {
        Self::parse(text, Source::ArnFormat)
    }

    fn parse(text: &str, source: Source) -> Self {
        let mut tokens = Vec::with_capacity(text.len());
        let mut colons = 0;
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = placeholder_end(rest, source) {
                let hole = if source == Source::ArnFormat && colons < 5 {
                    Token::Field
                } else {
                    Token::Any
                };
                if tokens.last() != Some(&hole) {
                    tokens.push(hole);
                }
                rest = &rest[after..];
                continue;
            }
            colons += usize::from(c == ':');
            tokens.push(match c {
                '*' if source != Source::Template => Token::Any,
                '?' if source == Source::Policy => Token::One,
                _ => Token::Char(c.to_ascii_lowercase()),
            });
            rest = &rest[c.len_utf8()..];
        }
        Self(tokens)
    }

    /// True when the pattern matches `text` exactly (no holes in `text`).
    pub fn matches(&self, text: &str) -> bool {
        if self.0.contains(&Token::Field) {
            let literal = Pattern(
                text.chars()
                    .map(|c| Token::Char(c.to_ascii_lowercase()))
                    .collect(),
            );
            return self.overlaps(&literal);
        }
        glob(|i| self.0.get(i).map(|&t| (t, i + 1)), text)
    }

    /// True when some string matches both patterns: a walk over pairs of
    /// positions, one in each pattern.
    pub fn overlaps(&self, other: &Pattern) -> bool {
        let (a, b) = (&self.0, &other.0);
        let width = b.len() + 1;
        let mut seen = vec![false; (a.len() + 1) * width];
        let mut stack = vec![(0, 0)];
        while let Some((i, j)) = stack.pop() {
            if std::mem::replace(&mut seen[i * width + j], true) {
                continue;
            }
            if i == a.len() && j == b.len() {
                return true;
            }
            let moves = steps(a.get(i).copied(), b.get(j).copied());
            stack.extend(moves.into_iter().flatten().map(|(di, dj)| (i + di, j + dj)));
        }
        false
    }
}

/// True when the policy value `pattern` matches `text` exactly: what
/// `Pattern::policy(pattern).matches(text)` says, without building the
/// pattern. The graph of an account compares each grant's Resource with the
/// ARN of every principal it might reach.
pub fn policy_matches(pattern: &str, text: &str) -> bool {
    glob(
        |at| {
            let rest = pattern.get(at..)?;
            let c = rest.chars().next()?;
            if (c == '$' || c == crate::unknown::START)
                && let Some(after) = placeholder_end(rest, Source::Policy)
            {
                return Some((Token::Any, at + after));
            }
            let token = match c {
                '*' => Token::Any,
                '?' => Token::One,
                _ => Token::Char(c.to_ascii_lowercase()),
            };
            Some((token, at + c.len_utf8()))
        },
        text,
    )
}

/// Matches `text` against the tokens `next` reads (`next(at)`: the token at
/// `at` and where the one after it is), which hold no [`Token::Field`]: on a
/// mismatch the last `Any` reads one more character and matching resumes
/// after it, so the work is at most the product of the lengths and usually
/// their sum, with nothing allocated.
fn glob(next: impl Fn(usize) -> Option<(Token, usize)>, text: &str) -> bool {
    let (mut at, mut j) = (0, 0);
    // After the last `Any`: where its tokens resume, and where in the text.
    let mut star: Option<(usize, usize)> = None;
    loop {
        let c = text[j..].chars().next();
        match (next(at), c) {
            (Some((Token::Any, after)), _) => {
                star = Some((after, j));
                at = after;
                continue;
            }
            (Some((Token::One, after)), Some(c)) => {
                at = after;
                j += c.len_utf8();
                continue;
            }
            (Some((Token::Char(p), after)), Some(c)) if p == c.to_ascii_lowercase() => {
                at = after;
                j += c.len_utf8();
                continue;
            }
            (None, None) => return true,
            _ => {}
        }
        let Some((resume, from)) = star else {
            return false;
        };
        let Some(c) = text[from..].chars().next() else {
            return false;
        };
        star = Some((resume, from + c.len_utf8()));
        at = resume;
        j = from + c.len_utf8();
    }
}

/// Where a placeholder starting at the beginning of `text` ends, if one does:
/// `${…}` always, an unresolved value ([`crate::unknown`]) in policy values,
/// `<…>` in catalog templates only.
fn placeholder_end(text: &str, source: Source) -> Option<usize> {
    let close = if text.starts_with("${") {
        '}'
    } else if source == Source::Policy && text.starts_with(crate::unknown::START) {
        crate::unknown::END
    } else if source == Source::Template && text.starts_with('<') {
        '>'
    } else {
        return None;
    };
    text.find(close).map(|end| end + close.len_utf8())
}

/// The moves from a pair of positions whose tokens are `a` and `b`: let a
/// repeating token read nothing, or read one character both tokens can read.
fn steps(a: Option<Token>, b: Option<Token>) -> [Option<(usize, usize)>; 3] {
    let skip_a = a.is_some_and(Token::repeats).then_some((1, 0));
    let skip_b = b.is_some_and(Token::repeats).then_some((0, 1));
    let read = match (a, b) {
        (None, _) | (_, None) => None,
        (Some(x), Some(y)) if x.repeats() && y.repeats() => None,
        (Some(x), Some(y)) if x.repeats() => x.absorbs(y).then_some((0, 1)),
        (Some(x), Some(y)) if y.repeats() => y.absorbs(x).then_some((1, 0)),
        (Some(Token::Char(x)), Some(Token::Char(y))) => (x == y).then_some((1, 1)),
        _ => Some((1, 1)),
    };
    [skip_a, skip_b, read]
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The direct match agrees with the general walk over both patterns.
        #[test]
        fn matching_text_agrees_with_overlapping_its_literal(
            pattern in "([aAb:/*?]|\\$\\{x\\}|\\$\\{){0,12}",
            text in "[aAb:/{}$]{0,12}",
        ) {
            let literal = Pattern(text.chars().map(|c| Token::Char(c.to_ascii_lowercase())).collect());
            let expected = Pattern::policy(&pattern).overlaps(&literal);
            proptest::prop_assert_eq!(Pattern::policy(&pattern).matches(&text), expected);
            proptest::prop_assert_eq!(policy_matches(&pattern, &text), expected);
        }
    }

    #[test]
    fn policy_values_match_arns_without_case() {
        let role = "arn:aws:iam::123456789012:role/app";
        assert!(policy_matches("*", role));
        assert!(policy_matches("arn:aws:iam::*:role/*", role));
        assert!(policy_matches("ARN:AWS:IAM::123456789012:ROLE/AP?", role));
        assert!(policy_matches(
            "arn:aws:iam::${aws:PrincipalAccount}:role/app",
            role
        ));
        assert!(!policy_matches("arn:aws:iam::*:role/ap", role));
        assert!(!policy_matches("arn:aws:iam::*:user/*", role));
        assert!(!policy_matches("", role));
        assert!(policy_matches("", ""));
        assert!(policy_matches(
            "*a*a*a*a*a*b",
            &"a".repeat(40).replace("aa", "ab")
        ));
    }

    fn overlap(template: &str, value: &str) -> bool {
        Pattern::arn_format(template).overlaps(&Pattern::policy(value))
    }

    #[test]
    fn template_variables_match_any_run_of_characters() {
        let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert!(overlap(object, "arn:aws:s3:::reports/2024/q1.csv"));
        assert!(overlap(object, "arn:aws:s3:::reports/*"));
        assert!(!overlap(object, "arn:aws:s3:::reports"));
        assert!(!overlap(object, "arn:aws:dynamodb:::reports/x"));
    }

    #[test]
    fn wildcards_and_variables_in_the_value_match_anything() {
        let role = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
        assert!(overlap(role, "arn:aws:iam::*:role/app"));
        assert!(overlap(role, "arn:aws:iam::${aws:PrincipalAccount}:role/*"));
        assert!(overlap(role, "arn:aws:iam::123456789012:*"));
        assert!(overlap(role, "arn:aws:iam::12345678901?:role/a"));
        assert!(!overlap(role, "arn:aws:iam::123456789012:user/app"));
        assert!(overlap(role, "ARN:AWS:IAM::123456789012:ROLE/APP"));
    }

    #[test]
    fn format_variables_before_the_resource_part_hold_no_colons() {
        let table = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
        assert!(!overlap(table, "arn:aws:s3:::orders/*"));
        assert!(overlap(table, "arn:aws:dynamodb:*:*:table/orders"));
        assert!(overlap(table, "arn:aws:*"));
        let log_group = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
        assert!(overlap(
            log_group,
            "arn:aws:logs:eu-west-1:123456789012:log-group:/app:*"
        ));
    }

    #[test]
    fn question_marks_read_exactly_one_character() {
        assert!(overlap("ab", "a?"));
        assert!(!overlap("ab", "a??"));
        assert!(!overlap("ab", "?"));
    }

    #[test]
    fn angle_bracket_placeholders_count_in_templates_only() {
        assert!(
            Pattern::template("s3:ExistingObjectTag/<key>").matches("s3:ExistingObjectTag/team")
        );
        assert!(!Pattern::policy("a<b>").matches("axyz"));
        assert!(Pattern::template("aws:RequestTag/${TagKey}").matches("AWS:requesttag/Project"));
        assert!(!Pattern::template("aws:RequestTag/${TagKey}").matches("aws:RequestTag"));
    }

    #[test]
    fn an_unresolved_value_may_be_anything() {
        let table = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
        let value = crate::unknown::placeholder("GetAtt Table.Arn");
        assert!(overlap(table, &value));
        assert!(overlap(table, &format!("{value}/index/*")));
        let bucket = format!("arn:aws:s3:::{}", crate::unknown::placeholder("Ref B"));
        assert!(!overlap(table, &bucket));
    }

    #[test]
    fn an_unclosed_variable_is_literal() {
        assert!(Pattern::policy("a${b").matches("a${b"));
    }

    #[test]
    fn wildcards_in_catalog_formats_match_anything() {
        assert!(overlap(
            "arn:${Partition}:dms:${Region}:${Account}:rep:*",
            "arn:aws:dms:*:*:rep:abc"
        ));
    }
}
