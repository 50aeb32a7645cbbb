//! Recognises what an input file holds and extracts the policy documents in it.
//!
//! Accepted, by content rather than by name: a bare policy document; the AWS CLI's
//! `get-policy-version`, `get-role-policy`, `get-user-policy` and `get-group-policy`
//! output; and `get-account-authorization-details` output (inline policies of users,
//! groups and roles, and the default version of every managed policy). A document
//! may be a JSON object or a string, URL-encoded as the raw IAM API returns it.

mod conditions;
mod iac;
mod sam;
mod targets;
mod tf_config;

pub use conditions::Conditional;
pub use targets::{Defines, DocumentAt, FileTargets, Name, OwnerType, Strength, Target, targets};

use std::borrow::Cow;
use std::collections::HashMap;

use whittle_syntax::{Node, Span, Value, parse_json};

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
    /// A CloudFormation template (JSON or YAML).
    CloudFormation,
    /// A Terraform plan (`terraform show -json`).
    TerraformPlan,
    /// A Terraform configuration in JSON syntax (`*.tf.json`).
    TerraformConfig,
}

impl InputKind {
    /// True for what IAM itself returned (AWS CLI output, account exports):
    /// documents that passed IAM's validation when they were stored.
    pub fn is_from_iam(self) -> bool {
        matches!(
            self,
            InputKind::PolicyVersion | InputKind::InlinePolicy | InputKind::AuthorizationDetails
        )
    }
}

/// The IAM resource a policy document belongs to, for findings about accounts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Owner {
    /// The managed policy's ARN, or the ARN of the user, group or role that
    /// holds an inline policy.
    pub arn: String,
    /// The inline policy's name; `None` for a managed policy.
    pub inline_name: Option<String>,
}

/// What sort of IAM policy a document is, when the input says (IAM's size
/// quotas differ by sort).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// A bare policy file: could be any sort.
    Unknown,
    /// A managed policy version.
    Managed,
    /// An inline policy of a user.
    UserInline,
    /// An inline policy of a group.
    GroupInline,
    /// An inline policy of a role.
    RoleInline,
    /// A resource-based policy (a bucket, queue, topic or key policy), which
    /// names its principals.
    Resource,
    /// A role's trust policy (AssumeRolePolicyDocument): who may assume the
    /// role. It names principals and has no Resource.
    Trust,
}

impl DocumentKind {
    /// What a document of unknown sort is, read from its grammar: IAM requires a
    /// principal in every statement of a resource-based policy and allows none in
    /// an identity policy, and a trust policy has no Resource. A document whose
    /// statements do not all name principals stays [`DocumentKind::Unknown`]
    /// (an identity policy, perhaps with a stray Principal).
    pub fn infer(node: &Node) -> DocumentKind {
        let statements = objects(node.get("Statement"));
        let has = |statement: &Node, key: &str| {
            statement.get(key).is_some() || statement.get(&format!("Not{key}")).is_some()
        };
        if statements.is_empty() || !statements.iter().all(|s| has(s, "Principal")) {
            DocumentKind::Unknown
        } else if statements.iter().any(|s| has(s, "Resource")) {
            DocumentKind::Resource
        } else {
            DocumentKind::Trust
        }
    }

    /// Whether the document names its principals (a resource-based or trust
    /// policy) rather than applying to whoever holds it.
    pub fn names_principals(self) -> bool {
        matches!(self, DocumentKind::Resource | DocumentKind::Trust)
    }
}

