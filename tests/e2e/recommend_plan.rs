//! End-to-end test of `whittle recommend --plan` against moto: a seeded
//! account is fetched, given last-accessed reports (moto's are not useful, so
//! they are written into the snapshot as IAM shapes them), planned, applied,
//! fetched again (the documents only lose access), rolled back and fetched
//! once more (every document, default version and attachment as before).

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use aws_sdk_iam::Client;
use serde_json::{Value, json};
use whittle_model::canonical_json;

use crate::support::moto::{Moto, check, iam_client};

const A: &str = "arn:aws:iam::123456789012";

fn allow(actions: &[&str]) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
        .to_string()
}

/// alice and bob (in group devs, which has team-read attached: alice leaves
/// it unused, bob uses it), role app with the inline policy app-inline and
/// policy five (5 versions, v5 the default) attached.
async fn seed(iam: &Client) {
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    check(
        "CreateUser",
        iam.create_user().user_name("alice").send().await,
    );
    check(
        "CreateUser",
        iam.create_user().user_name("bob").send().await,
    );
    check(
        "CreateGroup",
        iam.create_group().group_name("devs").send().await,
    );
    for user in ["alice", "bob"] {
        check(
            "AddUserToGroup",
            iam.add_user_to_group()
                .group_name("devs")
                .user_name(user)
                .send()
                .await,
        );
    }
    let created = iam
        .create_policy()
        .policy_name("team-read")
        .policy_document(allow(&["dynamodb:GetItem"]))
        .send()
        .await;
    check("CreatePolicy", created);
    let team = format!("{A}:policy/team-read");
    check(
        "AttachGroupPolicy",
        iam.attach_group_policy()
            .group_name("devs")
            .policy_arn(&team)
            .send()
            .await,
    );
    let role = iam
        .create_role()
        .role_name("app")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await;
    check("CreateRole", role);
    let inline = iam
        .put_role_policy()
        .role_name("app")
        .policy_name("app-inline")
        .policy_document(allow(&["s3:GetObject", "sqs:SendMessage"]))
        .send()
        .await;
    check("PutRolePolicy", inline);
    check(
        "CreatePolicy",
        iam.create_policy()
            .policy_name("five")
            .policy_document(allow(&["s3:ListBucket"]))
            .send()
            .await,
    );
    let five = format!("{A}:policy/five");
    for n in 2..=5 {
        let actions = if n == 5 {
            vec!["s3:GetObject", "dynamodb:GetItem"]
        } else {
            vec!["s3:ListBucket"]
        };
        let version = iam
            .create_policy_version()
            .policy_arn(&five)
            .policy_document(allow(&actions))
            .set_as_default(true)
            .send()
            .await;
        check("CreatePolicyVersion", version);
    }
    check(
        "AttachRolePolicy",
        iam.attach_role_policy()
            .role_name("app")
            .policy_arn(&five)
            .send()
            .await,
    );
}

fn whittle(moto: &Moto, dir: &Path, args: &[&str]) -> String {
    let output = Command::cargo_bin("whittle")
        .expect("the binary is built")
        .args(args)
        .env("WHITTLE_CACHE_DIR", dir)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_ENDPOINT_URL_STS", moto.endpoint())
        .env("AWS_ENDPOINT_URL_ORGANIZATIONS", moto.endpoint())
        .timeout(Duration::from_secs(120))
        .output()
        .expect("whittle runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() || args[0] == "fetch",
        "whittle {args:?}: {:?}\n{stdout}\n{stderr}",
        output.status.code()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    stdout
}

/// A fresh snapshot of moto's account at `path`, read back as JSON.
fn fetch(moto: &Moto, dir: &Path, name: &str) -> (PathBuf, Value) {
    let path = dir.join(name);
    let endpoint = moto.endpoint();
    let args = [
        "fetch",
        "--job-timeout",
        "5",
        "--poll-interval",
        "50",
        "--max-attempts",
        "1",
        "--endpoint-url",
        &endpoint,
        "--out",
        path.to_str().unwrap(),
    ];
    whittle(moto, dir, &args);
    let snapshot =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("a snapshot")).unwrap();
    (path, snapshot)
}

