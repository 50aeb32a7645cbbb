//! Policies inside infrastructure as code: CloudFormation templates (JSON or
//! YAML, whose short-form intrinsics the YAML reader has already turned into
//! the long form) — identity policies, and the bucket, queue, topic and key
//! policies, and Lambda permissions as the statement they add to their
//! function's policy — and Terraform plans (`terraform show -json`).
//!
//! Intrinsic functions cannot be evaluated without a deployment: `Ref`,
//! `Fn::GetAtt`, `Fn::ImportValue` and the like name some value the template
//! does not tell, written as a placeholder ([`whittle_policy::unknown`]) — not
//! `*`, not nothing. `Fn::Sub` keeps its literal text (and the values its
//! variable map gives) with a placeholder for each other `${…}`
//! (`${AWS::Partition}` is `aws`), and `Fn::Join` joins what it can. Findings
//! whose verdict depends on a placeholder say so. `Fn::If`
//! and resource conditions are read as the union of both branches
//! ([`super::conditions`]); findings that depend on one name it. AWS SAM's
//! `Policies` are read by [`super::sam`].

use super::conditions::{Expansion, drop_conditional_denies, expand};
use super::sam;
use super::{
    Contents, Definition, DocumentError, DocumentKind, EmbeddedDocument, InputKind,
    decode_embedded, is_intrinsic, items, member, objects,
};
use std::borrow::Cow;

use whittle_policy::unknown;
use whittle_syntax::{Member, Node, Span, Value};

/// CloudFormation resources with policies: the property holding the document
/// (`Policies` for a list of named policies) and what sort of policy it is.
const CFN_POLICIES: &[(&str, &str, DocumentKind)] = &[
    ("AWS::IAM::Policy", "PolicyDocument", DocumentKind::Unknown),
    (
        "AWS::IAM::ManagedPolicy",
        "PolicyDocument",
        DocumentKind::Managed,
    ),
    (
        "AWS::IAM::RolePolicy",
        "PolicyDocument",
        DocumentKind::RoleInline,
    ),
    (
        "AWS::IAM::UserPolicy",
        "PolicyDocument",
        DocumentKind::UserInline,
    ),
    (
        "AWS::IAM::GroupPolicy",
        "PolicyDocument",
        DocumentKind::GroupInline,
    ),
    ("AWS::IAM::Role", "Policies", DocumentKind::RoleInline),
    (
        "AWS::IAM::Role",
        "AssumeRolePolicyDocument",
        DocumentKind::Trust,
    ),
    ("AWS::IAM::User", "Policies", DocumentKind::UserInline),
    ("AWS::IAM::Group", "Policies", DocumentKind::GroupInline),
    (
        "AWS::S3::BucketPolicy",
        "PolicyDocument",
        DocumentKind::Resource,
    ),
    (
        "AWS::SQS::QueuePolicy",
        "PolicyDocument",
        DocumentKind::Resource,
    ),
    (
        "AWS::SNS::TopicPolicy",
        "PolicyDocument",
        DocumentKind::Resource,
    ),
    ("AWS::KMS::Key", "KeyPolicy", DocumentKind::Resource),
];

