//! The plan simulator: a plan applied and rolled back in memory gives the
//! account back (a property over generated plans on a small account), a step
//! whose expectations do not hold stops the simulation with the step's id, and
//! each operation changes the account as IAM would.

use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::{Value, json};
use whittle_model::{
    AuthorizationDetails, Expectation, KeyValue, Operation, Plan, PlanSource, Principal,
    PrincipalKind, SimulateError, Step, Tool, canonical_json, document_sha256, holds, simulate,
    simulate_rollback,
};

const A: &str = "arn:aws:iam::123456789012";
const ROAC: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

fn allow(action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
}

fn at() -> Timestamp {
    "2026-12-01T12:00:00Z".parse().unwrap()
}

/// Users alice (in devs) and bob, groups devs and ops, roles app and idle,
/// policy/deploy with versions v1..v3 (v3 the default) attached to role/app and
/// group/devs, ReadOnlyAccess attached to user/bob, inline policies.
fn account() -> AuthorizationDetails {
    let link = |arn: &str| json!({"PolicyName": arn.rsplit('/').next().unwrap(), "PolicyArn": arn});
    let deploy = format!("{A}:policy/deploy");
    let version = |n: u32| {
        json!({"VersionId": format!("v{n}"), "IsDefaultVersion": n == 3,
                                  "Document": allow(&format!("ec2:Describe{n}"))})
    };
    serde_json::from_value(json!({
        "UserDetailList": [
            {"UserName": "alice", "Arn": format!("{A}:user/alice"), "GroupList": ["devs"],
             "UserPolicyList": [{"PolicyName": "scratch", "PolicyDocument": allow("s3:GetObject")}]},
            {"UserName": "bob", "Arn": format!("{A}:user/bob"), "AttachedManagedPolicies": [link(ROAC)]},
        ],
        "GroupDetailList": [
            {"GroupName": "devs", "Arn": format!("{A}:group/devs"), "AttachedManagedPolicies": [link(&deploy)]},
            {"GroupName": "ops", "Arn": format!("{A}:group/ops"),
             "GroupPolicyList": [{"PolicyName": "git", "PolicyDocument": allow("codecommit:GitPull")}]},
        ],
        "RoleDetailList": [
            {"RoleName": "app", "Path": "/", "Arn": format!("{A}:role/app"), "AttachedManagedPolicies": [link(&deploy)],
             "Tags": [{"Key": "owner", "Value": "team-a"}], "AssumeRolePolicyDocument": allow("sts:AssumeRole")},
            {"RoleName": "idle", "Path": "/", "Arn": format!("{A}:role/idle"), "AssumeRolePolicyDocument": allow("sts:AssumeRole")},
        ],
        "Policies": [
            {"PolicyName": "deploy", "Arn": deploy, "Path": "/", "DefaultVersionId": "v3", "AttachmentCount": 2,
             "PolicyVersionList": [version(1), version(2), version(3)]},
            {"PolicyName": "ReadOnlyAccess", "Arn": ROAC, "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1,
             "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": allow("s3:Get*")}]},
        ],
    }))
    .unwrap()
}

fn plan(steps: Vec<Step>) -> Plan {
    let tool = Tool {
        name: "whittle".into(),
        version: "test".into(),
        catalog: None,
    };
    let source = PlanSource {
        account_id: Some("123456789012".into()),
        fetched_at: at(),
    };
    let mut plan = Plan::new(tool, Some(source));
    plan.steps = steps;
    plan
}

fn step(id: &str, operation: Operation, expect: Vec<Expectation>) -> Step {
    Step {
        id: id.into(),
        description: format!("step {id}"),
        operation,
        expect,
    }
}

