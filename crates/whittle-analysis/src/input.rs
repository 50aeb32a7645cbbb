//! Recognises what an input file holds and extracts the policy documents in it.
//!
//! Accepted, by content rather than by name: a bare policy document; the AWS CLI's
//! `get-policy-version`, `get-role-policy`, `get-user-policy` and `get-group-policy`
//! output; and `get-account-authorization-details` output (inline policies of users,
//! groups and roles, and the default version of every managed policy). A document
//! may be a JSON object or a string, URL-encoded as the raw IAM API returns it.

use crate::source::{Node, Span, Value, parse_json};

/// What kind of file an input turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A policy document on its own.
    Policy,
    /// `aws iam get-policy-version` output.
    PolicyVersion,
    /// `aws iam get-{role,user,group}-policy` output.
    InlinePolicy,
    /// `aws iam get-account-authorization-details` output.
    AuthorizationDetails,
}

/// A policy document found in an input, ready to be parsed as a policy.
#[derive(Debug, Clone)]
pub struct EmbeddedDocument {
    /// Where the document sits in the file, e.g. `role/deploy inline policy "ci"`;
    /// `None` for a bare policy file.
    pub subject: Option<String>,
    /// The document. If it was written as a string, every span points at the string.
    pub node: Node,
}

/// Why an input could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The JSON does not have any of the recognised shapes.
    #[error(
        "not a policy document or AWS CLI output this tool reads (expected \"Statement\", \"PolicyVersion\", \"PolicyDocument\" or \"UserDetailList\"/\"RoleDetailList\"/\"GroupDetailList\"/\"Policies\")"
    )]
    Unrecognised,
    /// An embedded document is not valid.
    #[error("{message}")]
    Document {
        /// Where the embedded document was written in the file.
        span: Span,
        /// What is wrong.
        message: String,
    },
}

/// Recognises `root` and returns the documents it holds.
pub fn documents(root: &Node) -> Result<(InputKind, Vec<EmbeddedDocument>), InputError> {
    // A "Version" without "Statement" is still meant as a policy: report what is
    // missing instead of calling the file unrecognised.
    if root.get("Statement").is_some() || root.get("Version").is_some() {
        let document = EmbeddedDocument {
            subject: None,
            node: root.clone(),
        };
        return Ok((InputKind::Policy, vec![document]));
    }
    if let Some(version) = root.get("PolicyVersion") {
        let id = version.get("VersionId").and_then(Node::as_str);
        let subject = id.map(|v| format!("policy version {v}"));
        let document = required(version, "Document", subject)?;
        return Ok((InputKind::PolicyVersion, vec![document]));
    }
    if root.get("PolicyDocument").is_some() {
        let owner = ["RoleName", "UserName", "GroupName"]
            .iter()
            .find_map(|k| Some((k, root.get(k)?.as_str()?)));
        let name = root.get("PolicyName").and_then(Node::as_str).unwrap_or("?");
        let subject = match owner {
            Some((kind, owner)) => format!(
                "{}/{owner} inline policy \"{name}\"",
                kind.trim_end_matches("Name").to_ascii_lowercase()
            ),
            None => format!("inline policy \"{name}\""),
        };
        let document = required(root, "PolicyDocument", Some(subject))?;
        return Ok((InputKind::InlinePolicy, vec![document]));
    }
    const DETAIL_KEYS: [&str; 4] = [
        "UserDetailList",
        "GroupDetailList",
        "RoleDetailList",
        "Policies",
    ];
    if DETAIL_KEYS.iter().any(|k| root.get(k).is_some()) {
        return Ok((
            InputKind::AuthorizationDetails,
            authorization_details(root)?,
        ));
    }
    Err(InputError::Unrecognised)
}

fn authorization_details(root: &Node) -> Result<Vec<EmbeddedDocument>, InputError> {
    let mut found = Vec::new();
    let lists = [
        ("UserDetailList", "UserName", "UserPolicyList", "user"),
        ("GroupDetailList", "GroupName", "GroupPolicyList", "group"),
        ("RoleDetailList", "RoleName", "RolePolicyList", "role"),
    ];
    for (list, name_key, policies_key, kind) in lists {
        for entity in items(root.get(list)) {
            let name = entity.get(name_key).and_then(Node::as_str).unwrap_or("?");
            for policy in items(entity.get(policies_key)) {
                let policy_name = policy
                    .get("PolicyName")
                    .and_then(Node::as_str)
                    .unwrap_or("?");
                let subject = format!("{kind}/{name} inline policy \"{policy_name}\"");
                found.push(required(policy, "PolicyDocument", Some(subject))?);
            }
        }
    }
    for policy in items(root.get("Policies")) {
        let arn = policy
            .get("Arn")
            .or_else(|| policy.get("PolicyName"))
            .and_then(Node::as_str)
            .unwrap_or("?");
        let default = policy.get("DefaultVersionId").and_then(Node::as_str);
        let versions = items(policy.get("PolicyVersionList"));
        let chosen = versions.iter().find(|v| {
            matches!(
                v.get("IsDefaultVersion").map(|n| &n.value),
                Some(Value::Bool(true))
            ) || (default.is_some() && v.get("VersionId").and_then(Node::as_str) == default)
        });
        if let Some(version) = chosen {
            let id = version
                .get("VersionId")
                .and_then(Node::as_str)
                .unwrap_or("?");
            let subject = format!("managed policy {arn} ({id})");
            found.push(required(version, "Document", Some(subject))?);
        }
    }
    Ok(found)
}