/// A policy document found in an input, ready to be parsed as a policy.
#[derive(Debug, Clone)]
pub struct EmbeddedDocument {
    /// What sort of policy it is.
    pub kind: DocumentKind,
    /// Where the document sits in the file, e.g. `role/deploy inline policy "ci"`;
    /// `None` for a bare policy file.
    pub subject: Option<String>,
    /// The IAM resource it belongs to, when the input says.
    pub owner: Option<Owner>,
    /// The document. If it was written as a string, every span points at the string.
    pub node: Node,
    /// What had to be assumed to read the document (unresolved intrinsics,
    /// conditions), to be noted on its findings.
    pub assumption: Option<String>,
    /// The parts of the document that hold only under a CloudFormation
    /// condition (branches of `Fn::If`), to name on the findings there.
    pub conditions: Vec<Conditional>,
    /// The infrastructure-as-code resource that defines the document, when
    /// it came from a template or configuration.
    pub definition: Option<Definition>,
    /// True for a document AWS wrote (a SAM policy template): what is wrong
    /// with its text is not the user's to fix.
    pub written_by_aws: bool,
}

/// The infrastructure-as-code resource a document is written in: what
/// suppressions and `recommend --source` select it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The CloudFormation logical id (`BuilderRole`) or the Terraform resource
    /// address (`aws_iam_role.builder`, `data.aws_iam_policy_document.trust`,
    /// `module.m.aws_iam_policy.p` in a plan).
    pub id: String,
    /// The whole resource: from its logical id or block label to its end.
    pub span: Span,
}

/// Everything an input holds.
#[derive(Debug, Clone)]
pub struct Contents {
    /// What the input was recognised as.
    pub kind: InputKind,
    /// The policy documents, in file order.
    pub documents: Vec<EmbeddedDocument>,
    /// Documents that could not be read; the others are still returned.
    pub errors: Vec<DocumentError>,
    /// For authorization details: who holds which policy.
    pub account: Option<Account>,
}

/// An embedded document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError {
    /// Where the document was written in the file.
    pub span: Span,
    /// What is wrong.
    pub message: String,
}

/// Users, groups and roles of an authorization-details export, with their policies.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Users and roles, in file order.
    pub principals: Vec<PrincipalEntry>,
    /// Groups, in file order.
    pub groups: Vec<GroupEntry>,
    /// Managed policies: ARN → index into [`Contents::documents`].
    pub managed: HashMap<String, usize>,
}

/// A user or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
}

impl PrincipalKind {
    /// The lowercase name used in ARNs and messages: `user` or `role`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
        }
    }
}

/// A user or role and every policy that applies to it.
#[derive(Debug, Clone)]
pub struct PrincipalEntry {
    /// User or role.
    pub kind: PrincipalKind,
    /// The principal's ARN.
    pub arn: String,
    /// Where the principal's entry starts in the file.
    pub span: Span,
    /// Inline policies: indices into [`Contents::documents`].
    pub inline: Vec<usize>,
    /// ARNs of attached managed policies.
    pub attached: Vec<String>,
    /// Names of the groups a user belongs to.
    pub groups: Vec<String>,
    /// ARN of the permissions boundary, if any.
    pub boundary: Option<String>,
}

/// A group and its policies.
#[derive(Debug, Clone)]
pub struct GroupEntry {
    /// The group's name.
    pub name: String,
    /// Inline policies: indices into [`Contents::documents`].
    pub inline: Vec<usize>,
    /// ARNs of attached managed policies.
    pub attached: Vec<String>,
}

/// Why an input could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The JSON does not have any of the recognised shapes.
    #[error(
        "not a policy document or AWS CLI output this tool reads (expected \"Statement\", \"PolicyVersion\", \"PolicyDocument\" or \"UserDetailList\"/\"RoleDetailList\"/\"GroupDetailList\"/\"Policies\")"
    )]
    Unrecognised,
    /// The only document of the input is not valid.
    #[error("{}", .0.message)]
    Document(DocumentError),
}

/// The file extensions directory walks read, compared without case: JSON
/// (`.tf.json` and CLI exports included), YAML, CloudFormation's `.template`,
/// and Terraform's native syntax (`.tf`, OpenTofu's `.tofu`).
pub const EXTENSIONS: [&str; 6] = ["json", "yaml", "yml", "template", "tf", "tofu"];

