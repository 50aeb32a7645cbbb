//! The plan format: every operation and expectation serialises to JSON that
//! the checked-in schema (`schemas/plan.v1.schema.json`) accepts, reads back
//! unchanged, and journals are tied to their plan.

use serde_json::{Value, json};
use whittle_model::{
    Expectation, Journal, KeyValue, Operation, Plan, PlanError, PlanSource, Principal, Step, Tool,
    document_sha256,
};

const ARN: &str = "arn:aws:iam::123456789012:policy/app-access";

fn validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/plan.v1.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn document(action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
}

fn step(id: &str, operation: Operation, expect: Vec<Expectation>) -> Step {
    Step {
        id: id.to_owned(),
        description: format!("step {id}"),
        operation,
        expect,
    }
}

/// A plan with every operation and every expectation.
fn every_operation() -> Plan {
    let tool = Tool {
        name: "whittle".into(),
        version: "0.1.0".into(),
        catalog: None,
    };
    let source = PlanSource {
        account_id: Some("123456789012".into()),
        fetched_at: "2026-11-26T17:32:34Z".parse().unwrap(),
    };
    let mut plan = Plan::new(tool, Some(source));
    let app = Principal::role("app");
    let hash = document_sha256(&document("s3:*"));
    plan.steps = vec![
        step(
            "create",
            Operation::CreatePolicy {
                name: "whittle-app".into(),
                path: "/".into(),
                description: Some("trimmed".into()),
                document: document("s3:GetObject"),
                tags: vec![KeyValue {
                    key: "whittle".into(),
                    value: "1".into(),
                }],
            },
            vec![Expectation::PolicyAbsent {
                policy_arn: "arn:aws:iam::123456789012:policy/whittle-app".into(),
            }],
        ),
        step(
            "delete-v1",
            Operation::DeletePolicyVersion {
                policy_arn: ARN.into(),
                version_id: "v1".into(),
                document: document("s3:*"),
            },
            vec![Expectation::PolicyVersion {
                policy_arn: ARN.into(),
                version_id: "v1".into(),
                document_sha256: hash.clone(),
            }],
        ),
        step(
            "version",
            Operation::CreatePolicyVersion {
                policy_arn: ARN.into(),
                document: document("s3:GetObject"),
                set_as_default: true,
            },
            vec![Expectation::PolicyDefault {
                policy_arn: ARN.into(),
                version_id: "v5".into(),
                document_sha256: hash.clone(),
            }],
        ),
        step(
            "default",
            Operation::SetDefaultPolicyVersion {
                policy_arn: ARN.into(),
                version_id: "v2".into(),
            },
            vec![],
        ),
        step(
            "put",
            Operation::PutInlinePolicy {
                principal: Principal::user("alice"),
                policy_name: "uploads".into(),
                document: document("s3:PutObject"),
                previous_document: Some(document("s3:*")),
            },
            vec![Expectation::InlinePresent {
                principal: Principal::user("alice"),
                policy_name: "uploads".into(),
                document_sha256: hash,
            }],
        ),
        step(
            "delete-inline",
            Operation::DeleteInlinePolicy {
                principal: Principal::group("developers"),
                policy_name: "git".into(),
                document: document("codecommit:GitPull"),
            },
            vec![],
        ),
        step(
            "attach",
            Operation::AttachPolicy {
                principal: app.clone(),
                policy_arn: ARN.into(),
            },
            vec![Expectation::NotAttached {
                principal: app.clone(),
                policy_arn: ARN.into(),
            }],
        ),
        step(
            "detach",
            Operation::DetachPolicy {
                principal: app.clone(),
                policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
            },
            vec![Expectation::Attached {
                principal: app,
                policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
            }],
        ),
        step(
            "tag",
            Operation::TagRole {
                role_name: "app".into(),
                tags: vec![KeyValue {
                    key: "whittle:trimmed".into(),
                    value: "2026-11-27".into(),
                }],
            },
            vec![Expectation::RoleExists {
                role_name: "app".into(),
            }],
        ),
        step(
            "delete-role",
            Operation::DeleteRole {
                role_name: "ghost".into(),
                path: "/".into(),
                assume_role_policy_document: document("sts:AssumeRole"),
                description: None,
            },
            vec![
                Expectation::RoleExists {
                    role_name: "ghost".into(),
                },
                Expectation::InlineAbsent {
                    principal: Principal::role("ghost"),
                    policy_name: "x".into(),
                },
                Expectation::RoleTagged {
                    role_name: "ghost".into(),
                    tags: vec![],
                },
                Expectation::RoleAbsent {
                    role_name: "ghost2".into(),
                },
                Expectation::PolicyDefaultIs {
                    policy_arn: ARN.into(),
                    version_id: "v2".into(),
                },
                Expectation::PolicyVersionAbsent {
                    policy_arn: ARN.into(),
                    version_id: "v9".into(),
                },
            ],
        ),
        step(
            "join",
            Operation::AddUserToGroup {
                user_name: "alice".into(),
                group_name: "readers".into(),
            },
            vec![Expectation::NotMemberOf {
                user_name: "alice".into(),
                group_name: "readers".into(),
            }],
        ),
        step(
            "leave",
            Operation::RemoveUserFromGroup {
                user_name: "alice".into(),
                group_name: "developers".into(),
            },
            vec![Expectation::MemberOf {
                user_name: "alice".into(),
                group_name: "developers".into(),
            }],
        ),
    ];
    plan
}

