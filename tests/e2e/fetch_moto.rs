//! End-to-end test of `whittle fetch` against a real moto server (a local
//! IAM-compatible endpoint, `support/moto.rs`).
//!
//! An account of 260 roles, 3 users, 2 groups and 3 customer managed policies
//! (one with a second, default version) is created through the IAM API, then
//! fetched by the `whittle` binary. The snapshot must hold every principal and
//! policy with its inline and attached policies, documents decoded exactly once
//! (a literal `%` in a Resource survives), and the default version of each
//! policy. moto does not implement the last-accessed operations (it answers
//! HTTP 500), so the fetch is partial: exit code 3, no reports, one error per
//! user and role, and stderr names the principals left without data.
//!
//! moto answers GetAccountAuthorizationDetails in a single page whatever
//! MaxItems says, so paging itself is covered by the wire-level tests
//! (`crates/whittle-fetcher/tests/wire.rs`); here the 260 roles show that
//! nothing is lost at scale.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use aws_sdk_iam::Client;
use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use serde_json::{Value, json};

use crate::support::moto::{Moto, check, iam_client};

/// moto's default account.
const ACCOUNT: &str = "123456789012";
const ROLES: usize = 260;
/// A Resource with a literal `%`: decoding the document twice would mangle it.
const PERCENT_RESOURCE: &str = "arn:aws:s3:::reports/100%/*";
/// The customer managed policies; `read-reports` gets a second, default version.
const POLICIES: [&str; 3] = ["read-reports", "describe-ec2", "read-tables"];
const USERS: [&str; 3] = ["alice", "bob", "carol"];
const GROUPS: [&str; 2] = ["developers", "auditors"];
/// IAM calls in flight at once while the account is populated.
const POPULATE_CONCURRENCY: usize = 8;

#[test]
fn fetch_snapshots_a_moto_account_and_reports_principals_without_data() {
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(populate(&iam_client(&moto.endpoint())));

    let dir = tempfile::tempdir().expect("a temp dir");
    let out = dir.path().join("snap.json");
    let (code, stderr) = fetch(&moto.endpoint(), &out, dir.path());

    assert!(!stderr.contains("panicked"), "whittle panicked:\n{stderr}");
    assert_eq!(
        code,
        Some(3),
        "exit code should be 3 (partial); stderr:\n{stderr}"
    );
    let summary = format!(
        "{} principals without last-accessed data",
        USERS.len() + ROLES
    );
    assert!(
        stderr.contains(&summary),
        "stderr should say \"{summary}\":\n{stderr}"
    );
    assert!(
        stderr.contains(&role_arn(0)),
        "stderr should name {}:\n{stderr}",
        role_arn(0)
    );

    let text = std::fs::read_to_string(&out).expect("whittle wrote the snapshot");
    let snapshot: Value = serde_json::from_str(&text).expect("the snapshot is JSON");
    assert_eq!(snapshot["schema"], "whittle.snapshot/v1");
    // Every listing succeeded but moto runs no last-accessed job: not complete.
    assert_eq!(snapshot["complete"], false);
    assert_eq!(snapshot["account_id"], ACCOUNT);
    let api_calls = snapshot["stats"]["api_calls"].as_u64().unwrap_or(0);
    assert!(api_calls > 0, "stats.api_calls: {}", snapshot["stats"]);

    let details = &snapshot["authorization_details"];
    check_roles(details);
    check_users_and_groups(details);
    check_managed_policies(details);
    check_no_reports_and_one_error_per_principal(&snapshot);
}

// ---- The account: what is created, and so what the snapshot must hold. ----

fn role_name(i: usize) -> String {
    format!("role-{i:03}")
}

fn role_arn(i: usize) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{}", role_name(i))
}

fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

fn policy_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:policy/{name}")
}

/// A one-statement identity policy.
fn allow(action: &str, resource: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]
    })
}

fn trust_policy() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole"
        }]
    })
}