/// Whether a file name ends in one of the [`EXTENSIONS`].
pub fn has_input_extension(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

/// Recognises `root` and returns what it holds.
pub fn read(root: &Node) -> Result<Contents, InputError> {
    let single = |kind, document: Result<EmbeddedDocument, DocumentError>| {
        document
            .map(|d| Contents {
                kind,
                documents: vec![d],
                errors: Vec::new(),
                account: None,
            })
            .map_err(InputError::Document)
    };
    // A "Version" without "Statement" is still meant as a policy: report what is
    // missing instead of calling the file unrecognised.
    if root.get("Statement").is_some() || root.get("Version").is_some() {
        let document = EmbeddedDocument {
            kind: DocumentKind::infer(root),
            subject: None,
            owner: None,
            node: root.clone(),
            assumption: None,
            conditions: Vec::new(),
            definition: None,
            written_by_aws: false,
        };
        return single(InputKind::Policy, Ok(document));
    }
    if let Some(version) = root.get("PolicyVersion") {
        let id = version.get("VersionId").and_then(Node::as_str);
        let subject = id.map(|v| format!("policy version {v}"));
        return single(
            InputKind::PolicyVersion,
            required(version, "Document", subject, None).map(|d| d.of(DocumentKind::Managed)),
        );
    }
    if root.get("PolicyDocument").is_some() {
        let owner = ["RoleName", "UserName", "GroupName"]
            .iter()
            .find_map(|k| Some((*k, root.get(k)?.as_str()?)));
        let kind = match owner {
            Some(("RoleName", _)) => DocumentKind::RoleInline,
            Some(("UserName", _)) => DocumentKind::UserInline,
            Some(_) => DocumentKind::GroupInline,
            None => DocumentKind::Unknown,
        };
        let name = root.get("PolicyName").and_then(Node::as_str).unwrap_or("?");
        let subject = match owner {
            Some((kind, owner)) => format!(
                "{}/{owner} inline policy \"{name}\"",
                kind.trim_end_matches("Name").to_ascii_lowercase()
            ),
            None => format!("inline policy \"{name}\""),
        };
        return single(
            InputKind::InlinePolicy,
            required(root, "PolicyDocument", Some(subject), None).map(|d| d.of(kind)),
        );
    }
    if let Some(details) = details_path(root) {
        let mut copy = details.resolve(root).clone();
        return Ok(authorization_details(&mut copy));
    }
    if let Some(contents) = iac::cloudformation(root)
        .or_else(|| iac::terraform(root))
        .or_else(|| tf_config::terraform_config(root))
    {
        return Ok(contents);
    }
    Err(InputError::Unrecognised)
}

/// The kinds of entity an authorization-details export lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntityKind {
    User,
    Group,
    Role,
}

impl EntityKind {
    /// Every kind, in the order the export lists them.
    const ALL: [EntityKind; 3] = [EntityKind::User, EntityKind::Group, EntityKind::Role];

    /// The export's list of entities of this kind.
    fn list_key(self) -> &'static str {
        match self {
            EntityKind::User => "UserDetailList",
            EntityKind::Group => "GroupDetailList",
            EntityKind::Role => "RoleDetailList",
        }
    }

    /// The member holding an entity's name.
    fn name_key(self) -> &'static str {
        match self {
            EntityKind::User => "UserName",
            EntityKind::Group => "GroupName",
            EntityKind::Role => "RoleName",
        }
    }

    /// The member listing an entity's inline policies.
    fn policies_key(self) -> &'static str {
        match self {
            EntityKind::User => "UserPolicyList",
            EntityKind::Group => "GroupPolicyList",
            EntityKind::Role => "RolePolicyList",
        }
    }

    /// The lowercase name, as in ARNs.
    fn as_str(self) -> &'static str {
        match self {
            EntityKind::User => "user",
            EntityKind::Group => "group",
            EntityKind::Role => "role",
        }
    }

    /// The kind of the entity's inline policies.
    fn inline_kind(self) -> DocumentKind {
        match self {
            EntityKind::User => DocumentKind::UserInline,
            EntityKind::Group => DocumentKind::GroupInline,
            EntityKind::Role => DocumentKind::RoleInline,
        }
    }

    /// The principal kind, for users and roles.
    fn principal(self) -> Option<PrincipalKind> {
        match self {
            EntityKind::User => Some(PrincipalKind::User),
            EntityKind::Role => Some(PrincipalKind::Role),
            EntityKind::Group => None,
        }
    }
}

