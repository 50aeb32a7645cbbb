//! Which IAM policy each policy of a template or configuration defines: the
//! names the source gives the policy and its owner, as far as they are
//! written, so that `recommend --source` can find where a recommended policy
//! is defined. CloudFormation names are read within the template (`!Ref` of
//! a role gives its `RoleName`); Terraform references to other resources are
//! left as [`Name::Ref`], to be resolved across the files of a module.

use super::iac::resolve;
use super::tf_config::{data_source_reference, entries, interpolate};
use super::{Contents, DocumentKind, items, objects};
use whittle_policy::unknown;
use whittle_syntax::{Node, Span};

/// How a source names an IAM user, group, role or policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    /// Written out.
    Literal(String),
    /// Written with unresolved parts (placeholders of [`whittle_policy::unknown`]):
    /// any name that fits around them.
    Pattern(String),
    /// Terraform's `name_prefix`: the name starts with it.
    Prefix(String),
    /// Not written: CloudFormation generates a name holding the logical id.
    Generated(String),
    /// Another resource's name, by its Terraform address
    /// (`aws_iam_role.app`), to be looked up.
    Ref(String),
    /// Nothing whittle can match (a whole unresolved value, or a name
    /// Terraform generates).
    Unknown(String),
}

/// How well a name matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// By a pattern, a prefix or a generated name.
    Likely,
    /// By the name as written.
    Exact,
}

impl Name {
    /// Reads a name argument: a string, with its unresolved parts as
    /// placeholders; an absent one is `absent`.
    fn of(node: Option<&Node>, absent: Name) -> Name {
        match node.and_then(Node::as_str) {
            None => absent,
            Some(text) if unknown::is_whole(text) => {
                Name::Unknown(unknown::display(text).into_owned())
            }
            Some(text) if unknown::contains(text) => Name::Pattern(text.to_owned()),
            Some(text) => Name::Literal(text.to_owned()),
        }
    }

    /// Whether `actual`, a name IAM reports, is this one.
    pub fn matches(&self, actual: &str) -> Option<Strength> {
        match self {
            Name::Literal(name) => name.eq_ignore_ascii_case(actual).then_some(Strength::Exact),
            Name::Pattern(pattern) => fits(pattern, actual).then_some(Strength::Likely),
            Name::Prefix(prefix) => actual
                .starts_with(prefix.as_str())
                .then_some(Strength::Likely),
            Name::Generated(id) => actual
                .contains(&format!("-{id}-"))
                .then_some(Strength::Likely),
            Name::Ref(_) | Name::Unknown(_) => None,
        }
    }

    /// The name for people: `"app"`, `"{Env}-app"`, `name_prefix "app-"`.
    pub fn describe(&self) -> String {
        match self {
            Name::Literal(name) => format!("\"{name}\""),
            Name::Pattern(pattern) => format!("\"{}\"", unknown::display(pattern)),
            Name::Prefix(prefix) => format!("name_prefix \"{prefix}\""),
            Name::Generated(id) => format!("the name CloudFormation generates for {id}"),
            Name::Ref(address) => format!("the name of {address}"),
            Name::Unknown(what) => what.clone(),
        }
    }
}

/// Whether `actual` fits `pattern` with each placeholder standing for any
/// text (at least one character) and everything else literal.
/// [`whittle_policy::pattern::Pattern`] is not used: it reads `*` and `?` as
/// wildcards, and a Resource such as `arn:aws:s3:::{bucket}/*` must match the
/// snapshot's `/*` itself when `recommend --source` checks for drift.
fn fits(pattern: &str, actual: &str) -> bool {
    let mut parts = Vec::new();
    let mut rest = pattern;
    while let Some(start) = rest.find(unknown::START) {
        parts.push(&rest[..start]);
        let Some(end) = rest[start..].find(unknown::END) else {
            return false;
        };
        rest = &rest[start + end + unknown::END.len_utf8()..];
    }
    parts.push(rest);
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return first == actual;
    }
    let Some(mut tail) = actual.strip_prefix(first) else {
        return false;
    };
    for part in &parts[1..parts.len() - 1] {
        // Each hole holds at least one character.
        let Some(found) = tail.get(1..).and_then(|t| t.find(part)) else {
            return false;
        };
        tail = &tail[1 + found + part.len()..];
    }
    tail.len() > last.len() && tail.ends_with(last)
}

/// The sort of IAM entity that holds an inline policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerType {
    /// A user.
    User,
    /// A group.
    Group,
    /// A role.
    Role,
}

impl OwnerType {
    /// The ARN's resource type: `user`, `group`, `role`.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerType::User => "user",
            OwnerType::Group => "group",
            OwnerType::Role => "role",
        }
    }
}