/// What a rollback must give back: every policy's default version id and
/// document and its documents (not the other versions' ids: IAM gives a
/// re-created version a new one), attachment counts, every principal's inline
/// documents, attachments and groups, roles' trust policies and tags.
fn view(details: &AuthorizationDetails) -> Value {
    let sorted = |mut items: Vec<String>| {
        items.sort();
        items
    };
    let inline = |list: &[whittle_model::PolicyDetail]| {
        sorted(
            (list.iter())
                .map(|p| format!("{}={}", p.policy_name, canonical_json(&p.policy_document)))
                .collect(),
        )
    };
    let attached = |list: &[whittle_model::AttachedPolicy]| {
        sorted(list.iter().map(|a| a.policy_arn.clone()).collect())
    };
    let mut policies: Vec<Value> = (details.policies.iter())
        .map(|p| {
            let default = p.default_version().map(|v| canonical_json(&v.document));
            let documents = (p.policy_version_list.iter())
                .map(|v| canonical_json(&v.document))
                .collect();
            json!([
                p.arn,
                p.default_version_id,
                default,
                sorted(documents),
                p.attachment_count
            ])
        })
        .collect();
    policies.sort_by_key(Value::to_string);
    let mut principals: Vec<Value> = Vec::new();
    for u in &details.user_detail_list {
        let groups = sorted(u.group_list.clone());
        principals.push(json!([
            "user",
            u.user_name,
            inline(&u.user_policy_list),
            attached(&u.attached_managed_policies),
            groups
        ]));
    }
    for g in &details.group_detail_list {
        principals.push(json!([
            "group",
            g.group_name,
            inline(&g.group_policy_list),
            attached(&g.attached_managed_policies)
        ]));
    }
    for r in &details.role_detail_list {
        let tags = sorted(
            r.tags
                .iter()
                .map(|t| format!("{}={}", t.key, t.value))
                .collect(),
        );
        let trust = r.assume_role_policy_document.as_ref().map(canonical_json);
        principals.push(json!([
            "role",
            r.role_name,
            r.path,
            r.arn,
            trust,
            inline(&r.role_policy_list),
            attached(&r.attached_managed_policies),
            tags
        ]));
    }
    principals.sort_by_key(Value::to_string);
    json!({"policies": policies, "principals": principals})
}

// ---- Generating plans. ----

const PRINCIPALS: [(PrincipalKind, &str); 6] = [
    (PrincipalKind::User, "alice"),
    (PrincipalKind::User, "bob"),
    (PrincipalKind::Group, "devs"),
    (PrincipalKind::Group, "ops"),
    (PrincipalKind::Role, "app"),
    (PrincipalKind::Role, "idle"),
];

fn principal(n: u8) -> Principal {
    let (kind, name) = PRINCIPALS[usize::from(n) % PRINCIPALS.len()];
    Principal {
        kind,
        name: name.into(),
    }
}

fn pick<T: Clone>(items: &[T], n: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(n) % items.len()].clone())
}

fn exists(details: &AuthorizationDetails, p: &Principal) -> bool {
    match p.kind {
        PrincipalKind::User => details
            .user_detail_list
            .iter()
            .any(|u| u.user_name == p.name),
        PrincipalKind::Group => details
            .group_detail_list
            .iter()
            .any(|g| g.group_name == p.name),
        PrincipalKind::Role => details
            .role_detail_list
            .iter()
            .any(|r| r.role_name == p.name),
    }
}

fn inline_document(details: &AuthorizationDetails, p: &Principal, name: &str) -> Option<Value> {
    let list = match p.kind {
        PrincipalKind::User => details
            .user_detail_list
            .iter()
            .find(|u| u.user_name == p.name)
            .map(|u| &u.user_policy_list),
        PrincipalKind::Group => details
            .group_detail_list
            .iter()
            .find(|g| g.group_name == p.name)
            .map(|g| &g.group_policy_list),
        PrincipalKind::Role => details
            .role_detail_list
            .iter()
            .find(|r| r.role_name == p.name)
            .map(|r| &r.role_policy_list),
    }?;
    list.iter()
        .find(|i| i.policy_name == name)
        .map(|i| i.policy_document.clone())
}

fn customer_policies(details: &AuthorizationDetails) -> Vec<String> {
    (details.policies.iter())
        .filter(|p| p.arn.starts_with(A))
        .map(|p| p.arn.clone())
        .collect()
}

/// The expectation that names a policy's default version and document now.
fn default_now(details: &AuthorizationDetails, arn: &str) -> Expectation {
    let policy = details.policies.iter().find(|p| p.arn == arn).unwrap();
    Expectation::PolicyDefault {
        policy_arn: arn.into(),
        version_id: policy.default_version_id.clone(),
        document_sha256: document_sha256(&policy.default_version().unwrap().document),
    }
}

