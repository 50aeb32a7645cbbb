//! `recommend --source`: finds where CloudFormation templates and Terraform
//! configurations define each recommended policy, and changes them there.
//!
//! A recommendation is matched to a definition by the names the snapshot
//! gives (the policy's, and its owner's for an inline policy) against those
//! the source writes ([`crate::input::targets`]), with the evidence reported.
//! It is patched only when the source's document is the snapshot's (unresolved
//! values standing for anything), and only the kept statements' action lists
//! change and dropped statements go; where the document is computed (a
//! variable, `for_each`, a `dynamic` block, a condition) or shared with
//! policies the recommendations leave alone, it says so instead. Every patch
//! is read back and must give the suggested document, or it is not made.

mod edit;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as Json;
use whittle_model::AuthorizationDetails;
use whittle_policy::unknown;
use whittle_syntax::{Node, SourceFile, Value};

use super::{PolicyRef, Recommendation, Recommendations, Scope};
use crate::input::{
    self, Defines, DocumentAt, EmbeddedDocument, FileTargets, Name, OwnerType, Strength, Target,
};
use edit::{Edit, Item};

/// What `recommend --source` found and changed.
#[derive(Debug, Clone, Default)]
pub struct SourceReport {
    /// The files changed, as they are and as patched, in the order given.
    pub files: Vec<PatchedFile>,
    /// Per recommendation, where it is defined and whether it was patched.
    pub outcomes: Vec<SourceOutcome>,
    /// Files that could not be read, with why.
    pub unread: Vec<(Arc<str>, String)>,
}

/// One changed file.
#[derive(Debug, Clone)]
pub struct PatchedFile {
    /// Its path, as given.
    pub path: Arc<str>,
    /// Its text as it is.
    pub before: String,
    /// Its text with the recommendations applied.
    pub after: String,
}

/// Where a recommendation's policy is defined, and what was done.
#[derive(Debug, Clone)]
pub struct SourceOutcome {
    /// The policy.
    pub policy: PolicyRef,
    /// Whom the recommendation is for (a principal for a per-principal copy).
    pub principal: Option<String>,
    /// The definition found, if one was.
    pub place: Option<Place>,
    /// Why the place is the policy's: the names matched.
    pub evidence: Option<String>,
    /// Patched, or why not.
    pub result: Result<String, String>,
}

/// A resource in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file.
    pub path: Arc<str>,
    /// The line of the resource (1-based).
    pub line: usize,
    /// Its CloudFormation logical id or Terraform address.
    pub definition: String,
}

/// A file read for its definitions.
struct Read<'f> {
    file: &'f SourceFile,
    contents: input::Contents,
    targets: FileTargets,
    dir: String,
}

