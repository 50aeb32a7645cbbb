//! The JSON Schemas of the v1 documents (`schemas/*.v1.schema.json`) are strict
//! enough to catch drift: every object lists its properties, allows no others
//! and requires only properties it lists. The documents themselves are
//! validated against them where they are rendered (`render.rs`, `diff.rs`,
//! `recommend.rs`).

use std::path::{Path, PathBuf};

use serde_json::Value;

fn schemas() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the schemas folder")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    paths
}

/// Every subschema with `"type": "object"`, by its JSON pointer.
fn objects<'a>(value: &'a Value, pointer: String, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            if map.get("type") == Some(&Value::from("object")) {
                out.push((pointer.clone(), value));
            }
            for (key, child) in map {
                objects(child, format!("{pointer}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                objects(child, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn there_is_one_schema_per_v1_document() {
    let names: Vec<String> = schemas()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "diff.v1.schema.json",
            "lint.v1.schema.json",
            "recommend.v1.schema.json"
        ]
    );
}

#[test]
fn every_object_is_closed_and_requires_what_it_lists() {
    for path in schemas() {
        let text = std::fs::read_to_string(&path).expect("schema");
        let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        let name = path.file_name().unwrap().to_string_lossy();
        let document = name.trim_end_matches(".v1.schema.json");
        assert_eq!(
            schema["properties"]["schema"]["const"],
            format!("whittle.{document}/v1"),
            "{name}"
        );
        assert!(
            jsonschema::meta::is_valid(&schema),
            "{name} is not a valid JSON Schema"
        );
        let mut found = Vec::new();
        objects(&schema, String::new(), &mut found);
        for (pointer, object) in found {
            // A policy document is IAM's, not ours: any object.
            let Some(properties) = object.get("properties").and_then(Value::as_object) else {
                assert!(
                    pointer.ends_with("policyDocument"),
                    "{name}{pointer} lists no properties"
                );
                continue;
            };
            assert_eq!(
                object.get("additionalProperties"),
                Some(&Value::Bool(false)),
                "{name}{pointer} allows other properties"
            );
            let required = object["required"].as_array().unwrap_or_else(|| {
                panic!("{name}{pointer} requires nothing");
            });
            for key in required {
                let key = key.as_str().expect("required names are strings");
                assert!(
                    properties.contains_key(key),
                    "{name}{pointer} requires unlisted {key}"
                );
            }
        }
    }
}
