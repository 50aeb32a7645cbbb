//! End-to-end tests of `whittle apply PLAN` and `whittle rollback PLAN`
//! against a real moto server (`support/moto.rs`).
//!
//! moto is seeded through the IAM API with a role holding a customer managed
//! policy and an inline policy, an unused role, a user and a group with inline
//! policies (the user in the group), and a managed policy with IAM's maximum
//! of 5 versions. A plan
//! built by hand uses every operation of `whittle.plan/v1`. The account's state
//! (every document, default version and attachment) is read before and after,
//! and must come back exactly after a rollback; a plan whose expectations no
//! longer hold must change nothing and exit 4; an interrupted apply resumes
//! and an interrupted one rolls back.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use aws_sdk_iam::Client;
use serde_json::{Value, json};
use whittle_model::{
    Expectation, KeyValue, Operation, Plan, PlanSource, Principal, Step, Tool, canonical_json,
    decode_document, document_sha256,
};

use crate::support::moto::{Moto, check, iam_client};

/// moto's default account.
const ACCOUNT: &str = "123456789012";
const ROLE: &str = "app";
const UNUSED_ROLE: &str = "ghost";
const USER: &str = "alice";
const GROUP: &str = "developers";
/// Attached to role/app; the plan replaces it with `TRIMMED`.
const BROAD: &str = "broad";
const TRIMMED: &str = "whittle-app-broad";
/// Has 5 versions, v5 the default.
const FIVE: &str = "five-versions";

fn arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:policy/{name}")
}

fn allow(action: &str, resource: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]
    })
}

fn trust() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    })
}

// ---- Seeding moto. ----

async fn seed(iam: &Client) {
    let created = iam
        .create_policy()
        .policy_name(BROAD)
        .policy_document(allow("s3:*", "*").to_string())
        .send()
        .await;
    check("CreatePolicy broad", created);
    let created = iam
        .create_policy()
        .policy_name(FIVE)
        .policy_document(allow("ec2:DescribeInstances", "*").to_string())
        .send()
        .await;
    check("CreatePolicy five", created);
    for n in 2..=5 {
        let action = format!("ec2:Describe{n}");
        let created = iam
            .create_policy_version()
            .policy_arn(arn(FIVE))
            .policy_document(allow(&action, "*").to_string())
            .set_as_default(true)
            .send()
            .await;
        check("CreatePolicyVersion", created);
    }
    for role in [ROLE, UNUSED_ROLE] {
        let created = iam
            .create_role()
            .role_name(role)
            .assume_role_policy_document(trust().to_string())
            .send()
            .await;
        check("CreateRole", created);
    }
    let put = iam
        .put_role_policy()
        .role_name(ROLE)
        .policy_name("app-inline")
        // A literal `%`: decoding twice would change the document's hash.
        .policy_document(allow("s3:GetObject", "arn:aws:s3:::reports/100%/*").to_string())
        .send()
        .await;
    check("PutRolePolicy", put);
    let attached = iam
        .attach_role_policy()
        .role_name(ROLE)
        .policy_arn(arn(BROAD))
        .send()
        .await;
    check("AttachRolePolicy", attached);
    check("CreateUser", iam.create_user().user_name(USER).send().await);
    check(
        "CreateGroup",
        iam.create_group().group_name(GROUP).send().await,
    );
    let put = iam
        .put_group_policy()
        .group_name(GROUP)
        .policy_name("developers-git")
        .policy_document(allow("codecommit:GitPull", "*").to_string())
        .send()
        .await;
    check("PutGroupPolicy", put);
    let added = iam
        .add_user_to_group()
        .user_name(USER)
        .group_name(GROUP)
        .send()
        .await;
    check("AddUserToGroup", added);
}

// ---- Reading the account's state, to compare before and after. ----