/// Finds and patches the definitions in `files` of every recommendation of
/// `all`, made from a snapshot holding `details`.
pub fn patch_sources(
    all: &Recommendations,
    details: &AuthorizationDetails,
    files: &[SourceFile],
) -> SourceReport {
    let mut report = SourceReport::default();
    let mut read: Vec<Read> = Vec::new();
    for file in files {
        let root = match file.parse() {
            Ok(root) => root,
            Err(error) => {
                let at = error.position;
                report.unread.push((
                    Arc::clone(file.path()),
                    format!("{}:{}: {}", at.line, at.column, error.message),
                ));
                continue;
            }
        };
        // Files that hold no template or configuration are not the source.
        let Ok(contents) = input::read(&root) else {
            continue;
        };
        if !matches!(
            contents.kind,
            input::InputKind::CloudFormation | input::InputKind::TerraformConfig
        ) {
            continue;
        }
        let targets = input::targets(&root, &contents);
        let dir = file
            .path()
            .rsplit_once(['/', '\\'])
            .map_or(String::new(), |(dir, _)| dir.to_owned());
        read.push(Read {
            file,
            contents,
            targets,
            dir,
        });
    }
    let project = Project { read: &read };
    // The document each patchable recommendation maps to: (file, document) → recommendations.
    let mut by_document: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (index, recommendation) in all.recommendations.iter().enumerate() {
        let (at, evidence, result) = match project.locate(recommendation) {
            Located::Document {
                at,
                document,
                evidence,
            } => {
                by_document.entry(document).or_default().push(index);
                (Some(at), Some(evidence), Err(String::new()))
            }
            Located::Refused {
                at,
                evidence,
                reason,
            } => (at, evidence, Err(reason)),
        };
        report
            .outcomes
            .push(project.outcome(recommendation, at, evidence, result));
    }
    // Every policy the snapshot holds, for telling what else a document defines.
    let held = held(details);
    // Patch file by file, each document on the text as patched so far.
    let mut texts: Vec<Option<String>> = vec![None; read.len()];
    for ((file, document), recommendations) in &by_document {
        let current = texts[*file]
            .clone()
            .unwrap_or_else(|| read[*file].file.text().to_owned());
        let result = project.patch(*file, *document, recommendations, all, &held, &current);
        let result = match result {
            Ok((text, changes)) => {
                texts[*file] = Some(text);
                Ok(changes)
            }
            Err(reason) => Err(reason),
        };
        for &index in recommendations {
            report.outcomes[index].result = result.clone();
        }
    }
    for (file, text) in texts.into_iter().enumerate() {
        if let Some(after) = text
            && after != read[file].file.text()
        {
            report.files.push(PatchedFile {
                path: Arc::clone(read[file].file.path()),
                before: read[file].file.text().to_owned(),
                after,
            });
        }
    }
    report
}

/// What a recommendation maps to.
enum Located {
    /// The document (file, index) that target `at` (file, index) defines.
    Document {
        at: (usize, usize),
        document: (usize, usize),
        evidence: String,
    },
    /// Nothing to patch, and why (with the definition, when one was found).
    Refused {
        at: Option<(usize, usize)>,
        evidence: Option<String>,
        reason: String,
    },
}

/// The IAM policy a recommendation is about, as names.
enum Wanted<'a> {
    Inline {
        owner_type: OwnerType,
        owner: &'a str,
        policy: &'a str,
    },
    Managed {
        name: &'a str,
        path: &'a str,
    },
}

impl<'a> Wanted<'a> {
    fn of(policy: &'a PolicyRef) -> Option<Wanted<'a>> {
        match policy {
            PolicyRef::Inline { owner, name } => {
                let (kind, path_name) = arn_resource(owner)?.split_once('/')?;
                let owner_type = match kind {
                    "user" => OwnerType::User,
                    "group" => OwnerType::Group,
                    "role" => OwnerType::Role,
                    _ => return None,
                };
                let owner = path_name.rsplit('/').next()?;
                Some(Wanted::Inline {
                    owner_type,
                    owner,
                    policy: name,
                })
            }
            PolicyRef::Managed {
                arn, aws_managed, ..
            } if !aws_managed => {
                let resource = arn_resource(arn)?.strip_prefix("policy")?;
                let (path, name) = resource.rsplit_once('/')?;
                Some(Wanted::Managed {
                    name,
                    path: if path.is_empty() {
                        "/"
                    } else {
                        &resource[..=path.len()]
                    },
                })
            }
            PolicyRef::Managed { .. } => None,
        }
    }

    fn describe(&self) -> String {
        match self {
            Wanted::Inline {
                owner_type,
                owner,
                policy,
            } => format!(
                "inline policy \"{policy}\" of {} \"{owner}\"",
                owner_type.as_str()
            ),
            Wanted::Managed { name, .. } => format!("managed policy \"{name}\""),
        }
    }
}

/// The resource part of an ARN: `role/path/name`.
fn arn_resource(arn: &str) -> Option<&str> {
    arn.splitn(6, ':').nth(5)
}

struct Project<'r> {
    read: &'r [Read<'r>],
}