/// The IAM policy a source policy defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Defines {
    /// An inline policy of a user, group or role.
    Inline {
        /// The owner's sort.
        owner_type: OwnerType,
        /// The owner's name.
        owner: Name,
        /// The policy's name.
        policy: Name,
    },
    /// A customer managed policy.
    Managed {
        /// Its name.
        name: Name,
        /// Its path (`/` when not written).
        path: Name,
    },
}

/// Where the document of a target is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentAt {
    /// The document of [`Contents::documents`] at this index.
    Here(usize),
    /// The `aws_iam_policy_document` data source of this name, in this file
    /// or another file of the module.
    DataSource(String),
    /// Not written in the source (a variable, another resource's output).
    Computed(String),
}

/// One IAM policy a file defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// What it defines.
    pub defines: Defines,
    /// Its document.
    pub document: DocumentAt,
    /// The resource that defines it: CloudFormation logical id or Terraform address.
    pub definition: String,
    /// Where that resource is written.
    pub span: Span,
    /// Why the document, though written here, is not what IAM stores as it
    /// is (one resource for several instances, `for_each`).
    pub computed: Option<String>,
}

/// The policies a file defines, and (Terraform) the names of its users,
/// groups and roles, which targets of other files may refer to by address.
#[derive(Debug, Clone, Default)]
pub struct FileTargets {
    /// The policies.
    pub targets: Vec<Target>,
    /// `aws_iam_role.app` → its name.
    pub names: Vec<(String, Name)>,
    /// The data sources of the file and the addresses of the resources that
    /// use each, for telling when one renders several policies.
    pub data_users: Vec<(String, String)>,
}

/// The IAM policies `contents` (read from `root`) defines.
pub fn targets(root: &Node, contents: &Contents) -> FileTargets {
    match contents.kind {
        super::InputKind::CloudFormation => cloudformation(root, contents),
        super::InputKind::TerraformConfig => terraform(root, contents),
        _ => FileTargets::default(),
    }
}

/// The index of the document of `contents` that `definition` defines, read
/// from `raw` (written inside it).
fn document_in(contents: &Contents, definition: &str, raw: &Node) -> Option<usize> {
    contents.documents.iter().position(|d| {
        d.kind != DocumentKind::Trust
            && d.definition
                .as_ref()
                .is_some_and(|def| def.id == definition)
            && raw.span.start <= d.node.span.start
            && d.node.span.end <= raw.span.end
    })
}

/// CloudFormation resources: (type, name property, sort of owner) for users,
/// groups and roles.
const CFN_ENTITIES: [(&str, &str, OwnerType); 3] = [
    ("AWS::IAM::User", "UserName", OwnerType::User),
    ("AWS::IAM::Group", "GroupName", OwnerType::Group),
    ("AWS::IAM::Role", "RoleName", OwnerType::Role),
];