/// Reads an authorization-details export: every entity's inline policies and
/// trust policy, every managed policy's default version, and who holds what.
/// [`read`], consuming the tree: an account export's documents are moved
/// out of it rather than copied. The tree is given back when what it holds
/// was only borrowed (any other input), for those that read it further.
pub fn read_owned(mut root: Node) -> (Result<Contents, InputError>, Option<Node>) {
    let Some(details) = details_path(&root) else {
        let contents = read(&root);
        return (contents, Some(root));
    };
    let node = match details {
        Details::Root => &mut root,
        Details::Snapshot => match root.get_mut(Details::SNAPSHOT_KEY) {
            Some(node) => node,
            None => return (Err(InputError::Unrecognised), None),
        },
    };
    (Ok(authorization_details(node)), None)
}

/// Where an account export is in a tree [`read`] would read as one.
#[derive(Clone, Copy)]
enum Details {
    /// The tree is the export (`aws iam get-account-authorization-details`).
    Root,
    /// A whittle snapshot, which holds it under `authorization_details`.
    Snapshot,
}

impl Details {
    const SNAPSHOT_KEY: &str = "authorization_details";

    fn resolve(self, root: &Node) -> &Node {
        match self {
            Details::Root => root,
            Details::Snapshot => root.get(Self::SNAPSHOT_KEY).unwrap_or(root),
        }
    }
}

/// Whether `root` is read as an account export, and where: not when it is a
/// single document or CLI output of one, which [`read`] tries first.
fn details_path(root: &Node) -> Option<Details> {
    const DETAIL_KEYS: [&str; 4] = [
        "UserDetailList",
        "GroupDetailList",
        "RoleDetailList",
        "Policies",
    ];
    let single = ["Statement", "Version", "PolicyVersion", "PolicyDocument"];
    if single.iter().any(|k| root.get(k).is_some()) {
        return None;
    }
    if DETAIL_KEYS.iter().any(|k| root.get(k).is_some()) {
        return Some(Details::Root);
    }
    (root.get("schema").and_then(Node::as_str) == Some("whittle.snapshot/v1")
        && root.get(Details::SNAPSHOT_KEY).is_some())
    .then_some(Details::Snapshot)
}

/// Reads an account export, moving each policy document out of the tree.
fn authorization_details(root: &mut Node) -> Contents {
    let mut contents = Contents {
        kind: InputKind::AuthorizationDetails,
        documents: Vec::new(),
        errors: Vec::new(),
        account: None,
    };
    let mut account = Account::default();
    for kind in EntityKind::ALL {
        for entity in items_mut(root.get_mut(kind.list_key())) {
            read_entity(&mut contents, &mut account, kind, entity);
        }
    }
    for policy in items_mut(root.get_mut("Policies")) {
        read_managed_policy(&mut contents, &mut account, policy);
    }
    contents.account = Some(account);
    contents
}

