//! Principal-level analysis on account exports in `testdata/accounts/`: each user
//! and role is judged by all its policies together.

use std::path::Path;

use whittle_analysis::diagnostics::LogicalKind;
use whittle_analysis::lint::LintOptions;
use whittle_analysis::{FileOutcome, Finding, Linter, RuleSet};
use whittle_policy::Catalog;
use whittle_syntax::SourceFile;

fn lint(name: &str) -> Vec<Finding> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/accounts")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let rules = RuleSet::embedded().unwrap();
    let linter = Linter::new(Catalog::embedded(), &rules, LintOptions::default()).unwrap();
    match linter.lint_file(&SourceFile::new(name, text)) {
        FileOutcome::Linted {
            findings, failures, ..
        } => {
            assert!(failures.is_empty(), "{failures:?}");
            findings
        }
        other => panic!("{name}: {other:?}"),
    }
}

fn about<'f>(findings: &'f [Finding], rule: &str, arn: &str) -> Vec<&'f Finding> {
    findings
        .iter()
        .filter(|f| f.rule.name == rule)
        .filter(|f| {
            f.location
                .logical
                .as_ref()
                .is_some_and(|l| l.kind == LogicalKind::Principal && l.arn == arn)
        })
        .collect()
}

const ACCOUNT: &str = "arn:aws:iam::123456789012:role";

#[test]
fn an_escalation_split_across_two_policies_is_found_on_the_principal() {
    let findings = lint("cross-policy-escalation.json");
    let builder = about(
        &findings,
        "privesc-passrole-ec2",
        &format!("{ACCOUNT}/builder"),
    );
    assert_eq!(builder.len(), 1);
    let notes = builder[0].notes.join("\n");
    assert!(
        notes.contains("iam:PassRole is granted by role/builder inline policy \"pass-roles\""),
        "{notes}"
    );
    assert!(notes.contains("launch-instances"), "{notes}");
    // The principal finding points at the role's entry in the file.
    assert_eq!(builder[0].location.start.line, 7);
    // Neither policy escalates on its own, and the role without PassRole cannot.
    assert!(
        findings
            .iter()
            .all(|f| f.rule.name != "privesc-passrole-ec2"
                || f.location.logical.as_ref().unwrap().kind == LogicalKind::Principal)
    );
    assert!(
        about(
            &findings,
            "privesc-passrole-ec2",
            &format!("{ACCOUNT}/launcher-only")
        )
        .is_empty()
    );
}

#[test]
fn an_explicit_deny_in_another_policy_wins() {
    let findings = lint("explicit-deny.json");
    // Allow * in one policy and Deny * in another: the role is no administrator …
    assert!(
        about(
            &findings,
            "full-admin-access",
            &format!("{ACCOUNT}/quarantined")
        )
        .is_empty()
    );
    // … though the Allow * policy on its own still says what it grants.
    assert!(findings.iter().any(|f| f.rule.name == "full-admin-access"
        && f.location.subject.as_deref() == Some("role/quarantined inline policy \"admin\"")));
    // PassRole denied elsewhere: RunInstances alone is no escalation.
    assert!(
        about(
            &findings,
            "privesc-passrole-ec2",
            &format!("{ACCOUNT}/no-passing")
        )
        .is_empty()
    );
}

#[test]
fn not_action_is_expanded_as_a_complement_across_policies() {
    let findings = lint("not-action.json");
    // NotAction "iam:*" in one policy plus "iam:*" in another: everything.
    let admin = about(
        &findings,
        "full-admin-access",
        &format!("{ACCOUNT}/power-plus-iam"),
    );
    assert_eq!(admin.len(), 1, "{findings:#?}");
    assert!(admin[0].message.contains("through its policies together"));
    // Administrator access implies the risk rules: they are not repeated for it.
    assert!(
        about(
            &findings,
            "privesc-passrole-ec2",
            &format!("{ACCOUNT}/power-plus-iam")
        )
        .is_empty()
    );
    // NotAction "iam:*" alone leaves out iam:PassRole, so no PassRole escalation.
    assert!(
        about(
            &findings,
            "full-admin-access",
            &format!("{ACCOUNT}/power-user-only")
        )
        .is_empty()
    );
    assert!(!findings.iter().any(|f| {
        f.rule.name == "privesc-passrole-ec2"
            && f.location
                .subject
                .as_deref()
                .is_some_and(|s| s.contains("power-user-only"))
    }));
}