/// A step made from one generated choice, valid on `now`, with the
/// expectations a planner would write; `None` when the choice does not apply.
/// Versions some step recorded as a previous default (`pinned`) are never
/// deleted: IAM would give them a new id, and rolling back could not restore
/// them as default.
fn choose(
    now: &AuthorizationDetails,
    pinned: &mut Vec<(String, String)>,
    n: usize,
    (kind, a, b, flag): (u8, u8, u8, bool),
) -> Option<Step> {
    let id = format!("s{n}");
    let doc = allow(&format!("s3:Action{a}"));
    let who = principal(a);
    let (operation, expect) = match kind % 12 {
        0 => {
            let name = format!("new-{}", b % 3);
            let path = if flag { "/team/" } else { "/" };
            let arn = format!("{A}:policy{path}{name}");
            if now.policies.iter().any(|p| p.arn == arn) {
                return None;
            }
            let tags = vec![KeyValue {
                key: "whittle".into(),
                value: "1".into(),
            }];
            (
                Operation::CreatePolicy {
                    name,
                    path: path.into(),
                    description: None,
                    document: doc,
                    tags,
                },
                vec![Expectation::PolicyAbsent { policy_arn: arn }],
            )
        }
        1 => {
            let arn = pick(&customer_policies(now), b)?;
            let policy = now.policies.iter().find(|p| p.arn == arn)?;
            if policy.policy_version_list.len() >= 5 {
                return None;
            }
            if flag {
                pinned.push((arn.clone(), policy.default_version_id.clone()));
            }
            let expect = vec![default_now(now, &arn)];
            (
                Operation::CreatePolicyVersion {
                    policy_arn: arn,
                    document: doc,
                    set_as_default: flag,
                },
                expect,
            )
        }
        2 => {
            let arn = pick(&customer_policies(now), b)?;
            let policy = now.policies.iter().find(|p| p.arn == arn)?;
            let deletable: Vec<_> = (policy.policy_version_list.iter())
                .filter(|v| {
                    !v.is_default_version && !pinned.contains(&(arn.clone(), v.version_id.clone()))
                })
                .collect();
            let version = pick(&deletable, a)?;
            let expect = vec![
                default_now(now, &arn),
                Expectation::PolicyVersion {
                    policy_arn: arn.clone(),
                    version_id: version.version_id.clone(),
                    document_sha256: document_sha256(&version.document),
                },
            ];
            (
                Operation::DeletePolicyVersion {
                    policy_arn: arn,
                    version_id: version.version_id.clone(),
                    document: version.document.clone(),
                },
                expect,
            )
        }
        3 => {
            let arn = pick(&customer_policies(now), b)?;
            let policy = now.policies.iter().find(|p| p.arn == arn)?;
            let ids: Vec<String> = policy
                .policy_version_list
                .iter()
                .map(|v| v.version_id.clone())
                .collect();
            let target = pick(&ids, a)?;
            pinned.push((arn.clone(), policy.default_version_id.clone()));
            let expect = vec![default_now(now, &arn)];
            (
                Operation::SetDefaultPolicyVersion {
                    policy_arn: arn,
                    version_id: target,
                },
                expect,
            )
        }
        4 => {
            if !exists(now, &who) {
                return None;
            }
            let name = if flag { "scratch" } else { "extra" }.to_owned();
            let previous = inline_document(now, &who, &name);
            let expect = vec![match &previous {
                Some(d) => Expectation::InlinePresent {
                    principal: who.clone(),
                    policy_name: name.clone(),
                    document_sha256: document_sha256(d),
                },
                None => Expectation::InlineAbsent {
                    principal: who.clone(),
                    policy_name: name.clone(),
                },
            }];
            (
                Operation::PutInlinePolicy {
                    principal: who,
                    policy_name: name,
                    document: doc,
                    previous_document: previous,
                },
                expect,
            )
        }
        5 => {
            let name = ["scratch", "git", "extra"][usize::from(b) % 3].to_owned();
            let document = inline_document(now, &who, &name)?;
            let expect = vec![Expectation::InlinePresent {
                principal: who.clone(),
                policy_name: name.clone(),
                document_sha256: document_sha256(&document),
            }];
            (
                Operation::DeleteInlinePolicy {
                    principal: who,
                    policy_name: name,
                    document,
                },
                expect,
            )
        }
        6 | 7 => {
            if !exists(now, &who) {
                return None;
            }
            let mut arns = customer_policies(now);
            arns.push(ROAC.into());
            let arn = pick(&arns, b)?;
            let expected = Expectation::Attached {
                principal: who.clone(),
                policy_arn: arn.clone(),
            };
            if kind % 12 == 6 {
                if holds(&expected, now) {
                    return None;
                }
                (
                    Operation::AttachPolicy {
                        principal: who.clone(),
                        policy_arn: arn.clone(),
                    },
                    vec![Expectation::NotAttached {
                        principal: who,
                        policy_arn: arn,
                    }],
                )
            } else {
                if !holds(&expected, now) {
                    return None;
                }
                (
                    Operation::DetachPolicy {
                        principal: who,
                        policy_arn: arn,
                    },
                    vec![expected],
                )
            }
        }
        8 => {
            let role = now.role_detail_list.iter().find(|r| r.role_name == "app")?;
            let key = ["owner", "whittle:trimmed"][usize::from(b) % 2];
            let before: Vec<KeyValue> = (role.tags.iter())
                .filter(|t| t.key == key)
                .map(|t| KeyValue {
                    key: t.key.clone(),
                    value: t.value.clone(),
                })
                .collect();
            let tags = vec![KeyValue {
                key: key.into(),
                value: format!("value-{a}"),
            }];
            (
                Operation::TagRole {
                    role_name: "app".into(),
                    tags,
                },
                vec![Expectation::RoleTagged {
                    role_name: "app".into(),
                    tags: before,
                }],
            )
        }
        9 => {
            let role = now
                .role_detail_list
                .iter()
                .find(|r| r.role_name == "idle")?;
            if !role.role_policy_list.is_empty() || !role.attached_managed_policies.is_empty() {
                return None;
            }
            (
                Operation::DeleteRole {
                    role_name: "idle".into(),
                    path: role.path.clone(),
                    assume_role_policy_document: role.assume_role_policy_document.clone()?,
                    description: None,
                },
                vec![Expectation::RoleExists {
                    role_name: "idle".into(),
                }],
            )
        }
        kind => {
            let user = ["alice", "bob"][usize::from(a) % 2].to_owned();
            let group = ["devs", "ops"][usize::from(b) % 2].to_owned();
            let member = Expectation::MemberOf {
                user_name: user.clone(),
                group_name: group.clone(),
            };
            let is_member = holds(&member, now);
            if kind == 10 && !is_member {
                (
                    Operation::AddUserToGroup {
                        user_name: user.clone(),
                        group_name: group.clone(),
                    },
                    vec![Expectation::NotMemberOf {
                        user_name: user,
                        group_name: group,
                    }],
                )
            } else if kind == 11 && is_member {
                (
                    Operation::RemoveUserFromGroup {
                        user_name: user,
                        group_name: group,
                    },
                    vec![member],
                )
            } else {
                return None;
            }
        }
    };
    Some(step(&id, operation, expect))
}

