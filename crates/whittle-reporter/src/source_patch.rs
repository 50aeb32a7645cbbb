//! Renderers of `whittle recommend --source`: the patch of the source files
//! (a unified diff `git apply` takes) and, for people, where each
//! recommendation was found and whether it was patched.

use similar::TextDiff;
use whittle_analysis::recommend::{SourceOutcome, SourceReport};

/// The changes of every patched file as one unified diff with `a/` and `b/`
/// paths relative to where whittle ran, for `git apply` (or `patch -p1`);
/// empty when nothing was patched.
pub fn source_patch(report: &SourceReport) -> String {
    let mut out = String::new();
    for file in &report.files {
        let path = file.path.trim_start_matches("./");
        out.push_str(
            &TextDiff::from_lines(&file.before, &file.after)
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        );
    }
    out
}

/// Per recommendation, what the source defines it as and what was done, in
/// lines for standard error.
pub fn source_notes(report: &SourceReport) -> String {
    let mut out = String::new();
    for (path, why) in &report.unread {
        out.push_str(&format!("warning: {path}: not read: {why}\n"));
    }
    let patched = report.outcomes.iter().filter(|o| o.result.is_ok()).count();
    out.push_str(&format!(
        "source: {patched} of {} recommendations patched in {} file{}\n",
        report.outcomes.len(),
        report.files.len(),
        if report.files.len() == 1 { "" } else { "s" }
    ));
    for outcome in &report.outcomes {
        out.push_str(&line(outcome));
    }
    out
}

fn line(outcome: &SourceOutcome) -> String {
    let policy = match &outcome.principal {
        Some(principal) => format!("{} (for {principal})", outcome.policy.label()),
        None => outcome.policy.label().to_owned(),
    };
    let policy = match &outcome.policy {
        whittle_analysis::recommend::PolicyRef::Inline { owner, .. } => {
            format!("{owner} inline policy \"{policy}\"")
        }
        _ => policy,
    };
    let at = outcome.place.as_ref().map_or_else(String::new, |place| {
        format!(
            " → {} ({}:{})",
            place.definition,
            place.path.trim_start_matches("./"),
            place.line
        )
    });
    let mut out = match &outcome.result {
        Ok(changes) => format!("  patched      {policy}{at}: {changes}\n"),
        Err(reason) if outcome.place.is_some() => {
            format!("  not patched  {policy}{at}: {reason}\n")
        }
        Err(reason) => format!("  not found    {policy}: {reason}\n"),
    };
    if let Some(evidence) = &outcome.evidence {
        out.push_str(&format!("               matched by {evidence}\n"));
    }
    out
}