/// An action-level report as IAM shapes it: s3:GetObject used yesterday,
/// sqs not used in the tracking period, and dynamodb:GetItem used yesterday
/// when `dynamodb`, else dynamodb not used.
fn report(arn: &str, kind: &str, now: &str, yesterday: &str, dynamodb: bool) -> Value {
    let dynamodb = if dynamodb {
        json!({"ServiceName": "Amazon DynamoDB", "ServiceNamespace": "dynamodb", "LastAuthenticated": yesterday,
               "LastAuthenticatedEntity": arn, "TotalAuthenticatedEntities": 1,
               "TrackedActionsLastAccessed": [{"ActionName": "GetItem", "LastAccessedTime": yesterday, "LastAccessedEntity": arn}]})
    } else {
        json!({"ServiceName": "Amazon DynamoDB", "ServiceNamespace": "dynamodb", "TotalAuthenticatedEntities": 0})
    };
    json!({
        "arn": arn, "kind": kind, "job_id": format!("job-{kind}"),
        "last_accessed": {
            "JobStatus": "COMPLETED", "JobType": "ACTION_LEVEL",
            "JobCreationDate": now, "JobCompletionDate": now,
            "ServicesLastAccessed": [
                {"ServiceName": "Amazon S3", "ServiceNamespace": "s3", "LastAuthenticated": yesterday,
                 "LastAuthenticatedEntity": arn, "TotalAuthenticatedEntities": 1,
                 "TrackedActionsLastAccessed": [{"ActionName": "GetObject", "LastAccessedTime": yesterday, "LastAccessedEntity": arn},
                                                {"ActionName": "ListBucket"}]},
                {"ServiceName": "Amazon SQS", "ServiceNamespace": "sqs", "TotalAuthenticatedEntities": 0},
                dynamodb,
            ],
            "IsTruncated": false,
        },
        "entities": {},
        "api_calls": 2,
    })
}

/// Gives the snapshot reports for alice, bob and app, and principals created a
/// year ago (moto's are new, and new principals are not judged).
fn with_reports(mut snapshot: Value) -> Value {
    let now = jiff::Timestamp::now();
    let yesterday = (now - jiff::SignedDuration::from_hours(24)).to_string();
    let now = now.to_string();
    let details = &mut snapshot["authorization_details"];
    for list in ["UserDetailList", "RoleDetailList"] {
        for entity in details[list].as_array_mut().unwrap() {
            entity["CreateDate"] = json!("2025-01-01T00:00:00Z");
        }
    }
    snapshot["reports"] = json!([
        report(&format!("{A}:user/alice"), "user", &now, &yesterday, false),
        report(&format!("{A}:user/bob"), "user", &now, &yesterday, true),
        report(&format!("{A}:role/app"), "role", &now, &yesterday, false),
    ]);
    snapshot["errors"] = json!([]);
    snapshot
}

/// Every document, default version and attachment, without dates and ids.
fn state(snapshot: &Value) -> Value {
    let details = &snapshot["authorization_details"];
    let inline = |list: &Value| -> Vec<(String, String)> {
        let mut out: Vec<_> = list
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p["PolicyName"].as_str().unwrap().to_owned(),
                    canonical_json(&p["PolicyDocument"]),
                )
            })
            .collect();
        out.sort();
        out
    };
    let attached = |list: &Value| -> Vec<String> {
        let mut out: Vec<_> = list
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| a["PolicyArn"].as_str().unwrap().to_owned())
            .collect();
        out.sort();
        out
    };
    let principals = |list: &str, name: &str, inline_list: &str| -> Value {
        details[list].as_array().unwrap().iter().map(|p| json!({
            "name": p[name], "inline": inline(&p[inline_list]), "attached": attached(&p["AttachedManagedPolicies"]),
            "groups": p.get("GroupList"),
        })).collect()
    };
    let policies: Value = details["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let versions = p["PolicyVersionList"].as_array().unwrap();
            let mut documents: Vec<String> = versions
                .iter()
                .map(|v| canonical_json(&v["Document"]))
                .collect();
            documents.sort();
            let default = versions
                .iter()
                .find(|v| v["IsDefaultVersion"] == json!(true))
                .map(|v| canonical_json(&v["Document"]));
            json!({"arn": p["Arn"], "default": default, "documents": documents})
        })
        .collect();
    json!({
        "users": principals("UserDetailList", "UserName", "UserPolicyList"),
        "groups": principals("GroupDetailList", "GroupName", "GroupPolicyList"),
        "roles": principals("RoleDetailList", "RoleName", "RolePolicyList"),
        "policies": policies,
    })
}

