//! End-to-end test of `whittle apply PLAN --shell DIR`: the scripts it writes,
//! run with the real AWS CLI (installed beside moto by `scripts/install-moto`)
//! against a real moto server, from another working directory. IAM must change
//! as the plan says, and come back exactly (documents, default versions,
//! attachments, tags, the deleted role, group memberships) after rollback.sh.
//! Names use the
//! characters IAM allows besides letters (`+=,.@-_`) and IAM paths.

use std::path::Path;
use std::process::Command;

use aws_sdk_iam::Client;
use serde_json::{Value, json};
use whittle_model::{
    Expectation, KeyValue, Operation, Plan, PlanSource, Principal, Step, Tool, canonical_json,
    decode_document, document_sha256,
};

use crate::support::moto::{Moto, aws_cli, check, iam_client};

const ACCOUNT: &str = "123456789012";
const ROLE: &str = "app+=,.@-_";
const USER: &str = "alice@example.com";
const GROUP: &str = "dev+ops";
/// A group the user is not in; the plan adds the user to it.
const OTHER_GROUP: &str = "readers=,.@-_";
const GHOST: &str = "ghost";
/// At path /team/a/, attached to ROLE; the plan replaces it with TRIMMED.
const BROAD: &str = "broad";
const TRIMMED: &str = "whittle-app";
/// v1, v2 and v3 (the default).
const VERSIONS: &str = "versions";

fn arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:policy/team/a/{name}")
}

fn allow(action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
}

fn trust() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
}

async fn seed(iam: &Client) {
    for (name, action) in [(BROAD, "s3:*"), (VERSIONS, "ec2:Describe1")] {
        let out = (iam.create_policy().policy_name(name).path("/team/a/"))
            .policy_document(allow(action).to_string())
            .send()
            .await;
        check("CreatePolicy", out);
    }
    for n in 2..=3 {
        let out = (iam.create_policy_version().policy_arn(arn(VERSIONS)))
            .policy_document(allow(&format!("ec2:Describe{n}")).to_string())
            .set_as_default(true)
            .send()
            .await;
        check("CreatePolicyVersion", out);
    }
    let owner = aws_sdk_iam::types::Tag::builder()
        .key("owner")
        .value("team-a")
        .build()
        .unwrap();
    let out = (iam.create_role().role_name(ROLE))
        .assume_role_policy_document(trust().to_string())
        .tags(owner)
        .send()
        .await;
    check("CreateRole", out);
    let out = (iam.create_role().role_name(GHOST).path("/service/"))
        .assume_role_policy_document(trust().to_string())
        .send()
        .await;
    check("CreateRole ghost", out);
    let out = (iam
        .put_role_policy()
        .role_name(ROLE)
        .policy_name("reports.json"))
    .policy_document(allow("s3:GetObject").to_string())
    .send()
    .await;
    check("PutRolePolicy", out);
    let out = (iam.attach_role_policy().role_name(ROLE))
        .policy_arn(arn(BROAD))
        .send()
        .await;
    check("AttachRolePolicy", out);
    check("CreateUser", iam.create_user().user_name(USER).send().await);
    check(
        "CreateGroup",
        iam.create_group().group_name(GROUP).send().await,
    );
    let out = (iam.put_group_policy().group_name(GROUP).policy_name("git"))
        .policy_document(allow("codecommit:GitPull").to_string())
        .send()
        .await;
    check("PutGroupPolicy", out);
    check(
        "CreateGroup",
        iam.create_group().group_name(OTHER_GROUP).send().await,
    );
    let out = (iam.add_user_to_group().user_name(USER))
        .group_name(GROUP)
        .send()
        .await;
    check("AddUserToGroup", out);
}