#[test]
fn users_are_judged_with_their_groups_and_limited_by_their_boundary() {
    let findings = lint("groups-boundaries-and-inert.json");
    let users = "arn:aws:iam::123456789012:user";
    // iam:PassRole comes from the group, lambda:CreateFunction and
    // InvokeFunction from a policy attached to the user.
    let dev = about(
        &findings,
        "privesc-passrole-lambda",
        &format!("{users}/dev"),
    );
    assert_eq!(dev.len(), 1, "{findings:#?}");
    let notes = dev[0].notes.join("\n");
    assert!(
        notes.contains("iam:PassRole is granted by group/deployers inline policy"),
        "{notes}"
    );
    // role/* is every role of the account: not lowered as "named resources".
    assert_eq!(
        dev[0].severity,
        whittle_analysis::Severity::Error,
        "{notes}"
    );
    // The same user with a boundary that allows only s3:* cannot escalate.
    assert!(
        about(
            &findings,
            "privesc-passrole-lambda",
            &format!("{users}/bounded-dev")
        )
        .is_empty()
    );
}

#[test]
fn statements_that_can_never_apply_grant_nothing_and_say_why() {
    let findings = lint("groups-boundaries-and-inert.json");
    let dead: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule.name == "statement-never-applies")
        .collect();
    assert_eq!(dead.len(), 2, "{dead:#?}");
    assert!(dead.iter().any(|f| f.message.contains("expired")));
    assert!(dead.iter().any(|f| f.message.contains("belong to AWS")));
    // The expired Allow * and the edits of AWS's own policies raise no risk
    // finding, neither on the policies nor on the roles.
    for role in ["expired-admin", "aws-policy-editor"] {
        let about_role: Vec<&Finding> = findings
            .iter()
            .filter(|f| {
                f.location
                    .logical
                    .as_ref()
                    .is_some_and(|l| l.arn == format!("{ACCOUNT}/{role}"))
            })
            .filter(|f| f.rule.name != "statement-never-applies")
            .collect();
        assert!(about_role.is_empty(), "{about_role:#?}");
    }
}

#[test]
fn trust_policies_are_linted_as_trust_policies_and_name_their_role() {
    let findings = lint("trust-policies.json");
    // partner-audit's trust policy (URL-encoded, as the IAM API returns it) lets
    // any AWS principal assume the role; the others trust a pinned GitHub
    // repository and Lambda. None is judged as an identity policy.
    let trust: Vec<_> = findings
        .iter()
        .filter(|f| {
            f.location
                .logical
                .as_ref()
                .is_some_and(|l| l.kind == LogicalKind::TrustPolicy)
        })
        .collect();
    assert_eq!(trust.len(), 1, "{findings:#?}");
    assert_eq!(trust[0].rule.name, "public-resource-policy");
    assert!(trust[0].message.contains("assume the role"));
    let logical = trust[0].location.logical.as_ref().unwrap();
    assert_eq!(logical.arn, format!("{ACCOUNT}/partner-audit"));
    assert_eq!(
        trust[0].location.subject.as_deref(),
        Some("role/partner-audit trust policy")
    );
    for rule in [
        "malformed-policy",
        "principal-in-identity-policy",
        "oidc-trust-without-subject",
    ] {
        assert!(
            !findings.iter().any(|f| f.rule.name == rule),
            "{rule}: {findings:#?}"
        );
    }
}

#[test]
fn pass_role_counts_only_for_the_services_its_condition_admits() {
    let findings = lint("passed-to-service.json");
    let deployer = format!("{ACCOUNT}/lambda-deployer");
    assert_eq!(
        about(&findings, "privesc-passrole-lambda", &deployer).len(),
        1
    );
    // Its iam:PassRole reaches Lambda only, not EC2.
    assert!(about(&findings, "privesc-passrole-ec2", &deployer).is_empty());
    // A role that may pass roles only to Systems Manager escalates through neither.
    let other = format!("{ACCOUNT}/ssm-deployer");
    for rule in ["privesc-passrole-lambda", "privesc-passrole-ec2"] {
        assert!(about(&findings, rule, &other).is_empty(), "{rule}");
    }
}

