//! Embeds every rule file of the workspace's `rules/` directory, so adding a rule
//! means adding a file, not editing a list.

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
    let target = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rules.rs");
    fs::write(target, out).expect("OUT_DIR is writable");
}
