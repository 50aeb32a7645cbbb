//! `whittle access-advisor`'s JSON, with the AWS CLI's field names and every
//! page merged, and its tables.

mod support;

use serde_json::Value;
use whittle_model::{EntitiesDetails, LastAccessedDetails};
use whittle_reporter::{
    entities_json, entities_table, job_started_json, last_accessed_json, last_accessed_table,
};

fn report() -> LastAccessedDetails {
    let text =
        std::fs::read_to_string(support::testdata("import/report-lambda-last-accessed.json"))
            .expect("fixture");
    serde_json::from_str(&text).expect("the fixture is a last-accessed report")
}

fn entities() -> EntitiesDetails {
    serde_json::from_str(
        r#"{"JobStatus": "COMPLETED", "JobCreationDate": "2026-10-01T12:00:00Z",
            "JobCompletionDate": "2026-10-01T12:00:04Z",
            "EntityDetailsList": [
              {"EntityInfo": {"Arn": "arn:aws:iam::123456789012:role/batch", "Name": "batch",
                              "Type": "ROLE", "Id": "AROAEXAMPLEBATCH", "Path": "/"},
               "LastAuthenticated": "2026-09-30T08:00:00Z"},
              {"EntityInfo": {"Arn": "arn:aws:iam::123456789012:user/dev", "Name": "dev",
                              "Type": "USER", "Id": "AIDAEXAMPLEDEV", "Path": "/"}}]}"#,
    )
    .expect("a with-entities report")
}

#[test]
fn generate_prints_the_job_id() {
    assert_eq!(job_started_json("job-1"), "{\n  \"JobId\": \"job-1\"\n}\n");
}

#[test]
fn reports_keep_the_aws_cli_field_names_and_say_nothing_is_left_to_read() {
    let details = report();
    let text = last_accessed_json(&details);
    let printed: Value = serde_json::from_str(&text).unwrap();
    let mut expected = serde_json::to_value(&details).unwrap();
    expected["IsTruncated"] = false.into();
    assert_eq!(printed, expected);
    assert_eq!(
        printed.as_object().unwrap().keys().next_back().unwrap(),
        "IsTruncated"
    );
    insta::assert_snapshot!("get_json", text);
    insta::assert_snapshot!("get_table", last_accessed_table(&details, 120));
}

#[test]
fn with_entities() {
    let details = entities();
    insta::assert_snapshot!("get_with_entities_json", entities_json(&details));
    insta::assert_snapshot!("get_with_entities_table", entities_table(&details, 100));
}