fn cloudformation(root: &Node, contents: &Contents) -> FileTargets {
    let mut out = FileTargets::default();
    let Some(resources) = root.get("Resources").and_then(Node::as_object) else {
        return out;
    };
    let type_of = |id: &str| root.get("Resources")?.get(id)?.get("Type")?.as_str();
    // The name an entity reference (a literal or `!Ref Resource`) stands for.
    let entity_name = |node: &Node, owner_type: OwnerType| -> Name {
        if let Some(id) = node.get("Ref").and_then(Node::as_str)
            && let Some((kind, property, _)) = CFN_ENTITIES.iter().find(|e| e.2 == owner_type)
            && type_of(id) == Some(kind)
        {
            let properties = root
                .get("Resources")
                .and_then(|r| r.get(id))
                .and_then(|r| r.get("Properties"));
            let name = properties.and_then(|p| p.get(property)).map(resolve);
            return Name::of(name.as_ref(), Name::Generated(id.to_owned()));
        }
        Name::of(Some(&resolve(node)), Name::Unknown(String::new()))
    };
    for resource in resources {
        let id = resource.key.as_str();
        let (Some(kind), Some(properties)) = (
            resource.value.get("Type").and_then(Node::as_str),
            resource.value.get("Properties"),
        ) else {
            continue;
        };
        let span = Span::new(resource.key_span.start, resource.value.span.end);
        let mut push = |defines, raw: &Node| {
            if let Some(index) = document_in(contents, id, raw) {
                out.targets.push(Target {
                    defines,
                    document: DocumentAt::Here(index),
                    definition: id.to_owned(),
                    span,
                    computed: None,
                });
            }
        };
        let name = |key: &str, absent| Name::of(properties.get(key).map(resolve).as_ref(), absent);
        if let Some(&(_, property, owner_type)) = CFN_ENTITIES.iter().find(|e| e.0 == kind) {
            let owner = name(property, Name::Generated(id.to_owned()));
            for policy in items(properties.get("Policies")) {
                let Some(document) = policy.get("PolicyDocument") else {
                    continue;
                };
                let policy_name = Name::of(
                    policy.get("PolicyName").map(resolve).as_ref(),
                    Name::Unknown(String::new()),
                );
                let defines = Defines::Inline {
                    owner_type,
                    owner: owner.clone(),
                    policy: policy_name,
                };
                push(defines, document);
            }
            continue;
        }
        let Some(document) = properties.get("PolicyDocument") else {
            continue;
        };
        match kind {
            "AWS::IAM::ManagedPolicy" => {
                let defines = Defines::Managed {
                    name: name("ManagedPolicyName", Name::Generated(id.to_owned())),
                    path: name("Path", Name::Literal("/".to_owned())),
                };
                push(defines, document);
            }
            // One inline policy of the same name in every user, group and role listed.
            "AWS::IAM::Policy" => {
                for (key, owner_type) in [
                    ("Users", OwnerType::User),
                    ("Groups", OwnerType::Group),
                    ("Roles", OwnerType::Role),
                ] {
                    for owner in items(properties.get(key)) {
                        let defines = Defines::Inline {
                            owner_type,
                            owner: entity_name(owner, owner_type),
                            policy: name("PolicyName", Name::Unknown(String::new())),
                        };
                        push(defines, document);
                    }
                }
            }
            "AWS::IAM::RolePolicy" | "AWS::IAM::UserPolicy" | "AWS::IAM::GroupPolicy" => {
                let (key, owner_type) = match kind {
                    "AWS::IAM::RolePolicy" => ("RoleName", OwnerType::Role),
                    "AWS::IAM::UserPolicy" => ("UserName", OwnerType::User),
                    _ => ("GroupName", OwnerType::Group),
                };
                let Some(owner) = properties.get(key) else {
                    continue;
                };
                let defines = Defines::Inline {
                    owner_type,
                    owner: entity_name(owner, owner_type),
                    policy: name("PolicyName", Name::Unknown(String::new())),
                };
                push(defines, document);
            }
            _ => {}
        }
    }
    out
}

/// Terraform resources: (type, sort of owner) for users, groups and roles.
const TF_ENTITIES: [(&str, OwnerType); 3] = [
    ("aws_iam_user", OwnerType::User),
    ("aws_iam_group", OwnerType::Group),
    ("aws_iam_role", OwnerType::Role),
];

/// Terraform's inline policy resources: (type, owner argument, sort of owner).
const TF_INLINE: [(&str, &str, OwnerType); 3] = [
    ("aws_iam_user_policy", "user", OwnerType::User),
    ("aws_iam_group_policy", "group", OwnerType::Group),
    ("aws_iam_role_policy", "role", OwnerType::Role),
];