/// Reads one user, group or role of an export into `contents` and `account`.
fn read_entity(
    contents: &mut Contents,
    account: &mut Account,
    kind: EntityKind,
    entity: &mut Node,
) {
    let name = entity
        .get(kind.name_key())
        .and_then(Node::as_str)
        .unwrap_or("?")
        .to_owned();
    let arn = entity
        .get("Arn")
        .and_then(Node::as_str)
        .unwrap_or(&name)
        .to_owned();
    let inline = read_inline_policies(contents, kind, &name, &arn, entity);
    if kind == EntityKind::Role {
        read_trust_policy(contents, &name, &arn, entity);
    }
    let entity = &*entity;
    let attached = items(entity.get("AttachedManagedPolicies"))
        .into_iter()
        .filter_map(|p| p.get("PolicyArn").and_then(Node::as_str).map(str::to_owned))
        .collect();
    let Some(principal_kind) = kind.principal() else {
        account.groups.push(GroupEntry {
            name,
            inline,
            attached,
        });
        return;
    };
    account.principals.push(PrincipalEntry {
        kind: principal_kind,
        span: entity.get(kind.name_key()).map_or(entity.span, |n| n.span),
        arn,
        inline,
        attached,
        groups: items(entity.get("GroupList"))
            .into_iter()
            .filter_map(|g| g.as_str().map(str::to_owned))
            .collect(),
        boundary: entity
            .get("PermissionsBoundary")
            .and_then(|b| b.get("PermissionsBoundaryArn"))
            .and_then(Node::as_str)
            .map(str::to_owned),
    });
}

/// Adds an entity's inline policies to `contents`; returns their indices.
fn read_inline_policies(
    contents: &mut Contents,
    kind: EntityKind,
    name: &str,
    arn: &str,
    entity: &mut Node,
) -> Vec<usize> {
    let mut inline = Vec::new();
    for policy in items_mut(entity.get_mut(kind.policies_key())) {
        let policy_name = policy
            .get("PolicyName")
            .and_then(Node::as_str)
            .unwrap_or("?")
            .to_owned();
        let subject = format!("{}/{name} inline policy \"{policy_name}\"", kind.as_str());
        let owner = Owner {
            arn: arn.to_owned(),
            inline_name: Some(policy_name),
        };
        match taken(policy, "PolicyDocument", Some(subject), Some(owner)) {
            Ok(document) => {
                inline.push(contents.documents.len());
                contents.documents.push(document.of(kind.inline_kind()));
            }
            Err(error) => contents.errors.push(error),
        }
    }
    inline
}

/// Adds a role's trust policy to `contents`, unless the export has none (null).
fn read_trust_policy(contents: &mut Contents, name: &str, arn: &str, role: &mut Node) {
    let Some(trust) = role.get("AssumeRolePolicyDocument") else {
        return;
    };
    let null = trust.value == Value::Null;
    let owner = Owner {
        arn: arn.to_owned(),
        inline_name: None,
    };
    let subject = format!("role/{name} trust policy");
    match taken(role, "AssumeRolePolicyDocument", Some(subject), Some(owner)) {
        Ok(document) if !null => {
            contents.documents.push(document.of(DocumentKind::Trust));
        }
        Ok(_) => {}
        Err(error) => contents.errors.push(error),
    }
}

/// Adds the default version of one managed policy of an export.
fn read_managed_policy(contents: &mut Contents, account: &mut Account, policy: &mut Node) {
    let arn = policy
        .get("Arn")
        .or_else(|| policy.get("PolicyName"))
        .and_then(Node::as_str)
        .unwrap_or("?")
        .to_owned();
    let default = policy
        .get("DefaultVersionId")
        .and_then(Node::as_str)
        .map(str::to_owned);
    let is_chosen = |v: &Node| {
        matches!(
            v.get("IsDefaultVersion").map(|n| &n.value),
            Some(Value::Bool(true))
        ) || (default.is_some() && v.get("VersionId").and_then(Node::as_str) == default.as_deref())
    };
    let Some(version) = items_mut(policy.get_mut("PolicyVersionList"))
        .into_iter()
        .find(|v| is_chosen(v))
    else {
        return;
    };
    let id = version
        .get("VersionId")
        .and_then(Node::as_str)
        .unwrap_or("?");
    let subject = format!("managed policy {arn} ({id})");
    let owner = Owner {
        arn: arn.clone(),
        inline_name: None,
    };
    match taken(version, "Document", Some(subject), Some(owner)) {
        Ok(document) => {
            account.managed.insert(arn, contents.documents.len());
            contents.documents.push(document.of(DocumentKind::Managed));
        }
        Err(error) => contents.errors.push(error),
    }
}