/// The identity policies of a CloudFormation template, if `root` is one.
pub fn cloudformation(root: &Node) -> Option<Contents> {
    let Some(Value::Object(resources)) = root.get("Resources").map(|r| &r.value) else {
        return None;
    };
    let is_template = root.get("AWSTemplateFormatVersion").is_some()
        || resources.iter().any(|r| {
            r.value
                .get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t.starts_with("AWS::"))
        });
    if !is_template {
        return None;
    }
    let mut contents = Contents {
        kind: InputKind::CloudFormation,
        documents: Vec::new(),
        errors: Vec::new(),
        account: None,
    };
    for resource in resources {
        let Some(kind) = resource.value.get("Type").and_then(Node::as_str) else {
            continue;
        };
        let Some(properties) = resource.value.get("Properties") else {
            continue;
        };
        let mut expansion = Expansion {
            resource: resource
                .value
                .get("Condition")
                .and_then(Node::as_str)
                .map(str::to_owned),
            ..Expansion::default()
        };
        let Some(properties) = expand(properties, None, &mut expansion) else {
            continue;
        };
        let definition = Definition {
            id: resource.key.clone(),
            span: Span::new(resource.key_span.start, resource.value.span.end),
        };
        for &(_, property, document_kind) in CFN_POLICIES.iter().filter(|(t, ..)| *t == kind) {
            push_resource(
                &mut contents,
                &definition,
                kind,
                &properties,
                property,
                document_kind,
                &expansion,
            );
        }
        if kind == "AWS::Lambda::Permission"
            && let Some(document) = lambda_permission(&properties, &CFN_PERMISSION)
        {
            let subject = format!("{} ({kind}): the function's resource policy", definition.id);
            let kind = Some(DocumentKind::Resource);
            let definition = Some(definition.clone());
            push(
                &mut contents,
                subject,
                &document,
                kind,
                Some(&expansion),
                definition,
            );
        }
        if sam::SAM_TYPES.contains(&kind) {
            let (documents, errors) = sam::documents(&definition.id, kind, &properties);
            let managed = sam::managed_policies(&properties);
            for (subject, node, written_by_aws) in documents {
                let definition = Some(definition.clone());
                let kind = Some(sam::KIND);
                let before = contents.documents.len();
                push(
                    &mut contents,
                    subject,
                    &node,
                    kind,
                    Some(&expansion),
                    definition,
                );
                // What else the role holds, recorded: findings about what it
                // is granted are about these statements alone.
                if let Some(document) = contents.documents.get_mut(before) {
                    document.written_by_aws = written_by_aws;
                }
                if !managed.is_empty()
                    && let Some(document) = contents.documents.get_mut(before)
                {
                    let note = format!(
                        "SAM also attaches {} to this role, not read here: judge its access with them",
                        managed.join(", ")
                    );
                    document.assumption = Some(match document.assumption.take() {
                        Some(other) => format!("{other}; {note}"),
                        None => note,
                    });
                }
            }
            contents.errors.extend(errors);
        }
    }
    Some(contents)
}

/// Adds the documents of one property of a CloudFormation resource.
fn push_resource(
    contents: &mut Contents,
    definition: &Definition,
    kind: &str,
    properties: &Node,
    property: &str,
    document_kind: DocumentKind,
    expansion: &Expansion,
) {
    let id = &definition.id;
    let policies: Vec<(String, &Node)> = if property == "Policies" {
        items(properties.get("Policies"))
            .into_iter()
            .filter_map(|p| {
                let name = p.get("PolicyName").and_then(Node::as_str).unwrap_or("?");
                Some((
                    format!("{id} ({kind}) policy \"{name}\""),
                    p.get("PolicyDocument")?,
                ))
            })
            .collect()
    } else {
        let name = if document_kind == DocumentKind::Trust {
            format!("{id} ({kind}) trust policy")
        } else {
            properties
                .get("PolicyName")
                .or_else(|| properties.get("ManagedPolicyName"))
                .and_then(Node::as_str)
                .map_or_else(
                    || format!("{id} ({kind})"),
                    |n| format!("{id} ({kind}) \"{n}\""),
                )
        };
        properties
            .get(property)
            .map(|d| vec![(name, d)])
            .unwrap_or_default()
    };
    for (subject, node) in policies {
        push(
            contents,
            subject,
            node,
            Some(document_kind),
            Some(expansion),
            Some(definition.clone()),
        );
    }
}