impl Project<'_> {
    fn place(&self, file: usize, target: usize) -> Place {
        let read = &self.read[file];
        let target = &read.targets.targets[target];
        Place {
            path: Arc::clone(read.file.path()),
            line: read.file.position(target.span.start).line,
            definition: target.definition.clone(),
        }
    }

    fn outcome(
        &self,
        recommendation: &Recommendation,
        at: Option<(usize, usize)>,
        evidence: Option<String>,
        result: Result<String, String>,
    ) -> SourceOutcome {
        SourceOutcome {
            policy: recommendation.policy.clone(),
            principal: match &recommendation.scope {
                Scope::Principal { arn, .. } => Some(arn.clone()),
                Scope::Policy => None,
            },
            place: at.map(|(file, target)| self.place(file, target)),
            evidence,
            result,
        }
    }

    /// The name `name` stands for in file `file` (a Terraform reference
    /// looked up among the files of its module), with how it was found.
    fn resolve<'n>(&'n self, file: usize, name: &'n Name) -> (&'n Name, Option<&'n str>) {
        let Name::Ref(address) = name else {
            return (name, None);
        };
        let dir = &self.read[file].dir;
        let named = self
            .read
            .iter()
            .filter(|r| &r.dir == dir)
            .flat_map(|r| &r.targets.names)
            .find(|(a, _)| a == address);
        match named {
            Some((address, name)) => (name, Some(address)),
            None => (name, Some(address)),
        }
    }

    /// How target `target` of file `file` matches `wanted`, and why.
    fn matches(
        &self,
        file: usize,
        target: &Target,
        wanted: &Wanted<'_>,
    ) -> Option<(Strength, String)> {
        match (&target.defines, wanted) {
            (
                Defines::Inline {
                    owner_type,
                    owner,
                    policy,
                },
                Wanted::Inline {
                    owner_type: wanted_type,
                    owner: wanted_owner,
                    policy: wanted_policy,
                },
            ) if owner_type == wanted_type => {
                let by_policy = policy.matches(wanted_policy)?;
                let (owner_name, via) = self.resolve(file, owner);
                let by_owner = owner_name.matches(wanted_owner)?;
                let owner_text = match via {
                    Some(address) => format!("{address} (name {})", owner_name.describe()),
                    None => owner_name.describe(),
                };
                Some((
                    by_policy.min(by_owner),
                    format!(
                        "{}: policy name {}, {} {owner_text}",
                        target.definition,
                        policy.describe(),
                        owner_type.as_str()
                    ),
                ))
            }
            (
                Defines::Managed { name, path },
                Wanted::Managed {
                    name: wanted_name,
                    path: wanted_path,
                },
            ) => {
                let by_name = name.matches(wanted_name)?;
                let by_path = path.matches(wanted_path)?;
                Some((
                    by_name.min(by_path),
                    format!(
                        "{}: name {}, path {}",
                        target.definition,
                        name.describe(),
                        path.describe()
                    ),
                ))
            }
            _ => None,
        }
    }

    /// Every (file, target) matching `wanted`, best first.
    fn candidates(&self, wanted: &Wanted<'_>) -> Vec<(Strength, usize, usize, String)> {
        let mut out = Vec::new();
        for (file, read) in self.read.iter().enumerate() {
            for (index, target) in read.targets.targets.iter().enumerate() {
                if let Some((strength, evidence)) = self.matches(file, target, wanted) {
                    out.push((strength, file, index, evidence));
                }
            }
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.0));
        out
    }

    /// The document a target's policy is, as (file, index), or why there is none.
    fn document(&self, file: usize, target: &Target) -> Result<(usize, usize), String> {
        if let Some(why) = &target.computed {
            return Err(format!("computed: {why}"));
        }
        match &target.document {
            DocumentAt::Here(index) => Ok((file, *index)),
            DocumentAt::Computed(why) => Err(format!("computed: {why}")),
            DocumentAt::DataSource(name) => {
                let dir = &self.read[file].dir;
                let users: Vec<&str> = self
                    .read
                    .iter()
                    .filter(|r| &r.dir == dir)
                    .flat_map(|r| &r.targets.data_users)
                    .filter(|(data, _)| data == name)
                    .map(|(_, user)| user.as_str())
                    .collect();
                if users.len() > 1 {
                    return Err(format!(
                        "data.aws_iam_policy_document.{name} renders the policies of {}: changing it changes them all",
                        users.join(", ")
                    ));
                }
                let id = format!("data.aws_iam_policy_document.{name}");
                self.read
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| &r.dir == dir)
                    .find_map(|(f, r)| {
                        r.contents
                            .documents
                            .iter()
                            .position(|d| d.definition.as_ref().is_some_and(|def| def.id == id))
                            .map(|d| (f, d))
                    })
                    .ok_or_else(|| format!("computed: {id} is not in the module's files"))
            }
        }
    }

    fn locate(&self, recommendation: &Recommendation) -> Located {
        let refused = |reason: String| Located::Refused {
            at: None,
            evidence: None,
            reason,
        };
        let Some(wanted) = Wanted::of(&recommendation.policy) else {
            return refused("an AWS managed policy: not defined in the source".to_owned());
        };
        let candidates = self.candidates(&wanted);
        let Some(best) = candidates.first() else {
            return refused(format!("no definition of the {} found", wanted.describe()));
        };
        let best: Vec<_> = candidates.iter().filter(|c| c.0 == best.0).collect();
        if best.len() > 1 {
            let places: Vec<String> = best
                .iter()
                .map(|(_, file, target, _)| {
                    let place = self.place(*file, *target);
                    format!("{} ({}:{})", place.definition, place.path, place.line)
                })
                .collect();
            return refused(format!(
                "the {} could be any of {}: not patched",
                wanted.describe(),
                places.join(", ")
            ));
        }
        let (_, file, target, evidence) = best[0].clone();
        let at = Some((file, target));
        if let Scope::Principal { arn, .. } = &recommendation.scope {
            return Located::Refused {
                at,
                evidence: Some(evidence),
                reason: format!(
                    "replaced for {arn} alone by a copy (the per-principal strategy): the source's policy stays for its other holders; use --strategy in-place to change it here"
                ),
            };
        }
        if recommendation.suggested.is_none() {
            return Located::Refused {
                at,
                evidence: Some(evidence),
                reason: format!(
                    "whittle would remove this policy: nothing it grants was used; delete {} by hand",
                    self.read[file].targets.targets[target].definition
                ),
            };
        }
        match self.document(file, &self.read[file].targets.targets[target]) {
            Ok(document) => Located::Document {
                at: (file, target),
                document,
                evidence,
            },
            Err(reason) => Located::Refused {
                at,
                evidence: Some(evidence),
                reason,
            },
        }
    }

    /// Patches document `document` of file `file` (whose text so far is
    /// `text`) for `recommendations`: the new text and what changed.
    fn patch(
        &self,
        file: usize,
        document: usize,
        recommendations: &[usize],
        all: &Recommendations,
        held: &[PolicyRef],
        text: &str,
    ) -> Result<(String, String), String> {
        let read = &self.read[file];
        let first = &all.recommendations[recommendations[0]];
        let (Some(suggested), original) = (&first.suggested, &first.original) else {
            return Err("whittle would remove this policy".to_owned());
        };
        if recommendations
            .iter()
            .any(|&i| all.recommendations[i].suggested.as_ref() != Some(suggested))
        {
            return Err(
                "one document defines several policies whose recommendations differ".to_owned(),
            );
        }
        self.others_untouched(file, document, recommendations, all, held)?;
        let embedded = &read.contents.documents[document];
        if let Some(why) = &embedded.assumption {
            return Err(format!("computed: {why}"));
        }
        if !embedded.conditions.is_empty() {
            return Err(
                "computed: parts of the document hold only under a condition (Fn::If)".to_owned(),
            );
        }
        let definition = embedded
            .definition
            .as_ref()
            .map(|d| d.id.clone())
            .unwrap_or_default();
        let ordinal = read.contents.documents[..document]
            .iter()
            .filter(|d| {
                d.definition
                    .as_ref()
                    .is_some_and(|def| def.id == definition)
            })
            .count();
        let locate = |text: &str| -> Result<EmbeddedDocument, String> {
            let file = SourceFile::new(Arc::clone(read.file.path()), text);
            let root = file.parse().map_err(|e| e.message)?;
            let contents = input::read(&root).map_err(|_| "not a template any more".to_owned())?;
            contents
                .documents
                .into_iter()
                .filter(|d| {
                    d.definition
                        .as_ref()
                        .is_some_and(|def| def.id == definition)
                })
                .nth(ordinal)
                .ok_or_else(|| "the document is gone".to_owned())
        };
        let yaml = read.file.is_yaml();
        let source = locate(text)?.node;
        same(&source, original, "").map_err(|difference| {
            format!(
                "the source's document is not the one in the snapshot ({difference}): not patched"
            )
        })?;
        let plan = align(original, suggested)?;
        // Actions first, then statements out: each on the text as it is then.
        let statements = statement_nodes(&source);
        let mut edits = Vec::new();
        let mut changed = 0;
        for (index, kept) in plan.iter().enumerate() {
            let Some(actions) = kept else { continue };
            let Some(actions) = actions else { continue };
            edits.extend(action_edits(text, statements[index], actions, yaml)?);
            changed += 1;
        }
        let patched = edit::apply(text, &edits)?;
        let dropped: Vec<usize> = (0..plan.len()).filter(|&i| plan[i].is_none()).collect();
        let patched = if dropped.is_empty() {
            patched
        } else {
            let source = locate(&patched)?.node;
            let statements = statement_nodes(&source);
            let wanted: Vec<Item> = (0..plan.len())
                .filter(|i| plan[*i].is_some())
                .map(Item::Keep)
                .collect();
            let edit = edit::relist(&patched, &statements, &wanted)
                .or_else(|| edit::remove_inline(&statements, &dropped))
                .ok_or("its statements are not written one after another")?;
            edit::apply(&patched, &[edit])?
        };
        let result = locate(&patched)
            .map_err(|e| format!("the patched file cannot be read back ({e}): not patched"))?;
        same(&result.node, suggested, "").map_err(|difference| {
            format!(
                "whittle could not write the suggested document here ({difference}): not patched"
            )
        })?;
        let mut changes = Vec::new();
        if changed > 0 {
            changes.push(format!(
                "{changed} statement{} narrowed",
                if changed == 1 { "" } else { "s" }
            ));
        }
        if !dropped.is_empty() {
            changes.push(format!(
                "{} statement{} removed",
                dropped.len(),
                if dropped.len() == 1 { "" } else { "s" }
            ));
        }
        Ok((patched, changes.join(", ")))
    }

    /// Fails when the document also defines a policy that the snapshot holds
    /// and no recommendation changes (an `AWS::IAM::Policy` listing several
    /// roles): a patch would change it too.
    fn others_untouched(
        &self,
        file: usize,
        document: usize,
        recommendations: &[usize],
        all: &Recommendations,
        held: &[PolicyRef],
    ) -> Result<(), String> {
        let changed: Vec<&PolicyRef> = recommendations
            .iter()
            .map(|&i| &all.recommendations[i].policy)
            .collect();
        let is_changed = |policy: &PolicyRef| {
            changed
                .iter()
                .any(|c| c.label() == policy.label() && owner_of(c) == owner_of(policy))
        };
        for (f, read) in self.read.iter().enumerate() {
            for target in &read.targets.targets {
                if self.document(f, target) != Ok((file, document)) {
                    continue;
                }
                for policy in held {
                    let Some(wanted) = Wanted::of(policy) else {
                        continue;
                    };
                    if self.matches(f, target, &wanted).is_some() && !is_changed(policy) {
                        return Err(format!(
                            "the document also defines the {}, for which nothing is recommended: changing it here would change that too",
                            wanted.describe()
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The owner of an inline policy.
fn owner_of(policy: &PolicyRef) -> Option<&str> {
    match policy {
        PolicyRef::Inline { owner, .. } => Some(owner),
        PolicyRef::Managed { .. } => None,
    }
}

/// Every policy the snapshot holds, as recommendations name them.
fn held(details: &AuthorizationDetails) -> Vec<PolicyRef> {
    let mut out = Vec::new();
    let inline = |owner: &str, list: &[whittle_model::PolicyDetail], out: &mut Vec<PolicyRef>| {
        for policy in list {
            out.push(PolicyRef::Inline {
                owner: owner.to_owned(),
                name: policy.policy_name.clone(),
            });
        }
    };
    for user in &details.user_detail_list {
        inline(&user.arn, &user.user_policy_list, &mut out);
    }
    for group in &details.group_detail_list {
        inline(&group.arn, &group.group_policy_list, &mut out);
    }
    for role in &details.role_detail_list {
        inline(&role.arn, &role.role_policy_list, &mut out);
    }
    for policy in &details.policies {
        out.push(PolicyRef::Managed {
            arn: policy.arn.clone(),
            version: policy.default_version_id.clone(),
            aws_managed: policy.arn.contains(":aws:policy/"),
        });
    }
    out
}

/// The statements of a document as written: an array's items, or the one object.
fn statement_nodes(document: &Node) -> Vec<&Node> {
    match document.get("Statement").map(|s| &s.value) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(_) => document.get("Statement").into_iter().collect(),
        None => Vec::new(),
    }
}

fn statement_values(document: &Json) -> Vec<&Json> {
    match document.get("Statement") {
        Some(Json::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    }
}

/// Per statement of `original`: `None` when the suggestion drops it,
/// `Some(None)` when it is kept as it is, `Some(Some(actions))` when its
/// actions become `actions` (and a NotAction becomes an Action).
fn align(original: &Json, suggested: &Json) -> Result<Vec<Option<Option<Vec<String>>>>, String> {
    let without_actions = |statement: &Json| -> Json {
        let mut statement = statement.clone();
        if let Some(map) = statement.as_object_mut() {
            map.remove("Action");
            map.remove("NotAction");
        }
        statement
    };
    let differs = "the suggestion changes more than action lists: not patched";
    let mut top = suggested.clone();
    let mut before = original.clone();
    for document in [&mut top, &mut before] {
        if let Some(map) = document.as_object_mut() {
            map.remove("Statement");
        }
    }
    if top != before {
        return Err(differs.to_owned());
    }
    let suggested = statement_values(suggested);
    let mut next = 0;
    let mut plan = Vec::new();
    for statement in statement_values(original) {
        match suggested.get(next) {
            Some(kept) if without_actions(kept) == without_actions(statement) => {
                next += 1;
                if *kept == statement {
                    plan.push(Some(None));
                } else {
                    let actions = match kept.get("Action") {
                        Some(Json::String(one)) => vec![one.clone()],
                        Some(Json::Array(items)) => items
                            .iter()
                            .filter_map(Json::as_str)
                            .map(str::to_owned)
                            .collect(),
                        _ => return Err(differs.to_owned()),
                    };
                    plan.push(Some(Some(actions)));
                }
            }
            _ => plan.push(None),
        }
    }
    if next != suggested.len() {
        return Err(differs.to_owned());
    }
    Ok(plan)
}

/// The edits giving `statement` (as written) exactly `actions`.
fn action_edits(
    text: &str,
    statement: &Node,
    actions: &[String],
    yaml: bool,
) -> Result<Vec<Edit>, String> {
    let members = statement
        .as_object()
        .ok_or("a statement is not an object")?;
    let member = members
        .iter()
        .rev()
        .find(|m| m.key == "Action" || m.key == "NotAction")
        .ok_or("a statement has no Action")?;
    let items: Vec<&Node> = match &member.value.value {
        Value::Array(items) => items.iter().collect(),
        _ => vec![&member.value],
    };
    if items
        .iter()
        .any(|i| i.as_str().is_none_or(unknown::contains))
    {
        return Err(format!(
            "computed: the actions at {} are not written out",
            member.key
        ));
    }
    let mut edits = Vec::new();
    let negated = member.key == "NotAction";
    if negated {
        edits.push(edit::rename_key(text, member.key_span).ok_or("cannot rename NotAction")?);
    }
    // Kept items in their order, then the new ones.
    let mut wanted = Vec::new();
    let mut next = 0;
    for action in actions {
        let at = (!negated)
            .then(|| {
                items[next..]
                    .iter()
                    .position(|i| i.as_str() == Some(action))
            })
            .flatten();
        match at {
            Some(offset) => {
                wanted.push(Item::Keep(next + offset));
                next += offset + 1;
            }
            None => wanted.push(Item::Add(action.clone())),
        }
    }
    let listed = matches!(member.value.value, Value::Array(_))
        && text
            .get(member.value.span.start..member.value.span.end)
            .is_some_and(|t| t.contains('\n'));
    let edit = if listed {
        edit::relist(text, &items, &wanted)
    } else {
        edit::rewrite_value(text, &member.value, actions, yaml)
    };
    edits.push(edit.ok_or("the actions are written in a way whittle cannot change")?);
    Ok(edits)
}

/// Whether `node` (as the source writes it) is `value` (as IAM stores it):
/// unresolved values stand for anything, a list of strings is a set (a
/// Terraform data source orders them its own way) and one string is a list
/// of one; or the first difference, at `path`.
fn same(node: &Node, value: &Json, path: &str) -> Result<(), String> {
    let strings = |value: &Json| -> Option<Vec<String>> {
        match value {
            Json::Array(items) => items.iter().map(scalar).collect(),
            other => scalar(other).map(|s| vec![s]),
        }
    };
    let written = |node: &Node| -> Option<Vec<String>> {
        match &node.value {
            Value::Array(items) => items.iter().map(node_scalar).collect(),
            _ => node_scalar(node).map(|s| vec![s]),
        }
    };
    if let Some(text) = node.as_str()
        && unknown::is_whole(text)
    {
        return Ok(());
    }
    if let (Some(mut left), Some(mut right)) = (written(node), strings(value)) {
        left.sort();
        right.sort();
        let mut unmatched: Vec<&String> = right.iter().collect();
        for item in &left {
            let found = unmatched.iter().position(|r| {
                if unknown::contains(item) {
                    fits_pattern(item, r)
                } else {
                    item == *r
                }
            });
            match found {
                Some(i) => {
                    unmatched.remove(i);
                }
                None => {
                    return Err(format!("{} at {}", unknown::display(item), or_top(path)));
                }
            }
        }
        return match unmatched.first() {
            None => Ok(()),
            Some(missing) => Err(format!(
                "{missing} at {} is not in the source",
                or_top(path)
            )),
        };
    }
    match (&node.value, value) {
        (Value::Object(members), Json::Object(map)) => {
            for member in members {
                let key = unknown::display(&member.key);
                let Some(other) = map.get(&member.key) else {
                    return Err(format!("{} has {key}", or_top(path)));
                };
                same(&member.value, other, &format!("{path}/{key}"))?;
            }
            match map.keys().find(|k| !members.iter().any(|m| &&m.key == k)) {
                Some(key) => Err(format!("{key} at {} is not in the source", or_top(path))),
                None => Ok(()),
            }
        }
        (Value::Array(items), Json::Array(values)) if items.len() == values.len() => {
            for (index, (item, value)) in items.iter().zip(values).enumerate() {
                same(item, value, &format!("{path}/{index}"))?;
            }
            Ok(())
        }
        (Value::Array(items), Json::Array(values)) => Err(format!(
            "{} statements or items in the source, {} in the snapshot at {}",
            items.len(),
            values.len(),
            or_top(path)
        )),
        _ => Err(format!("a different value at {}", or_top(path))),
    }
}

fn or_top(path: &str) -> &str {
    if path.is_empty() { "the top" } else { path }
}

fn scalar(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn node_scalar(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.clone()),
        _ => None,
    }
}

/// Whether `actual` fits `pattern`, whose placeholders stand for any text.
fn fits_pattern(pattern: &str, actual: &str) -> bool {
    Name::Pattern(pattern.to_owned()).matches(actual).is_some()
}