/// Where each entry of an authorization-details export is: the `Arn` of every
/// user, group, role and managed policy, keyed by (ARN, None), and the
/// `PolicyName` of every inline policy, keyed by (owner ARN, name).
pub fn entry_spans(details: &Node) -> HashMap<(String, Option<String>), Span> {
    let mut out = HashMap::new();
    let lists = EntityKind::ALL
        .iter()
        .map(|k| (k.list_key(), Some(k.policies_key())))
        .chain([("Policies", None)]);
    for (list, inline) in lists {
        for entity in items(details.get(list)) {
            let Some(arn) = entity.get("Arn") else {
                continue;
            };
            let Some(arn_text) = arn.as_str() else {
                continue;
            };
            out.entry((arn_text.to_owned(), None)).or_insert(arn.span);
            let policies = inline.map(|key| items(entity.get(key))).unwrap_or_default();
            for name in policies.iter().filter_map(|p| p.get("PolicyName")) {
                if let Some(text) = name.as_str() {
                    out.entry((arn_text.to_owned(), Some(text.to_owned())))
                        .or_insert(name.span);
                }
            }
        }
    }
    out
}

/// Adds `entry` (`key: values`) under `operator` of a Condition block being
/// built, creating the operator's object (its key at `spans.0`, the object at
/// `spans.1`) the first time.
fn add_condition(
    by_operator: &mut Vec<whittle_syntax::Member>,
    operator: &str,
    spans: (Span, Span),
    entry: whittle_syntax::Member,
) {
    match by_operator.iter_mut().find(|m| m.key == operator) {
        Some(existing) => {
            if let Value::Object(entries) = &mut existing.value.value {
                entries.push(entry);
            }
        }
        None => by_operator.push(member(
            operator,
            spans.0,
            Node {
                span: spans.1,
                value: Value::Object(vec![entry]),
            },
        )),
    }
}

/// True for a CloudFormation intrinsic function's key: `Ref`, `Fn::…`.
fn is_intrinsic(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}

/// The member `key: value`, its key written at `key_span`.
fn member(key: &str, key_span: Span, value: Node) -> whittle_syntax::Member {
    whittle_syntax::Member {
        key: key.to_owned(),
        key_span,
        value,
    }
}

fn items_mut(node: Option<&mut Node>) -> Vec<&mut Node> {
    match node.map(|n| &mut n.value) {
        Some(Value::Array(items)) => items.iter_mut().collect(),
        _ => Vec::new(),
    }
}

fn items(node: Option<&Node>) -> Vec<&Node> {
    match node.map(|n| &n.value) {
        Some(Value::Array(items)) => items.iter().collect(),
        _ => Vec::new(),
    }
}

/// An element written as one object or as an array of them (IAM's
/// `Statement`, Terraform's blocks): the objects.
fn objects(node: Option<&Node>) -> Vec<&Node> {
    match node {
        Some(single) if matches!(single.value, Value::Object(_)) => vec![single],
        list => items(list)
            .into_iter()
            .filter(|n| matches!(n.value, Value::Object(_)))
            .collect(),
    }
}

/// The document under `key` of `parent`, decoded if it was written as a string.
fn required(
    parent: &Node,
    key: &str,
    subject: Option<String>,
    owner: Option<Owner>,
) -> Result<EmbeddedDocument, DocumentError> {
    let node = parent.get(key).map(Cow::Borrowed);
    embedded(parent.span, key, node, subject, owner)
}