/// Every document, default version, attachment and tag the plan can touch.
async fn state(iam: &Client) -> Value {
    let mut policies = serde_json::Map::new();
    for name in [BROAD, FIVE, TRIMMED] {
        policies.insert(name.to_owned(), policy_state(iam, &arn(name)).await);
    }
    let role_inline = iam
        .get_role_policy()
        .role_name(ROLE)
        .policy_name("app-inline")
        .send()
        .await;
    let role_inline = decode_document(&check("GetRolePolicy", role_inline).policy_document);
    let role_inline_names = iam.list_role_policies().role_name(ROLE).send().await;
    let user_inline = iam.list_user_policies().user_name(USER).send().await;
    let group_inline = iam.list_group_policies().group_name(GROUP).send().await;
    let tags = iam.list_role_tags().role_name(ROLE).send().await;
    let tags: Vec<Value> = (check("ListRoleTags", tags).tags.into_iter())
        .map(|t| json!([t.key, t.value]))
        .collect();
    let ghost = match iam.get_role().role_name(UNUSED_ROLE).send().await {
        Ok(out) => out
            .role
            .and_then(|r| r.assume_role_policy_document)
            .map_or(Value::Null, |d| decode_document(&d)),
        Err(_) => json!("absent"),
    };
    json!({
        "policies": policies,
        "role_inline": canonical_json(&role_inline),
        "role_inline_names": check("ListRolePolicies", role_inline_names).policy_names,
        "user_inline": check("ListUserPolicies", user_inline).policy_names,
        "group_inline": check("ListGroupPolicies", group_inline).policy_names,
        "attached": {
            "role": attached(iam, Principal::role(ROLE)).await,
            "user": attached(iam, Principal::user(USER)).await,
        },
        "role_tags": tags,
        "ghost_trust": ghost,
        "user_groups": groups(iam).await,
    })
}

/// The groups user/alice is in.
async fn groups(iam: &Client) -> Vec<String> {
    let out = iam.list_groups_for_user().user_name(USER).send().await;
    let mut names: Vec<String> = (check("ListGroupsForUser", out).groups.into_iter())
        .map(|g| g.group_name)
        .collect();
    names.sort();
    names
}

/// A policy's default version id and document, and every version's document
/// (not their ids: a version re-created by a rollback gets a new one).
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
        let out = iam
            .get_policy_version()
            .policy_arn(policy_arn)
            .version_id(&id)
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

async fn attached(iam: &Client, principal: Principal) -> Vec<String> {
    let policies = match principal.kind {
        whittle_model::PrincipalKind::Role => {
            check(
                "ListAttachedRolePolicies",
                (iam.list_attached_role_policies().role_name(&principal.name))
                    .send()
                    .await,
            )
            .attached_policies
        }
        _ => {
            check(
                "ListAttachedUserPolicies",
                (iam.list_attached_user_policies().user_name(&principal.name))
                    .send()
                    .await,
            )
            .attached_policies
        }
    };
    let mut arns: Vec<String> = (policies.unwrap_or_default().into_iter())
        .filter_map(|p| p.policy_arn)
        .collect();
    arns.sort();
    arns
}

// ---- The plan, built by hand from what IAM holds now. ----

async fn version_document(iam: &Client, policy_arn: &str, id: &str) -> Value {
    let out = (iam
        .get_policy_version()
        .policy_arn(policy_arn)
        .version_id(id))
    .send()
    .await;
    let version = check("GetPolicyVersion", out).policy_version.unwrap();
    decode_document(version.document.as_deref().unwrap())
}

