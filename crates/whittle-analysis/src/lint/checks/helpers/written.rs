//! Whether a value of the parsed policy is the text written in the file, or
//! one that the input layer made up for something it could not resolve (a
//! CloudFormation `!Ref` or `!Sub`, a Terraform interpolation, all read as
//! `*` today). Checks whose finding rests on a wildcard ask here, the one
//! place to adapt when unresolved values become explicit unknowns.

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