/// Terraform resource types whose values hold a policy document, the argument
/// holding it and what sort of policy it is; `None` for a rendered
/// `aws_iam_policy_document`, which serves as an identity, resource or trust
/// policy: its statements tell.
const TF_POLICIES: &[(&str, &str, Option<DocumentKind>)] = &[
    ("aws_iam_policy", "policy", Some(DocumentKind::Managed)),
    (
        "aws_iam_role_policy",
        "policy",
        Some(DocumentKind::RoleInline),
    ),
    (
        "aws_iam_user_policy",
        "policy",
        Some(DocumentKind::UserInline),
    ),
    (
        "aws_iam_group_policy",
        "policy",
        Some(DocumentKind::GroupInline),
    ),
    ("aws_iam_policy_document", "json", None),
    (
        "aws_iam_role",
        "assume_role_policy",
        Some(DocumentKind::Trust),
    ),
    (
        "aws_s3_bucket_policy",
        "policy",
        Some(DocumentKind::Resource),
    ),
    (
        "aws_sqs_queue_policy",
        "policy",
        Some(DocumentKind::Resource),
    ),
    (
        "aws_sns_topic_policy",
        "policy",
        Some(DocumentKind::Resource),
    ),
    ("aws_kms_key", "policy", Some(DocumentKind::Resource)),
    (
        "aws_ecr_repository_policy",
        "policy",
        Some(DocumentKind::Resource),
    ),
    (
        "aws_secretsmanager_secret_policy",
        "policy",
        Some(DocumentKind::Resource),
    ),
    // The resources' own (older) policy arguments.
    ("aws_s3_bucket", "policy", Some(DocumentKind::Resource)),
    ("aws_sqs_queue", "policy", Some(DocumentKind::Resource)),
    ("aws_sns_topic", "policy", Some(DocumentKind::Resource)),
    (
        "aws_secretsmanager_secret",
        "policy",
        Some(DocumentKind::Resource),
    ),
];

/// The identity policies of a Terraform plan (`terraform show -json`), if `root`
/// is one: planned values of every module, `inline_policy` blocks of roles, and
/// rendered `aws_iam_policy_document` data sources.
pub fn terraform(root: &Node) -> Option<Contents> {
    root.get("format_version")?;
    let planned = root.get("planned_values")?;
    let mut contents = Contents {
        kind: InputKind::TerraformPlan,
        documents: Vec::new(),
        errors: Vec::new(),
        account: None,
    };
    let mut modules = vec![planned.get("root_module")];
    while let Some(module) = modules.pop() {
        let Some(module) = module else { continue };
        modules.extend(items(module.get("child_modules")).into_iter().map(Some));
        for resource in items(module.get("resources")) {
            let address = resource
                .get("address")
                .and_then(Node::as_str)
                .unwrap_or("?");
            let kind = resource
                .get("type")
                .and_then(Node::as_str)
                .unwrap_or_default();
            let Some(values) = resource.get("values") else {
                continue;
            };
            let definition = Definition {
                id: address.to_owned(),
                span: resource.span,
            };
            for (subject, node, document_kind) in tf_documents(kind, address, values) {
                let definition = Some(definition.clone());
                push(
                    &mut contents,
                    subject,
                    &node,
                    document_kind,
                    None,
                    definition,
                );
            }
        }
    }
    Some(contents)
}

/// The policy documents among the arguments (plan values or configuration) of
/// one Terraform resource: (subject, document node, sort of policy). The
/// `inline_policy` blocks of a role are an array in a plan, an object or an
/// array in a configuration; an `aws_lambda_permission` is the statement it
/// adds to the function's policy ([`lambda_permission`]).
pub(super) fn tf_documents<'a>(
    kind: &str,
    address: &str,
    values: &'a Node,
) -> Vec<(String, Cow<'a, Node>, Option<DocumentKind>)> {
    let mut out = Vec::new();
    if let Some(&(_, key, document_kind)) = TF_POLICIES.iter().find(|(t, ..)| *t == kind)
        && let Some(node) = values.get(key)
    {
        let subject = if document_kind == Some(DocumentKind::Trust) {
            format!("{address} {key}")
        } else {
            address.to_owned()
        };
        out.push((subject, Cow::Borrowed(node), document_kind));
    }
    if kind == "aws_iam_role" {
        for block in objects(values.get("inline_policy")) {
            let name = block.get("name").and_then(Node::as_str).unwrap_or("?");
            if let Some(node) = block.get("policy") {
                let subject = format!("{address} inline_policy \"{name}\"");
                out.push((subject, Cow::Borrowed(node), Some(DocumentKind::RoleInline)));
            }
        }
    }
    if kind == "aws_lambda_permission"
        && let Some(document) = lambda_permission(values, &TF_PERMISSION)
    {
        let subject = format!("{address} (the function's resource policy)");
        out.push((subject, Cow::Owned(document), Some(DocumentKind::Resource)));
    }
    out
}