fn items(node: Option<&Node>) -> Vec<&Node> {
    match node.map(|n| &n.value) {
        Some(Value::Array(items)) => items.iter().collect(),
        _ => Vec::new(),
    }
}

/// The document under `key` of `parent`, decoded if it was written as a string.
fn required(
    parent: &Node,
    key: &str,
    subject: Option<String>,
) -> Result<EmbeddedDocument, InputError> {
    let Some(node) = parent.get(key) else {
        return Err(InputError::Document {
            span: parent.span,
            message: format!("\"{key}\" is missing"),
        });
    };
    let node = match &node.value {
        Value::Object(_) => node.clone(),
        Value::String(text) => decode_embedded(text, node.span)?,
        _ => {
            return Err(InputError::Document {
                span: node.span,
                message: format!(
                    "\"{key}\" must be a policy document (an object or a string), not {}",
                    node.kind()
                ),
            });
        }
    };
    Ok(EmbeddedDocument { subject, node })
}

/// Parses a document given as a string: plain JSON, or URL-encoded JSON as the
/// IAM API returns it. It is decoded exactly once.
fn decode_embedded(text: &str, span: Span) -> Result<Node, InputError> {
    let trimmed = text.trim_start();
    let decoded;
    let json = if trimmed.starts_with('{') {
        trimmed
    } else {
        decoded = percent_encoding::percent_decode_str(trimmed)
            .decode_utf8()
            .map_err(|_| InputError::Document {
                span,
                message: "the URL-encoded policy document is not valid UTF-8".to_owned(),
            })?;
        &decoded
    };
    let mut node = parse_json(json).map_err(|e| InputError::Document {
        span,
        message: format!(
            "the policy document in this string is not valid JSON: {} at offset {} of the decoded text",
            e.message, e.offset
        ),
    })?;
    node.collapse_spans(span);
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        parse_json(text).unwrap()
    }

    #[test]
    fn a_bare_policy_is_one_document() {
        let (kind, docs) = documents(&parse(r#"{"Statement":[]}"#)).unwrap();
        assert_eq!(kind, InputKind::Policy);
        assert_eq!(docs.len(), 1);
        assert!(docs[0].subject.is_none());
    }

    #[test]
    fn cli_outputs_are_recognised() {
        let (kind, docs) = documents(&parse(
            r#"{"PolicyVersion":{"Document":{"Statement":[]},"VersionId":"v3"}}"#,
        ))
        .unwrap();
        assert_eq!(kind, InputKind::PolicyVersion);
        assert_eq!(docs[0].subject.as_deref(), Some("policy version v3"));
        let (kind, docs) = documents(&parse(
            r#"{"RoleName":"deploy","PolicyName":"ci","PolicyDocument":{"Statement":[]}}"#,
        ))
        .unwrap();
        assert_eq!(kind, InputKind::InlinePolicy);
        assert_eq!(
            docs[0].subject.as_deref(),
            Some("role/deploy inline policy \"ci\"")
        );
    }

    #[test]
    fn url_encoded_documents_are_decoded_once_and_point_at_the_string() {
        let text = r#"{"UserName":"u","PolicyName":"p","PolicyDocument":"%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGet%25%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"}"#;
        let root = parse(text);
        let (_, docs) = documents(&root).unwrap();
        let string_span = root.get("PolicyDocument").unwrap().span;
        let statement = docs[0].node.get("Statement").unwrap();
        assert_eq!(statement.span, string_span);
        let Value::Array(statements) = &statement.value else {
            panic!("array expected")
        };
        // "%25" decodes to a literal "%": decoding twice would have broken it.
        assert_eq!(
            statements[0].get("Action").unwrap().as_str(),
            Some("s3:Get%*")
        );
    }

    #[test]
    fn only_the_default_version_of_a_managed_policy_is_taken() {
        let text = r#"{"Policies":[{"Arn":"arn:aws:iam::123456789012:policy/p","DefaultVersionId":"v2",
          "PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":false,"Document":{"Statement":"old"}},
                               {"VersionId":"v2","IsDefaultVersion":true,"Document":{"Statement":[]}}]}]}"#;
        let (kind, docs) = documents(&parse(text)).unwrap();
        assert_eq!(kind, InputKind::AuthorizationDetails);
        assert_eq!(docs.len(), 1);
        assert_eq!(
            docs[0].subject.as_deref(),
            Some("managed policy arn:aws:iam::123456789012:policy/p (v2)")
        );
    }

    #[test]
    fn unrecognised_and_broken_inputs_are_errors() {
        assert_eq!(
            documents(&parse(r#"{"name":"pkg"}"#)).unwrap_err(),
            InputError::Unrecognised
        );
        let error = documents(&parse(r#"{"PolicyVersion":{"Document":"%7Bnope"}}"#)).unwrap_err();
        assert!(matches!(error, InputError::Document { .. }));
    }
}
