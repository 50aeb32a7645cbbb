//! The recommender on `testdata/recommend/account.json`: what is removed, what
//! is kept and why, for inline, shared, AWS managed and recently changed
//! policies, and for principals that are too new, opted out or without data.

use serde_json::{Value, json};
use whittle_analysis::recommend::{
    PolicyRef, PrincipalStatus, RecommendError, RecommendOptions, Recommendation, Recommendations,
    Scope, Strategy, recommend,
};
use whittle_model::Snapshot;
use whittle_policy::Catalog;

const A: &str = "arn:aws:iam::123456789012";

fn run(options: RecommendOptions) -> Recommendations {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/recommend/account.json"
    );
    let snapshot = Snapshot::read(std::path::Path::new(path)).unwrap();
    recommend(&snapshot, Catalog::embedded(), &options).unwrap()
}

fn options() -> RecommendOptions {
    RecommendOptions {
        as_of: "2026-11-20T00:00:00Z".parse().unwrap(),
        ..RecommendOptions::default()
    }
}

fn find<'r>(all: &'r Recommendations, label: &str) -> &'r Recommendation {
    all.recommendations
        .iter()
        .find(|r| r.policy.label() == label)
        .unwrap_or_else(|| panic!("no recommendation for {label}: {:#?}", all.recommendations))
}

fn removed(r: &Recommendation) -> Vec<&str> {
    r.removed.iter().map(|r| r.action.as_str()).collect()
}