/// The arguments of a Lambda permission, as CloudFormation or Terraform names them.
pub(super) struct PermissionKeys {
    action: &'static str,
    function: &'static str,
    principal: &'static str,
    sid: Option<&'static str>,
    /// (argument, condition operator, condition key)
    conditions: [(&'static str, &'static str, &'static str); 4],
}

/// `AWS::Lambda::Permission`.
pub(super) const CFN_PERMISSION: PermissionKeys = PermissionKeys {
    action: "Action",
    function: "FunctionName",
    principal: "Principal",
    sid: None,
    conditions: [
        ("SourceArn", "ArnLike", "aws:SourceArn"),
        ("SourceAccount", "StringEquals", "aws:SourceAccount"),
        ("PrincipalOrgID", "StringEquals", "aws:PrincipalOrgID"),
        (
            "FunctionUrlAuthType",
            "StringEquals",
            "lambda:FunctionUrlAuthType",
        ),
    ],
};

/// `aws_lambda_permission`.
const TF_PERMISSION: PermissionKeys = PermissionKeys {
    action: "action",
    function: "function_name",
    principal: "principal",
    sid: Some("statement_id"),
    conditions: [
        ("source_arn", "ArnLike", "aws:SourceArn"),
        ("source_account", "StringEquals", "aws:SourceAccount"),
        ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
        (
            "function_url_auth_type",
            "StringEquals",
            "lambda:FunctionUrlAuthType",
        ),
    ],
};

/// The statement a Lambda permission adds to its function's resource policy,
/// as Lambda writes it, each element at the argument it comes from: so that
/// what applies to resource policies (a public principal, a service principal
/// with no source) applies to it. A function named, not by ARN, is
/// `arn:aws:lambda:{Region}:{account}:function:NAME`.
pub(super) fn lambda_permission(args: &Node, keys: &PermissionKeys) -> Option<Node> {
    let action = args.get(keys.action)?;
    let principal = args.get(keys.principal)?;
    let string = |span: Span, text: String| Node {
        span,
        value: Value::String(text),
    };
    let object = |span: Span, members: Vec<Member>| Node {
        span,
        value: Value::Object(members),
    };
    let principal = match principal.as_str() {
        Some("*") => principal.clone(),
        Some(text) if text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn") => {
            object(
                principal.span,
                vec![member("Service", principal.span, principal.clone())],
            )
        }
        _ => object(
            principal.span,
            vec![member("AWS", principal.span, principal.clone())],
        ),
    };
    let resource = match args.get(keys.function) {
        Some(function) => match function.as_str() {
            Some(name) if !name.starts_with("arn:") && !name.contains("${") => string(
                function.span,
                format!(
                    "arn:aws:lambda:{}:{}:function:{name}",
                    unknown::placeholder("the function's Region"),
                    unknown::placeholder("the function's account")
                ),
            ),
            _ => function.clone(),
        },
        None => string(args.span, unknown::placeholder("the function")),
    };
    let mut statement = Vec::new();
    if let Some(sid) = keys.sid.and_then(|k| args.get(k)) {
        statement.push(member("Sid", sid.span, sid.clone()));
    }
    statement.push(member(
        "Effect",
        args.span,
        string(args.span, "Allow".to_owned()),
    ));
    statement.push(member("Principal", principal.span, principal));
    statement.push(member("Action", action.span, action.clone()));
    statement.push(member("Resource", resource.span, resource));
    let mut operators: Vec<Member> = Vec::new();
    for (key, operator, condition_key) in keys.conditions {
        let Some(value) = args.get(key).filter(|v| !matches!(v.value, Value::Null)) else {
            continue;
        };
        let entry = member(condition_key, value.span, value.clone());
        super::add_condition(&mut operators, operator, (value.span, value.span), entry);
    }
    if !operators.is_empty() {
        let span = operators[0].key_span;
        statement.push(member("Condition", span, object(span, operators)));
    }
    let statement = object(args.span, statement);
    Some(object(
        args.span,
        vec![
            member(
                "Version",
                args.span,
                string(args.span, "2012-10-17".to_owned()),
            ),
            member(
                "Statement",
                args.span,
                Node {
                    span: args.span,
                    value: Value::Array(vec![statement]),
                },
            ),
        ],
    ))
}

/// Adds one document: an object (intrinsics resolved) or a JSON string; of
/// sort `kind`, or (`None`) the sort its statements tell. `expansion` tells
/// what of a CloudFormation resource holds only under a condition.
fn push(
    contents: &mut Contents,
    subject: String,
    node: &Node,
    kind: Option<DocumentKind>,
    expansion: Option<&Expansion>,
    definition: Option<Definition>,
) {
    let mut node = match &node.value {
        Value::String(text) => match decode_embedded(text, node.span) {
            Ok(node) => node,
            Err(error) => {
                contents.errors.push(DocumentError {
                    message: format!("{subject}: {}", error.message),
                    ..error
                });
                return;
            }
        },
        Value::Object(_) => resolve(node),
        // An unknown-at-plan-time value, or null: nothing to lint.
        _ => return,
    };
    let mut notes = Vec::new();
    let mut conditions = Vec::new();
    if let Some(expansion) = expansion {
        let dropped = drop_conditional_denies(&mut node, expansion);
        conditions = expansion.within(node.span);
        notes.extend(expansion.note(node.span, dropped));
    }
    let kind = kind.unwrap_or_else(|| DocumentKind::infer(&node));
    contents.documents.push(EmbeddedDocument {
        kind,
        subject: Some(subject),
        owner: None,
        node,
        assumption: (!notes.is_empty()).then(|| notes.join("; ")),
        conditions,
        definition,
        written_by_aws: false,
    });
}

/// The node with every intrinsic function replaced by the string it stands for,
/// with a placeholder ([`whittle_policy::unknown`]) for each part the template
/// alone does not tell.
pub(super) fn resolve(node: &Node) -> Node {
    match &node.value {
        Value::Object(members) => {
            if let [member] = members.as_slice()
                && is_intrinsic(&member.key)
            {
                return Node {
                    span: node.span,
                    value: Value::String(evaluate(&member.key, &member.value)),
                };
            }
            Node {
                span: node.span,
                value: Value::Object(
                    members
                        .iter()
                        .map(|m| Member {
                            key: m.key.clone(),
                            key_span: m.key_span,
                            value: resolve(&m.value),
                        })
                        .collect(),
                ),
            }
        }
        Value::Array(items) => Node {
            span: node.span,
            value: Value::Array(items.iter().map(resolve).collect()),
        },
        _ => node.clone(),
    }
}

/// What an intrinsic evaluates to, as far as a template alone tells: the
/// pseudo parameters every template shares, literal parts of `Fn::Sub` and
/// `Fn::Join`, and a placeholder for the rest.
fn evaluate(function: &str, argument: &Node) -> String {
    match function {
        "Fn::Sub" => match &argument.value {
            Value::String(template) => substitute(template, &[]),
            Value::Array(items) => {
                let Some(template) = items.first().and_then(Node::as_str) else {
                    return unknown::placeholder("Fn::Sub");
                };
                let variables: Vec<(&str, String)> = items
                    .get(1)
                    .and_then(Node::as_object)
                    .into_iter()
                    .flatten()
                    .map(|m| (m.key.as_str(), value_of(&m.value, &m.key)))
                    .collect();
                substitute(template, &variables)
            }
            _ => unknown::placeholder("Fn::Sub"),
        },
        "Fn::Join" => {
            let Value::Array(items) = &argument.value else {
                return unknown::placeholder("Fn::Join");
            };
            let separator = items.first().and_then(Node::as_str).unwrap_or("");
            match items.get(1).map(|n| &n.value) {
                Some(Value::Array(parts)) => parts
                    .iter()
                    .map(|part| value_of(part, "Fn::Join"))
                    .collect::<Vec<_>>()
                    .join(separator),
                _ => unknown::placeholder("Fn::Join"),
            }
        }
        "Ref" => match argument.as_str() {
            Some(name) => {
                pseudo_parameter(name).map_or_else(|| unknown::placeholder(name), str::to_owned)
            }
            None => unknown::placeholder("Ref"),
        },
        "Fn::GetAtt" => {
            let label = match &argument.value {
                Value::String(s) => s.clone(),
                Value::Array(parts) => parts
                    .iter()
                    .map(|p| p.as_str().unwrap_or("?"))
                    .collect::<Vec<_>>()
                    .join("."),
                _ => "Fn::GetAtt".to_owned(),
            };
            unknown::placeholder(&label)
        }
        other => {
            let argument = argument
                .as_str()
                .map(|a| format!(" {a}"))
                .unwrap_or_default();
            unknown::placeholder(&format!("{other}{argument}"))
        }
    }
}

/// A part of `Fn::Join` or a variable of `Fn::Sub`: a string, an intrinsic's
/// value, or a placeholder named `label`.
fn value_of(node: &Node, label: &str) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Object(members) if members.len() == 1 && is_intrinsic(&members[0].key) => {
            evaluate(&members[0].key, &members[0].value)
        }
        _ => unknown::placeholder(label),
    }
}