/// A plan from generated choices, each step valid after the ones before it.
fn generated(choices: &[(u8, u8, u8, bool)]) -> Plan {
    let mut now = account();
    let mut pinned = Vec::new();
    let mut steps = Vec::new();
    for choice in choices {
        if let Some(step) = choose(&now, &mut pinned, steps.len(), *choice) {
            now = simulate(&now, &plan(vec![step.clone()]), at())
                .unwrap_or_else(|e| panic!("a generated step does not apply: {e}"));
            steps.push(step);
        }
    }
    plan(steps)
}

proptest! {
    /// Applying a plan and rolling it back gives back every document, default
    /// version id, inline document, attachment, membership, role and tag.
    #[test]
    fn a_rolled_back_plan_gives_the_account_back(
        choices in proptest::collection::vec((0u8..12, any::<u8>(), any::<u8>(), any::<bool>()), 0..24),
    ) {
        let plan = generated(&choices);
        let before = account();
        let after = simulate(&before, &plan, at()).unwrap();
        let back = simulate_rollback(&after, &plan).unwrap();
        prop_assert_eq!(view(&back), view(&before));
    }
}

// ---- Single operations and failures. ----

fn deploy() -> String {
    format!("{A}:policy/deploy")
}

#[test]
fn a_step_whose_expectation_does_not_hold_stops_the_simulation_with_its_id() {
    let leave = |id: &str| {
        step(
            id,
            Operation::RemoveUserFromGroup {
                user_name: "alice".into(),
                group_name: "devs".into(),
            },
            vec![Expectation::MemberOf {
                user_name: "alice".into(),
                group_name: "devs".into(),
            }],
        )
    };
    let tag = step(
        "tag",
        Operation::TagRole {
            role_name: "app".into(),
            tags: vec![],
        },
        vec![],
    );
    // The second removal expects what the first one changed.
    let err = simulate(
        &account(),
        &plan(vec![leave("first"), tag, leave("again")]),
        at(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        SimulateError::Unmet {
            step: "again".into(),
            expectation: Expectation::MemberOf {
                user_name: "alice".into(),
                group_name: "devs".into(),
            },
        }
    );
    assert_eq!(
        err.to_string(),
        "step again: user/alice is in group/devs does not hold"
    );
}

#[test]
fn an_operation_iam_would_refuse_names_its_step() {
    let delete_default = step(
        "drop-v3",
        Operation::DeletePolicyVersion {
            policy_arn: deploy(),
            version_id: "v3".into(),
            document: allow("ec2:Describe3"),
        },
        vec![],
    );
    let err = simulate(&account(), &plan(vec![delete_default]), at()).unwrap_err();
    assert!(
        matches!(&err, SimulateError::Refused { step, .. } if step == "drop-v3"),
        "{err}"
    );
    let delete_app = step(
        "drop-app",
        Operation::DeleteRole {
            role_name: "app".into(),
            path: "/".into(),
            assume_role_policy_document: allow("sts:AssumeRole"),
            description: None,
        },
        vec![],
    );
    let err = simulate(&account(), &plan(vec![delete_app]), at()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("step drop-app: refusing to delete role/app"),
        "{err}"
    );
}

#[test]
fn created_policies_get_their_arn_a_first_version_and_attachments_counted() {
    let created = format!("{A}:policy/team/whittle-app");
    let steps = vec![
        step(
            "create",
            Operation::CreatePolicy {
                name: "whittle-app".into(),
                path: "/team/".into(),
                description: Some("trimmed".into()),
                document: allow("s3:GetObject"),
                tags: vec![],
            },
            vec![Expectation::PolicyAbsent {
                policy_arn: created.clone(),
            }],
        ),
        step(
            "attach",
            Operation::AttachPolicy {
                principal: Principal::role("app"),
                policy_arn: created.clone(),
            },
            vec![],
        ),
        step(
            "detach",
            Operation::DetachPolicy {
                principal: Principal::role("app"),
                policy_arn: deploy(),
            },
            vec![Expectation::Attached {
                principal: Principal::role("app"),
                policy_arn: deploy(),
            }],
        ),
    ];
    let after = simulate(&account(), &plan(steps), at()).unwrap();
    let policy = after.policies.iter().find(|p| p.arn == created).unwrap();
    assert_eq!(policy.default_version_id, "v1");
    assert_eq!(policy.policy_version_list.len(), 1);
    assert!(policy.policy_version_list[0].is_default_version);
    assert_eq!(policy.policy_version_list[0].create_date, Some(at()));
    assert_eq!(policy.attachment_count, 1);
    let old = after.policies.iter().find(|p| p.arn == deploy()).unwrap();
    assert_eq!(
        old.attachment_count, 1,
        "deploy is still attached to group/devs"
    );
    assert!(holds(
        &Expectation::PolicyDefault {
            policy_arn: created.clone(),
            version_id: "v1".into(),
            document_sha256: document_sha256(&allow("s3:GetObject")),
        },
        &after
    ));
    assert!(holds(
        &Expectation::NotAttached {
            principal: Principal::role("app"),
            policy_arn: deploy()
        },
        &after
    ));
}

#[test]
fn new_versions_take_the_next_number_and_become_default_when_asked() {
    let steps = vec![step(
        "version",
        Operation::CreatePolicyVersion {
            policy_arn: deploy(),
            document: allow("ec2:DescribeRegions"),
            set_as_default: true,
        },
        vec![Expectation::PolicyDefaultIs {
            policy_arn: deploy(),
            version_id: "v3".into(),
        }],
    )];
    let plan = plan(steps);
    let after = simulate(&account(), &plan, at()).unwrap();
    assert!(holds(
        &Expectation::PolicyDefault {
            policy_arn: deploy(),
            version_id: "v4".into(),
            document_sha256: document_sha256(&allow("ec2:DescribeRegions")),
        },
        &after
    ));
    let back = simulate_rollback(&after, &plan).unwrap();
    assert_eq!(view(&back), view(&account()));
    assert!(holds(
        &Expectation::PolicyVersionAbsent {
            policy_arn: deploy(),
            version_id: "v4".into()
        },
        &back
    ));
}

#[test]
fn rolling_back_needs_the_replaced_default_version_in_the_expectations() {
    let steps = vec![step(
        "older-default",
        Operation::SetDefaultPolicyVersion {
            policy_arn: deploy(),
            version_id: "v1".into(),
        },
        vec![],
    )];
    let plan = plan(steps);
    let after = simulate(&account(), &plan, at()).unwrap();
    let err = simulate_rollback(&after, &plan).unwrap_err();
    assert!(
        matches!(&err, SimulateError::Unrecorded { step, .. } if step == "older-default"),
        "{err}"
    );
}

#[test]
fn memberships_change_and_roll_back_and_missing_users_are_in_no_group() {
    let steps = vec![
        step(
            "join",
            Operation::AddUserToGroup {
                user_name: "bob".into(),
                group_name: "ops".into(),
            },
            vec![Expectation::NotMemberOf {
                user_name: "bob".into(),
                group_name: "ops".into(),
            }],
        ),
        step(
            "leave",
            Operation::RemoveUserFromGroup {
                user_name: "alice".into(),
                group_name: "devs".into(),
            },
            vec![Expectation::MemberOf {
                user_name: "alice".into(),
                group_name: "devs".into(),
            }],
        ),
    ];
    let plan = plan(steps);
    let after = simulate(&account(), &plan, at()).unwrap();
    assert_eq!(after.user_detail_list[0].group_list, Vec::<String>::new());
    assert_eq!(after.user_detail_list[1].group_list, ["ops"]);
    let back = simulate_rollback(&after, &plan).unwrap();
    assert_eq!(view(&back), view(&account()));
    // Rolling back again finds the memberships restored and changes nothing.
    assert_eq!(
        view(&simulate_rollback(&back, &plan).unwrap()),
        view(&account())
    );
    let nobody = Expectation::NotMemberOf {
        user_name: "carol".into(),
        group_name: "devs".into(),
    };
    assert!(!holds(&nobody, &account()), "carol does not exist");
}

#[test]
fn created_arns_take_the_accounts_partition_and_need_an_account() {
    let create = || {
        step(
            "create",
            Operation::CreatePolicy {
                name: "p".into(),
                path: "/".into(),
                description: None,
                document: allow("s3:GetObject"),
                tags: vec![],
            },
            vec![],
        )
    };
    let china: AuthorizationDetails = serde_json::from_value(json!({
        "RoleDetailList": [{"RoleName": "app", "Arn": "arn:aws-cn:iam::123456789012:role/app"}],
    }))
    .unwrap();
    let mut without_source = plan(vec![create()]);
    without_source.snapshot = None;
    let after = simulate(&china, &without_source, at()).unwrap();
    assert_eq!(
        after.policies[0].arn,
        "arn:aws-cn:iam::123456789012:policy/p"
    );

    let err = simulate(&AuthorizationDetails::default(), &without_source, at()).unwrap_err();
    assert!(
        matches!(&err, SimulateError::Refused { step, reason } if step == "create" && reason.contains("unknown")),
        "{err}"
    );
}