#[test]
fn unused_actions_and_services_go_and_everything_else_stays() {
    let all = run(options());
    let app = find(&all, "app-access");
    let suggested = app.suggested.as_ref().unwrap();
    // PutObject was last used before the window, DeleteObject never: gone.
    // ec2 was not used at all: its statement goes. sts:AssumeRole is not
    // tracked in a used service: kept. The Deny and the opted-out statement stay.
    assert_eq!(
        suggested["Statement"],
        json!([
            {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::app-data/*"},
            app.original["Statement"][2],
            app.original["Statement"][3],
            app.original["Statement"][4],
        ])
    );
    let gone = removed(app);
    assert!(
        gone.contains(&"s3:PutObject") && gone.contains(&"s3:DeleteObject"),
        "{gone:?}"
    );
    assert!(gone.iter().any(|a| a.starts_with("ec2:Describe")));
    assert!(
        !gone.iter().any(|a| a.starts_with("kms:")),
        "opted-out statements stay"
    );
    assert_eq!(app.kept_untracked, ["sts:AssumeRole"]);
    assert!(
        app.reasons
            .iter()
            .any(|r| r.contains("WhittleKeepBreakGlass"))
    );
    // Key order is kept: the suggestion differs only in the lines that changed.
    let keys: Vec<&String> = suggested["Statement"][0]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["Sid", "Effect", "Action", "Resource"]);
}

#[test]
fn in_place_a_shared_policy_loses_only_what_every_holder_left_unused() {
    let all = run(RecommendOptions {
        strategy: Strategy::InPlace,
        ..options()
    });
    let shared = find(&all, &format!("{A}:policy/shared-readers"));
    assert_eq!(
        shared.principals,
        [
            format!("{A}:role/app"),
            format!("{A}:role/batch"),
            format!("{A}:user/ci/deployer")
        ]
    );
    // GetItem is used by app only, Query by batch only: both stay; logs by none.
    assert_eq!(
        shared.suggested.as_ref().unwrap()["Statement"][0]["Action"],
        json!(["dynamodb:GetItem", "dynamodb:Query"])
    );
    assert!(removed(shared).iter().all(|a| a.starts_with("logs:")));
    assert!(
        shared
            .reasons
            .iter()
            .any(|r| r.contains("shared by 3 principals"))
    );
}

/// The recommendations of `label` replaced per principal, by principal.
fn replacements<'r>(all: &'r Recommendations, label: &str) -> Vec<(&'r str, &'r Recommendation)> {
    all.recommendations
        .iter()
        .filter(|r| r.policy.label() == label)
        .filter_map(|r| match &r.scope {
            Scope::Principal { arn, .. } => Some((arn.as_str(), r)),
            Scope::Policy => None,
        })
        .collect()
}

#[test]
fn auto_replaces_a_shared_policy_per_principal_where_its_holders_disagree() {
    let all = run(options());
    let label = format!("{A}:policy/shared-readers");
    assert!(
        all.recommendations
            .iter()
            .all(|r| r.policy.label() != label || r.scope != Scope::Policy),
        "not trimmed in place"
    );
    let each = replacements(&all, &label);
    let holders: Vec<&str> = each.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        holders,
        [
            format!("{A}:role/app"),
            format!("{A}:role/batch"),
            format!("{A}:user/ci/deployer")
        ]
    );
    // GetItem is used by app only, Query by batch only: each keeps its own.
    let actions =
        |r: &Recommendation| r.suggested.as_ref().unwrap()["Statement"][0]["Action"].clone();
    assert_eq!(actions(each[0].1), json!(["dynamodb:GetItem"]));
    assert_eq!(actions(each[1].1), json!(["dynamodb:Query"]));
    assert!(removed(each[0].1).contains(&"dynamodb:Query"));
    // The deployer used none of it: it is detached from it, with no copy.
    assert!(each[2].1.suggested.is_none());
    for (principal, r) in &each {
        assert_eq!(r.principals, [principal.to_string()]);
        assert!(
            matches!(&r.scope, Scope::Principal { direct: true, groups, .. } if groups.is_empty())
        );
        assert!(
            r.reasons
                .iter()
                .any(|why| why.contains("2 other holders keep it")),
            "{:?}",
            r.reasons
        );
    }
}

#[test]
fn members_that_used_different_parts_of_their_group_leave_it_with_copies() {
    let all = run(options());
    let each = replacements(&all, "dev-tools");
    // dev and auditor each used a few of the services its NotAction grants.
    let members: Vec<&str> = each.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        members,
        [format!("{A}:user/auditor"), format!("{A}:user/dev")]
    );
    for (principal, r) in &each {
        assert_eq!(
            r.scope,
            Scope::Principal {
                arn: principal.to_string(),
                direct: false,
                groups: vec![format!("{A}:group/devs")]
            }
        );
        assert!(!r.removed.is_empty());
        assert!(
            r.reasons
                .iter()
                .any(|why| why.contains("leaves") && why.contains("other members"))
        );
        // The copy names what is kept instead of the NotAction.
        let statement = &r.suggested.as_ref().unwrap()["Statement"];
        assert!(statement.to_string().contains("\"Action\""), "{statement}");
        assert!(!statement.to_string().contains("NotAction"), "{statement}");
    }
    // Nothing of dev-tools is trimmed in place: the group keeps it whole.
    assert!(
        all.recommendations
            .iter()
            .all(|r| r.policy.label() != "dev-tools" || r.scope != Scope::Policy)
    );
}

#[test]
fn per_principal_for_one_selected_principal_leaves_the_others_alone() {
    let all = run(RecommendOptions {
        principals: vec![format!("{A}:role/batch")],
        strategy: Strategy::PerPrincipal,
        ..options()
    });
    let each = replacements(&all, &format!("{A}:policy/shared-readers"));
    assert_eq!(each.len(), 1);
    assert_eq!(each[0].0, format!("{A}:role/batch"));
    // batch never used GetItem: its copy goes without it; app keeps the policy.
    assert!(removed(each[0].1).contains(&"dynamodb:GetItem"));
}

#[test]
fn aws_managed_policies_unused_entirely_are_detached_and_replaced() {
    let all = run(options());
    let sqs = find(&all, "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess");
    assert!(sqs.suggested.is_none(), "every action unused: detach");
    assert!(matches!(
        sqs.policy,
        PolicyRef::Managed {
            aws_managed: true,
            ..
        }
    ));
    assert!(sqs.reasons.iter().any(|r| r.contains("cannot be edited")));
}

#[test]
fn new_policy_versions_new_principals_opt_outs_and_missing_data_keep_everything() {
    let all = run(options());
    let labels: Vec<&str> = all
        .recommendations
        .iter()
        .map(|r| r.policy.label())
        .collect();
    // queue-workers v2 (5 days old) added sqs:PurgeQueue, unused but in grace.
    assert!(
        !labels.contains(&"arn:aws:iam::123456789012:policy/queue-workers"),
        "{labels:?}"
    );
    for kept in ["everything-s3", "old", "frozen-policy"] {
        assert!(!labels.contains(&kept), "{kept}: {labels:?}");
    }
    let status = |name: &str| {
        all.principals
            .iter()
            .find(|p| p.arn == format!("{A}:role/{name}"))
            .unwrap()
            .status
    };
    assert_eq!(status("newbie"), PrincipalStatus::TooNew);
    assert_eq!(status("ghost"), PrincipalStatus::NoData);
    assert_eq!(status("frozen"), PrincipalStatus::OptedOut);
    assert_eq!(status("app"), PrincipalStatus::Analysed);
    // Without the grace period, PurgeQueue goes.
    let all = run(RecommendOptions {
        grace_days: 0,
        ..options()
    });
    let queue = find(&all, &format!("{A}:policy/queue-workers"));
    assert_eq!(removed(queue), ["sqs:PurgeQueue"]);
}

#[test]
fn unused_roles_are_for_deletion() {
    let all = run(options());
    let arns: Vec<&str> = all.unused_roles.iter().map(|r| r.arn.as_str()).collect();
    assert_eq!(arns, [format!("{A}:role/ghost")]);
    assert!(all.unused_roles[0].reason.contains("never used"));
}

#[test]
fn stale_reports_and_impossible_windows_are_refused() {
    // Reports completed on 2026-11-19 are 11 days old on 2026-11-30.
    let all = run(RecommendOptions {
        as_of: "2026-11-30T00:00:00Z".parse().unwrap(),
        ..options()
    });
    assert!(all.recommendations.is_empty(), "{:#?}", all.recommendations);
    assert!(
        all.principals
            .iter()
            .any(|p| p.status == PrincipalStatus::StaleData)
    );
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/recommend/account.json"
    );
    let snapshot = Snapshot::read(std::path::Path::new(path)).unwrap();
    let err = recommend(
        &snapshot,
        Catalog::embedded(),
        &RecommendOptions {
            unused_days: 500,
            ..options()
        },
    )
    .unwrap_err();
    assert_eq!(err, RecommendError::WindowTooLong(500));
}

#[test]
fn summaries_count_granted_used_unused_and_untracked() {
    let all = run(options());
    let app = all
        .principals
        .iter()
        .find(|p| p.arn == format!("{A}:role/app"))
        .unwrap();
    assert!(
        app.granted > app.unused && app.unused > 0 && app.used >= 2,
        "{app:?}"
    );
    assert_eq!(app.granted, app.used + app.unused + app.untracked);
    let _: Value = json!(app.reduction_percent());
}

#[test]
fn on_the_demo_no_suggestion_grants_more_or_drops_a_deny() {
    use whittle_analysis::recommend::grants;
    use whittle_policy::Expander;
    let expander = Expander::new(Catalog::embedded());
    let allowed = |doc: &Value| {
        let mut set = whittle_policy::ActionSet::empty(expander.catalog().len());
        grants(doc, &expander, "")
            .iter()
            .for_each(|g| set.union_with(&g.actions));
        set
    };
    let denies = |doc: &Value| -> Vec<Value> {
        doc["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["Effect"] == "Deny")
            .cloned()
            .collect()
    };
    let all = run(options());
    assert!(all.recommendations.len() >= 4);
    for r in &all.recommendations {
        let Some(suggested) = &r.suggested else {
            continue;
        };
        assert!(
            allowed(suggested).is_subset(&allowed(&r.original)),
            "{}",
            r.policy.label()
        );
        assert_eq!(
            denies(suggested),
            denies(&r.original),
            "{}",
            r.policy.label()
        );
        assert!(!r.removed.is_empty(), "{}", r.policy.label());
    }
}

#[test]
fn selecting_one_principal_still_protects_what_other_holders_use() {
    // batch alone never used dynamodb:GetItem, but app (not selected) did.
    let all = run(RecommendOptions {
        principals: vec![format!("{A}:role/batch")],
        strategy: Strategy::InPlace,
        ..options()
    });
    assert_eq!(all.principals.len(), 1);
    let shared = find(&all, &format!("{A}:policy/shared-readers"));
    assert!(
        !removed(shared).contains(&"dynamodb:GetItem"),
        "{:?}",
        removed(shared)
    );
    assert!(
        all.recommendations
            .iter()
            .all(|r| r.principals.iter().any(|p| p.ends_with("role/batch"))),
        "only policies the selected principal holds"
    );
}

#[test]
fn a_suggestion_larger_than_iams_quota_says_so() {
    let user = format!("{A}:user/wide");
    let text = json!({
        "schema": "whittle.snapshot/v1", "account_id": "123456789012",
        "fetched_at": "2026-11-19T00:00:00Z", "complete": true,
        "tool": {"name": "whittle", "version": "test", "catalog": null},
        "source": {"kind": "import", "files": []},
        "authorization_details": {"UserDetailList": [{
            "UserName": "wide", "Arn": user, "CreateDate": "2024-01-01T00:00:00Z",
            "UserPolicyList": [{"PolicyName": "everything-but-iam", "PolicyDocument":
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}}]}]},
        "reports": [{"arn": user, "kind": "user", "job_id": null, "last_accessed": {
            "JobStatus": "COMPLETED", "JobCreationDate": "2026-11-19T00:00:00Z",
            "JobCompletionDate": "2026-11-19T00:00:00Z",
            "ServicesLastAccessed": [{"ServiceName": "Amazon EC2", "ServiceNamespace": "ec2"}]}}],
        "errors": [], "stats": {"api_calls": 0, "wall_time_ms": 0}
    });
    let snapshot = Snapshot::parse("wide", &text.to_string()).unwrap();
    let all = recommend(&snapshot, Catalog::embedded(), &options()).unwrap();
    // ec2 goes; every service the report does not list stays, by name.
    let r = &all.recommendations[0];
    assert!(removed(r).iter().all(|a| a.starts_with("ec2:")));
    assert!(
        r.reasons
            .iter()
            .any(|x| x.contains("more than IAM allows for a user's inline policies")),
        "{:?}",
        r.reasons
    );
}

#[test]
fn the_demo_reports_are_shaped_as_iam_returns_them() {
    // IAM lists every service a principal's policies grant: a report that
    // does not is older than a policy change, and the demo must not be one.
    let all = run(options());
    for p in all
        .principals
        .iter()
        .filter(|p| p.status == PrincipalStatus::Analysed)
    {
        assert!(
            p.missing_services.is_empty(),
            "{}: {:?}",
            p.arn,
            p.missing_services
        );
        assert_eq!(p.not_reported, 0, "{}", p.arn);
    }
}

// `recommend --source`: what is refused, and why.

mod source {
    use super::*;
    use whittle_analysis::recommend::{SourceReport, patch_sources};
    use whittle_syntax::SourceFile;

    fn snapshot() -> Snapshot {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/recommend/account.json"
        );
        Snapshot::read(std::path::Path::new(path)).unwrap()
    }

    fn in_place() -> RecommendOptions {
        RecommendOptions {
            strategy: Strategy::InPlace,
            ..options()
        }
    }

    fn patch(
        snapshot: &Snapshot,
        options: RecommendOptions,
        files: &[(&str, &str)],
    ) -> SourceReport {
        let all = recommend(snapshot, Catalog::embedded(), &options).unwrap();
        let files: Vec<SourceFile> = files
            .iter()
            .map(|(path, text)| SourceFile::new(*path, *text))
            .collect();
        patch_sources(&all, &snapshot.authorization_details, &files)
    }

    /// The result for the policy labelled `label`.
    fn result(report: &SourceReport, label: &str) -> Result<String, String> {
        report
            .outcomes
            .iter()
            .find(|o| o.policy.label() == label)
            .unwrap_or_else(|| panic!("no outcome for {label}: {report:#?}"))
            .result
            .clone()
    }

    const READ_TRAILS: &str = r#"
resource "aws_iam_user_policy" "read_trails" {
  name   = "read-trails"
  user   = "auditor"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ACTIONS
      Resource = "*"
    }]
  })
}
"#;

    fn read_trails(actions: &str) -> String {
        READ_TRAILS.replace("ACTIONS", actions)
    }

    const ACTIONS: &str = r#"["logs:GetLogEvents", "logs:FilterLogEvents", "cloudtrail:LookupEvents", "cloudtrail:GetTrailStatus"]"#;

    #[test]
    fn a_definition_as_the_snapshot_has_it_is_patched() {
        let text = read_trails(ACTIONS);
        let report = patch(&snapshot(), in_place(), &[("infra/main.tf", &text)]);
        assert_eq!(
            result(&report, "read-trails"),
            Ok("1 statement narrowed".to_owned())
        );
        let after = &report.files[0].after;
        assert!(
            after.contains(r#"Action   = ["logs:GetLogEvents", "logs:FilterLogEvents"]"#),
            "{after}"
        );
    }

    #[test]
    fn a_source_that_drifted_from_the_snapshot_is_not_patched() {
        let text = read_trails(
            r#"["logs:GetLogEvents", "logs:FilterLogEvents", "cloudtrail:LookupEvents"]"#,
        );
        let report = patch(&snapshot(), in_place(), &[("infra/main.tf", &text)]);
        let reason = result(&report, "read-trails").unwrap_err();
        assert!(
            reason.contains("not the one in the snapshot")
                && reason.contains("cloudtrail:GetTrailStatus"),
            "{reason}"
        );
        assert!(report.files.is_empty());
    }

    #[test]
    fn computed_documents_and_actions_are_named_not_patched() {
        let snapshot = snapshot();
        let variable = r#"
resource "aws_iam_user_policy" "read_trails" {
  name   = "read-trails"
  user   = "auditor"
  policy = var.read_trails
}
"#;
        let report = patch(&snapshot, in_place(), &[("infra/main.tf", variable)]);
        assert_eq!(
            result(&report, "read-trails"),
            Err("computed: its policy is {var.read_trails}".to_owned())
        );
        let local = read_trails("local.trail_actions");
        let report = patch(&snapshot, in_place(), &[("infra/main.tf", &local)]);
        let reason = result(&report, "read-trails").unwrap_err();
        assert!(reason.contains("computed"), "{reason}");
        let each = read_trails(ACTIONS).replace(
            "  name   = \"read-trails\"",
            "  for_each = toset([\"a\"])\n  name   = \"read-trails\"",
        );
        let report = patch(&snapshot, in_place(), &[("infra/main.tf", &each)]);
        let reason = result(&report, "read-trails").unwrap_err();
        assert!(reason.contains("has for_each"), "{reason}");
        let dynamic = r#"
resource "aws_iam_user_policy" "read_trails" {
  name   = "read-trails"
  user   = "auditor"
  policy = data.aws_iam_policy_document.trails.json
}
data "aws_iam_policy_document" "trails" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = statement.value.actions
      resources = ["*"]
    }
  }
}
"#;
        let report = patch(&snapshot, in_place(), &[("infra/main.tf", dynamic)]);
        let reason = result(&report, "read-trails").unwrap_err();
        assert!(reason.contains("dynamic"), "{reason}");
        assert!(report.files.is_empty());
    }

    #[test]
    fn two_definitions_of_one_policy_are_ambiguous() {
        let text = read_trails(ACTIONS);
        let report = patch(
            &snapshot(),
            in_place(),
            &[("a/main.tf", &text), ("b/main.tf", &text)],
        );
        let reason = result(&report, "read-trails").unwrap_err();
        assert!(reason.contains("could be any of"), "{reason}");
        assert!(report.files.is_empty());
    }

    #[test]
    fn a_document_shared_with_a_policy_left_alone_is_not_patched() {
        // The frozen role (opted out) holds the same inline policy, from the
        // same AWS::IAM::Policy: trimming it for the auditor would trim it there too.
        let mut snapshot = snapshot();
        let auditor = snapshot
            .authorization_details
            .user_detail_list
            .iter()
            .find(|u| u.user_name == "auditor")
            .unwrap()
            .user_policy_list[0]
            .clone();
        snapshot
            .authorization_details
            .role_detail_list
            .iter_mut()
            .find(|r| r.role_name == "frozen")
            .unwrap()
            .role_policy_list
            .push(auditor);
        let template = r#"
Resources:
  ReadTrails:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: read-trails
      Users: [auditor]
      Roles: [frozen]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action:
              - logs:GetLogEvents
              - logs:FilterLogEvents
              - cloudtrail:LookupEvents
              - cloudtrail:GetTrailStatus
            Resource: "*"
"#;
        let report = patch(&snapshot, in_place(), &[("template.yaml", template)]);
        let reason = result(&report, "read-trails").unwrap_err();
        assert!(
            reason.contains("also defines the inline policy \"read-trails\" of role \"frozen\""),
            "{reason}"
        );
        // Without the frozen role's copy, the same template is patched.
        let report = patch(
            &super::source::snapshot(),
            in_place(),
            &[("template.yaml", template)],
        );
        assert_eq!(
            result(&report, "read-trails"),
            Ok("1 statement narrowed".to_owned())
        );
    }

    #[test]
    fn per_principal_copies_are_left_to_the_plan() {
        let text = r#"
resource "aws_iam_policy" "shared" {
  name   = "shared-readers"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["dynamodb:GetItem", "dynamodb:Query", "logs:*"], Resource = "*" }]
  })
}
"#;
        let options = RecommendOptions {
            strategy: Strategy::PerPrincipal,
            ..options()
        };
        let report = patch(&snapshot(), options, &[("main.tf", text)]);
        let outcomes: Vec<_> = report
            .outcomes
            .iter()
            .filter(|o| o.policy.label().ends_with("policy/shared-readers"))
            .collect();
        assert!(!outcomes.is_empty());
        for outcome in outcomes {
            let reason = outcome.result.clone().unwrap_err();
            assert!(reason.contains("per-principal strategy"), "{reason}");
            assert_eq!(
                outcome.place.as_ref().unwrap().definition,
                "aws_iam_policy.shared"
            );
        }
        assert!(report.files.is_empty());
    }
}