/// The versions of a managed policy, oldest first; the last one is the default.
fn policy_versions(name: &str) -> Vec<Value> {
    match name {
        "read-reports" => vec![
            allow("s3:ListBucket", "arn:aws:s3:::reports"),
            allow("s3:GetObject", "arn:aws:s3:::reports/*"),
        ],
        "describe-ec2" => vec![allow("ec2:Describe*", "*")],
        "read-tables" => vec![allow(
            "dynamodb:GetItem",
            &format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/*"),
        )],
        _ => unreachable!("no policy {name}"),
    }
}

/// Every tenth role has an inline policy; role-000's Resource has a literal `%`.
fn role_inline_policies(i: usize) -> BTreeMap<String, Value> {
    if !i.is_multiple_of(10) {
        return BTreeMap::new();
    }
    let resource = match i {
        0 => PERCENT_RESOURCE.to_owned(),
        _ => format!("arn:aws:s3:::bucket-{i:03}/*"),
    };
    BTreeMap::from([(format!("inline-{i:03}"), allow("s3:GetObject", &resource))])
}

/// Every seventh role has one of the managed policies attached, in turn.
fn role_attached_policies(i: usize) -> Vec<String> {
    match i % 7 {
        3 => vec![policy_arn(POLICIES[(i / 7) % POLICIES.len()])],
        _ => Vec::new(),
    }
}

/// alice has an inline policy; bob is in `developers`; carol has a managed policy.
fn user_inline_policies(name: &str) -> BTreeMap<String, Value> {
    match name {
        "alice" => BTreeMap::from([(
            "alice-uploads".to_owned(),
            allow("s3:PutObject", "arn:aws:s3:::uploads/alice/*"),
        )]),
        _ => BTreeMap::new(),
    }
}

fn user_attached_policies(name: &str) -> Vec<String> {
    match name {
        "carol" => vec![policy_arn("read-tables")],
        _ => Vec::new(),
    }
}

fn user_groups(name: &str) -> Vec<String> {
    match name {
        "bob" => vec!["developers".to_owned()],
        _ => Vec::new(),
    }
}

/// `developers` has an inline policy and a managed one; `auditors` has neither.
fn group_inline_policies(name: &str) -> BTreeMap<String, Value> {
    match name {
        "developers" => BTreeMap::from([(
            "developers-git".to_owned(),
            allow("codecommit:GitPull", "*"),
        )]),
        _ => BTreeMap::new(),
    }
}

fn group_attached_policies(name: &str) -> Vec<String> {
    match name {
        "developers" => vec![policy_arn("describe-ec2")],
        _ => Vec::new(),
    }
}

// ---- Populating moto through the IAM API. ----

async fn populate(iam: &Client) {
    for name in POLICIES {
        create_policy(iam, name).await;
    }
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..ROLES {
        if tasks.len() == POPULATE_CONCURRENCY {
            join(tasks.join_next().await);
        }
        tasks.spawn(create_role(iam.clone(), i));
    }
    while let Some(done) = tasks.join_next().await {
        join(Some(done));
    }
    for group in GROUPS {
        create_group(iam, group).await;
    }
    for user in USERS {
        create_user(iam, user).await;
    }
}

/// Re-raises the panic of a finished task, if it panicked.
fn join(done: Option<Result<(), tokio::task::JoinError>>) {
    if let Some(Err(e)) = done {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn create_policy(iam: &Client, name: &str) {
    let versions = policy_versions(name);
    let created = iam
        .create_policy()
        .policy_name(name)
        .policy_document(versions[0].to_string())
        .send()
        .await;
    check(&format!("CreatePolicy {name}"), created);
    for document in &versions[1..] {
        let created = iam
            .create_policy_version()
            .policy_arn(policy_arn(name))
            .policy_document(document.to_string())
            .set_as_default(true)
            .send()
            .await;
        check(&format!("CreatePolicyVersion {name}"), created);
    }
}

async fn create_role(iam: Client, i: usize) {
    let name = role_name(i);
    let created = iam
        .create_role()
        .role_name(&name)
        .assume_role_policy_document(trust_policy().to_string())
        .send()
        .await;
    check(&format!("CreateRole {name}"), created);
    for (policy, document) in role_inline_policies(i) {
        let put = iam
            .put_role_policy()
            .role_name(&name)
            .policy_name(policy)
            .policy_document(document.to_string())
            .send()
            .await;
        check(&format!("PutRolePolicy {name}"), put);
    }
    for arn in role_attached_policies(i) {
        let attached = iam
            .attach_role_policy()
            .role_name(&name)
            .policy_arn(arn)
            .send()
            .await;
        check(&format!("AttachRolePolicy {name}"), attached);
    }
}

async fn create_group(iam: &Client, name: &str) {
    check(
        &format!("CreateGroup {name}"),
        iam.create_group().group_name(name).send().await,
    );
    for (policy, document) in group_inline_policies(name) {
        let put = iam
            .put_group_policy()
            .group_name(name)
            .policy_name(policy)
            .policy_document(document.to_string())
            .send()
            .await;
        check(&format!("PutGroupPolicy {name}"), put);
    }
    for arn in group_attached_policies(name) {
        let attached = iam
            .attach_group_policy()
            .group_name(name)
            .policy_arn(arn)
            .send()
            .await;
        check(&format!("AttachGroupPolicy {name}"), attached);
    }
}

async fn create_user(iam: &Client, name: &str) {
    check(
        &format!("CreateUser {name}"),
        iam.create_user().user_name(name).send().await,
    );
    for (policy, document) in user_inline_policies(name) {
        let put = iam
            .put_user_policy()
            .user_name(name)
            .policy_name(policy)
            .policy_document(document.to_string())
            .send()
            .await;
        check(&format!("PutUserPolicy {name}"), put);
    }
    for arn in user_attached_policies(name) {
        let attached = iam
            .attach_user_policy()
            .user_name(name)
            .policy_arn(arn)
            .send()
            .await;
        check(&format!("AttachUserPolicy {name}"), attached);
    }
    for group in user_groups(name) {
        let added = iam
            .add_user_to_group()
            .group_name(group)
            .user_name(name)
            .send()
            .await;
        check(&format!("AddUserToGroup {name}"), added);
    }
}

// ---- Running `whittle fetch`. ----

/// Runs `whittle fetch` against `endpoint` with dummy credentials and nothing
/// from the user's AWS configuration; returns the exit code and stderr.
fn fetch(endpoint: &str, out: &Path, cache: &Path) -> (Option<i32>, String) {
    let mut command = whittle(endpoint, cache);
    command.args(["--endpoint-url", endpoint, "--out"]).arg(out);
    run(command)
}

/// `whittle fetch` with dummy credentials and nothing from the machine's AWS setup.
fn whittle(endpoint: &str, cache: &Path) -> Command {
    let mut command = Command::cargo_bin("whittle").expect("the binary is built");
    command
        .args(["fetch", "--job-timeout", "5", "--poll-interval", "50"])
        // moto's 500s would otherwise be retried by the SDK.
        .args(["--max-attempts", "1", "--concurrency", "16"])
        .env("WHITTLE_CACHE_DIR", cache)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        // Only STS and Organizations: IAM's endpoint is the --endpoint-url under test.
        .env("AWS_ENDPOINT_URL_STS", endpoint)
        .env("AWS_ENDPOINT_URL_ORGANIZATIONS", endpoint)
        .timeout(Duration::from_secs(120));
    command
}

fn run(mut command: Command) -> (Option<i32>, String) {
    let output = command.output().expect("whittle runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `--organization` lists the accounts through Organizations and fetches each
/// with the role assumed there, one snapshot per account.
#[test]
fn fetch_covers_every_account_of_an_organization() {
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let members = runtime.block_on(organization(&moto.endpoint()));
    let dir = tempfile::tempdir().expect("a temp dir");
    let out_dir = dir.path().join("accounts");
    let mut command = whittle(&moto.endpoint(), dir.path());
    command
        .args([
            "--organization",
            "--role-name",
            "OrganizationAccountAccessRole",
        ])
        .args(["--endpoint-url", &moto.endpoint(), "--out-dir"])
        .arg(&out_dir);
    let (code, stderr) = run(command);
    // Each member account holds OrganizationAccountAccessRole, and moto runs no
    // last-accessed jobs: partial.
    assert_eq!(code, Some(3), "{stderr}");
    let expected = members.len() + 1;
    assert!(
        stderr.contains(&format!("{expected} of {expected} accounts fetched")),
        "{stderr}"
    );
    for account in members.iter().chain([&ACCOUNT.to_owned()]) {
        let path = out_dir.join(format!("{account}.json"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}\n{stderr}", path.display()));
        let snapshot: Value = serde_json::from_str(&text).expect("the snapshot is JSON");
        assert_eq!(snapshot["account_id"], account.as_str());
        // Complete exactly when nothing failed.
        let failed = snapshot["errors"].as_array().is_some_and(|e| !e.is_empty());
        assert_eq!(snapshot["complete"], !failed);
        // The data is the account's own: moto keeps accounts apart by the
        // assumed role's credentials.
        let roles = snapshot["authorization_details"]["RoleDetailList"]
            .as_array()
            .expect("a role list");
        let expected: Vec<String> = if account == ACCOUNT {
            Vec::new()
        } else {
            vec![format!(
                "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
            )]
        };
        let arns: Vec<&str> = roles.iter().filter_map(|r| r["Arn"].as_str()).collect();
        assert_eq!(arns, expected, "{account}");
    }
}

/// Creates an organisation with two member accounts; returns their ids.
async fn organization(endpoint: &str) -> Vec<String> {
    let config = aws_sdk_organizations::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .endpoint_url(endpoint)
        .build();
    let org = aws_sdk_organizations::Client::from_conf(config);
    check(
        "CreateOrganization",
        org.create_organization()
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .send()
            .await,
    );
    let mut ids = Vec::new();
    for name in ["payments", "sandbox"] {
        let created = check(
            "CreateAccount",
            org.create_account()
                .account_name(name)
                .email(format!("{name}@example.com"))
                .send()
                .await,
        );
        let status = created.create_account_status.expect("a status");
        ids.push(status.account_id.expect("moto creates accounts at once"));
    }
    ids
}

// ---- Checking the snapshot. ----

/// The entry of `list` whose `key` is `value`.
fn find<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    let entries = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"));
    entries
        .iter()
        .find(|entry| entry[key] == value)
        .unwrap_or_else(|| panic!("no entry with {key} {value:?}"))
}

/// Inline policies by name, with their documents.
fn inline_policies(principal: &Value, list: &str) -> BTreeMap<String, Value> {
    let policies = principal[list]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    policies
        .iter()
        .map(|p| {
            let name = p["PolicyName"]
                .as_str()
                .expect("inline policies have names");
            (name.to_owned(), p["PolicyDocument"].clone())
        })
        .collect()
}

/// ARNs of the attached managed policies.
fn attached_policies(principal: &Value) -> Vec<String> {
    let attached = principal["AttachedManagedPolicies"].as_array();
    let mut arns: Vec<String> = attached
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|p| {
            p["PolicyArn"]
                .as_str()
                .expect("PolicyArn is a string")
                .to_owned()
        })
        .collect();
    arns.sort();
    arns
}

fn count(details: &Value, list: &str) -> usize {
    details[list].as_array().map_or(0, Vec::len)
}

fn check_roles(details: &Value) {
    assert_eq!(count(details, "RoleDetailList"), ROLES, "RoleDetailList");
    for i in 0..ROLES {
        let name = role_name(i);
        let role = find(&details["RoleDetailList"], "RoleName", &name);
        assert_eq!(role["Arn"], role_arn(i), "{name}'s ARN");
        assert_eq!(
            role["AssumeRolePolicyDocument"],
            trust_policy(),
            "{name}'s trust policy"
        );
        assert_eq!(
            inline_policies(role, "RolePolicyList"),
            role_inline_policies(i),
            "{name}'s inline policies"
        );
        assert_eq!(
            attached_policies(role),
            role_attached_policies(i),
            "{name}'s attached policies"
        );
    }
    let percent = find(&details["RoleDetailList"], "RoleName", "role-000");
    assert_eq!(
        percent["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Resource"],
        PERCENT_RESOURCE,
        "a literal % is kept (documents are decoded exactly once)"
    );
}

fn check_users_and_groups(details: &Value) {
    assert_eq!(
        count(details, "UserDetailList"),
        USERS.len(),
        "UserDetailList"
    );
    for name in USERS {
        let user = find(&details["UserDetailList"], "UserName", name);
        assert_eq!(user["Arn"], user_arn(name), "{name}'s ARN");
        assert_eq!(
            inline_policies(user, "UserPolicyList"),
            user_inline_policies(name),
            "{name}'s inline policies"
        );
        assert_eq!(
            attached_policies(user),
            user_attached_policies(name),
            "{name}'s attached policies"
        );
        assert_eq!(
            user["GroupList"],
            json!(user_groups(name)),
            "{name}'s groups"
        );
    }
    assert_eq!(
        count(details, "GroupDetailList"),
        GROUPS.len(),
        "GroupDetailList"
    );
    for name in GROUPS {
        let group = find(&details["GroupDetailList"], "GroupName", name);
        assert_eq!(
            inline_policies(group, "GroupPolicyList"),
            group_inline_policies(name),
            "{name}'s inline policies"
        );
        assert_eq!(
            attached_policies(group),
            group_attached_policies(name),
            "{name}'s attached policies"
        );
    }
}

fn check_managed_policies(details: &Value) {
    for name in POLICIES {
        // moto leaves PolicyName out of GetAccountAuthorizationDetails: find by ARN.
        let policy = find(&details["Policies"], "Arn", &policy_arn(name));
        let expected = policy_versions(name);
        let versions = policy["PolicyVersionList"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has no PolicyVersionList: {policy}"));
        assert_eq!(
            versions.len(),
            expected.len(),
            "{name}'s versions: {policy}"
        );
        for (n, document) in expected.iter().enumerate() {
            let id = format!("v{}", n + 1);
            let version = find(&policy["PolicyVersionList"], "VersionId", &id);
            assert_eq!(&version["Document"], document, "{name} {id}'s document");
        }
        let default_id = format!("v{}", expected.len());
        assert_eq!(
            policy["DefaultVersionId"], default_id,
            "{name}'s default version"
        );
        let default = versions
            .iter()
            .find(|v| v["IsDefaultVersion"] == true)
            .unwrap_or_else(|| panic!("{name} has no default version: {policy}"));
        assert_eq!(default["VersionId"], default_id, "{name}'s default version");
        assert_eq!(
            &default["Document"],
            expected.last().unwrap(),
            "{name}'s default document"
        );
    }
}

fn check_no_reports_and_one_error_per_principal(snapshot: &Value) {
    assert_eq!(
        snapshot["reports"],
        json!([]),
        "moto has no last-accessed data"
    );
    let errors = snapshot["errors"].as_array().expect("errors is a list");
    let mut arns: Vec<&str> = errors
        .iter()
        .map(|error| {
            assert_eq!(
                error["operation"], "GenerateServiceLastAccessedDetails",
                "{error}"
            );
            error["arn"]
                .as_str()
                .unwrap_or_else(|| panic!("an error without an ARN: {error}"))
        })
        .collect();
    arns.sort_unstable();
    let mut principals: Vec<String> = USERS.iter().map(|u| user_arn(u)).collect();
    principals.extend((0..ROLES).map(role_arn));
    principals.sort_unstable();
    assert_eq!(
        errors.len(),
        USERS.len() + ROLES,
        "one error per user and role"
    );
    assert_eq!(arns, principals, "the errors name every user and role once");
}
