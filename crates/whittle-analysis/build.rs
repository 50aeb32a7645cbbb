//! Embeds every rule file of the workspace's `rules/` directory and registers
//! every check module of `src/lint/checks/`, so adding a rule means adding files,
//! not editing a list.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

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
    fs::write(
        out_dir.join("checks.rs"),
        checks(&manifest.join("src/lint/checks")),
    )
    .expect("OUT_DIR is writable");
}

/// One `mod` per `src/lint/checks/<rule_name>.rs` and a list of every check: each
/// file defines a unit struct named after the file (`full_admin_access.rs` →
/// `FullAdminAccess`) that implements `Check`.
fn checks(dir: &std::path::Path) -> String {
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut modules: Vec<String> = fs::read_dir(dir)
        .expect("src/lint/checks exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .filter_map(|path| path.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .filter(|stem| stem != "mod")
        .collect();
    modules.sort();
    let mut out = String::new();
    for module in &modules {
        let path =
            fs::canonicalize(dir.join(format!("{module}.rs"))).expect("check files are readable");
        writeln!(
            out,
            "#[path = {:?}]\nmod {module};",
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    out.push_str("\n/// Every check compiled into whittle, one per file of `src/lint/checks/`.\npub fn all() -> Vec<Box<dyn Check>> {\n    vec![\n");
    for module in &modules {
        let name: String = module
            .split('_')
            .map(|part| {
                let mut chars = part.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect();
        writeln!(out, "        Box::new({module}::{name}),")
            .expect("writing to a String cannot fail");
    }
    out.push_str("    ]\n}\n");
    out
}