/// Every document, default version, attachment and tag the plan touches.
async fn state(iam: &Client) -> Value {
    let mut policies = serde_json::Map::new();
    for name in [BROAD, VERSIONS, TRIMMED] {
        policies.insert(name.to_owned(), policy_state(iam, &arn(name)).await);
    }
    let out = (iam
        .get_role_policy()
        .role_name(ROLE)
        .policy_name("reports.json"))
    .send()
    .await;
    let inline = canonical_json(&decode_document(
        &check("GetRolePolicy", out).policy_document,
    ));
    let user_inline = iam.list_user_policies().user_name(USER).send().await;
    let group_inline = iam.list_group_policies().group_name(GROUP).send().await;
    let role_attached = iam
        .list_attached_role_policies()
        .role_name(ROLE)
        .send()
        .await;
    let user_attached = iam
        .list_attached_user_policies()
        .user_name(USER)
        .send()
        .await;
    let arns = |policies: Option<Vec<aws_sdk_iam::types::AttachedPolicy>>| {
        let mut arns: Vec<String> = (policies.unwrap_or_default().into_iter())
            .filter_map(|p| p.policy_arn)
            .collect();
        arns.sort();
        arns
    };
    let tags = iam.list_role_tags().role_name(ROLE).send().await;
    let mut tags: Vec<Value> = (check("ListRoleTags", tags).tags.into_iter())
        .map(|t| json!([t.key, t.value]))
        .collect();
    tags.sort_by_key(|t| t.to_string());
    let groups = iam.list_groups_for_user().user_name(USER).send().await;
    let mut groups: Vec<String> = (check("ListGroupsForUser", groups).groups.into_iter())
        .map(|g| g.group_name)
        .collect();
    groups.sort();
    let ghost = match iam.get_role().role_name(GHOST).send().await {
        Ok(out) => out.role.map_or(Value::Null, |r| {
            let trust = r.assume_role_policy_document.unwrap_or_default();
            json!([r.path, canonical_json(&decode_document(&trust))])
        }),
        Err(_) => json!("absent"),
    };
    json!({
        "policies": policies,
        "role_inline": inline,
        "user_inline": check("ListUserPolicies", user_inline).policy_names,
        "group_inline": check("ListGroupPolicies", group_inline).policy_names,
        "role_attached": arns(check("ListAttachedRolePolicies", role_attached).attached_policies),
        "user_attached": arns(check("ListAttachedUserPolicies", user_attached).attached_policies),
        "role_tags": tags,
        "ghost": ghost,
        "user_groups": groups,
    })
}

/// A policy's default version id and document, and its documents (not the
/// ids: a version re-created by a rollback gets a new one).
async fn policy_state(iam: &Client, policy_arn: &str) -> Value {
    let Ok(listed) = iam
        .list_policy_versions()
        .policy_arn(policy_arn)
        .send()
        .await
    else {
        return json!("absent");
    };
    let mut documents = Vec::new();
    let mut default = Value::Null;
    for version in listed.versions.unwrap_or_default() {
        let id = version.version_id.unwrap_or_default();
        let out = (iam
            .get_policy_version()
            .policy_arn(policy_arn)
            .version_id(&id))
        .send()
        .await;
        let version = check("GetPolicyVersion", out).policy_version.unwrap();
        let document = canonical_json(&decode_document(version.document.as_deref().unwrap()));
        if version.is_default_version {
            default = json!({"id": id, "document": document});
        }
        documents.push(document);
    }
    documents.sort();
    json!({"default": default, "documents": documents})
}

fn step(id: &str, description: &str, operation: Operation, expect: Vec<Expectation>) -> Step {
    Step {
        id: id.into(),
        description: description.into(),
        operation,
        expect,
    }
}

