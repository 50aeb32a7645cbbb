//! The shell form of a plan: the file layout, apply.sh and rollback.sh of a
//! hand-built plan that uses every operation, with names that need quoting.

use std::process::Command;

use serde_json::{Value, json};
use whittle_model::{
    Expectation, KeyValue, Operation, Plan, PlanSource, Principal, Step, Tool, document_sha256,
};
use whittle_reporter::{PLAN_MARKER, ShellFile, plan_shell};

const ACCOUNT: &str = "123456789012";

fn arn(path_and_name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:policy{path_and_name}")
}

fn allow(action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
}

fn step(id: &str, description: &str, operation: Operation, expect: Vec<Expectation>) -> Step {
    Step {
        id: id.into(),
        description: description.into(),
        operation,
        expect,
    }
}

fn plan(account: Option<&str>) -> Plan {
    let role = Principal::role("app+=,.@-_");
    let five = arn("/team/a/five-versions");
    let steps = vec![
        step(
            "create",
            "create whittle-app's trimmed policy",
            Operation::CreatePolicy {
                name: "whittle-app".into(),
                path: "/team/a/".into(),
                description: Some("it's $(trimmed) by `whittle`".into()),
                document: allow("s3:GetObject"),
                tags: vec![KeyValue {
                    key: "whittle".into(),
                    value: "trimmed, on 2026-11-27".into(),
                }],
            },
            vec![Expectation::PolicyAbsent {
                policy_arn: arn("/team/a/whittle-app"),
            }],
        ),
        step(
            "attach",
            "attach it to role/app+=,.@-_",
            Operation::AttachPolicy {
                principal: role.clone(),
                policy_arn: arn("/team/a/whittle-app"),
            },
            vec![],
        ),
        step(
            "detach",
            "detach broad from user/alice@example.com",
            Operation::DetachPolicy {
                principal: Principal::user("alice@example.com"),
                policy_arn: arn("/broad"),
            },
            vec![],
        ),
        step(
            "make-room",
            "delete the oldest version",
            Operation::DeletePolicyVersion {
                policy_arn: five.clone(),
                version_id: "v1".into(),
                document: allow("ec2:Describe1"),
            },
            vec![],
        ),
        step(
            "new-version",
            "a new default version\nover two lines",
            Operation::CreatePolicyVersion {
                policy_arn: five.clone(),
                document: allow("ec2:DescribeRegions"),
                set_as_default: true,
            },
            vec![Expectation::PolicyDefault {
                policy_arn: five.clone(),
                version_id: "v5".into(),
                document_sha256: document_sha256(&allow("ec2:Describe5")),
            }],
        ),
        step(
            "spare-version",
            "a non-default version",
            Operation::CreatePolicyVersion {
                policy_arn: five.clone(),
                document: allow("ec2:DescribeVpcs"),
                set_as_default: false,
            },
            vec![],
        ),
        step(
            "older-default",
            "make v3 the default",
            Operation::SetDefaultPolicyVersion {
                policy_arn: five.clone(),
                version_id: "v3".into(),
            },
            vec![],
        ),
        step(
            "trim-inline",
            "trim role/app+=,.@-_'s inline policy",
            Operation::PutInlinePolicy {
                principal: role.clone(),
                policy_name: "it's inline".into(),
                document: allow("s3:GetObject"),
                previous_document: Some(allow("s3:*")),
            },
            vec![],
        ),
        step(
            "add-inline",
            "give group/developers an inline policy",
            Operation::PutInlinePolicy {
                principal: Principal::group("developers"),
                policy_name: "..".into(),
                document: allow("codecommit:GitPull"),
                previous_document: None,
            },
            vec![],
        ),
        step(
            "drop-inline",
            "delete user/alice@example.com's inline policy",
            Operation::DeleteInlinePolicy {
                principal: Principal::user("alice@example.com"),
                policy_name: "old.json".into(),
                document: allow("iam:*"),
            },
            vec![],
        ),
        step(
            "tag",
            "tag role/app+=,.@-_",
            Operation::TagRole {
                role_name: "app+=,.@-_".into(),
                tags: vec![
                    KeyValue {
                        key: "whittle:trimmed".into(),
                        value: "2026-11-27".into(),
                    },
                    KeyValue {
                        key: "owner".into(),
                        value: "team a".into(),
                    },
                ],
            },
            vec![],
        ),
        step(
            "delete-ghost",
            "delete the unused role/ghost",
            Operation::DeleteRole {
                role_name: "ghost".into(),
                path: "/service/".into(),
                assume_role_policy_document: json!({"Version": "2012-10-17", "Statement": []}),
                description: Some("unused since 2025".into()),
            },
            vec![],
        ),
        step(
            "join",
            "add user/alice@example.com to group/readers+=,.@-_",
            Operation::AddUserToGroup {
                user_name: "alice@example.com".into(),
                group_name: "readers+=,.@-_".into(),
            },
            vec![],
        ),
        step(
            "leave",
            "remove user/alice@example.com from group/developers",
            Operation::RemoveUserFromGroup {
                user_name: "alice@example.com".into(),
                group_name: "developers".into(),
            },
            vec![Expectation::MemberOf {
                user_name: "alice@example.com".into(),
                group_name: "developers".into(),
            }],
        ),
    ];
    let tool = Tool {
        name: "whittle".into(),
        version: "test".into(),
        catalog: None,
    };
    let mut plan = Plan::new(
        tool,
        Some(PlanSource {
            account_id: account.map(str::to_owned),
            fetched_at: "2026-11-26T17:32:34Z".parse().unwrap(),
        }),
    );
    plan.created_at = "2026-11-27T09:00:00Z".parse().unwrap();
    plan.steps = steps;
    plan
}