/// Writes each default and inline document of `snapshot` into `dir`, one file each.
fn write_documents(snapshot: &Value, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let details = &snapshot["authorization_details"];
    for p in details["Policies"].as_array().unwrap() {
        let default = p["PolicyVersionList"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["IsDefaultVersion"] == json!(true))
            .unwrap();
        let name = format!("managed-{}.json", p["PolicyName"].as_str().unwrap());
        std::fs::write(dir.join(name), default["Document"].to_string()).unwrap();
    }
    for role in details["RoleDetailList"].as_array().unwrap() {
        for p in role["RolePolicyList"].as_array().into_iter().flatten() {
            let name = format!(
                "inline-{}-{}.json",
                role["RoleName"].as_str().unwrap(),
                p["PolicyName"].as_str().unwrap()
            );
            std::fs::write(dir.join(name), p["PolicyDocument"].to_string()).unwrap();
        }
    }
}

#[test]
fn a_recommended_plan_applies_only_removals_and_rolls_back_exactly() {
    let moto = Moto::start();
    let iam = iam_client(&moto.endpoint());
    tokio::runtime::Runtime::new().unwrap().block_on(seed(&iam));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (before_path, before) = fetch(&moto, dir, "before.json");
    let before = with_reports(before);
    std::fs::write(&before_path, before.to_string()).unwrap();

    let plan = dir.join("plan.json");
    let table = whittle(
        &moto,
        dir,
        &[
            "recommend",
            "--snapshot",
            before_path.to_str().unwrap(),
            "--grace-days",
            "0",
            "--plan",
            plan.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&plan).unwrap();
    let schema =
        crate::support::workspace_root().join("crates/whittle-model/schemas/plan.v1.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let written: Value = serde_json::from_str(&text).unwrap();
    assert!(validator.is_valid(&written), "{text}");
    let ids: Vec<&str> = written["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "put-inline:role/app:app-inline".to_owned(),
            format!("delete-policy-version:{A}:policy/five:v1"),
            format!("create-policy-version:{A}:policy/five"),
            // bob uses team-read, alice none of it: she alone leaves devs.
            "leave-group:user/alice:group/devs".to_owned(),
        ],
        "{table}"
    );
    assert!(table.contains("plan: 4 steps written to"), "{table}");
    assert!(
        table.contains("remove user/alice from group/devs, which keeps serving its other members"),
        "{table}"
    );

    let endpoint = moto.endpoint();
    let remote = [
        "--endpoint-url",
        endpoint.as_str(),
        "--max-attempts",
        "1",
        "--yes",
    ];
    whittle(
        &moto,
        dir,
        &[&["apply", plan.to_str().unwrap()][..], &remote].concat(),
    );
    let (_, applied) = fetch(&moto, dir, "applied.json");
    assert_ne!(state(&applied), state(&before));
    let groups = |snapshot: &Value, user: &str| {
        snapshot["authorization_details"]["UserDetailList"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["UserName"] == user)
            .unwrap()["GroupList"]
            .clone()
    };
    assert_eq!(groups(&applied, "alice"), json!([]));
    assert_eq!(groups(&applied, "bob"), json!(["devs"]));
    write_documents(&before, &dir.join("old"));
    write_documents(&applied, &dir.join("new"));
    let diff = whittle(
        &moto,
        dir,
        &[
            "diff",
            dir.join("old").to_str().unwrap(),
            dir.join("new").to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let diff: Value = serde_json::from_str(&diff).unwrap();
    assert_no_additions(&diff);
    assert!(diff.to_string().contains("sqs:SendMessage"), "{diff:#}");

    whittle(
        &moto,
        dir,
        &[&["rollback", plan.to_str().unwrap()][..], &remote].concat(),
    );
    let (_, after) = fetch(&moto, dir, "after.json");
    assert_eq!(state(&after), state(&before));
}

/// No `added` list and no `new_resources` in the diff document is non-empty.
fn assert_no_additions(value: &Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "added" || key == "new_resources" {
                    let empty = item.as_array().is_none_or(Vec::is_empty)
                        && item.as_object().is_none_or(serde_json::Map::is_empty);
                    assert!(empty, "{key}: {item}");
                }
                assert_no_additions(item);
            }
        }
        Value::Array(items) => items.iter().for_each(assert_no_additions),
        _ => {}
    }
}