/// Every operation, on the seeded account.
fn plan() -> Plan {
    let role = Principal::role(ROLE);
    let steps = vec![
        step(
            "create",
            "create whittle-app, broad trimmed",
            Operation::CreatePolicy {
                name: TRIMMED.into(),
                path: "/team/a/".into(),
                description: Some("it's $(trimmed) by `whittle`".into()),
                document: allow("s3:GetObject"),
                tags: vec![KeyValue {
                    key: "whittle".into(),
                    value: "trimmed".into(),
                }],
            },
            vec![],
        ),
        step(
            "attach",
            "attach whittle-app to the role",
            Operation::AttachPolicy {
                principal: role.clone(),
                policy_arn: arn(TRIMMED),
            },
            vec![],
        ),
        step(
            "attach-user",
            "attach whittle-app to the user",
            Operation::AttachPolicy {
                principal: Principal::user(USER),
                policy_arn: arn(TRIMMED),
            },
            vec![],
        ),
        step(
            "detach",
            "detach broad from the role",
            Operation::DetachPolicy {
                principal: role.clone(),
                policy_arn: arn(BROAD),
            },
            vec![],
        ),
        step(
            "make-room",
            "delete v1 of versions",
            Operation::DeletePolicyVersion {
                policy_arn: arn(VERSIONS),
                version_id: "v1".into(),
                document: allow("ec2:Describe1"),
            },
            vec![],
        ),
        step(
            "new-version",
            "a new default version of versions",
            Operation::CreatePolicyVersion {
                policy_arn: arn(VERSIONS),
                document: allow("ec2:DescribeRegions"),
                set_as_default: true,
            },
            vec![Expectation::PolicyDefault {
                policy_arn: arn(VERSIONS),
                version_id: "v3".into(),
                document_sha256: document_sha256(&allow("ec2:Describe3")),
            }],
        ),
        step(
            "older-default",
            "make v2 the default",
            Operation::SetDefaultPolicyVersion {
                policy_arn: arn(VERSIONS),
                version_id: "v2".into(),
            },
            vec![],
        ),
        step(
            "trim-inline",
            "trim the role's inline policy",
            Operation::PutInlinePolicy {
                principal: role.clone(),
                policy_name: "reports.json".into(),
                document: allow("s3:GetObjectVersion"),
                previous_document: Some(allow("s3:GetObject")),
            },
            vec![],
        ),
        step(
            "add-inline",
            "give the user an inline policy",
            Operation::PutInlinePolicy {
                principal: Principal::user(USER),
                policy_name: "..".into(),
                document: allow("s3:ListBucket"),
                previous_document: None,
            },
            vec![],
        ),
        step(
            "drop-inline",
            "delete the group's inline policy",
            Operation::DeleteInlinePolicy {
                principal: Principal::group(GROUP),
                policy_name: "git".into(),
                document: allow("codecommit:GitPull"),
            },
            vec![],
        ),
        step(
            "tag",
            "tag the role",
            Operation::TagRole {
                role_name: ROLE.into(),
                tags: vec![
                    KeyValue {
                        key: "owner".into(),
                        value: "whittle".into(),
                    },
                    KeyValue {
                        key: "whittle:trimmed".into(),
                        value: "2026-11-27".into(),
                    },
                ],
            },
            vec![],
        ),
        step(
            "delete-ghost",
            "delete the unused role",
            Operation::DeleteRole {
                role_name: GHOST.into(),
                path: "/service/".into(),
                assume_role_policy_document: trust(),
                description: None,
            },
            vec![],
        ),
        step(
            "join",
            "add the user to the other group",
            Operation::AddUserToGroup {
                user_name: USER.into(),
                group_name: OTHER_GROUP.into(),
            },
            vec![],
        ),
        step(
            "leave",
            "remove the user from the group",
            Operation::RemoveUserFromGroup {
                user_name: USER.into(),
                group_name: GROUP.into(),
            },
            vec![Expectation::MemberOf {
                user_name: USER.into(),
                group_name: GROUP.into(),
            }],
        ),
    ];
    let tool = Tool {
        name: "whittle".into(),
        version: "test".into(),
        catalog: None,
    };
    let source = PlanSource {
        account_id: Some(ACCOUNT.into()),
        fetched_at: "2026-11-26T17:32:34Z".parse().unwrap(),
    };
    let mut plan = Plan::new(tool, Some(source));
    plan.steps = steps;
    plan
}

