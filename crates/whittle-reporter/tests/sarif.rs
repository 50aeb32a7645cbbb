//! The SARIF report: valid against the official schema, regions on the offending
//! elements, fingerprints that survive moved lines, and IAM resources as logical
//! locations.

mod support;

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use whittle_analysis::Finding;
use whittle_reporter::{STDIN_PATH, findings_sarif, lint_sarif};

use support::{BASE, POLICY, POLICY_PATH, valid_sarif};

fn sarif(findings: &[Finding], rules: &[Arc<whittle_analysis::Rule>]) -> Value {
    let failures = support::failures();
    let text = support::with_report(findings, rules, &failures, |report| {
        lint_sarif(report, Path::new(BASE))
    });
    valid_sarif(&text)
}

fn policy_sarif(text: &str) -> Value {
    sarif(&support::lint(POLICY_PATH, text), &support::all_rules())
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"]
        .as_array()
        .expect("the run has results")
}

fn result<'l>(log: &'l Value, rule_id: &str) -> &'l Value {
    results(log)
        .iter()
        .find(|r| r["ruleId"] == rule_id)
        .unwrap_or_else(|| panic!("no {rule_id} result"))
}

fn fingerprint(result: &Value) -> &str {
    result["partialFingerprints"]["whittleFindingHash/v1"]
        .as_str()
        .expect("every result has a fingerprint")
}

#[test]
fn report_on_a_multi_statement_policy_is_valid_sarif() {
    let log = policy_sarif(POLICY);
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["tool"]["driver"]["name"], "whittle");
    assert_eq!(run["properties"]["catalog"][0]["date"], "2026-09-26");
    assert!(results(&log).len() >= 5);
}

#[test]
fn the_schema_check_rejects_invalid_logs() {
    let mut log = policy_sarif(POLICY);
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    let text = serde_json::to_string(&log).expect("JSON");
    let outcome = std::panic::catch_unwind(|| valid_sarif(&text));
    let message = outcome
        .expect_err("an invalid log is refused")
        .downcast::<String>()
        .expect("a formatted panic message");
    assert!(message.contains("/results/0/level"), "{message}");
    assert!(message.contains("/region/startLine"), "{message}");
}