#[test]
fn plans_with_every_operation_match_the_schema_and_round_trip() {
    let plan = every_operation();
    let value: Value = serde_json::from_str(&plan.to_json()).unwrap();
    let validator = validator();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(Plan::parse("plan.json", &plan.to_json()).unwrap(), plan);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    plan.write(&path).unwrap();
    assert_eq!(Plan::read(&path).unwrap(), plan);
}

#[test]
fn the_schema_rejects_url_encoded_documents_and_unknown_operations() {
    let validator = validator();
    let mut value: Value = serde_json::from_str(&every_operation().to_json()).unwrap();
    value["steps"][0]["operation"]["document"] = json!("%7B%22Version%22%3A%222012-10-17%22%7D");
    assert!(!validator.is_valid(&value));
    let mut value: Value = serde_json::from_str(&every_operation().to_json()).unwrap();
    value["steps"][0]["operation"]["op"] = json!("delete_account");
    assert!(!validator.is_valid(&value));
}

#[test]
fn the_schema_wants_both_names_of_a_membership() {
    let validator = validator();
    let plan = every_operation();
    let leave = plan.steps.iter().position(|s| s.id == "leave").unwrap();
    let mut value: Value = serde_json::from_str(&plan.to_json()).unwrap();
    assert!(validator.is_valid(&value));
    value["steps"][leave]["operation"]
        .as_object_mut()
        .unwrap()
        .remove("group_name");
    assert!(!validator.is_valid(&value), "an operation without a group");
    let mut value: Value = serde_json::from_str(&plan.to_json()).unwrap();
    value["steps"][leave]["expect"][0]["user_name"] = json!("");
    assert!(
        !validator.is_valid(&value),
        "an expectation with an empty user name"
    );
}

#[test]
fn duplicate_step_ids_and_other_schemas_are_refused() {
    let mut plan = every_operation();
    plan.steps[1].id = plan.steps[0].id.clone();
    let err = Plan::parse("plan.json", &plan.to_json()).unwrap_err();
    assert!(matches!(err, PlanError::DuplicateStep { .. }), "{err}");
    let err = Plan::parse("plan.json", r#"{"schema": "whittle.plan/v9"}"#).unwrap_err();
    assert!(err.to_string().contains("whittle.plan/v9"), "{err}");
}

#[test]
fn a_journal_belongs_to_one_plan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json.journal.json");
    let plan = every_operation();
    let journal = Journal::read_for(&path, &plan).unwrap();
    assert!(journal.steps.is_empty(), "no file: an empty journal");
    journal.write(&path).unwrap();
    assert_eq!(Journal::read_for(&path, &plan).unwrap(), journal);

    let mut edited = plan;
    edited.steps.pop();
    let err = Journal::read_for(&path, &edited).unwrap_err();
    assert!(matches!(err, PlanError::OtherPlan { .. }), "{err}");
}
