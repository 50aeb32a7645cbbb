//! Embeds every rule file of the workspace's `rules/` directory and generates the
//! registry of checks from the files of `src/lint/checks/`, so adding a rule means
//! adding files (and the `mod` line rustfmt needs), not editing a list.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules_dir = manifest.join("../../rules");
    println!("cargo::rerun-if-changed={}", rules_dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&rules_dir)
        .expect("the workspace has a rules/ directory")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Every `rules/*.toml` file: (file name, contents).\npub(crate) static EMBEDDED_RULES: &[(&str, &str)] = &[\n",
    );
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("rule file names are UTF-8");
        let absolute = fs::canonicalize(&path).expect("rule files are readable");
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            absolute.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out_dir.join("rules.rs"), out).expect("OUT_DIR is writable");
    match registry(&manifest) {
        Ok(code) => fs::write(out_dir.join("checks.rs"), code).expect("OUT_DIR is writable"),
        Err(problems) => {
            for problem in problems {
                println!("cargo::error={problem}");
            }
        }
    }
}

/// Where the checks are, relative to the crate.
const CHECKS: &str = "src/lint/checks";

/// The directory of [`CHECKS`] that holds code shared by checks.
const HELPERS: &str = "helpers";

/// `pub fn all()`, pairing each check with its rule's name: every
/// `src/lint/checks/<rule_name>.rs` is the check of rule `<rule-name>` and
/// defines a unit struct named after the file (`full_admin_access.rs` →
/// `FullAdminAccess`) that implements `Check`. The checks' `mod` lines are
/// written in `mod.rs`, where rustfmt sees them; the error lists the files and
/// `mod` lines that do not match.
fn registry(manifest: &Path) -> Result<String, Vec<String>> {
    let dir = manifest.join(CHECKS);
    println!("cargo::rerun-if-changed={}", dir.display());
    let mod_rs =
        fs::read_to_string(dir.join("mod.rs")).expect("src/lint/checks/mod.rs is readable");
    let declared = declared_modules(&mod_rs);
    let mut checks = Vec::new();
    let mut problems = Vec::new();
    for entry in fs::read_dir(&dir).expect("src/lint/checks exists") {
        let path = entry.expect("src/lint/checks is readable").path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
            continue;
        };
        if path.is_dir() {
            if stem != HELPERS {
                problems.push(format!(
                    "{CHECKS}/{stem}/: a check is one file, {CHECKS}/<rule_name>.rs; code shared by checks goes in {CHECKS}/{HELPERS}/"
                ));
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") && stem != "mod" {
            if !declared.contains(&stem) {
                problems.push(format!(
                    "{CHECKS}/{stem}.rs: the check has no `mod {stem};` line in {CHECKS}/mod.rs: add it"
                ));
            }
            checks.push(stem);
        }
    }
    for module in &declared {
        if module != HELPERS && !checks.contains(module) {
            problems.push(format!(
                "{CHECKS}/mod.rs: `mod {module};` names no file {CHECKS}/{module}.rs: remove the line or add the file"
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    checks.sort();
    let mut out = String::from(
        "/// Every check compiled into whittle with the name of the rule it implements\n/// (its file's name in kebab-case), one per file of `src/lint/checks/`.\npub fn all() -> Vec<(&'static str, Box<dyn Check>)> {\n    vec![\n",
    );
    for module in &checks {
        let rule = module.replace('_', "-");
        writeln!(
            out,
            "        ({rule:?}, Box::new({module}::{})),",
            type_name(module)
        )
        .expect("writing to a String cannot fail");
    }
    out.push_str("    ]\n}\n");
    Ok(out)
}

/// The modules `mod.rs` declares with `mod <name>;` (any visibility).
fn declared_modules(mod_rs: &str) -> Vec<String> {
    mod_rs
        .lines()
        .map(str::trim)
        .filter_map(|line| {
            let line = line.strip_prefix("pub").map_or(line, |rest| {
                rest.trim_start_matches(|c: char| c != ' ').trim_start()
            });
            line.strip_prefix("mod ")?
                .strip_suffix(';')
                .map(|m| m.trim().to_owned())
        })
        .collect()
}

/// `full_admin_access` → `FullAdminAccess`.
fn type_name(module: &str) -> String {
    module
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