/// Runs a script written by whittle with the AWS CLI pointed at moto, from
/// `cwd`; requires exit 0.
fn run_script(moto: &Moto, script: &Path, cwd: &Path) -> String {
    let aws = aws_cli();
    let bin = aws.parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(script)
        .current_dir(cwd)
        .env("PATH", path)
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PAGER", "")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{} failed ({})\nstdout:\n{}\nstderr:\n{stderr}",
        script.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

#[test]
fn the_shell_scripts_apply_and_roll_back_a_plan_with_the_aws_cli() {
    aws_cli();
    let moto = Moto::start();
    let iam = iam_client(&moto.endpoint());
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(seed(&iam));
    let before = runtime.block_on(state(&iam));

    let temp = tempfile::tempdir().unwrap();
    let plan_path = temp.path().join("plan.json");
    plan().write(&plan_path).unwrap();
    let dir = temp.path().join("out/shell");
    let written = assert_cmd::Command::cargo_bin("whittle")
        .unwrap()
        .arg("apply")
        .arg(&plan_path)
        .arg("--shell")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        written.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    assert_eq!(runtime.block_on(state(&iam)), before, "--shell changed IAM");
    let elsewhere = temp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();

    run_script(&moto, &dir.join("apply.sh"), &elsewhere);
    let after = runtime.block_on(state(&iam));
    assert_eq!(after["role_attached"], json!([arn(TRIMMED)]));
    assert_eq!(after["user_attached"], json!([arn(TRIMMED)]));
    assert_eq!(
        after["policies"][TRIMMED]["default"]["document"],
        canonical_json(&allow("s3:GetObject"))
    );
    assert_eq!(after["policies"][VERSIONS]["default"]["id"], "v2");
    assert_eq!(
        after["policies"][VERSIONS]["documents"],
        json!([
            canonical_json(&allow("ec2:Describe2")),
            canonical_json(&allow("ec2:Describe3")),
            canonical_json(&allow("ec2:DescribeRegions")),
        ])
    );
    assert_eq!(
        after["role_inline"],
        canonical_json(&allow("s3:GetObjectVersion"))
    );
    assert_eq!(after["user_inline"], json!([".."]));
    assert_eq!(after["group_inline"], json!([]));
    assert_eq!(
        after["role_tags"],
        json!([["owner", "whittle"], ["whittle:trimmed", "2026-11-27"]])
    );
    assert_eq!(after["ghost"], "absent");
    assert_eq!(before["user_groups"], json!([GROUP]));
    assert_eq!(after["user_groups"], json!([OTHER_GROUP]));

    // A second run skips the applied steps.
    run_script(&moto, &dir.join("apply.sh"), &elsewhere);
    assert_eq!(runtime.block_on(state(&iam)), after, "apply.sh twice");

    run_script(&moto, &dir.join("rollback.sh"), &elsewhere);
    assert_eq!(
        runtime.block_on(state(&iam)),
        before,
        "rollback.sh did not restore the account"
    );
    run_script(&moto, &dir.join("rollback.sh"), &elsewhere);
    assert_eq!(runtime.block_on(state(&iam)), before, "rollback.sh twice");
}

fn write_shell(plan: &Path, dir: &Path) -> (Option<i32>, String) {
    let out = assert_cmd::Command::cargo_bin("whittle")
        .unwrap()
        .arg("apply")
        .arg(plan)
        .arg("--shell")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_shell_directory_holds_one_plan_and_its_scripts_are_executable() {
    use std::os::unix::fs::PermissionsExt;
    let temp = tempfile::tempdir().unwrap();
    let first = temp.path().join("first.json");
    plan().write(&first).unwrap();
    let mut other = plan();
    other.steps.truncate(1);
    let second = temp.path().join("second.json");
    other.write(&second).unwrap();
    let dir = temp.path().join("shell");

    assert_eq!(write_shell(&first, &dir).0, Some(0));
    for script in ["apply.sh", "rollback.sh"] {
        let mode = std::fs::metadata(dir.join(script))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755, "{script}");
    }
    assert!(dir.join("roles/app+=,.@-_/inline/reports%2Ejson").is_dir());
    // The same plan again is fine; another plan is refused and changes nothing.
    assert_eq!(write_shell(&first, &dir).0, Some(0));
    let apply = std::fs::read_to_string(dir.join("apply.sh")).unwrap();
    let (code, stderr) = write_shell(&second, &dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("holds the shell form of another plan"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("apply.sh")).unwrap(),
        apply
    );
    // So is a directory holding anything else.
    let (code, stderr) = write_shell(&second, temp.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("is not empty"), "{stderr}");
}