#[test]
fn a_two_hop_assume_role_chain_to_an_administrator_is_reported_hop_by_hop() {
    let findings = lint("assume-role-chain.json");
    let users = "arn:aws:iam::123456789012:user";
    let dev = about(&findings, "privesc-chain", &format!("{users}/dev"));
    assert_eq!(dev.len(), 1, "{findings:#?}");
    let dev = dev[0];
    assert_eq!(dev.severity, whittle_analysis::Severity::Error);
    assert!(
        dev.message
            .starts_with("user/dev can become role/admin, which is an administrator"),
        "{}",
        dev.message
    );
    assert!(dev.message.ends_with("in 2 hops"), "{}", dev.message);
    assert!(
        dev.notes
            .iter()
            .any(|n| n == "via user/dev → role/ci → role/admin"),
        "{:?}",
        dev.notes
    );
    // One step per hop, each at the trust policy statement that allows it.
    let steps: Vec<(&str, Option<&str>)> = dev
        .flow
        .iter()
        .map(|s| {
            (
                s.location.subject.as_deref().unwrap(),
                s.location.sid.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("role/ci trust policy", Some("TrustDev")),
            ("role/admin trust policy", Some("TrustCi"))
        ]
    );
    assert!(
        dev.flow[0]
            .message
            .starts_with("user/dev can assume role/ci")
    );
    assert!(
        dev.flow[1]
            .message
            .contains("role/ci inline policy \"assume-admin\", statement \"AssumeAdmin\" grants sts:AssumeRole"),
        "{}",
        dev.flow[1].message
    );
    // The policies that make the hops are related places.
    let related: Vec<&str> = dev.related.iter().map(|r| r.subject.as_str()).collect();
    for subject in [
        "role/ci trust policy",
        "user/dev inline policy \"assume-roles\"",
        "role/admin trust policy",
        "role/ci inline policy \"assume-admin\"",
    ] {
        assert!(related.contains(&subject), "{related:?}");
    }
    // role/ci itself is one hop from the administrator.
    let ci = about(&findings, "privesc-chain", &format!("{ACCOUNT}/ci"));
    assert_eq!(ci.len(), 1);
    assert_eq!(ci[0].flow.len(), 1);
    // The reader role trusts dev but grants nothing dangerous; break-glass is
    // an administrator whose trust policy denies dev; administrators are not
    // reported as reaching themselves.
    for role in ["reader", "break-glass", "admin"] {
        assert!(
            about(&findings, "privesc-chain", &format!("{ACCOUNT}/{role}")).is_empty(),
            "{role}"
        );
    }
    assert!(
        !dev.flow
            .iter()
            .any(|s| s.message.contains("break-glass") || s.message.contains("reader"))
    );
}

#[test]
fn a_managed_policy_finding_names_its_holders_and_marks_those_denied() {
    let findings = lint("managed-policy-holders.json");
    let admin: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule.name == "full-admin-access")
        .filter(|f| {
            f.location.logical.as_ref().is_some_and(|l| {
                l.kind == LogicalKind::Policy && l.arn.ends_with(":policy/operators")
            })
        })
        .collect();
    assert_eq!(admin.len(), 1, "{findings:#?}");
    let notes = &admin[0].notes;
    // alice holds it through her group; quarantined holds it but denies all.
    assert!(
        notes.iter().any(|n| n
            == "held by user arn:aws:iam::123456789012:user/alice, role arn:aws:iam::123456789012:role/ops"),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.starts_with(
            "held by role arn:aws:iam::123456789012:role/quarantined, whose other policies deny this access"
        )),
        "{notes:?}"
    );
}

/// An account of `users` members of a group that may assume any role, and
/// `roles` roles trusting the account (the last of them an administrator).
fn wide_account(users: usize, roles: usize) -> String {
    let account = "arn:aws:iam::123456789012";
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": format!("{account}:root")}, "Action": "sts:AssumeRole"}]});
    let policy = |action: &str| {
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": action, "Resource": "*"}]})
    };
    let users: Vec<_> = (0..users)
        .map(|i| {
            serde_json::json!({"UserName": format!("u{i}"), "Arn": format!("{account}:user/u{i}"),
            "UserPolicyList": [], "GroupList": ["everyone"], "AttachedManagedPolicies": []})
        })
        .collect();
    let roles: Vec<_> = (0..roles)
        .map(|i| {
            let action = if i + 1 == roles { "*" } else { "s3:GetObject" };
            serde_json::json!({"RoleName": format!("r{i}"), "Arn": format!("{account}:role/r{i}"),
                "AssumeRolePolicyDocument": trust,
                "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": policy(action)}],
                "AttachedManagedPolicies": []})
        })
        .collect();
    serde_json::json!({
        "UserDetailList": users,
        "GroupDetailList": [{"GroupName": "everyone", "GroupPolicyList": [
            {"PolicyName": "assume", "PolicyDocument": policy("sts:AssumeRole")}],
            "AttachedManagedPolicies": []}],
        "RoleDetailList": roles,
        "Policies": []
    })
    .to_string()
}