fn terraform(root: &Node, contents: &Contents) -> FileTargets {
    let mut out = FileTargets::default();
    let text_of = |node: Option<&Node>| node.and_then(Node::as_str).map(interpolate);
    let tf_name = |args: &Node| -> Name {
        if let Some(prefix) = text_of(args.get("name_prefix")) {
            return match Name::of(Some(&string_node(&prefix)), Name::Unknown(String::new())) {
                Name::Literal(prefix) => Name::Prefix(prefix),
                other => other,
            };
        }
        let absent = Name::Unknown("a name Terraform generates".to_owned());
        match text_of(args.get("name")) {
            Some(name) => Name::of(Some(&string_node(&name)), absent),
            None => absent,
        }
    };
    for (kind, _, instances) in entries(root.get("resource")) {
        for (name, name_span, args) in entries(Some(instances)) {
            let address = format!("{kind}.{name}");
            let span = Span::new(name_span.start, args.span.end);
            for args in objects(Some(args)) {
                let computed = ["count", "for_each"]
                    .into_iter()
                    .find(|key| args.get(key).is_some())
                    .map(|key| format!("{address} has {key}: one resource for several policies"));
                let mut push = |defines, policy: Option<&Node>| {
                    let Some(policy) = policy else { return };
                    let document = match policy.as_str() {
                        Some(text) => match data_source_reference(text) {
                            Some(data) => {
                                out.data_users.push((data.to_owned(), address.clone()));
                                DocumentAt::DataSource(data.to_owned())
                            }
                            None => match document_in(contents, &address, policy) {
                                Some(index) => DocumentAt::Here(index),
                                None => DocumentAt::Computed(format!(
                                    "its policy is {}",
                                    unknown::display(&interpolate(text))
                                )),
                            },
                        },
                        None => match document_in(contents, &address, policy) {
                            Some(index) => DocumentAt::Here(index),
                            None => return,
                        },
                    };
                    out.targets.push(Target {
                        defines,
                        document,
                        definition: address.clone(),
                        span,
                        computed: computed.clone(),
                    });
                };
                if let Some(&(_, owner_type)) = TF_ENTITIES.iter().find(|e| e.0 == kind) {
                    let owner = tf_name(args);
                    out.names.push((address.clone(), owner.clone()));
                    if kind == "aws_iam_role" {
                        for block in objects(args.get("inline_policy")) {
                            let defines = Defines::Inline {
                                owner_type,
                                owner: owner.clone(),
                                policy: tf_name(block),
                            };
                            push(defines, block.get("policy"));
                        }
                    }
                } else if let Some(&(_, key, owner_type)) = TF_INLINE.iter().find(|e| e.0 == kind) {
                    let owner = match text_of(args.get(key)) {
                        Some(text) => match entity_reference(&text, owner_type) {
                            Some(address) => Name::Ref(address),
                            None => {
                                Name::of(Some(&string_node(&text)), Name::Unknown(String::new()))
                            }
                        },
                        None => continue,
                    };
                    let defines = Defines::Inline {
                        owner_type,
                        owner,
                        policy: tf_name(args),
                    };
                    push(defines, args.get("policy"));
                } else if kind == "aws_iam_policy" {
                    let path = match text_of(args.get("path")) {
                        Some(path) => {
                            Name::of(Some(&string_node(&path)), Name::Unknown(String::new()))
                        }
                        None => Name::Literal("/".to_owned()),
                    };
                    let defines = Defines::Managed {
                        name: tf_name(args),
                        path,
                    };
                    push(defines, args.get("policy"));
                }
            }
        }
    }
    out
}

/// A string node (no span needed) for [`Name::of`].
fn string_node(text: &str) -> Node {
    Node {
        span: Span::new(0, 0),
        value: whittle_syntax::Value::String(text.to_owned()),
    }
}

/// `aws_iam_role.app` from `{aws_iam_role.app.name}` (a placeholder, as
/// [`interpolate`] writes `${aws_iam_role.app.name}`) or `.id`, which is a
/// role's name too.
fn entity_reference(text: &str, owner_type: OwnerType) -> Option<String> {
    if !unknown::is_whole(text) {
        return None;
    }
    let label = unknown::labels(text).next()?.trim();
    let (kind, _) = TF_ENTITIES.iter().find(|e| e.1 == owner_type)?;
    let rest = label.strip_prefix(kind)?.strip_prefix('.')?;
    let (name, attribute) = rest.split_once('.')?;
    (matches!(attribute, "name" | "id") && !name.contains(['[', '.']))
        .then(|| format!("{kind}.{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hole(label: &str) -> String {
        unknown::placeholder(label)
    }

    #[test]
    fn a_pattern_fits_names_around_its_holes_and_a_hole_is_never_empty() {
        let pattern = format!("{}-app-{}", hole("Env"), hole("Region"));
        assert!(fits(&pattern, "prod-app-eu"));
        assert!(!fits(&pattern, "-app-eu"));
        assert!(!fits(&pattern, "prod-app-"));
        assert!(!fits(&pattern, "prod-web-eu"));
        assert!(fits(&format!("app-{}", hole("x")), "app-1"));
        assert!(!fits(&format!("app-{}", hole("x")), "xapp-1"));
    }

    #[test]
    fn names_match_as_iam_compares_them() {
        assert_eq!(
            Name::Literal("App".into()).matches("app"),
            Some(Strength::Exact)
        );
        assert_eq!(
            Name::Generated("AppRole".into()).matches("stack-AppRole-1X2Y3Z"),
            Some(Strength::Likely)
        );
        assert_eq!(Name::Generated("AppRole".into()).matches("AppRole"), None);
        assert_eq!(Name::Unknown(String::new()).matches("anything"), None);
        assert_eq!(Name::Ref("aws_iam_role.app".into()).matches("app"), None);
    }

    #[test]
    fn an_owner_reference_names_the_resource_by_address() {
        let text = interpolate("${aws_iam_role.app.name}");
        assert_eq!(
            entity_reference(&text, OwnerType::Role).as_deref(),
            Some("aws_iam_role.app")
        );
        assert_eq!(entity_reference(&text, OwnerType::User), None);
        let arn = interpolate("${aws_iam_role.app.arn}");
        assert_eq!(entity_reference(&arn, OwnerType::Role), None);
    }
}
