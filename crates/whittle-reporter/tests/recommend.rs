//! Golden tests of `whittle recommend`'s reports on the demo snapshot: the
//! diff, the table, the `whittle.recommend/v1` document (valid against its
//! schema), the SARIF log of its findings and the lines on standard error.

mod support;

use std::path::Path;

use whittle_analysis::RuleSet;
use whittle_analysis::recommend::{self, RecommendOptions, Recommendations};
use whittle_model::Snapshot;
use whittle_policy::Catalog;
use whittle_syntax::SourceFile;

use support::{BASE, testdata};

const SNAPSHOT: &str = "recommend/account.json";

fn recommendations() -> Recommendations {
    let snapshot = Snapshot::read(&testdata(SNAPSHOT)).unwrap();
    let rules = RuleSet::embedded().expect("the embedded rules are valid");
    let expander = whittle_policy::Expander::new(Catalog::embedded());
    let options = RecommendOptions {
        as_of: "2026-11-20T00:00:00Z".parse().unwrap(),
        categories: whittle_analysis::diff::categories(&rules, &expander),
        ..RecommendOptions::default()
    };
    recommend::recommend(&snapshot, Catalog::embedded(), &options).unwrap()
}

fn schema() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/recommend.v1.schema.json")
}

#[test]
fn diff() {
    insta::assert_snapshot!(whittle_reporter::recommend_diff(&recommendations()));
}

#[test]
fn table() {
    insta::assert_snapshot!(whittle_reporter::recommend_table(&recommendations(), 120));
}

#[test]
fn json() {
    let text = whittle_reporter::recommend_json(&recommendations(), "0.1.0");
    let document = support::valid_against(&schema(), &text);
    // The demo holds every shape: policies changed for every holder and
    // replaced per principal (one leaving a group), inline, managed and AWS
    // managed policies, a policy to detach, an unused role.
    let recommendations = document["recommendations"].as_array().unwrap();
    assert!(recommendations.iter().any(|r| r["scope"] == "policy"));
    assert!(recommendations.iter().any(|r| r["scope"] == "principal"));
    assert!(
        recommendations
            .iter()
            .any(|r| r.get("leaves_groups").is_some())
    );
    assert!(recommendations.iter().any(|r| r["suggested"].is_null()));
    assert!(
        recommendations
            .iter()
            .any(|r| r["policy_type"] == "aws-managed")
    );
    // The golden copy keeps the first few removed, kept and risky actions of
    // each entry: the NotAction group policy loses some 21,000 actions.
    let mut short = document.clone();
    for r in short["recommendations"].as_array_mut().unwrap() {
        let removed = r["removed"].as_array_mut().unwrap();
        let total = removed.len();
        removed.truncate(5);
        r["removed_total"] = total.into();
        r["kept_untracked"].as_array_mut().unwrap().truncate(5);
    }
    for p in short["principals"].as_array_mut().unwrap() {
        for risk in p["removed_risks"].as_array_mut().into_iter().flatten() {
            let actions = risk["actions"].as_array_mut().unwrap();
            let total = actions.len();
            actions.truncate(5);
            risk["total"] = total.into();
        }
    }
    insta::assert_snapshot!(whittle_reporter::pretty(&short));
}

#[test]
fn an_empty_run_is_a_valid_document() {
    let snapshot = Snapshot::read(&testdata(SNAPSHOT)).unwrap();
    let options = RecommendOptions {
        as_of: "2026-11-20T00:00:00Z".parse().unwrap(),
        principals: vec!["arn:aws:iam::123456789012:role/nobody".to_owned()],
        ..RecommendOptions::default()
    };
    let none = recommend::recommend(&snapshot, Catalog::embedded(), &options).unwrap();
    let text = whittle_reporter::recommend_json(&none, "0.1.0");
    let document = support::valid_against(&schema(), &text);
    assert_eq!(document["summary"]["principals"], 0);
}

#[test]
fn sarif() {
    let all = recommendations();
    let text = std::fs::read_to_string(testdata(SNAPSHOT)).unwrap();
    let file = SourceFile::new(format!("testdata/{SNAPSHOT}").as_str(), text);
    let rules = RuleSet::embedded().expect("the embedded rules are valid");
    let (rules, findings) = recommend::findings(&all, &file, &rules);
    let text = support::with_run(&findings, &rules, &[], |run| {
        whittle_reporter::findings_sarif(run, Path::new(BASE))
    });
    support::valid_sarif(&text);
    insta::assert_snapshot!(text);
}

#[test]
fn lines_on_standard_error() {
    let all = recommendations();
    insta::assert_snapshot!(whittle_reporter::recommend_notes(&all));
}

#[test]
fn plan_lines() {
    let snapshot = Snapshot::read(&testdata(SNAPSHOT)).unwrap();
    let tool = whittle_model::Tool {
        name: "whittle".into(),
        version: "0.1.0".into(),
        catalog: None,
    };
    let options = recommend::PlanOptions {
        include_unused_roles: true,
        ..recommend::PlanOptions::new(tool)
    };
    let planned = recommend::plan(&recommendations(), &snapshot, &options);
    // The plan itself is a valid whittle.plan/v1 document.
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../whittle-model/schemas/plan.v1.schema.json");
    support::valid_against(&schema, &planned.plan.to_json());
    insta::assert_snapshot!(whittle_reporter::plan_written(
        &planned,
        Path::new("plan.json")
    ));
}

#[test]
fn a_snapshot_with_fetch_errors_is_named_as_such() {
    let problem = |n: usize| whittle_model::Problem {
        arn: Some(format!("arn:aws:iam::123456789012:role/r{n}")),
        operation: "GetServiceLastAccessedDetails".into(),
        code: Some("Throttling".into()),
        message: "Rate exceeded".into(),
    };
    let one = whittle_reporter::snapshot_errors("account.json", &[problem(1)]);
    assert!(
        one.starts_with("warning: account.json records 1 error of its fetch"),
        "{one}"
    );
    assert!(one.contains("GetServiceLastAccessedDetails arn:aws:iam::123456789012:role/r1: Throttling: Rate exceeded"), "{one}");
    let many: Vec<_> = (0..7).map(problem).collect();
    let text = whittle_reporter::snapshot_errors("account.json", &many);
    assert!(text.contains("records 7 errors"), "{text}");
    assert!(text.ends_with("  and 2 more\n"), "{text}");
}
