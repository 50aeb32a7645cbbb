//! Whether a value of the parsed policy is the text written in the file, or
//! one the input layer built: an evaluated CloudFormation `!Sub`/`!Join`, or a
//! value holding an unresolved part ([`whittle_policy::unknown`]). Checks whose
//! finding rests on the literal text (a wildcard, a format) ask here.

use crate::lint::Emitter;
use whittle_syntax::Span;

/// True when the file holds `value` itself at `span`: a JSON or YAML string
/// (quoted or plain) with that text.
pub(in crate::lint::checks) fn as_written(out: &Emitter<'_>, span: Span, value: &str) -> bool {
    let source = out.source(span).trim();
    let unquoted = ['"', '\'']
        .iter()
        .find_map(|&q| source.strip_prefix(q).and_then(|s| s.strip_suffix(q)))
        .unwrap_or(source);
    unquoted == value
}
