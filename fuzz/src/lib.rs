//! Helpers shared by whittle's fuzz targets: turning fuzzer bytes into the
//! texts and names the readers take, and skipping inputs that trigger
//! problems already tracked elsewhere, so that a run keeps looking for new ones.

/// The input as text, with a leading byte order mark removed as the CLI does
/// (`whittle::inputs`); `None` when it is not UTF-8, which the CLI refuses
/// before any reader sees it.
pub fn text(data: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(data).ok()?;
    Some(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Splits the input at its first NUL byte (which no JSON or YAML text holds)
/// into two texts, e.g. the old and new side of a diff.
pub fn split_two(data: &[u8]) -> Option<(&str, &str)> {
    let at = data.iter().position(|&b| b == 0)?;
    Some((text(&data[..at])?, text(&data[at + 1..])?))
}

/// Whether the input is outside what a run should judge because of a known,
/// separately tracked problem:
///
/// - YAML alias expansion is budgeted by node count, not bytes: anchors
///   copied by many aliases can build a tree of gigabytes (alias bombs);
/// - lint is quadratic in the statements of one document.
pub fn known_issue(text: &str) -> bool {
    alias_bomb(text) || many_statements(text)
}

/// Anchors together with more than a few aliases: bounded expansion below
/// that (8 aliases copy a node at most 18 times).
fn alias_bomb(text: &str) -> bool {
    text.contains('&') && text.matches('*').count() > 8
}

/// More statements than lint handles in reasonable time; every statement
/// kept by the parser has an `Effect` (spelled literally or, in JSON, with
/// escapes, which the `\u` count bounds).
fn many_statements(text: &str) -> bool {
    text.matches("ffect").count() + text.matches("\\u").count() > 256
}

/// The time lint and diff judge date conditions against, fixed so that a
/// crash reproduces on any day.
pub fn now() -> jiff::Timestamp {
    "2026-11-20T00:00:00Z".parse().expect("a valid timestamp")
}