fn file<'a>(files: &'a [ShellFile], path: &str) -> &'a ShellFile {
    (files.iter().find(|f| f.path == path)).unwrap_or_else(|| panic!("no file {path}"))
}

#[test]
fn the_layout_has_a_folder_per_principal_and_policy() {
    let files = plan_shell(&plan(Some(ACCOUNT)));
    let layout: Vec<String> = (files.iter())
        .map(|f| format!("{}{}", f.path, if f.executable { " (0755)" } else { "" }))
        .collect();
    insta::assert_snapshot!(layout.join("\n"));
    for f in &files {
        assert!(!f.path.starts_with('/'), "{}", f.path);
        assert!(
            f.path
                .split('/')
                .all(|s| s != ".." && s != "." && !s.is_empty()),
            "{}",
            f.path
        );
    }
    let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), files.len(), "two files share a path");
}

#[test]
fn documents_are_the_plans_documents() {
    let files = plan_shell(&plan(Some(ACCOUNT)));
    let read =
        |path: &str| -> Value { serde_json::from_str(&file(&files, path).contents).unwrap() };
    assert_eq!(
        read("roles/app+=,.@-_/inline/it%27s%20inline/08-trim-inline.original.json"),
        allow("s3:*")
    );
    assert_eq!(
        read("policies/team/a/five-versions/05-new-version.json"),
        allow("ec2:DescribeRegions")
    );
    assert_eq!(
        file(&files, PLAN_MARKER).contents,
        format!("{}\n", plan(Some(ACCOUNT)).sha256())
    );
}

#[test]
fn apply_sh() {
    let files = plan_shell(&plan(Some(ACCOUNT)));
    insta::assert_snapshot!(file(&files, "apply.sh").contents);
}

#[test]
fn rollback_sh() {
    let files = plan_shell(&plan(Some(ACCOUNT)));
    insta::assert_snapshot!(file(&files, "rollback.sh").contents);
}

#[test]
fn a_user_leaving_a_group_is_added_back_and_one_joining_is_removed_tolerantly() {
    let files = plan_shell(&plan(Some(ACCOUNT)));
    let apply = &file(&files, "apply.sh").contents;
    let rollback = &file(&files, "rollback.sh").contents;
    assert!(
        apply.contains(
            "  aws iam remove-user-from-group --user-name alice@example.com --group-name developers\n"
        ),
        "{apply}"
    );
    assert!(
        apply.contains(
            "  aws iam add-user-to-group --user-name alice@example.com --group-name readers+=,.@-_\n"
        ),
        "{apply}"
    );
    assert!(
        rollback.contains(
            "  aws iam add-user-to-group --user-name alice@example.com --group-name developers\n"
        ),
        "{rollback}"
    );
    assert!(
        rollback.contains(
            "  undone_if NoSuchEntity aws iam remove-user-from-group --user-name alice@example.com --group-name readers+=,.@-_\n"
        ),
        "{rollback}"
    );
    // Newest first: the user rejoins developers before leaving readers.
    let rejoin = rollback.find("add-user-to-group").unwrap();
    let unjoin = rollback.find("remove-user-from-group").unwrap();
    assert!(rejoin < unjoin, "{rollback}");
}

#[test]
fn without_an_account_id_rollback_looks_it_up_once() {
    let files = plan_shell(&plan(None));
    let rollback = &file(&files, "rollback.sh").contents;
    assert_eq!(
        rollback
            .matches("account=$(aws sts get-caller-identity --query Account --output text)")
            .count(),
        1
    );
    assert!(
        rollback.contains(
            r#"aws iam delete-policy --policy-arn "arn:aws:iam::${account}":policy/team/a/whittle-app"#
        ),
        "{rollback}"
    );
    assert!(!file(&files, "apply.sh").contents.contains("sts"));
}

#[test]
fn both_scripts_pass_sh_n() {
    for account in [Some(ACCOUNT), None] {
        let files = plan_shell(&plan(account));
        for name in ["apply.sh", "rollback.sh"] {
            let out = Command::new("sh")
                .args(["-n", "-c", &file(&files, name).contents])
                .output()
                .expect("sh runs");
            assert!(
                out.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