#[test]
fn regions_point_at_the_offending_elements() {
    let log = policy_sarif(POLICY);
    // Line 9 is `    {"Sid": "Überall", "Effect": "Allow", "Action": "*", …`: 42
    // characters (43 bytes) come before `"Action"`.
    let admin = &result(&log, "WH101")["locations"][0]["physicalLocation"];
    assert_eq!(admin["artifactLocation"]["uri"], "policies/ci.json");
    assert_eq!(admin["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let region = &admin["region"];
    assert_eq!(
        (
            &region["startLine"],
            &region["startColumn"],
            &region["endLine"],
            &region["endColumn"]
        ),
        (
            &Value::from(9),
            &Value::from(43),
            &Value::from(9),
            &Value::from(51)
        )
    );
    let typo = &result(&log, "WH003")["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (&typo["startLine"], &typo["startColumn"]),
        (&6.into(), &45.into())
    );
    let sid = &result(&log, "WH005")["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (&sid["startLine"], &sid["startColumn"]),
        (&11.into(), &13.into())
    );
}

#[test]
fn fingerprints_survive_moved_lines() {
    let first = policy_sarif(POLICY);
    assert_eq!(first, policy_sarif(POLICY), "rendering is deterministic");
    let shifted = policy_sarif(&format!("\n\n\n{POLICY}"));
    let (before, after) = (results(&first), results(&shifted));
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(after) {
        assert_eq!(b["ruleId"], a["ruleId"]);
        assert_eq!(fingerprint(b), fingerprint(a), "{}", b["ruleId"]);
        let line = |r: &Value| r["locations"][0]["physicalLocation"]["region"]["startLine"].clone();
        assert_ne!(line(b), line(a));
    }
}

#[test]
fn fingerprints_tell_findings_apart() {
    let mut findings = support::lint(POLICY_PATH, POLICY);
    // The same finding twice (as a rule reporting one element twice would): the
    // occurrence index keeps their fingerprints apart.
    findings.push(findings[0].clone());
    let log = sarif(&findings, &support::all_rules());
    let mut prints: Vec<&str> = results(&log).iter().map(fingerprint).collect();
    prints.sort_unstable();
    let count = prints.len();
    prints.dedup();
    assert_eq!(prints.len(), count, "every result has its own fingerprint");
}

#[test]
fn principal_results_name_the_principal_as_a_logical_location() {
    let text = std::fs::read_to_string(support::account_export_path()).expect("fixture");
    let findings = support::lint("testdata/accounts/cross-policy-escalation.json", &text);
    let log = sarif(&findings, &support::all_rules());
    let by_subject_kind = |kind: &str| {
        results(&log)
            .iter()
            .find(|r| r["properties"]["subjectKind"] == kind)
            .unwrap_or_else(|| panic!("no result about a {kind}"))
    };
    let principal = by_subject_kind("principal");
    let location = &principal["locations"][0];
    let logical = &location["logicalLocations"][0];
    assert_eq!(logical["kind"], "resource");
    assert_eq!(
        logical["fullyQualifiedName"],
        "arn:aws:iam::123456789012:role/builder"
    );
    assert_eq!(logical["name"], "builder");
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/accounts/cross-policy-escalation.json"
    );
    assert!(location["physicalLocation"]["region"]["startLine"].is_u64());

    let inline = results(&log)
        .iter()
        .find(|r| r["locations"][0]["logicalLocations"][0]["name"] == "pass-roles")
        .expect("a result about the inline policy");
    assert_eq!(inline["properties"]["subjectKind"], "policy");
    assert_eq!(
        inline["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "arn:aws:iam::123456789012:role/builder#inline-policy:pass-roles"
    );
}

#[test]
fn trust_policy_results_name_the_role_and_say_it_is_its_trust_policy() {
    let path = "testdata/accounts/trust-policies.json";
    let text = std::fs::read_to_string(
        support::account_export_path().with_file_name("trust-policies.json"),
    )
    .expect("fixture");
    let findings = support::lint(path, &text);
    let log = sarif(&findings, &support::all_rules());
    let trust = results(&log)
        .iter()
        .find(|r| r["properties"]["subjectKind"] == "trust-policy")
        .expect("a result about a trust policy");
    let logical = &trust["locations"][0]["logicalLocations"][0];
    assert_eq!(
        logical["fullyQualifiedName"],
        "arn:aws:iam::123456789012:role/partner-audit#trust-policy"
    );
    assert_eq!(logical["name"], "partner-audit trust policy");
    assert_eq!(logical["kind"], "resource");
}

#[test]
fn every_rule_is_listed_with_its_documentation() {
    let rules = support::all_rules();
    let log = policy_sarif(POLICY);
    let descriptors = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("the driver lists rules");
    assert_eq!(descriptors.len(), rules.len());
    for result in results(&log) {
        let index = result["ruleIndex"].as_u64().expect("a rule index") as usize;
        assert_eq!(descriptors[index]["id"], result["ruleId"]);
    }
    let admin = descriptors
        .iter()
        .find(|d| d["id"] == "WH101")
        .expect("WH101 is listed");
    assert_eq!(admin["name"], "full-admin-access");
    assert_eq!(admin["defaultConfiguration"]["level"], "error");
    assert_eq!(admin["properties"]["tags"][0], "over-permission");
    let markdown = admin["help"]["markdown"].as_str().expect("markdown help");
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
    ] {
        assert!(markdown.contains(section), "help lacks {section}");
    }
    assert!(markdown.contains("```json\n{"));
    // Code scanning ranks security alerts by security-severity, which it reads
    // only with the `security` tag; validity rules are not security alerts.
    assert_eq!(admin["properties"]["security-severity"], "9.0");
    assert!(
        admin["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&Value::from("security"))
    );
    let level = |id: &str| {
        descriptors
            .iter()
            .find(|d| d["id"] == id)
            .map(|d| d["properties"]["security-severity"].clone())
            .unwrap_or_else(|| panic!("{id} is listed"))
    };
    assert_eq!(level("WH102"), "5.0", "service-wide-wildcard is a warning");
    assert_eq!(
        level("WH001"),
        Value::Null,
        "malformed-policy is about validity"
    );
}

#[test]
fn unreadable_inputs_are_tool_execution_notifications() {
    let log = policy_sarif(POLICY);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notifications = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert_eq!(notifications.len(), 2);
    assert_eq!(notifications[0]["level"], "error");
    let location = &notifications[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "policies/broken.json");
    assert_eq!(location["region"]["startColumn"], 23);

    let text = support::with_report(&[], &[], &[], |report| lint_sarif(report, Path::new(BASE)));
    let clean = valid_sarif(&text);
    let invocation = &clean["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert!(invocation.get("toolExecutionNotifications").is_none());
    assert_eq!(clean["runs"][0]["results"], Value::Array(vec![]));
}

#[test]
fn artifact_uris_are_relative_to_the_base_and_escaped() {
    let base = support::lint(POLICY_PATH, POLICY).remove(0);
    let at = |path: &str| {
        let mut finding = base.clone();
        finding.location.path = path.into();
        finding
    };
    let findings = [
        at(STDIN_PATH),
        at("/work/repo/policies/abs.json"),
        at("./policies/../policies/dot.json"),
        at("/elsewhere/x.json"),
        at("../sibling/y.json"),
        at("my policies/a:b#1 ü.json"),
    ];
    let log = sarif(&findings, &support::all_rules());
    let artifacts: Vec<(&Value, &Value)> = results(&log)
        .iter()
        .map(|r| {
            let a = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            (&a["uri"], &a["uriBaseId"])
        })
        .collect();
    let stdin = &results(&log)[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(stdin["description"]["text"], "standard input");
    let root = Value::from("%SRCROOT%");
    let none = Value::Null;
    assert_eq!(
        artifacts,
        [
            (&"stdin".into(), &none),
            (&"policies/abs.json".into(), &root),
            (&"policies/dot.json".into(), &root),
            (&"file:///elsewhere/x.json".into(), &none),
            (&"file:///work/sibling/y.json".into(), &none),
            (&"my%20policies/a%3Ab%231%20%C3%BC.json".into(), &root),
        ]
    );
}

#[test]
fn snapshot() {
    let findings = support::lint(POLICY_PATH, POLICY);
    let failures = support::failures();
    let rules = support::rules_of(&findings);
    let text = support::with_report(&findings, &rules, &failures, |report| {
        lint_sarif(report, Path::new(BASE))
    });
    valid_sarif(&text);
    insta::assert_snapshot!(text);
}

#[test]
fn findings_of_other_commands_carry_no_lint_counts() {
    let findings = support::lint(POLICY_PATH, POLICY);
    let rules = support::rules_of(&findings);
    let render = |failures: &[whittle_analysis::InputFailure]| {
        let text = support::with_run(&findings, &rules, failures, |run| {
            findings_sarif(run, Path::new(BASE))
        });
        valid_sarif(&text)
    };
    let log = render(&[]);
    let run = &log["runs"][0];
    assert_eq!(run["properties"]["catalog"][0]["date"], "2026-09-26");
    assert!(run["properties"].get("summary").is_none(), "{run}");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(results(&log).len(), findings.len());

    let failed = render(&support::failures());
    let invocation = &failed["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["level"],
        "error"
    );
}

#[test]
fn a_cross_policy_escalation_relates_the_policies_behind_it() {
    let text = std::fs::read_to_string(support::account_export_path()).expect("fixture");
    let findings = support::lint("testdata/accounts/cross-policy-escalation.json", &text);
    let log = sarif(&findings, &support::all_rules());
    let escalation = results(&log)
        .iter()
        .find(|r| r.get("relatedLocations").is_some())
        .expect("a result with related locations");
    assert_eq!(escalation["properties"]["subjectKind"], "principal");
    let related = escalation["relatedLocations"].as_array().unwrap();
    let ids: Vec<&Value> = related.iter().map(|r| &r["id"]).collect();
    assert_eq!(ids, [&Value::from(0), &Value::from(1)]);
    let inline = &related[0];
    assert_eq!(inline["message"]["text"], "grants iam:PassRole");
    assert_eq!(
        inline["properties"]["subject"],
        "role/builder inline policy \"pass-roles\""
    );
    let logical = &inline["logicalLocations"][0];
    assert_eq!(
        logical["fullyQualifiedName"],
        "arn:aws:iam::123456789012:role/builder#inline-policy:pass-roles"
    );
    assert_eq!(logical["kind"], "resource");
    assert_eq!(logical["properties"]["subjectKind"], "policy");
    let managed = &related[1]["logicalLocations"][0];
    assert_eq!(
        managed["fullyQualifiedName"],
        "arn:aws:iam::123456789012:policy/launch-instances"
    );
    assert_eq!(managed["name"], "launch-instances");
    // Results without related places have none.
    assert!(
        results(&log)
            .iter()
            .filter(|r| r["properties"]["subjectKind"] == "policy")
            .all(|r| r.get("relatedLocations").is_none())
    );
    insta::assert_snapshot!(serde_json::to_string_pretty(&escalation["relatedLocations"]).unwrap());
}

#[test]
fn a_chain_of_roles_is_a_code_flow_hop_by_hop() {
    let path = "testdata/accounts/assume-role-chain.json";
    let text = std::fs::read_to_string(
        support::account_export_path().with_file_name("assume-role-chain.json"),
    )
    .expect("fixture");
    let findings = support::lint(path, &text);
    let log = sarif(&findings, &support::all_rules());
    let chain = results(&log)
        .iter()
        .find(|r| {
            r["ruleId"] == "WH290" && r["locations"][0]["logicalLocations"][0]["name"] == "dev"
        })
        .expect("a privesc-chain result on user/dev");
    let flows = chain["codeFlows"].as_array().expect("codeFlows");
    assert_eq!(flows.len(), 1);
    let hops = flows[0]["threadFlows"][0]["locations"].as_array().unwrap();
    assert_eq!(hops.len(), 2);
    assert_eq!(hops[0]["executionOrder"], 1);
    let first = &hops[0]["location"];
    assert!(
        first["message"]["text"].as_str().unwrap().starts_with(
            "user/dev can assume role/ci (trust policy of role/ci, statement \"TrustDev\""
        ),
        "{first}"
    );
    assert_eq!(
        first["logicalLocations"][0]["fullyQualifiedName"],
        "arn:aws:iam::123456789012:role/ci#trust-policy"
    );
    assert_eq!(
        first["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/accounts/assume-role-chain.json"
    );
    // The policies behind the hops are related locations.
    assert!(chain["relatedLocations"].as_array().unwrap().len() >= 3);
    // Results without a chain have no code flow.
    assert!(
        results(&log)
            .iter()
            .filter(|r| r["ruleId"] != "WH290")
            .all(|r| r.get("codeFlows").is_none())
    );
    insta::assert_snapshot!(serde_json::to_string_pretty(&chain["codeFlows"]).unwrap());
}
