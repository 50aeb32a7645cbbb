//! Finds and reads the input files named on the command line.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use whittle_analysis::InputFailure;
use whittle_syntax::SourceFile;

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

/// Expands the command-line paths: files as given, directories walked (sorted,
/// hidden entries skipped) for `*.json`, `*.yaml`, `*.yml` and `*.template`
/// (`*.tf.json` included); what each holds is recognised by content. Missing
/// paths are failures.
pub fn collect(paths: &[PathBuf]) -> (Vec<Input>, Vec<InputFailure>) {
    let mut inputs = Vec::new();
    let mut failures = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input {
                display: whittle_reporter::STDIN_PATH.to_owned(),
                path: None,
                explicit: true,
            });
        } else if path.is_dir() {
            walk(path, &mut inputs, &mut failures);
        } else if path.exists() {
            inputs.push(Input {
                display: path.display().to_string(),
                path: Some(path.clone()),
                explicit: true,
            });
        } else {
            failures.push(failure(
                path.display().to_string(),
                "no such file or directory".to_owned(),
            ));
        }
    }
    (inputs, failures)
}

fn walk(dir: &Path, inputs: &mut Vec<Input>, failures: &mut Vec<InputFailure>) {
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
                inputs.push(Input {
                    display: entry.path().display().to_string(),
                    path: Some(entry.path().to_path_buf()),
                    explicit: false,
                })
            }
            Ok(_) => {}
            // The error names the path it is about.
            Err(error) => failures.push(failure(
                dir.display().to_string(),
                format!("cannot read: {error}"),
            )),
        }
    }
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
    let text = String::from_utf8(bytes).map_err(|e| {
        failure(
            input.display.clone(),
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    Ok(SourceFile::new(input.display.as_str(), text))
}

fn failure(path: String, message: String) -> InputFailure {
    InputFailure {
        path: path.into(),
        position: None,
        message,
    }
}
