//! Finds and reads the input files named on the command line.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use whittle_analysis::InputFailure;
use whittle_syntax::{Position, SourceFile};

/// An input to lint: named explicitly, or found while walking a directory.
pub struct Input {
    /// The path as it will be displayed (`-` becomes `<stdin>`).
    pub display: String,
    /// The file to read, or `None` for standard input.
    pub path: Option<PathBuf>,
    /// True when the user named this file: an unrecognised file is then an error,
    /// while one found in a directory is skipped.
    pub explicit: bool,
}

/// A symbolic link found while walking that was not followed.
pub struct SkippedLink {
    /// The link, as displayed.
    pub display: String,
    /// Why: where it leads, or that it is broken.
    pub reason: String,
}

/// What the command-line paths name.
#[derive(Default)]
pub struct Collected {
    /// The files to read, in order.
    pub inputs: Vec<Input>,
    /// Paths that do not exist or directories that could not be walked.
    pub failures: Vec<InputFailure>,
    /// Symbolic links not followed: broken, or leading outside every
    /// directory walked.
    pub skipped: Vec<SkippedLink>,
}

impl Collected {
    /// Tells on stderr which symbolic links were skipped, if any.
    pub fn warn_skipped(&self) {
        if self.skipped.is_empty() {
            return;
        }
        let n = self.skipped.len();
        eprintln!(
            "warning: skipped {n} symbolic link{} found in the directories walked:",
            if n == 1 { "" } else { "s" }
        );
        for link in &self.skipped {
            eprintln!("  {}: {}", link.display, link.reason);
        }
    }
}

/// Expands the command-line paths: files as given, directories walked (sorted,
/// hidden entries skipped) for `*.json`, `*.yaml`, `*.yml` and `*.template`
/// (`*.tf.json` included); what each holds is recognised by content. Missing
/// paths are failures.
///
/// A symbolic link met while walking is followed when it leads to a file
/// inside one of the directories named (the file is read under the link's
/// name); a link leading outside them, to a directory, or nowhere is skipped
/// and listed in [`Collected::skipped`].
pub fn collect(paths: &[PathBuf]) -> Collected {
    let roots: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.is_dir())
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let mut collected = Collected::default();
    for path in paths {
        if path.as_os_str() == "-" {
            collected.inputs.push(Input {
                display: whittle_reporter::STDIN_PATH.to_owned(),
                path: None,
                explicit: true,
            });
        } else if path.is_dir() {
            walk(path, &roots, &mut collected);
        } else if path.exists() {
            collected.inputs.push(Input {
                display: path.display().to_string(),
                path: Some(path.clone()),
                explicit: true,
            });
        } else {
            collected.failures.push(failure(
                path.display().to_string(),
                "no such file or directory".to_owned(),
            ));
        }
    }
    collected
}

fn walk(dir: &Path, roots: &[PathBuf], collected: &mut Collected) {
    // Hidden entries are skipped, and so is what git ignores (build output,
    // vendored dependencies) in a git checkout.
    let entries = WalkBuilder::new(dir)
        .sort_by_file_name(|a, b| a.cmp(b))
        .hidden(true)
        .parents(true)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .ignore(false)
        .build();
    for entry in entries {
        match entry {
            Ok(entry)
                if entry.file_type().is_some_and(|t| t.is_file())
                    && is_policy_source(entry.path()) =>
            {
                collected.inputs.push(Input {
                    display: entry.path().display().to_string(),
                    path: Some(entry.path().to_path_buf()),
                    explicit: false,
                })
            }
            // A link to a file whose name is not a policy's is passed over like
            // any such file.
            Ok(entry)
                if entry.path_is_symlink()
                    && (entry.path().is_dir() || is_policy_source(entry.path())) =>
            {
                let path = entry.path();
                match followed(path, roots) {
                    Ok(()) => collected.inputs.push(Input {
                        display: path.display().to_string(),
                        path: Some(path.to_path_buf()),
                        explicit: false,
                    }),
                    Err(reason) => collected.skipped.push(SkippedLink {
                        display: path.display().to_string(),
                        reason,
                    }),
                }
            }
            Ok(_) => {}
            // The error names the path it is about.
            Err(error) => collected.failures.push(failure(
                dir.display().to_string(),
                format!("cannot read: {error}"),
            )),
        }
    }
}

/// Whether the link `path` leads to a file inside one of `roots`; if not, why.
fn followed(path: &Path, roots: &[PathBuf]) -> Result<(), String> {
    let target = std::fs::canonicalize(path).map_err(|e| {
        let to = std::fs::read_link(path)
            .map(|t| format!(" -> {}", t.display()))
            .unwrap_or_default();
        format!("broken link{to} ({e})")
    })?;
    if !roots.iter().any(|root| target.starts_with(root)) {
        return Err(format!(
            "leads to {}, outside the directories walked",
            target.display()
        ));
    }
    if target.is_dir() {
        // What it holds is walked where it is, inside the roots.
        return Err(format!(
            "a link to the directory {}, walked where it is",
            target.display()
        ));
    }
    Ok(())
}

fn is_policy_source(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(whittle_analysis::input::has_input_extension)
}

/// Reads an input as UTF-8 text (a leading byte-order mark is dropped).
pub fn read(input: &Input) -> Result<SourceFile, InputFailure> {
    // A FIFO or device is read like stdin: up to the same limit.
    let limit = whittle_model::limits::POLICY_INPUT;
    let result = match &input.path {
        Some(path) => limit.read(path),
        None => limit.read_from(std::io::stdin().lock()),
    };
    let bytes =
        result.map_err(|error| failure(input.display.clone(), format!("cannot read: {error}")))?;
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(failure_at(
            input.display.clone(),
            Position { line: 1, column: 1 },
            "UTF-16 text: whittle reads UTF-8 (convert it, e.g. `iconv -f UTF-16 -t UTF-8`)"
                .to_owned(),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
        failure_at(
            input.display.clone(),
            end_of(prefix),
            format!("not UTF-8 text (invalid byte at offset {valid})"),
        )
    })?;
    // An empty file met while walking is passed over like any unrecognised one.
    if input.explicit && text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(failure_at(
            input.display.clone(),
            Position { line: 1, column: 1 },
            "the file is empty".to_owned(),
        ));
    }
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    Ok(SourceFile::new(input.display.as_str(), text))
}

/// The position just after `text`: where the next character would be.
fn end_of(text: &str) -> Position {
    let line = text.matches('\n').count() + 1;
    let last = text.rfind('\n').map_or(text, |i| &text[i + 1..]);
    Position {
        line,
        column: last.chars().count() + 1,
    }
}

fn failure_at(path: String, position: Position, message: String) -> InputFailure {
    InputFailure {
        path: path.into(),
        position: Some(position),
        message,
    }
}

fn failure(path: String, message: String) -> InputFailure {
    InputFailure {
        path: path.into(),
        position: None,
        message,
    }
}