/// A plan using every operation: replace `broad` on role/app with a trimmed
/// copy, make room in `five-versions` and give it a new default (then another),
/// rewrite and add inline policies, tag role/app, delete role/ghost, take
/// user/alice out of group/developers.
async fn plan(iam: &Client) -> Plan {
    let listed = check(
        "ListPolicyVersions",
        iam.list_policy_versions()
            .policy_arn(arn(FIVE))
            .send()
            .await,
    );
    let mut versions: Vec<(String, bool)> = (listed.versions.unwrap_or_default().into_iter())
        .map(|v| (v.version_id.unwrap_or_default(), v.is_default_version))
        .collect();
    versions.sort_by_key(|(id, _)| id[1..].parse::<u32>().unwrap_or(0));
    let oldest = versions.iter().find(|(_, d)| !d).unwrap().0.clone();
    let second = versions
        .iter()
        .filter(|(_, d)| !d)
        .nth(1)
        .unwrap()
        .0
        .clone();
    let default = versions.iter().find(|(_, d)| *d).unwrap().0.clone();
    let oldest_doc = version_document(iam, &arn(FIVE), &oldest).await;
    let second_doc = version_document(iam, &arn(FIVE), &second).await;
    let default_doc = version_document(iam, &arn(FIVE), &default).await;
    let app_inline = decode_document(
        &check(
            "GetRolePolicy",
            (iam.get_role_policy()
                .role_name(ROLE)
                .policy_name("app-inline"))
            .send()
            .await,
        )
        .policy_document,
    );
    let git = allow("codecommit:GitPull", "*");
    let role = Principal::role(ROLE);
    let step = |id: &str, description: &str, operation, expect| Step {
        id: id.to_owned(),
        description: description.to_owned(),
        operation,
        expect,
    };
    let steps = vec![
        step(
            "create-trimmed",
            "create whittle-app-broad, broad trimmed to what role/app used",
            Operation::CreatePolicy {
                name: TRIMMED.into(),
                path: "/".into(),
                description: Some("broad, trimmed by whittle".into()),
                document: allow("s3:GetObject", "*"),
                tags: vec![KeyValue {
                    key: "whittle".into(),
                    value: "trimmed".into(),
                }],
            },
            vec![Expectation::PolicyAbsent {
                policy_arn: arn(TRIMMED),
            }],
        ),
        step(
            "attach-trimmed",
            "attach whittle-app-broad to role/app",
            Operation::AttachPolicy {
                principal: role.clone(),
                policy_arn: arn(TRIMMED),
            },
            vec![Expectation::NotAttached {
                principal: role.clone(),
                policy_arn: arn(TRIMMED),
            }],
        ),
        step(
            "detach-broad",
            "detach broad from role/app",
            Operation::DetachPolicy {
                principal: role.clone(),
                policy_arn: arn(BROAD),
            },
            vec![Expectation::Attached {
                principal: role.clone(),
                policy_arn: arn(BROAD),
            }],
        ),
        step(
            "attach-user",
            "attach whittle-app-broad to user/alice",
            Operation::AttachPolicy {
                principal: Principal::user(USER),
                policy_arn: arn(TRIMMED),
            },
            vec![],
        ),
        step(
            "make-room",
            "delete the oldest version of five-versions (IAM keeps 5)",
            Operation::DeletePolicyVersion {
                policy_arn: arn(FIVE),
                version_id: oldest.clone(),
                document: oldest_doc.clone(),
            },
            vec![Expectation::PolicyVersion {
                policy_arn: arn(FIVE),
                version_id: oldest,
                document_sha256: document_sha256(&oldest_doc),
            }],
        ),
        step(
            "new-version",
            "trim five-versions: a new default version",
            Operation::CreatePolicyVersion {
                policy_arn: arn(FIVE),
                document: allow("ec2:DescribeRegions", "*"),
                set_as_default: true,
            },
            vec![Expectation::PolicyDefault {
                policy_arn: arn(FIVE),
                version_id: default,
                document_sha256: document_sha256(&default_doc),
            }],
        ),
        step(
            "older-default",
            "make an older version of five-versions the default",
            Operation::SetDefaultPolicyVersion {
                policy_arn: arn(FIVE),
                version_id: second.clone(),
            },
            vec![Expectation::PolicyVersion {
                policy_arn: arn(FIVE),
                version_id: second,
                document_sha256: document_sha256(&second_doc),
            }],
        ),
        step(
            "trim-app-inline",
            "trim role/app's inline policy app-inline",
            Operation::PutInlinePolicy {
                principal: role.clone(),
                policy_name: "app-inline".into(),
                document: allow("s3:GetObject", "arn:aws:s3:::reports/100%/2026/*"),
                previous_document: Some(app_inline.clone()),
            },
            vec![Expectation::InlinePresent {
                principal: role.clone(),
                policy_name: "app-inline".into(),
                document_sha256: document_sha256(&app_inline),
            }],
        ),
        step(
            "add-user-inline",
            "give user/alice an inline policy",
            Operation::PutInlinePolicy {
                principal: Principal::user(USER),
                policy_name: "alice-reports".into(),
                document: allow("s3:ListBucket", "arn:aws:s3:::reports"),
                previous_document: None,
            },
            vec![Expectation::InlineAbsent {
                principal: Principal::user(USER),
                policy_name: "alice-reports".into(),
            }],
        ),
        step(
            "drop-group-inline",
            "delete group/developers's unused inline policy developers-git",
            Operation::DeleteInlinePolicy {
                principal: Principal::group(GROUP),
                policy_name: "developers-git".into(),
                document: git.clone(),
            },
            vec![Expectation::InlinePresent {
                principal: Principal::group(GROUP),
                policy_name: "developers-git".into(),
                document_sha256: document_sha256(&git),
            }],
        ),
        step(
            "tag-app",
            "tag role/app as trimmed",
            Operation::TagRole {
                role_name: ROLE.into(),
                tags: vec![KeyValue {
                    key: "whittle:trimmed".into(),
                    value: "2026-11-27".into(),
                }],
            },
            vec![Expectation::RoleExists {
                role_name: ROLE.into(),
            }],
        ),
        step(
            "delete-ghost",
            "delete the unused role/ghost",
            Operation::DeleteRole {
                role_name: UNUSED_ROLE.into(),
                path: "/".into(),
                assume_role_policy_document: trust(),
                description: None,
            },
            vec![Expectation::RoleExists {
                role_name: UNUSED_ROLE.into(),
            }],
        ),
        step(
            "leave-group",
            "remove user/alice from group/developers",
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

// ---- Running whittle. ----

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `whittle COMMAND PLAN ARGS…` against moto with dummy credentials, not started.
fn command(moto: &Moto, command: &str, plan: &Path, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("whittle"));
    cmd.arg(command)
        .arg(plan)
        .args(["--endpoint-url", &moto.endpoint(), "--max-attempts", "1"])
        .args(args)
        .env("WHITTLE_CACHE_DIR", plan.parent().unwrap())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    cmd
}

/// Runs `whittle COMMAND PLAN ARGS…` against moto to its end.
fn whittle(moto: &Moto, command_name: &str, plan: &Path, args: &[&str]) -> Run {
    let output = Command::from_std(command(moto, command_name, plan, args))
        .timeout(Duration::from_secs(60))
        .output()
        .expect("whittle runs");
    let run = Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

/// Runs whittle and requires exit 0.
fn ok(moto: &Moto, command: &str, plan: &Path, args: &[&str]) -> Run {
    let run = whittle(moto, command, plan, args);
    assert_eq!(
        run.code,
        Some(0),
        "whittle {command} {args:?}\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    run
}

/// A seeded moto, a runtime to read it, and a plan file for it.
struct Account {
    moto: Moto,
    iam: Client,
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

impl Account {
    fn seeded() -> Self {
        let moto = Moto::start();
        let iam = iam_client(&moto.endpoint());
        let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
        runtime.block_on(seed(&iam));
        let dir = tempfile::tempdir().expect("a temp dir");
        Self {
            moto,
            iam,
            runtime,
            dir,
        }
    }

    fn state(&self) -> Value {
        self.runtime.block_on(state(&self.iam))
    }

    /// Writes a plan for the account as it is now into `name`.
    fn plan(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        self.runtime
            .block_on(plan(&self.iam))
            .write(&path)
            .expect("the plan is written");
        path
    }

    /// Writes a plan for the account as it is now, followed by `extra` steps
    /// each giving role/app one more inline policy, into `name`.
    fn long_plan(&self, name: &str, extra: usize) -> PathBuf {
        let path = self.dir.path().join(name);
        let mut plan = self.runtime.block_on(plan(&self.iam));
        plan.steps.extend((0..extra).map(|n| {
            let policy_name = format!("app-extra-{n:02}");
            Step {
                id: format!("put-{policy_name}"),
                description: format!("give role/app an inline policy {policy_name}"),
                operation: Operation::PutInlinePolicy {
                    principal: Principal::role(ROLE),
                    policy_name: policy_name.clone(),
                    document: allow("s3:GetObject", &format!("arn:aws:s3:::extra-{n}/*")),
                    previous_document: None,
                },
                expect: vec![Expectation::InlineAbsent {
                    principal: Principal::role(ROLE),
                    policy_name,
                }],
            }
        }));
        plan.write(&path).expect("the plan is written");
        path
    }

    /// Starts `whittle apply PLAN --yes`, waits until its journal records at
    /// least `applied` steps, and kills it (SIGKILL).
    fn kill_apply_after(&self, plan: &Path, applied: usize) {
        let mut child = command(&self.moto, "apply", plan, &["--yes"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("whittle starts");
        let journal = whittle_model::journal_path(plan);
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let recorded = std::fs::read_to_string(&journal)
                .ok()
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                .map_or(0, |j| j["steps"].as_array().map_or(0, Vec::len));
            if recorded >= applied {
                break;
            }
            if let Some(status) = child.try_wait().expect("whittle can be waited on") {
                panic!(
                    "whittle apply exited ({status}) before its journal recorded {applied} steps"
                );
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the journal {} did not record {applied} steps within 60 s",
                journal.display()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().expect("whittle can be killed");
        child.wait().expect("whittle can be waited on");
    }

    fn journal_steps(&self, plan: &Path) -> Vec<Value> {
        let text = std::fs::read_to_string(whittle_model::journal_path(plan)).unwrap();
        let journal: Value = serde_json::from_str(&text).unwrap();
        journal["steps"].as_array().cloned().unwrap_or_default()
    }
}

// ---- The tests. ----

#[test]
fn apply_changes_nothing_without_yes_then_applies_and_rolls_back_exactly() {
    let account = Account::seeded();
    let before = account.state();
    let plan = account.plan("plan.json");

    let dry = ok(&account.moto, "apply", &plan, &[]);
    assert!(
        dry.stdout
            .contains("step detach-broad: detach broad from role/app"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout
            .contains("expects: role/app has arn:aws:iam::123456789012:policy/broad attached"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("13 steps to apply"), "{}", dry.stdout);
    assert_eq!(account.state(), before, "apply without --yes changed IAM");
    assert!(!whittle_model::journal_path(&plan).exists());

    let applied = ok(&account.moto, "apply", &plan, &["--yes"]);
    assert!(
        applied.stdout.contains("13 steps applied"),
        "{}",
        applied.stdout
    );
    let after = account.state();
    assert_eq!(after["attached"]["role"], json!([arn(TRIMMED)]));
    assert_eq!(after["attached"]["user"], json!([arn(TRIMMED)]));
    assert_eq!(after["policies"][TRIMMED]["default"]["id"], "v1");
    assert_eq!(
        after["policies"][FIVE]["documents"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(after["user_inline"], json!(["alice-reports"]));
    assert_eq!(after["group_inline"], json!([]));
    assert_eq!(
        after["role_tags"],
        json!([["whittle:trimmed", "2026-11-27"]])
    );
    assert_eq!(after["ghost_trust"], "absent");
    assert_eq!(after["user_groups"], json!([]));
    assert_eq!(before["user_groups"], json!([GROUP]));
    assert_eq!(
        after["role_inline"],
        canonical_json(&allow("s3:GetObject", "arn:aws:s3:::reports/100%/2026/*"))
    );
    let journal = account.journal_steps(&plan);
    assert_eq!(journal.len(), 13);
    assert_eq!(journal[0]["outcome"]["policy_arn"], arn(TRIMMED));

    let again = ok(&account.moto, "apply", &plan, &["--yes"]);
    assert!(
        again.stdout.contains("0 steps applied, 13 already applied"),
        "{}",
        again.stdout
    );
    assert_eq!(account.state(), after, "a second apply changed IAM");

    let dry = ok(&account.moto, "rollback", &plan, &[]);
    assert!(
        dry.stdout.contains("13 steps to roll back"),
        "{}",
        dry.stdout
    );
    assert_eq!(account.state(), after, "rollback without --yes changed IAM");

    let rolled = ok(&account.moto, "rollback", &plan, &["--yes"]);
    assert!(
        rolled.stdout.contains("13 steps rolled back"),
        "{}",
        rolled.stdout
    );
    assert_eq!(
        account.state(),
        before,
        "rollback did not restore the account"
    );
    assert_eq!(account.state()["user_groups"], json!([GROUP]));

    let again = ok(&account.moto, "rollback", &plan, &["--yes"]);
    assert!(
        again.stdout.contains("0 steps rolled back"),
        "{}",
        again.stdout
    );
    assert_eq!(account.state(), before, "a second rollback changed IAM");
}

#[test]
fn a_plan_whose_expectations_no_longer_hold_changes_nothing_and_exits_4() {
    let account = Account::seeded();
    let plan = account.plan("plan.json");
    // Someone edits role/app's inline policy after the plan was made; the step
    // that expects the old document is the eighth.
    let put = account.runtime.block_on(
        account
            .iam
            .put_role_policy()
            .role_name(ROLE)
            .policy_name("app-inline")
            .policy_document(allow("s3:*", "*").to_string())
            .send(),
    );
    check("PutRolePolicy", put);
    let changed = account.state();

    let run = whittle(&account.moto, "apply", &plan, &["--yes"]);
    assert_eq!(run.code, Some(4), "stderr:\n{}", run.stderr);
    assert!(
        run.stderr.contains(
            "step trim-app-inline: role/app's inline policy app-inline has another document"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("IAM changed since the plan was made"),
        "{}",
        run.stderr
    );
    assert_eq!(
        account.state(),
        changed,
        "apply changed IAM although the plan was stale"
    );
}

#[test]
fn an_interrupted_apply_resumes_and_an_interrupted_one_rolls_back() {
    let account = Account::seeded();
    let before = account.state();

    // Stopped after 4 steps, resumed, then a rollback stopped after 3 and resumed.
    let plan = account.plan("resumed.json");
    let first = ok(
        &account.moto,
        "apply",
        &plan,
        &["--yes", "--stop-after", "4"],
    );
    assert!(first.stdout.contains("stopped early"), "{}", first.stdout);
    assert_eq!(account.journal_steps(&plan).len(), 4);
    let dry = ok(&account.moto, "apply", &plan, &[]);
    assert!(
        dry.stdout.contains("step attach-user (applied)"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("9 steps to apply"), "{}", dry.stdout);
    let resumed = ok(&account.moto, "apply", &plan, &["--yes"]);
    assert!(
        resumed
            .stdout
            .contains("9 steps applied, 4 already applied"),
        "{}",
        resumed.stdout
    );
    assert_eq!(account.state()["ghost_trust"], "absent");
    ok(
        &account.moto,
        "rollback",
        &plan,
        &["--yes", "--stop-after", "3"],
    );
    ok(&account.moto, "rollback", &plan, &["--yes"]);
    assert_eq!(
        account.state(),
        before,
        "the resumed rollback did not restore the account"
    );

    // Another plan (five-versions' versions have new ids now), stopped after 6
    // steps and rolled back from there.
    let plan = account.plan("partial.json");
    ok(
        &account.moto,
        "apply",
        &plan,
        &["--yes", "--stop-after", "6"],
    );
    assert_ne!(account.state(), before);
    let rolled = ok(&account.moto, "rollback", &plan, &["--yes"]);
    assert!(
        rolled.stdout.contains("6 steps rolled back"),
        "{}",
        rolled.stdout
    );
    assert_eq!(
        account.state(),
        before,
        "rolling back a partly applied plan"
    );
}

#[test]
fn a_membership_restored_by_hand_is_already_undone_on_rollback() {
    let account = Account::seeded();
    let before = account.state();
    let plan = account.plan("plan.json");
    ok(&account.moto, "apply", &plan, &["--yes"]);
    assert_eq!(account.state()["user_groups"], json!([]));
    // Someone puts user/alice back into the group before the rollback.
    let added = account.runtime.block_on(
        account
            .iam
            .add_user_to_group()
            .user_name(USER)
            .group_name(GROUP)
            .send(),
    );
    check("AddUserToGroup", added);

    let rolled = ok(&account.moto, "rollback", &plan, &["--yes"]);
    assert!(
        rolled
            .stdout
            .contains("step leave-group was already undone in IAM"),
        "{}",
        rolled.stdout
    );
    assert!(
        rolled.stdout.contains("13 steps rolled back"),
        "{}",
        rolled.stdout
    );
    assert_eq!(account.state(), before, "rollback after a manual re-join");
}

#[test]
fn a_killed_apply_resumes_to_the_plan_s_end_state_or_rolls_back_to_the_seed() {
    // The end state: the same plan applied without interruption to an account
    // seeded the same way (moto numbers versions and names ARNs alike).
    let reference = Account::seeded();
    let plan = reference.long_plan("plan.json", 30);
    ok(&reference.moto, "apply", &plan, &["--yes"]);
    let end = reference.state();
    assert_eq!(end["role_inline_names"].as_array().unwrap().len(), 31);
    drop(reference);

    // A: killed mid-apply, then applied again.
    let account = Account::seeded();
    let plan = account.long_plan("plan.json", 30);
    account.kill_apply_after(&plan, 2);
    let journaled = account.journal_steps(&plan).len();
    assert!(journaled < 43, "the apply ended before it was killed");
    let resumed = ok(&account.moto, "apply", &plan, &["--yes"]);
    assert!(
        resumed
            .stdout
            .contains(&format!("{journaled} already applied")),
        "{}",
        resumed.stdout
    );
    assert_eq!(account.state(), end, "the resumed apply");
    assert_eq!(account.journal_steps(&plan).len(), 43);
    drop(account);

    // B: killed mid-apply, then rolled back.
    let account = Account::seeded();
    let before = account.state();
    let plan = account.long_plan("plan.json", 30);
    account.kill_apply_after(&plan, 2);
    ok(&account.moto, "rollback", &plan, &["--yes"]);
    assert_eq!(account.state(), before, "rolling back a killed apply");
}

#[test]
fn steps_applied_by_a_run_killed_before_its_journal_are_found_applied() {
    let account = Account::seeded();
    let before = account.state();
    let plan = account.plan("plan.json");
    let found = |run: &Run, step: &str| {
        let line = format!(
            "step {step} was found applied by an earlier run that stopped before writing its journal"
        );
        assert!(run.stdout.contains(&line), "{}", run.stdout);
    };
    let iam = &account.iam;
    // Each time, the IAM call of the next step is made here, as a run killed
    // between that call and its journal write leaves IAM.
    let created = account.runtime.block_on(
        iam.create_policy()
            .policy_name(TRIMMED)
            .path("/")
            .description("broad, trimmed by whittle")
            .policy_document(allow("s3:GetObject", "*").to_string())
            .tags(
                aws_sdk_iam::types::Tag::builder()
                    .key("whittle")
                    .value("trimmed")
                    .build()
                    .unwrap(),
            )
            .send(),
    );
    check("CreatePolicy", created);
    let run = ok(
        &account.moto,
        "apply",
        &plan,
        &["--yes", "--stop-after", "4"],
    );
    found(&run, "create-trimmed");
    assert!(run.stdout.contains("5 steps applied"), "{}", run.stdout);
    let journal = account.journal_steps(&plan);
    assert_eq!(journal[0]["outcome"]["policy_arn"], arn(TRIMMED));
    assert_eq!(
        journal[0]["note"],
        "found applied by an earlier run that stopped before writing its journal"
    );

    let created = account.runtime.block_on(
        iam.create_policy_version()
            .policy_arn(arn(FIVE))
            .policy_document(allow("ec2:DescribeRegions", "*").to_string())
            .set_as_default(true)
            .send(),
    );
    check("CreatePolicyVersion", created);
    let run = ok(
        &account.moto,
        "apply",
        &plan,
        &["--yes", "--stop-after", "1"],
    );
    found(&run, "new-version");
    let journal = account.journal_steps(&plan);
    let new_version = journal.iter().find(|s| s["id"] == "new-version").unwrap();
    assert_eq!(new_version["outcome"]["version_id"], "v6");
    assert_eq!(new_version["outcome"]["previous_default_version_id"], "v5");

    let put = account.runtime.block_on(
        iam.put_role_policy()
            .role_name(ROLE)
            .policy_name("app-inline")
            .policy_document(allow("s3:GetObject", "arn:aws:s3:::reports/100%/2026/*").to_string())
            .send(),
    );
    check("PutRolePolicy", put);
    let run = ok(&account.moto, "apply", &plan, &["--yes"]);
    found(&run, "trim-app-inline");
    assert!(
        run.stdout.contains("6 steps applied, 7 already applied"),
        "{}",
        run.stdout
    );
    assert_eq!(account.journal_steps(&plan).len(), 13);
    assert_eq!(account.state()["attached"]["role"], json!([arn(TRIMMED)]));

    let rolled = ok(&account.moto, "rollback", &plan, &["--yes"]);
    assert!(
        rolled.stdout.contains("13 steps rolled back"),
        "{}",
        rolled.stdout
    );
    assert_eq!(account.state(), before, "rolling back found steps");

    // A rollback after a run killed between detach-broad's call and its
    // journal undoes that step too.
    let plan = account.plan("again.json");
    ok(
        &account.moto,
        "apply",
        &plan,
        &["--yes", "--stop-after", "2"],
    );
    let detached = account.runtime.block_on(
        iam.detach_role_policy()
            .role_name(ROLE)
            .policy_arn(arn(BROAD))
            .send(),
    );
    check("DetachRolePolicy", detached);
    let rolled = ok(&account.moto, "rollback", &plan, &["--yes"]);
    found(&rolled, "detach-broad");
    assert!(
        rolled.stdout.contains("3 steps rolled back"),
        "{}",
        rolled.stdout
    );
    assert_eq!(account.state(), before, "rolling back a found step");
}

#[test]
fn a_rollback_killed_between_iam_and_its_journal_ends_where_the_plan_began() {
    let account = Account::seeded();
    let before = account.state();
    let plan = account.plan("plan.json");
    ok(&account.moto, "apply", &plan, &["--yes"]);
    // Undoes the seven newest steps; new-version (v6, the default, replacing
    // v5) is next.
    ok(
        &account.moto,
        "rollback",
        &plan,
        &["--yes", "--stop-after", "7"],
    );
    let iam = &account.iam;
    // Killed halfway through undoing new-version: v5 is the default again,
    // v6 not deleted yet.
    let set = account.runtime.block_on(
        iam.set_default_policy_version()
            .policy_arn(arn(FIVE))
            .version_id("v5")
            .send(),
    );
    check("SetDefaultPolicyVersion", set);
    let run = ok(
        &account.moto,
        "rollback",
        &plan,
        &["--yes", "--stop-after", "1"],
    );
    assert!(
        run.stdout.contains("rolled back step new-version"),
        "{}",
        run.stdout
    );
    let versions = account.state()["policies"][FIVE]["documents"].clone();
    assert_eq!(versions.as_array().unwrap().len(), 4, "v6 is deleted");

    // Killed after re-creating the version make-room deleted, before the
    // journal: the copy is not made twice.
    let oldest = allow("ec2:DescribeInstances", "*");
    let created = account.runtime.block_on(
        iam.create_policy_version()
            .policy_arn(arn(FIVE))
            .policy_document(oldest.to_string())
            .set_as_default(false)
            .send(),
    );
    check("CreatePolicyVersion", created);
    let run = ok(&account.moto, "rollback", &plan, &["--yes"]);
    assert!(
        run.stdout
            .contains("step make-room was already undone in IAM"),
        "{}",
        run.stdout
    );
    assert_eq!(account.state(), before, "the resumed rollback");
    let journal = account.journal_steps(&plan);
    let make_room = journal.iter().find(|s| s["id"] == "make-room").unwrap();
    assert_eq!(make_room["outcome"]["restored_version_id"], "v7");
}
