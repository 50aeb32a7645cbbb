//! The malformed-input corpus (`testdata/bad/`), plus inputs too large to
//! check in: each gives its documented exit code and an error (or finding) at
//! a line and column, never a panic, and the other files of a run are still
//! linted.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use crate::support::testdata;

/// A file of the corpus: the exit code linting it alone gives, where the
/// error (or finding) is, and what its message says.
struct Case {
    file: &'static str,
    code: i32,
    at: Option<(u64, u64)>,
    message: &'static str,
}

const CASES: &[Case] = &[
    Case {
        file: "alias-bomb.yaml",
        code: 2,
        at: Some((7, 25)),
        message: "aliases copy more than 32 MiB",
    },
    // A byte-order mark is dropped; the policy is fine.
    Case {
        file: "bom.json",
        code: 0,
        at: None,
        message: "",
    },
    Case {
        file: "deep-nesting.json",
        code: 2,
        at: Some((1, 550)),
        message: "maximum nesting depth exceeded",
    },
    Case {
        file: "duplicate-keys.json",
        code: 1,
        at: Some((2, 2)),
        message: "\"Statement\"",
    },
    Case {
        file: "empty.json",
        code: 2,
        at: Some((1, 1)),
        message: "the file is empty",
    },
    Case {
        file: "export-wrong-types.json",
        code: 2,
        at: Some((2, 107)),
        message: "must be a policy document",
    },
    Case {
        file: "invalid-utf8.json",
        code: 2,
        at: Some((2, 53)),
        message: "not UTF-8 text",
    },
    Case {
        file: "nul.json",
        code: 2,
        at: Some((2, 61)),
        message: "invalid JSON",
    },
    Case {
        file: "plan-truncated.json",
        code: 2,
        at: Some((1, 155)),
        message: "not valid JSON",
    },
    Case {
        file: "template-wrong-types.yaml",
        code: 2,
        at: Some((11, 23)),
        message: "not valid JSON",
    },
    Case {
        file: "truncated.json",
        code: 2,
        at: Some((1, 41)),
        message: "unterminated object",
    },
    Case {
        file: "utf16.json",
        code: 2,
        at: Some((1, 1)),
        message: "UTF-16 text",
    },
    Case {
        file: "wrong-types.json",
        code: 1,
        at: Some((2, 27)),
        message: "\"Effect\"",
    },
    Case {
        file: "yaml-tab.yaml",
        code: 2,
        at: Some((1, 1)),
        message: "not a policy document",
    },
];

const GOOD_ADMIN: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;

fn lint(paths: &[PathBuf]) -> (i32, Value, String) {
    let output = Command::cargo_bin("whittle")
        .unwrap()
        .env(
            "WHITTLE_CACHE_DIR",
            std::env::temp_dir().join("whittle-bad-inputs-cache"),
        )
        .args(["lint", "--format", "json"])
        .args(paths)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let code = output
        .status
        .code()
        .unwrap_or_else(|| panic!("killed: {stderr}"));
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stderr}"));
    (code, report, stderr)
}

/// The errors and findings of `report` about `file`, as (line, column, message).
fn problems(report: &Value, file: &Path) -> Vec<(Option<u64>, Option<u64>, String)> {
    let path = file.display().to_string();
    let errors = report["errors"].as_array().unwrap().iter().map(|e| {
        (
            e["path"].as_str(),
            e["line"].as_u64(),
            e["column"].as_u64(),
            e["message"].as_str(),
        )
    });
    let findings = report["findings"].as_array().unwrap().iter().map(|f| {
        let l = &f["location"];
        (
            l["path"].as_str(),
            l["line"].as_u64(),
            l["column"].as_u64(),
            f["message"].as_str(),
        )
    });
    errors
        .chain(findings)
        .filter(|(p, ..)| *p == Some(path.as_str()))
        .map(|(_, line, column, message)| (line, column, message.unwrap_or_default().to_owned()))
        .collect()
}

#[test]
fn every_malformed_input_fails_alone_at_a_position_and_spares_the_others() {
    let dir = testdata("bad");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let listed: Vec<&str> = CASES.iter().map(|c| c.file).collect();
    assert_eq!(
        names, listed,
        "every file of testdata/bad/ has a case, in order"
    );

    for case in CASES {
        let file = dir.join(case.file);
        let (code, report, stderr) = lint(std::slice::from_ref(&file));
        assert_eq!(code, case.code, "{}: {report} {stderr}", case.file);
        let found = problems(&report, &file);
        match case.at {
            None => assert!(found.is_empty(), "{}: {found:?}", case.file),
            Some((line, column)) => assert!(
                found.iter().any(|(l, c, m)| *l == Some(line)
                    && *c == Some(column)
                    && m.contains(case.message)),
                "{}: expected {line}:{column} {:?}, got {found:?}",
                case.file,
                case.message
            ),
        }
    }

    // All at once, with a good file among them: each bad one is reported,
    // and the good one is still linted.
    let scratch = tempfile::tempdir().unwrap();
    let good = scratch.path().join("admin.json");
    std::fs::write(&good, GOOD_ADMIN).unwrap();
    let mut paths: Vec<PathBuf> = CASES.iter().map(|c| dir.join(c.file)).collect();
    paths.push(good.clone());
    let (code, report, stderr) = lint(&paths);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        problems(&report, &good)
            .iter()
            .any(|(.., m)| m.contains("every action")),
        "{report}"
    );
    for case in CASES.iter().filter(|c| c.code == 2) {
        assert!(
            !problems(&report, &dir.join(case.file)).is_empty(),
            "{}",
            case.file
        );
    }
}

#[test]
fn inputs_too_large_to_check_in_fail_alone_with_a_position() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    // A 4 MB action name: reported, in a short message.
    let huge_action = write(
        "huge-action.json",
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:{}", "Resource": "*"}}]}}"#,
            "A".repeat(4 << 20)
        ),
    );
    // 100,000 levels of YAML nesting, and a long string aliased many times.
    let deep_yaml = write(
        "deep.yaml",
        format!(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n{}x\n",
            "- ".repeat(100_000)
        ),
    );
    let long_alias = write(
        "long-alias.yaml",
        format!(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nx: &s \"{}\"\nResources:\n  R: {{Type: AWS::IAM::Policy, Properties: {{PolicyDocument: {{Statement: [{}]}}}}}}\n",
            "y".repeat(1 << 20),
            vec!["*s"; 100].join(", ")
        ),
    );
    let good = write("admin.json", GOOD_ADMIN.to_owned());

    let (code, report, stderr) = lint(&[
        huge_action.clone(),
        deep_yaml.clone(),
        long_alias.clone(),
        good.clone(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    let action = problems(&report, &huge_action);
    assert!(
        action
            .iter()
            .any(|(l, c, m)| *l == Some(1) && *c == Some(71) && m.len() < 400),
        "{action:?}"
    );
    for (file, message) in [
        (&deep_yaml, "nests too deeply"),
        (&long_alias, "aliases copy more than"),
    ] {
        let found = problems(&report, file);
        assert!(
            found
                .iter()
                .any(|(l, c, m)| l.is_some() && c.is_some() && m.contains(message)),
            "{}: {found:?}",
            file.display()
        );
    }
    assert!(!problems(&report, &good).is_empty(), "{report}");
}