/// [`required`], moving an object document out of `parent` instead of copying it.
fn taken(
    parent: &mut Node,
    key: &str,
    subject: Option<String>,
    owner: Option<Owner>,
) -> Result<EmbeddedDocument, DocumentError> {
    let span = parent.span;
    let node = parent.get_mut(key).map(|node| match node.value {
        Value::Object(_) => Cow::Owned(node.take()),
        _ => Cow::Borrowed(&*node),
    });
    embedded(span, key, node, subject, owner)
}

/// The document `node` (under `key` of the object at `parent`).
fn embedded(
    parent: Span,
    key: &str,
    node: Option<Cow<'_, Node>>,
    subject: Option<String>,
    owner: Option<Owner>,
) -> Result<EmbeddedDocument, DocumentError> {
    let Some(node) = node else {
        return Err(DocumentError {
            span: parent,
            message: format!("\"{key}\" is missing"),
        });
    };
    let node = match &node.value {
        Value::Object(_) => node.into_owned(),
        Value::String(text) => decode_embedded(text, node.span)?,
        _ => {
            return Err(DocumentError {
                span: node.span,
                message: format!(
                    "\"{key}\" must be a policy document (an object or a string), not {}",
                    node.kind()
                ),
            });
        }
    };
    Ok(EmbeddedDocument {
        kind: DocumentKind::Unknown,
        subject,
        owner,
        node,
        assumption: None,
        conditions: Vec::new(),
        definition: None,
        written_by_aws: false,
    })
}

impl EmbeddedDocument {
    fn of(mut self, kind: DocumentKind) -> Self {
        self.kind = kind;
        self
    }
}