#[test]
fn members_of_one_group_share_their_way_into_roles_trusting_the_account() {
    // 1,500 users × 1,500 roles would be 2.25 million assume edges; through
    // the group's shared node they are 1,500 + 1,500, within the budget.
    let (users, roles) = (1_500, 1_500);
    let rules = RuleSet::embedded().unwrap();
    let linter = Linter::new(Catalog::embedded(), &rules, LintOptions::default()).unwrap();
    let file = SourceFile::new("wide.json", wide_account(users, roles));
    let FileOutcome::Linted { findings, .. } = linter.lint_file(&file) else {
        panic!("linted");
    };
    let chains: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule.name == "privesc-chain")
        .collect();
    // Every user reaches the administrator in one hop; the other roles may
    // assume nothing.
    assert_eq!(chains.len(), users, "{:?}", chains.first());
    let last = format!("role/r{}", roles - 1);
    for chain in &chains {
        assert_eq!(chain.flow.len(), 1);
        assert!(chain.message.contains(&last), "{}", chain.message);
        assert!(
            !chain.notes.iter().any(|n| n.contains("stopped early")),
            "{:?}",
            chain.notes
        );
        assert!(
            chain.flow[0]
                .message
                .contains("group/everyone inline policy \"assume\"")
        );
    }
}

/// An export of `roles`, each `(name, description)` holding the same inline
/// policy, compact (one line) or pretty-printed.
fn copied_policy_export(roles: &[(&str, &str)], pretty: bool) -> String {
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Deploy", "Effect": "Allow", "Action": ["iam:PassRole", "s3:*", "ec2:RunInstances"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bücket/*"}]});
    let roles: Vec<_> = roles
        .iter()
        .map(|(name, description)| {
            serde_json::json!({"RoleName": name, "Arn": format!("{ACCOUNT}/{name}"),
                "Description": description,
                "RolePolicyList": [{"PolicyName": "deploy", "PolicyDocument": policy}],
                "AttachedManagedPolicies": []})
        })
        .collect();
    let export = serde_json::json!({"UserDetailList": [], "GroupDetailList": [],
        "RoleDetailList": roles, "Policies": []});
    if pretty {
        serde_json::to_string_pretty(&export).unwrap()
    } else {
        export.to_string()
    }
}

/// Rule, message, notes, Sid, the text pointed at and its offset in the
/// role's entry.
type Seen = (String, String, Vec<String>, Option<String>, String, usize);

/// What a finding on a role's inline policy says, and the text it points at.
fn on_inline_policy(file: &SourceFile, findings: &[Finding], role: &str) -> Vec<Seen> {
    // The role's entry starts at its ARN (keys are in alphabetical order).
    let entry = file.text().find(&format!("\"{ACCOUNT}/{role}\"")).unwrap();
    let offset = |p: whittle_syntax::Position| {
        let line = file.text().split_inclusive('\n').nth(p.line - 1).unwrap();
        let start = line.as_ptr() as usize - file.text().as_ptr() as usize;
        start
            + line
                .chars()
                .take(p.column - 1)
                .map(char::len_utf8)
                .sum::<usize>()
    };
    let mut out: Vec<_> = findings
        .iter()
        .filter(|f| {
            f.location.logical.as_ref().is_some_and(|l| {
                l.kind == LogicalKind::Policy
                    && l.arn == format!("{ACCOUNT}/{role}")
                    && l.name.as_deref() == Some("deploy")
            })
        })
        .map(|f| {
            let (start, end) = (offset(f.location.start), offset(f.location.end));
            assert_eq!(
                f.location.subject.as_deref(),
                Some(format!("role/{role} inline policy \"deploy\"").as_str())
            );
            (
                f.rule.name.clone(),
                f.message.clone(),
                f.notes.clone(),
                f.location.sid.clone(),
                file.text()[start..end].to_owned(),
                // Where it is in the role's own entry.
                start
                    .checked_sub(entry)
                    .expect("the finding is in its role's entry"),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_copy_of_a_document_gets_the_findings_it_gets_alone() {
    // The export holds one text three times; it is judged once and its
    // findings are placed at each copy: on other lines and columns, after
    // text with multi-byte characters.
    let roles = [
        ("first", "plain"),
        ("second", "Rôle de déploiement — ünïcode"),
        ("third", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"),
    ];
    let rules = RuleSet::embedded().unwrap();
    let linter = Linter::new(Catalog::embedded(), &rules, LintOptions::default()).unwrap();
    let lint = |text: String| {
        let file = SourceFile::new("copies.json", text);
        let FileOutcome::Linted { findings, .. } = linter.lint_file(&file) else {
            panic!("linted");
        };
        (file, findings)
    };
    for pretty in [false, true] {
        let (file, findings) = lint(copied_policy_export(&roles, pretty));
        for role in roles {
            let (alone, alone_findings) = lint(copied_policy_export(&[role], pretty));
            let expected = on_inline_policy(&alone, &alone_findings, role.0);
            assert!(expected.len() >= 3, "{expected:?}");
            assert_eq!(
                on_inline_policy(&file, &findings, role.0),
                expected,
                "{} (pretty: {pretty})",
                role.0
            );
        }
    }
}