/// The pseudo parameters whose value is the same in every account whittle
/// reads (the `aws` partition); the others (`AWS::AccountId`, `AWS::Region`,
/// `AWS::StackName`, …) differ per stack and stay unknown.
fn pseudo_parameter(name: &str) -> Option<&'static str> {
    match name {
        "AWS::Partition" => Some("aws"),
        "AWS::URLSuffix" => Some("amazonaws.com"),
        _ => None,
    }
}

/// `Fn::Sub` text with `${Name}` as the value `variables` give it, a pseudo
/// parameter's value, or a placeholder, and `${!Literal}` as `${Literal}`.
fn substitute(template: &str, variables: &[(&str, String)]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        if let Some(literal) = name.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
        } else if let Some((_, value)) = variables.iter().find(|(n, _)| *n == name) {
            out.push_str(value);
        } else if let Some(value) = pseudo_parameter(name) {
            out.push_str(value);
        } else {
            out.push_str(&unknown::placeholder(name));
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use whittle_syntax::parse_json;

    #[test]
    fn sub_and_join_keep_what_is_literal() {
        let shown = |text: &str| unknown::display(text).into_owned();
        assert_eq!(
            shown(&substitute("arn:${AWS::Partition}:s3:::${Bucket}/*", &[])),
            "arn:aws:s3:::{Bucket}/*"
        );
        assert_eq!(substitute("${!Literal}-x", &[]), "${Literal}-x");
        assert_eq!(shown(&substitute("${Bucket.Arn}/*", &[])), "{Bucket.Arn}/*");
        let join = parse_json(r#"{"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "sqs", {"Ref": "AWS::Region"}]]}"#).unwrap();
        let out = resolve(&join);
        assert_eq!(shown(out.as_str().unwrap()), "arn:aws:sqs:{AWS::Region}");
        let sub = parse_json(
            r#"{"Fn::Sub": ["arn:aws:s3:::${B}/${K}", {"B": "reports", "K": {"Ref": "Key"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            shown(resolve(&sub).as_str().unwrap()),
            "arn:aws:s3:::reports/{Key}"
        );
    }

    #[test]
    fn no_unresolved_value_is_read_as_a_wildcard() {
        for intrinsic in [
            r#"{"Ref": "PeerOwnerIds"}"#,
            r#"{"Ref": "AWS::AccountId"}"#,
            r#"{"Fn::GetAtt": ["Table", "Arn"]}"#,
            r#"{"Fn::ImportValue": "shared-bucket"}"#,
            r#"{"Fn::Split": [",", {"Ref": "Ids"}]}"#,
            r#"{"Fn::Sub": "${Table.Arn}"}"#,
        ] {
            let node = parse_json(intrinsic).unwrap();
            let value = resolve(&node);
            let text = value.as_str().unwrap();
            assert!(unknown::is_whole(text), "{intrinsic} → {text:?}");
            assert!(!text.contains('*'), "{intrinsic} → {text:?}");
        }
    }

    #[test]
    fn an_identity_policy_of_a_template_stays_one_whatever_its_statements() {
        // AWS::IAM::Policy is an identity policy: a Principal in it is a mistake
        // to report, not a sign of a resource-based policy.
        let template = parse_json(r#"{"Resources": {"P": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}}}}"#).unwrap();
        let contents = cloudformation(&template).unwrap();
        assert_eq!(contents.documents[0].kind, DocumentKind::Unknown);
    }

    #[test]
    fn templates_and_plans_yield_their_identity_and_trust_policies() {
        let template = parse_json(r#"{"Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": {"Fn::Sub": "arn:aws:s3:::${B}"}}]}}]}},
            "Bucket": {"Type": "AWS::S3::Bucket"}}}"#).unwrap();
        let contents = cloudformation(&template).unwrap();
        let found: Vec<_> = contents
            .documents
            .iter()
            .map(|d| (d.subject.as_deref().unwrap(), d.kind))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "Role (AWS::IAM::Role) policy \"p\"",
                    DocumentKind::RoleInline
                ),
                ("Role (AWS::IAM::Role) trust policy", DocumentKind::Trust)
            ]
        );
        let document = &contents.documents[0];
        let resource = document.node.get("Statement").unwrap();
        let Value::Array(statements) = &resource.value else {
            panic!()
        };
        assert_eq!(
            statements[0]
                .get("Resource")
                .and_then(Node::as_str)
                .map(unknown::display)
                .as_deref(),
            Some("arn:aws:s3:::{B}")
        );

        let plan = parse_json(r#"{"format_version": "1.2", "planned_values": {"root_module": {
            "resources": [{"address": "aws_iam_policy.p", "type": "aws_iam_policy", "values": {"policy": "{\"Statement\": []}"}}],
            "child_modules": [{"resources": [{"address": "module.m.aws_iam_role.r", "type": "aws_iam_role",
                "values": {"assume_role_policy": "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ecs-tasks.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}",
                    "inline_policy": [{"name": "i", "policy": "{\"Statement\": []}"}]}},
                {"address": "data.aws_iam_policy_document.bucket", "type": "aws_iam_policy_document", "values": {"json":
                    "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}"}}]}]}}}"#).unwrap();
        let contents = terraform(&plan).unwrap();
        let found: Vec<_> = contents
            .documents
            .iter()
            .map(|d| (d.subject.as_deref().unwrap(), d.kind))
            .collect();
        assert_eq!(
            found,
            [
                ("aws_iam_policy.p", DocumentKind::Managed),
                (
                    "module.m.aws_iam_role.r assume_role_policy",
                    DocumentKind::Trust
                ),
                (
                    "module.m.aws_iam_role.r inline_policy \"i\"",
                    DocumentKind::RoleInline
                ),
                (
                    "data.aws_iam_policy_document.bucket",
                    DocumentKind::Resource
                )
            ]
        );
    }
}