/// Parses a document given as a string: plain JSON, or URL-encoded JSON as the
/// IAM API returns it. It is decoded exactly once.
fn decode_embedded(text: &str, span: Span) -> Result<Node, DocumentError> {
    let trimmed = text.trim_start();
    let decoded;
    let json = if trimmed.starts_with('{') {
        trimmed
    } else {
        decoded = percent_encoding::percent_decode_str(trimmed)
            .decode_utf8()
            .map_err(|_| DocumentError {
                span,
                message: "the URL-encoded policy document is not valid UTF-8".to_owned(),
            })?;
        &decoded
    };
    let mut node = parse_json(json).map_err(|e| DocumentError {
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
        let contents = read(&parse(r#"{"Statement":[]}"#)).unwrap();
        assert_eq!(contents.kind, InputKind::Policy);
        assert_eq!(contents.documents.len(), 1);
        assert!(contents.documents[0].subject.is_none());
    }

    #[test]
    fn cli_outputs_are_recognised() {
        let contents = read(&parse(
            r#"{"PolicyVersion":{"Document":{"Statement":[]},"VersionId":"v3"}}"#,
        ))
        .unwrap();
        assert_eq!(contents.kind, InputKind::PolicyVersion);
        assert_eq!(
            contents.documents[0].subject.as_deref(),
            Some("policy version v3")
        );
        let contents = read(&parse(
            r#"{"RoleName":"deploy","PolicyName":"ci","PolicyDocument":{"Statement":[]}}"#,
        ))
        .unwrap();
        assert_eq!(contents.kind, InputKind::InlinePolicy);
        assert_eq!(
            contents.documents[0].subject.as_deref(),
            Some("role/deploy inline policy \"ci\"")
        );
    }

    #[test]
    fn url_encoded_documents_are_decoded_once_and_point_at_the_string() {
        let text = r#"{"UserName":"u","PolicyName":"p","PolicyDocument":"%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGet%25%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"}"#;
        let root = parse(text);
        let contents = read(&root).unwrap();
        let string_span = root.get("PolicyDocument").unwrap().span;
        let statement = contents.documents[0].node.get("Statement").unwrap();
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
    fn moving_the_documents_out_reads_what_borrowing_reads() {
        let export = r#"{"RoleDetailList":[{"RoleName":"r","Arn":"arn:aws:iam::1:role/r",
            "AssumeRolePolicyDocument":{"Statement":[]},
            "RolePolicyList":[{"PolicyName":"a","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}},
                              {"PolicyName":"b","PolicyDocument":"%7B%22Statement%22%3A%5B%5D%7D"}]}],
          "Policies":[{"Arn":"arn:aws:iam::1:policy/p","DefaultVersionId":"v1",
            "PolicyVersionList":[{"VersionId":"v1","Document":{"Statement":[]}}]}]}"#;
        let snapshot =
            format!(r#"{{"schema":"whittle.snapshot/v1","authorization_details":{export}}}"#);
        let policy = r#"{"Version":"2012-10-17","Statement":[],"Policies":[]}"#;
        for (text, moved) in [(export, true), (snapshot.as_str(), true), (policy, false)] {
            let borrowed = read(&parse(text)).unwrap();
            let (owned, tree) = read_owned(parse(text));
            let owned = owned.unwrap();
            assert_eq!(tree.is_none(), moved, "{text}");
            assert_eq!(owned.kind, borrowed.kind);
            let summary = |c: &Contents| -> Vec<_> {
                c.documents
                    .iter()
                    .map(|d| (d.kind, d.subject.clone(), d.node.clone()))
                    .collect()
            };
            assert_eq!(summary(&owned), summary(&borrowed), "{text}");
            assert_eq!(
                owned.account.map(|a| a.principals.len()),
                borrowed.account.map(|a| a.principals.len())
            );
        }
    }

    #[test]
    fn authorization_details_give_documents_and_who_holds_them() {
        let text = r#"{"Policies":[{"Arn":"arn:aws:iam::123456789012:policy/p","DefaultVersionId":"v2",
          "PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":false,"Document":{"Statement":"old"}},
                               {"VersionId":"v2","IsDefaultVersion":true,"Document":{"Statement":[]}}]}],
          "UserDetailList":[{"UserName":"alice","Arn":"arn:aws:iam::123456789012:user/alice","GroupList":["devs"],
            "UserPolicyList":[{"PolicyName":"own","PolicyDocument":{"Statement":[]}},
                              {"PolicyName":"broken","PolicyDocument":"%7Bnot json"}],
            "AttachedManagedPolicies":[{"PolicyName":"p","PolicyArn":"arn:aws:iam::123456789012:policy/p"}],
            "PermissionsBoundary":{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::123456789012:policy/b"}}],
          "GroupDetailList":[{"GroupName":"devs","GroupPolicyList":[],"AttachedManagedPolicies":[]}]}"#;
        let contents = read(&parse(text)).unwrap();
        assert_eq!(contents.kind, InputKind::AuthorizationDetails);
        assert_eq!(
            contents.documents.len(),
            2,
            "only the default version, and the readable inline policy"
        );
        assert_eq!(
            contents.errors.len(),
            1,
            "the broken inline policy is reported, not fatal"
        );
        let account = contents.account.unwrap();
        let alice = &account.principals[0];
        assert_eq!(alice.kind, PrincipalKind::User);
        assert_eq!(alice.groups, ["devs"]);
        assert_eq!(alice.attached, ["arn:aws:iam::123456789012:policy/p"]);
        assert_eq!(
            alice.boundary.as_deref(),
            Some("arn:aws:iam::123456789012:policy/b")
        );
        let managed = account.managed["arn:aws:iam::123456789012:policy/p"];
        assert_eq!(
            contents.documents[managed].subject.as_deref(),
            Some("managed policy arn:aws:iam::123456789012:policy/p (v2)")
        );
        assert_eq!(account.groups[0].name, "devs");
    }

    #[test]
    fn unrecognised_and_broken_inputs_are_errors() {
        assert_eq!(
            read(&parse(r#"{"name":"pkg"}"#)).unwrap_err(),
            InputError::Unrecognised
        );
        let error = read(&parse(r#"{"PolicyVersion":{"Document":"%7Bnope"}}"#)).unwrap_err();
        assert!(matches!(error, InputError::Document(_)));
    }
}
