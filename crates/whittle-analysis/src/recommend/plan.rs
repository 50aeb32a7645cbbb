//! Turns recommendations into a `whittle.plan/v1` plan: ordered IAM changes,
//! each with the before-state the snapshot shows, so that `whittle apply`
//! refuses to change an account that moved since the snapshot was taken.
//!
//! Only attachments the snapshot lists are changed, and only where every
//! principal an attachment serves is a holder the recommendation was judged
//! for; everything skipped is said in words.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use whittle_model::{
    AuthorizationDetails, Expectation, KeyValue, ManagedPolicyDetail, Operation, Plan, PlanSource,
    Principal, PrincipalKind, Snapshot, Step, Tool, document_sha256,
};

use super::{PolicyRef, Recommendation, Recommendations, Scope, policy_size, split};

/// IAM keeps at most this many versions of a managed policy.
const MAX_VERSIONS: usize = 5;
/// Where replacements of AWS managed policies are created.
const REPLACEMENT_PATH: &str = "/whittle/";
/// IAM's limit on a managed policy's name.
const MAX_POLICY_NAME: usize = 128;
/// IAM's default quota of managed policies attached to one user, group or role.
const MAX_ATTACHED: usize = 10;
/// IAM's quota on a managed policy document, in characters without whitespace.
const MANAGED_QUOTA: usize = 6_144;

/// How a plan is made.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// The program making the plan, recorded in it.
    pub tool: Tool,
    /// Tag unused roles (they are left alone otherwise).
    pub include_unused_roles: bool,
    /// The key of the tag put on unused roles.
    pub unused_tag: String,
}

impl PlanOptions {
    /// Options for `tool`, leaving unused roles alone.
    pub fn new(tool: Tool) -> Self {
        Self {
            tool,
            include_unused_roles: false,
            unused_tag: "whittle:unused".to_owned(),
        }
    }
}

/// A plan and what was left out of it.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The steps to apply.
    pub plan: Plan,
    /// Changes left out of the plan, each with why.
    pub skipped: Vec<String>,
}

/// A direct attachment of a managed policy, and the users and roles it serves.
struct Attachment {
    principal: Principal,
    /// The principal's ARN, for its partition.
    arn: String,
    serves: BTreeSet<String>,
}

/// The plan of `all`, with expectations taken from `snapshot`.
pub fn plan(all: &Recommendations, snapshot: &Snapshot, options: &PlanOptions) -> Planned {
    let details = &snapshot.authorization_details;
    let mut builder = Builder {
        details,
        account_id: snapshot.account_id.clone().or_else(|| details.account_id()),
        steps: Vec::new(),
        skipped: Vec::new(),
        names: details.policies.iter().map(|p| p.arn.clone()).collect(),
        attached: BTreeMap::new(),
    };
    let mut replaced: BTreeMap<&str, Vec<&Recommendation>> = BTreeMap::new();
    for recommendation in &all.recommendations {
        match &recommendation.scope {
            Scope::Policy => builder.recommendation(recommendation),
            Scope::Principal { arn, .. } => replaced.entry(arn).or_default().push(recommendation),
        }
    }
    for (arn, recommendations) in replaced {
        builder.replacements(arn, &recommendations);
    }
    if options.include_unused_roles {
        for role in &all.unused_roles {
            builder.tag_unused(&role.arn, &options.unused_tag, all, role.last_used);
        }
    }
    let mut plan = Plan::new(
        options.tool.clone(),
        Some(PlanSource {
            account_id: snapshot.account_id.clone(),
            fetched_at: snapshot.fetched_at,
        }),
    );
    plan.steps = builder.steps;
    Planned {
        plan,
        skipped: builder.skipped,
    }
}

struct Builder<'s> {
    details: &'s AuthorizationDetails,
    account_id: Option<String>,
    steps: Vec<Step>,
    skipped: Vec<String>,
    /// Policy ARNs that exist or that the plan creates.
    names: BTreeSet<String>,
    /// Per principal, managed policies the plan attaches less those it detaches.
    attached: BTreeMap<Principal, i64>,
}

/// A customer managed copy to create for one principal.
struct Copy {
    /// The name's stem, after `whittle-<principal>-`.
    label: String,
    /// What it replaces, for its tag and description.
    replaces: String,
    /// What it holds, in words, for the step's description.
    what: String,
    /// Its documents: more than one when one would exceed IAM's quota.
    documents: Vec<Value>,
}

impl Builder<'_> {
    fn recommendation(&mut self, r: &Recommendation) {
        // Whoever holds the policy without usable data may use what the others
        // left unused: changing the policy could break them.
        if !r.unjudged.is_empty() {
            self.skipped.push(format!(
                "not changing {}: it is also held by {}, whose use of it is unknown (no usable last-accessed data)",
                r.policy.label(),
                r.unjudged.join(", ")
            ));
            return;
        }
        match (&r.policy, &r.suggested) {
            (PolicyRef::Managed { arn, .. }, None) => self.detach_unused(r, arn),
            (
                PolicyRef::Managed {
                    arn,
                    aws_managed: false,
                    ..
                },
                Some(document),
            ) => self.new_version(r, arn, document),
            (PolicyRef::Managed { arn, .. }, Some(document)) => self.replace(r, arn, document),
            (PolicyRef::Inline { owner, name }, suggested) => {
                self.inline(r, owner, name, suggested.as_ref())
            }
        }
    }

    fn push(
        &mut self,
        id: String,
        description: String,
        operation: Operation,
        expect: Vec<Expectation>,
    ) {
        self.steps.push(Step {
            id,
            description,
            operation,
            expect,
        });
    }

    fn managed(&self, arn: &str) -> Option<&ManagedPolicyDetail> {
        self.details.policies.iter().find(|p| p.arn == arn)
    }

    /// The direct attachments of `arn` that serve only `holders`; the others
    /// are recorded as skipped.
    fn attachments_within(&mut self, arn: &str, holders: &[String], what: &str) -> Vec<Attachment> {
        let holders: BTreeSet<&str> = holders.iter().map(String::as_str).collect();
        let mut kept = Vec::new();
        for attachment in attachments(self.details, arn) {
            let outside: Vec<&str> = attachment
                .serves
                .iter()
                .map(String::as_str)
                .filter(|p| !holders.contains(p))
                .collect();
            if attachment.serves.is_empty() {
                self.skipped.push(format!(
                    "{what} {arn} at {}: it serves no user or role the recommendation was judged for",
                    attachment.principal
                ));
            } else if !outside.is_empty() {
                self.skipped.push(format!(
                    "{what} {arn} at {}: it also serves {}, which the recommendation was not judged for",
                    attachment.principal,
                    outside.join(", ")
                ));
            } else {
                kept.push(attachment);
            }
        }
        kept
    }

    fn detach_step(&mut self, principal: &Principal, arn: &str) {
        *self.attached.entry(principal.clone()).or_default() -= 1;
        self.push(
            format!("detach:{principal}:{arn}"),
            format!("detach {arn} from {principal}"),
            Operation::DetachPolicy {
                principal: principal.clone(),
                policy_arn: arn.to_owned(),
            },
            vec![Expectation::Attached {
                principal: principal.clone(),
                policy_arn: arn.to_owned(),
            }],
        );
    }

    /// Every action unused: detach the policy where it is attached.
    fn detach_unused(&mut self, r: &Recommendation, arn: &str) {
        for attachment in self.attachments_within(arn, &r.principals, "not detaching") {
            self.detach_step(&attachment.principal, arn);
        }
    }

    /// A customer managed policy: a new default version, after deleting the
    /// oldest non-default one when IAM's five are taken.
    fn new_version(&mut self, r: &Recommendation, arn: &str, document: &Value) {
        let size = policy_size(document);
        if size > MANAGED_QUOTA {
            self.skipped.push(format!(
                "not changing {arn}: the new version would have {size} characters without whitespace, more than IAM's {MANAGED_QUOTA} even compressed"
            ));
            return;
        }
        let Some(policy) = self.managed(arn) else {
            self.skipped
                .push(format!("{arn}: not in the snapshot's managed policies"));
            return;
        };
        let Some(default) = policy.default_version() else {
            self.skipped
                .push(format!("{arn}: the snapshot has no default version"));
            return;
        };
        let default_expect = Expectation::PolicyDefault {
            policy_arn: arn.to_owned(),
            version_id: default.version_id.clone(),
            document_sha256: document_sha256(&default.document),
        };
        let oldest = (policy.policy_version_list.len() >= MAX_VERSIONS)
            .then(|| {
                policy
                    .policy_version_list
                    .iter()
                    .filter(|v| !v.is_default_version && v.version_id != default.version_id)
                    .min_by_key(|v| (v.create_date, version_number(&v.version_id)))
            })
            .flatten()
            .cloned();
        let resource = resource_of(arn).to_owned();
        if let Some(oldest) = oldest {
            self.push(
                format!("delete-policy-version:{arn}:{}", oldest.version_id),
                format!(
                    "delete version {} of {resource} (IAM keeps at most {MAX_VERSIONS}; its document is saved for rolling back)",
                    oldest.version_id
                ),
                Operation::DeletePolicyVersion {
                    policy_arn: arn.to_owned(),
                    version_id: oldest.version_id.clone(),
                    document: oldest.document.clone(),
                },
                vec![Expectation::PolicyVersion {
                    policy_arn: arn.to_owned(),
                    version_id: oldest.version_id.clone(),
                    document_sha256: document_sha256(&oldest.document),
                }],
            );
        }
        self.push(
            format!("create-policy-version:{arn}"),
            format!(
                "create version of {resource} with {}",
                fewer(r.removed.len())
            ),
            Operation::CreatePolicyVersion {
                policy_arn: arn.to_owned(),
                document: document.clone(),
                set_as_default: true,
            },
            vec![default_expect],
        );
    }

    /// An AWS managed policy: per direct attachment, a customer managed
    /// replacement attached in its place.
    fn replace(&mut self, r: &Recommendation, arn: &str, document: &Value) {
        let Some(account) = self.account_id.clone() else {
            self.skipped.push(format!(
                "not replacing {arn}: the snapshot does not say which account it is"
            ));
            return;
        };
        let policy_name = resource_of(arn)
            .rsplit('/')
            .next()
            .unwrap_or(arn)
            .to_owned();
        let documents = split(document, MANAGED_QUOTA);
        let parts = documents.len();
        let mut attachments = Vec::new();
        for attachment in self.attachments_within(arn, &r.principals, "not replacing") {
            if self.attached_count(&attachment.principal) - 1 + parts > MAX_ATTACHED {
                self.skipped.push(format!(
                    "not replacing {arn} at {}: its replacement needs {parts} managed policies, more than IAM's {MAX_ATTACHED} attached allow",
                    attachment.principal
                ));
            } else {
                attachments.push(attachment);
            }
        }
        let Some(first) = attachments.first() else {
            return;
        };
        // One replacement for every attachment: the policy shrinks in place,
        // and a second run finds the same holders with the same use.
        let partition = first.arn.split(':').nth(1).unwrap_or("aws").to_owned();
        let (entity, serves) = match attachments.as_slice() {
            [one] => (one.principal.name.clone(), one.principal.to_string()),
            _ => (
                "shared".to_owned(),
                format!("its {} attachments", attachments.len()),
            ),
        };
        let mut replacements = Vec::new();
        for (n, document) in documents.iter().enumerate() {
            let (label, part) = if parts == 1 {
                (policy_name.clone(), String::new())
            } else {
                (
                    format!("{policy_name}-{}", n + 1),
                    format!(" (part {} of {parts})", n + 1),
                )
            };
            let (name, replacement) = self.free_name(&partition, &account, &entity, &label);
            self.push(
                format!("create-policy:{replacement}"),
                format!(
                    "create {name} with {} than {policy_name}{part}, to replace it at {serves}",
                    fewer(r.removed.len())
                ),
                Operation::CreatePolicy {
                    name: name.clone(),
                    path: REPLACEMENT_PATH.to_owned(),
                    description: Some(format!(
                        "{policy_name} less what its holders left unused (whittle)"
                    )),
                    document: document.clone(),
                    tags: vec![KeyValue {
                        key: "whittle:replaces".to_owned(),
                        value: arn.to_owned(),
                    }],
                },
                vec![Expectation::PolicyAbsent {
                    policy_arn: replacement.clone(),
                }],
            );
            replacements.push(replacement);
        }
        for attachment in attachments {
            for replacement in &replacements {
                self.attach_step(&attachment.principal, replacement);
            }
            self.detach_step(&attachment.principal, arn);
        }
    }

    /// `whittle-<entity>-<policy>`, with a numeric suffix when that name is
    /// taken, and its ARN.
    fn free_name(
        &mut self,
        partition: &str,
        account: &str,
        entity: &str,
        policy: &str,
    ) -> (String, String) {
        let base: String = format!("whittle-{entity}-{policy}")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .take(MAX_POLICY_NAME - 4)
            .collect();
        let arn_of =
            |name: &str| format!("arn:{partition}:iam::{account}:policy{REPLACEMENT_PATH}{name}");
        let mut name = base.clone();
        let mut n = 2;
        while self.names.contains(&arn_of(&name)) {
            name = format!("{base}-{n}");
            n += 1;
        }
        let arn = arn_of(&name);
        self.names.insert(arn.clone());
        (name, arn)
    }

    /// An inline policy: put the smaller document, or delete it.
    fn inline(&mut self, r: &Recommendation, owner: &str, name: &str, suggested: Option<&Value>) {
        let Some(principal) = principal_of(owner) else {
            self.skipped
                .push(format!("{name} of {owner}: not a user, group or role ARN"));
            return;
        };
        if let Some(document) = suggested {
            let (room, what) = super::inline_room(self.details, owner, name);
            let size = policy_size(document);
            if size > room {
                self.skipped.push(format!(
                    "not changing inline policy {name} of {principal}: it would have {size} characters without whitespace, more than the {room} left of IAM's quota for {what} even compressed"
                ));
                return;
            }
        }
        let expect = vec![Expectation::InlinePresent {
            principal: principal.clone(),
            policy_name: name.to_owned(),
            document_sha256: document_sha256(&r.original),
        }];
        match suggested {
            Some(document) => self.push(
                format!("put-inline:{principal}:{name}"),
                format!(
                    "put inline policy {name} of {principal} with {}",
                    fewer(r.removed.len())
                ),
                Operation::PutInlinePolicy {
                    principal: principal.clone(),
                    policy_name: name.to_owned(),
                    document: document.clone(),
                    previous_document: Some(r.original.clone()),
                },
                expect,
            ),
            None => self.push(
                format!("delete-inline:{principal}:{name}"),
                format!(
                    "delete inline policy {name} of {principal} (every action of it unused; its document is saved for rolling back)"
                ),
                Operation::DeleteInlinePolicy {
                    principal: principal.clone(),
                    policy_name: name.to_owned(),
                    document: r.original.clone(),
                },
                expect,
            ),
        }
    }

    /// The per-principal replacements of one user or role: first every copy is
    /// created and attached, then the originals are detached and the groups
    /// left, so that the principal never holds less than the plan's end state.
    /// Copies too large for one managed policy are split; when the principal
    /// would hold more managed policies than IAM allows, its copies are merged.
    fn replacements(&mut self, arn: &str, recommendations: &[&Recommendation]) {
        let Some(principal) = principal_of(arn) else {
            self.skipped.push(format!(
                "not replacing policies for {arn}: not a user or role ARN"
            ));
            return;
        };
        let Some(account) = self.account_id.clone() else {
            self.skipped.push(format!(
                "not replacing policies for {principal}: the snapshot does not say which account it is"
            ));
            return;
        };
        let partition = arn.split(':').nth(1).unwrap_or("aws").to_owned();
        let mut detach = Vec::new();
        let mut groups = BTreeSet::new();
        let mut originals = Vec::new();
        let mut copies: Vec<Copy> = Vec::new();
        for r in recommendations {
            let Scope::Principal {
                direct,
                groups: left,
                ..
            } = &r.scope
            else {
                continue;
            };
            groups.extend(left.iter().cloned());
            if let (PolicyRef::Managed { arn, .. }, true) = (&r.policy, direct) {
                detach.push(arn.clone());
            }
            let Some(document) = &r.suggested else {
                continue;
            };
            match &r.policy {
                // Nothing of it goes: the group's copy is the policy itself.
                PolicyRef::Managed { arn, .. } if *document == r.original => {
                    originals.push(arn.clone());
                }
                policy => copies.push(Copy {
                    label: match policy {
                        PolicyRef::Managed { arn, .. } => resource_of(arn)
                            .rsplit('/')
                            .next()
                            .unwrap_or(arn)
                            .to_owned(),
                        PolicyRef::Inline { owner, name } => {
                            let owner = principal_of(owner).map_or_else(String::new, |p| p.name);
                            format!("{owner}-{name}")
                        }
                    },
                    replaces: policy_label(policy),
                    what: match r.removed.len() {
                        0 => format!("a copy of {}", policy.label()),
                        n => format!("{} than {}", fewer(n), policy.label()),
                    },
                    documents: split(document, MANAGED_QUOTA),
                }),
            }
        }
        let held = (self.attached_count(&principal) + originals.len()).saturating_sub(detach.len());
        let room = MAX_ATTACHED.saturating_sub(held);
        let needed: usize = copies.iter().map(|c| c.documents.len()).sum();
        if needed > room {
            let merged = merge(copies.iter().flat_map(|c| &c.documents));
            let documents = split(&merged, MANAGED_QUOTA);
            if documents.len() > room {
                self.skipped.push(format!(
                    "not replacing policies for {principal}: its copies need {} managed {} even merged, and it may hold only {room} more (IAM allows {MAX_ATTACHED} attached)",
                    documents.len(),
                    if documents.len() == 1 { "policy" } else { "policies" }
                ));
                return;
            }
            let replaces: Vec<&str> = copies.iter().map(|c| c.replaces.as_str()).collect();
            copies = vec![Copy {
                label: "merged".to_owned(),
                replaces: replaces.join(" "),
                what: format!(
                    "the copies of {} {} merged (IAM allows {MAX_ATTACHED} managed policies attached)",
                    replaces.len(),
                    if replaces.len() == 1 {
                        "policy"
                    } else {
                        "policies"
                    }
                ),
                documents,
            }];
        }
        // Attach first where IAM's quota allows, so that access never dips.
        let first_detach =
            self.attached_count(&principal) + needed.min(room) + originals.len() > MAX_ATTACHED;
        if first_detach {
            for policy_arn in &detach {
                self.detach_step(&principal, policy_arn);
            }
        }
        for policy_arn in &originals {
            self.attach_step(&principal, policy_arn);
        }
        for copy in copies {
            let parts = copy.documents.len();
            for (n, document) in copy.documents.into_iter().enumerate() {
                let label = if parts == 1 {
                    copy.label.clone()
                } else {
                    format!("{}-{}", copy.label, n + 1)
                };
                let (name, replacement) =
                    self.free_name(&partition, &account, &principal.name, &label);
                let part = if parts == 1 {
                    String::new()
                } else {
                    format!(" (part {} of {parts})", n + 1)
                };
                self.push(
                    format!("create-policy:{replacement}"),
                    format!(
                        "create {name} with {}{part}, for {principal} alone",
                        copy.what
                    ),
                    Operation::CreatePolicy {
                        name,
                        path: REPLACEMENT_PATH.to_owned(),
                        description: Some(
                            tag_value(&format!(
                                "{} less what {principal} left unused (whittle)",
                                copy.replaces
                            ))
                            .chars()
                            .take(1_000)
                            .collect(),
                        ),
                        document,
                        tags: vec![KeyValue {
                            key: "whittle:replaces".to_owned(),
                            value: tag_value(&copy.replaces),
                        }],
                    },
                    vec![Expectation::PolicyAbsent {
                        policy_arn: replacement.clone(),
                    }],
                );
                self.attach_step(&principal, &replacement);
            }
        }
        if !first_detach {
            for policy_arn in &detach {
                self.detach_step(&principal, policy_arn);
            }
        }
        for group in groups {
            let Some(group) = principal_of(&group) else {
                continue;
            };
            self.leave_group(&principal, &group);
        }
    }

    /// How many managed policies `principal` has attached at this point of the
    /// plan.
    fn attached_count(&self, principal: &Principal) -> usize {
        let details = self.details;
        let now = match principal.kind {
            PrincipalKind::User => details
                .user_detail_list
                .iter()
                .find(|u| u.user_name == principal.name)
                .map_or(0, |u| u.attached_managed_policies.len()),
            PrincipalKind::Group => details
                .group_detail_list
                .iter()
                .find(|g| g.group_name == principal.name)
                .map_or(0, |g| g.attached_managed_policies.len()),
            PrincipalKind::Role => details
                .role_detail_list
                .iter()
                .find(|r| r.role_name == principal.name)
                .map_or(0, |r| r.attached_managed_policies.len()),
        };
        let delta = self.attached.get(principal).copied().unwrap_or(0);
        usize::try_from(now as i64 + delta).unwrap_or(0)
    }

    fn attach_step(&mut self, principal: &Principal, arn: &str) {
        *self.attached.entry(principal.clone()).or_default() += 1;
        self.push(
            format!("attach:{principal}:{arn}"),
            format!("attach {arn} to {principal}"),
            Operation::AttachPolicy {
                principal: principal.clone(),
                policy_arn: arn.to_owned(),
            },
            vec![Expectation::NotAttached {
                principal: principal.clone(),
                policy_arn: arn.to_owned(),
            }],
        );
    }

    /// Takes `user` out of `group`: its copies of the group's policies are
    /// attached by then.
    fn leave_group(&mut self, user: &Principal, group: &Principal) {
        self.push(
            format!("leave-group:{user}:{group}"),
            format!(
                "remove {user} from {group}, which keeps serving its other members (its copies of the group's policies are attached)"
            ),
            Operation::RemoveUserFromGroup {
                user_name: user.name.clone(),
                group_name: group.name.clone(),
            },
            vec![Expectation::MemberOf {
                user_name: user.name.clone(),
                group_name: group.name.clone(),
            }],
        );
    }

    /// Tags an unused role (never deletes it).
    fn tag_unused(
        &mut self,
        arn: &str,
        key: &str,
        all: &Recommendations,
        last_used: Option<jiff::Timestamp>,
    ) {
        let Some(Principal { name, .. }) = principal_of(arn) else {
            return;
        };
        // Tag values allow letters, digits, spaces and `_.:/=+-@` only.
        let value = match last_used {
            Some(t) => format!("last used {t} - as of {}", all.as_of),
            None => format!("not used in the tracking period - as of {}", all.as_of),
        };
        self.push(
            format!("tag-role:{name}"),
            format!("tag role/{name} {key}={value}"),
            Operation::TagRole {
                role_name: name.clone(),
                tags: vec![KeyValue {
                    key: key.to_owned(),
                    value,
                }],
            },
            vec![Expectation::RoleExists { role_name: name }],
        );
    }
}

/// Every user, group and role `arn` is attached to directly, with the users
/// and roles each attachment serves.
fn attachments(details: &AuthorizationDetails, arn: &str) -> Vec<Attachment> {
    let has = |list: &[whittle_model::AttachedPolicy]| list.iter().any(|a| a.policy_arn == arn);
    let mut members: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for user in &details.user_detail_list {
        for group in &user.group_list {
            members
                .entry(group.as_str())
                .or_default()
                .insert(user.arn.clone());
        }
    }
    let users = details
        .user_detail_list
        .iter()
        .filter(|u| has(&u.attached_managed_policies))
        .map(|u| Attachment {
            principal: Principal::user(&u.user_name),
            arn: u.arn.clone(),
            serves: BTreeSet::from([u.arn.clone()]),
        });
    let groups = details
        .group_detail_list
        .iter()
        .filter(|g| has(&g.attached_managed_policies))
        .map(|g| Attachment {
            principal: Principal::group(&g.group_name),
            arn: g.arn.clone(),
            serves: members
                .get(g.group_name.as_str())
                .cloned()
                .unwrap_or_default(),
        });
    let roles = details
        .role_detail_list
        .iter()
        .filter(|r| has(&r.attached_managed_policies))
        .map(|r| Attachment {
            principal: Principal::role(&r.role_name),
            arn: r.arn.clone(),
            serves: BTreeSet::from([r.arn.clone()]),
        });
    users.chain(groups).chain(roles).collect()
}

/// The statements of `documents` in one document, Sids made unique (IAM
/// refuses a policy whose statements share one).
fn merge<'d>(documents: impl IntoIterator<Item = &'d Value>) -> Value {
    let mut seen = BTreeSet::new();
    let mut statements = Vec::new();
    for document in documents {
        for statement in super::rewrite::statements(document) {
            let mut statement = statement.clone();
            if let Some(sid) = statement
                .get("Sid")
                .and_then(Value::as_str)
                .map(str::to_owned)
            {
                let mut unique = sid.clone();
                let mut n = 2;
                while !seen.insert(unique.clone()) {
                    unique = format!("{sid}{n}");
                    n += 1;
                }
                statement["Sid"] = Value::String(unique);
            }
            statements.push(statement);
        }
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": statements})
}

/// `1 action fewer`, `N fewer actions`.
fn fewer(n: usize) -> String {
    if n == 1 {
        "1 action fewer".to_owned()
    } else {
        format!("{n} fewer actions")
    }
}

/// What a replacement replaces, for its tag and description: the managed
/// policy's ARN, or `<owner ARN>:<inline name>`.
fn policy_label(policy: &PolicyRef) -> String {
    match policy {
        PolicyRef::Managed { arn, .. } => arn.clone(),
        PolicyRef::Inline { owner, name } => format!("{owner}:{name}"),
    }
}

/// `text` as a tag value: letters, digits, spaces and `_.:/=+-@` only, at
/// most 256 characters.
fn tag_value(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() || " _.:/=+-@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(256)
        .collect()
}

/// The resource part of an ARN (`policy/path/name`).
fn resource_of(arn: &str) -> &str {
    arn.splitn(6, ':').nth(5).unwrap_or(arn)
}

/// The user, group or role an IAM ARN names.
fn principal_of(arn: &str) -> Option<Principal> {
    let (kind, rest) = resource_of(arn).split_once('/')?;
    let name = rest.rsplit('/').next()?;
    let kind = match kind {
        "user" => PrincipalKind::User,
        "group" => PrincipalKind::Group,
        "role" => PrincipalKind::Role,
        _ => return None,
    };
    Some(Principal {
        kind,
        name: name.to_owned(),
    })
}

/// `v12` → 12, for ordering versions created at the same time.
fn version_number(id: &str) -> u64 {
    id.trim_start_matches('v').parse().unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommend::{RecommendOptions, UnusedRole, recommend};
    use serde_json::json;

    const A: &str = "arn:aws:iam::123456789012";
    const ROAC: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

    fn allow(actions: &[&str]) -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    }

    fn version(id: &str, day: u32, default: bool) -> Value {
        json!({"VersionId": id, "IsDefaultVersion": default, "CreateDate": format!("2026-01-{day:02}T00:00:00Z"),
               "Document": allow(&[&format!("s3:Get{id}")])})
    }

    /// An account: users alice (in group devs) and bob, roles api and idle,
    /// policy/app-deploy with five versions (default v5), inline policies.
    fn snapshot() -> Snapshot {
        let attached =
            |arn: &str| json!([{"PolicyName": arn.rsplit('/').next().unwrap(), "PolicyArn": arn}]);
        let text = json!({
            "schema": "whittle.snapshot/v1",
            "account_id": "123456789012",
            "fetched_at": "2026-11-19T06:10:00Z",
            "complete": true,
            "tool": {"name": "whittle", "version": "test", "catalog": null},
            "source": {"kind": "import", "files": []},
            "authorization_details": {
                "UserDetailList": [
                    {"UserName": "alice", "Arn": format!("{A}:user/alice"), "GroupList": ["devs"],
                     "UserPolicyList": [{"PolicyName": "scratch", "PolicyDocument": allow(&["s3:GetObject"])}],
                     "AttachedManagedPolicies": []},
                    {"UserName": "bob", "Arn": format!("{A}:user/bob"), "GroupList": [],
                     "AttachedManagedPolicies": attached(ROAC)},
                ],
                "GroupDetailList": [
                    {"GroupName": "devs", "Arn": format!("{A}:group/devs"),
                     "AttachedManagedPolicies": attached(ROAC)},
                    {"GroupName": "empty", "Arn": format!("{A}:group/empty"),
                     "AttachedManagedPolicies": attached(ROAC)},
                ],
                "RoleDetailList": [
                    {"RoleName": "api", "Arn": format!("{A}:role/svc/api"),
                     "RolePolicyList": [{"PolicyName": "queue", "PolicyDocument": allow(&["sqs:SendMessage", "sqs:DeleteQueue"])}],
                     "AttachedManagedPolicies": [{"PolicyName": "app-deploy", "PolicyArn": format!("{A}:policy/app-deploy")},
                                                 {"PolicyName": "ReadOnlyAccess", "PolicyArn": ROAC}]},
                    {"RoleName": "idle", "Arn": format!("{A}:role/idle"), "AttachedManagedPolicies": []},
                ],
                "Policies": [
                    {"PolicyName": "app-deploy", "Arn": format!("{A}:policy/app-deploy"), "Path": "/",
                     "DefaultVersionId": "v5",
                     "PolicyVersionList": [version("v5", 5, true), version("v2", 2, false), version("v1", 1, false),
                                           version("v3", 3, false), version("v4", 4, false)]},
                    {"PolicyName": "ReadOnlyAccess", "Arn": ROAC, "Path": "/", "DefaultVersionId": "v1",
                     "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": allow(&["s3:Get*", "ec2:Describe*"])}]},
                    {"PolicyName": "whittle-api-ReadOnlyAccess", "Arn": format!("{A}:policy/whittle/whittle-api-ReadOnlyAccess"),
                     "Path": "/whittle/", "DefaultVersionId": "v1", "PolicyVersionList": []},
                ],
            },
            "reports": [],
            "errors": [],
            "stats": {"api_calls": 0, "wall_time_ms": 0},
        });
        Snapshot::parse("test", &text.to_string()).unwrap()
    }

    fn recommendation(
        policy: PolicyRef,
        principals: &[&str],
        original: Value,
        suggested: Option<Value>,
    ) -> Recommendation {
        Recommendation {
            policy,
            scope: Scope::Policy,
            principals: principals.iter().map(|p| (*p).to_owned()).collect(),
            original,
            suggested,
            removed: vec![],
            kept_untracked: vec![],
            reasons: vec![],
            unjudged: vec![],
        }
    }

    fn recommendations(
        list: Vec<Recommendation>,
        unused_roles: Vec<UnusedRole>,
    ) -> Recommendations {
        let as_of = "2026-11-20T00:00:00Z".parse().unwrap();
        Recommendations {
            as_of,
            window_start: as_of,
            recommendations: list,
            principals: vec![],
            unused_roles,
            strategy: crate::recommend::Strategy::Auto,
        }
    }

    fn options() -> PlanOptions {
        PlanOptions::new(Tool {
            name: "whittle".into(),
            version: "test".into(),
            catalog: None,
        })
    }

    fn planned(list: Vec<Recommendation>) -> Planned {
        let snapshot = snapshot();
        let planned = plan(&recommendations(list, vec![]), &snapshot, &options());
        assert_expectations_hold(&planned.plan, &snapshot);
        planned
    }

    fn ids(plan: &Plan) -> Vec<&str> {
        plan.steps.iter().map(|s| s.id.as_str()).collect()
    }

    fn roac(principals: &[&str], suggested: Option<Value>) -> Recommendation {
        let policy = PolicyRef::Managed {
            arn: ROAC.into(),
            version: "v1".into(),
            aws_managed: true,
        };
        recommendation(
            policy,
            principals,
            allow(&["s3:Get*", "ec2:Describe*"]),
            suggested,
        )
    }

    const EVERYONE: &[&str] = &[
        "arn:aws:iam::123456789012:user/alice",
        "arn:aws:iam::123456789012:user/bob",
        "arn:aws:iam::123456789012:role/svc/api",
    ];

    #[test]
    fn a_policy_with_five_versions_loses_its_oldest_non_default_one_first() {
        let arn = format!("{A}:policy/app-deploy");
        let policy = PolicyRef::Managed {
            arn: arn.clone(),
            version: "v5".into(),
            aws_managed: false,
        };
        let mut r = recommendation(
            policy,
            &[EVERYONE[2]],
            allow(&["s3:Getv5"]),
            Some(allow(&[])),
        );
        r.removed = vec![crate::recommend::Removal {
            action: "s3:GetObject".into(),
            usage: crate::recommend::Usage::UnusedService(None),
        }];
        let planned = planned(vec![r]);
        let steps = &planned.plan.steps;
        assert_eq!(
            ids(&planned.plan),
            [
                format!("delete-policy-version:{arn}:v1"),
                format!("create-policy-version:{arn}")
            ]
        );
        assert_eq!(
            steps[0].operation,
            Operation::DeletePolicyVersion {
                policy_arn: arn.clone(),
                version_id: "v1".into(),
                document: allow(&["s3:Getv1"])
            }
        );
        assert_eq!(
            steps[1].expect,
            [Expectation::PolicyDefault {
                policy_arn: arn.clone(),
                version_id: "v5".into(),
                document_sha256: document_sha256(&allow(&["s3:Getv5"]))
            }]
        );
        assert_eq!(
            steps[1].description,
            "create version of policy/app-deploy with 1 action fewer"
        );
        assert!(matches!(
            &steps[1].operation,
            Operation::CreatePolicyVersion {
                set_as_default: true,
                ..
            }
        ));
        assert_eq!(
            planned
                .plan
                .snapshot
                .as_ref()
                .unwrap()
                .account_id
                .as_deref(),
            Some("123456789012")
        );
    }

    #[test]
    fn an_aws_managed_policy_is_replaced_by_one_copy_at_every_direct_attachment() {
        let planned = planned(vec![roac(EVERYONE, Some(allow(&["s3:GetObject"])))]);
        let new = format!("{A}:policy/whittle/whittle-shared-ReadOnlyAccess");
        assert_eq!(
            ids(&planned.plan),
            [
                format!("create-policy:{new}"),
                format!("attach:user/bob:{new}"),
                format!("detach:user/bob:{ROAC}"),
                format!("attach:group/devs:{new}"),
                format!("detach:group/devs:{ROAC}"),
                format!("attach:role/api:{new}"),
                format!("detach:role/api:{ROAC}"),
            ]
        );
        assert!(matches!(&planned.plan.steps[0].operation,
            Operation::CreatePolicy { name, path, document, .. } if name == "whittle-shared-ReadOnlyAccess" && path == "/whittle/" && *document == allow(&["s3:GetObject"])));
        assert_eq!(
            planned.plan.steps[2].description,
            format!("detach {ROAC} from user/bob")
        );
        assert_eq!(planned.skipped.len(), 1, "{:?}", planned.skipped);
        assert!(planned.skipped[0].contains("group/empty"));
    }

    #[test]
    fn a_replacement_for_one_attachment_is_named_after_it_under_a_free_name() {
        let planned = planned(vec![roac(&[EVERYONE[2]], Some(allow(&["s3:GetObject"])))]);
        // whittle-api-ReadOnlyAccess exists already.
        let new = format!("{A}:policy/whittle/whittle-api-ReadOnlyAccess-2");
        assert_eq!(
            ids(&planned.plan),
            [
                format!("create-policy:{new}"),
                format!("attach:role/api:{new}"),
                format!("detach:role/api:{ROAC}"),
            ]
        );
    }

    #[test]
    fn a_replacement_too_large_for_one_policy_is_split_and_each_part_attached() {
        // Every EC2 action by name, and no wildcard: well over 6,144 characters.
        let catalog = whittle_policy::Catalog::embedded();
        let expander = whittle_policy::Expander::new(catalog);
        let ec2 = expander.expand("ec2:*");
        let mut names: Vec<&str> = catalog.names(&ec2).collect();
        names.sort();
        let big = allow(&names);
        assert!(policy_size(&big) > MANAGED_QUOTA);
        let planned = planned(vec![roac(&[EVERYONE[2]], Some(big.clone()))]);
        let created: Vec<&Value> = planned
            .plan
            .steps
            .iter()
            .filter_map(|s| match &s.operation {
                Operation::CreatePolicy { document, .. } => Some(document),
                _ => None,
            })
            .collect();
        assert!(created.len() > 1, "{:?}", ids(&planned.plan));
        let mut listed = Vec::new();
        for document in &created {
            assert!(policy_size(document) <= MANAGED_QUOTA);
            for statement in super::super::rewrite::statements(document) {
                for a in statement["Action"].as_array().unwrap() {
                    listed.push(a.as_str().unwrap().to_owned());
                }
            }
        }
        listed.sort();
        assert_eq!(listed, names);
        let attached = ids(&planned.plan)
            .iter()
            .filter(|id| id.starts_with("attach:role/api:"))
            .count();
        assert_eq!(attached, created.len());
    }

    /// alice's copies of devs' policies: ReadOnlyAccess trimmed, and an
    /// inline policy of devs unchanged; alice has `direct` managed policies
    /// attached already.
    fn leaving_devs(direct: usize) -> Planned {
        let mut snapshot = snapshot();
        let details = &mut snapshot.authorization_details;
        details.group_detail_list[0].group_policy_list = vec![whittle_model::PolicyDetail {
            policy_name: "tools".into(),
            policy_document: allow(&["lambda:InvokeFunction"]),
        }];
        details.user_detail_list[0].attached_managed_policies = (0..direct)
            .map(|n| whittle_model::AttachedPolicy {
                policy_name: format!("p{n}"),
                policy_arn: format!("{A}:policy/p{n}"),
            })
            .collect();
        let scope = Scope::Principal {
            arn: EVERYONE[0].into(),
            direct: false,
            groups: vec![format!("{A}:group/devs")],
        };
        let mut trimmed = roac(&[EVERYONE[0]], Some(allow(&["s3:GetObject"])));
        trimmed.scope = scope.clone();
        trimmed.removed = vec![super::super::Removal {
            action: "ec2:DescribeInstances".into(),
            usage: super::super::Usage::UnusedService(None),
        }];
        let tools = allow(&["lambda:InvokeFunction"]);
        let mut copy = recommendation(
            PolicyRef::Inline {
                owner: format!("{A}:group/devs"),
                name: "tools".into(),
            },
            &[EVERYONE[0]],
            tools.clone(),
            Some(tools),
        );
        copy.scope = scope;
        plan(
            &recommendations(vec![trimmed, copy], vec![]),
            &snapshot,
            &options(),
        )
    }

    #[test]
    fn a_member_leaving_its_group_gets_its_copies_attached_first() {
        let planned = leaving_devs(0);
        let new = |n: &str| format!("{A}:policy/whittle/whittle-alice-{n}");
        assert_eq!(
            ids(&planned.plan),
            [
                format!("create-policy:{}", new("ReadOnlyAccess")),
                format!("attach:user/alice:{}", new("ReadOnlyAccess")),
                format!("create-policy:{}", new("devs-tools")),
                format!("attach:user/alice:{}", new("devs-tools")),
                "leave-group:user/alice:group/devs".to_owned(),
            ]
        );
    }

    #[test]
    fn copies_beyond_iams_attached_quota_are_merged_or_left_out() {
        // Nine attached: room for one more, so the two copies become one.
        let planned = leaving_devs(9);
        let merged = format!("{A}:policy/whittle/whittle-alice-merged");
        assert_eq!(
            ids(&planned.plan),
            [
                format!("create-policy:{merged}"),
                format!("attach:user/alice:{merged}"),
                "leave-group:user/alice:group/devs".to_owned(),
            ]
        );
        let Operation::CreatePolicy { document, .. } = &planned.plan.steps[0].operation else {
            panic!()
        };
        let actions: Vec<&Value> = super::super::rewrite::statements(document)
            .into_iter()
            .map(|s| &s["Action"])
            .collect();
        assert_eq!(
            actions,
            [&json!(["s3:GetObject"]), &json!(["lambda:InvokeFunction"])]
        );
        // Ten attached: no room at all; alice is left as she is, and why.
        let planned = leaving_devs(10);
        assert!(planned.plan.steps.is_empty(), "{:?}", ids(&planned.plan));
        assert!(
            planned
                .skipped
                .iter()
                .any(|s| s.contains("user/alice") && s.contains("IAM allows 10 attached")),
            "{:?}",
            planned.skipped
        );
    }

    #[test]
    fn an_unused_policy_is_detached_only_where_every_principal_it_serves_left_it_unused() {
        // alice (through devs) still uses it: devs keeps it; so do empty and
        // the holders left out.
        let planned = planned(vec![roac(&[EVERYONE[1], EVERYONE[2]], None)]);
        assert_eq!(
            ids(&planned.plan),
            [
                format!("detach:user/bob:{ROAC}"),
                format!("detach:role/api:{ROAC}")
            ]
        );
        assert_eq!(
            planned.plan.steps[1].expect,
            [Expectation::Attached {
                principal: Principal::role("api"),
                policy_arn: ROAC.into()
            }]
        );
        assert!(
            planned
                .skipped
                .iter()
                .any(|s| s.contains("group/devs") && s.contains("user/alice")),
            "{:?}",
            planned.skipped
        );
    }

    #[test]
    fn a_policy_also_held_by_principals_without_data_is_left_alone() {
        let mut shared = roac(&[EVERYONE[1], EVERYONE[2]], None);
        shared.unjudged = vec![EVERYONE[0].to_owned()];
        let planned = planned(vec![shared]);
        assert!(planned.plan.steps.is_empty(), "{:?}", ids(&planned.plan));
        assert!(
            planned
                .skipped
                .iter()
                .any(|s| s.contains(EVERYONE[0]) && s.contains("unknown")),
            "{:?}",
            planned.skipped
        );
    }

    #[test]
    fn inline_policies_are_put_with_the_previous_document_or_deleted_with_it_saved() {
        let queue = allow(&["sqs:SendMessage", "sqs:DeleteQueue"]);
        let scratch = allow(&["s3:GetObject"]);
        let put = recommendation(
            PolicyRef::Inline {
                owner: EVERYONE[2].into(),
                name: "queue".into(),
            },
            &[EVERYONE[2]],
            queue.clone(),
            Some(allow(&["sqs:SendMessage"])),
        );
        let delete = recommendation(
            PolicyRef::Inline {
                owner: EVERYONE[0].into(),
                name: "scratch".into(),
            },
            &[EVERYONE[0]],
            scratch.clone(),
            None,
        );
        let planned = planned(vec![put, delete]);
        assert_eq!(
            ids(&planned.plan),
            [
                "put-inline:role/api:queue",
                "delete-inline:user/alice:scratch"
            ]
        );
        assert_eq!(
            planned.plan.steps[0].operation,
            Operation::PutInlinePolicy {
                principal: Principal::role("api"),
                policy_name: "queue".into(),
                document: allow(&["sqs:SendMessage"]),
                previous_document: Some(queue.clone())
            }
        );
        assert_eq!(
            planned.plan.steps[0].expect,
            [Expectation::InlinePresent {
                principal: Principal::role("api"),
                policy_name: "queue".into(),
                document_sha256: document_sha256(&queue)
            }]
        );
        assert_eq!(
            planned.plan.steps[1].operation,
            Operation::DeleteInlinePolicy {
                principal: Principal::user("alice"),
                policy_name: "scratch".into(),
                document: scratch
            }
        );
    }

    #[test]
    fn unused_roles_are_tagged_only_when_asked_and_never_deleted() {
        let snapshot = snapshot();
        let idle = UnusedRole {
            arn: format!("{A}:role/idle"),
            last_used: None,
            reason: "never".into(),
        };
        let all = recommendations(vec![], vec![idle]);
        assert!(plan(&all, &snapshot, &options()).plan.steps.is_empty());
        let asked = PlanOptions {
            include_unused_roles: true,
            ..options()
        };
        let planned = plan(&all, &snapshot, &asked);
        assert_expectations_hold(&planned.plan, &snapshot);
        assert_eq!(ids(&planned.plan), ["tag-role:idle"]);
        let Operation::TagRole { tags, .. } = &planned.plan.steps[0].operation else {
            panic!()
        };
        assert_eq!(tags[0].key, "whittle:unused");
        assert!(
            tags[0]
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " _.:/=+-@".contains(c)),
            "{}",
            tags[0].value
        );
    }

    #[test]
    fn every_expectation_of_the_demo_accounts_plan_holds_on_its_snapshot() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/recommend/account.json"
        );
        let snapshot = Snapshot::read(std::path::Path::new(path)).unwrap();
        let options = RecommendOptions {
            as_of: "2026-11-20T00:00:00Z".parse().unwrap(),
            ..RecommendOptions::default()
        };
        let all = recommend(&snapshot, whittle_policy::Catalog::embedded(), &options).unwrap();
        let asked = PlanOptions {
            include_unused_roles: true,
            ..self::options()
        };
        let planned = plan(&all, &snapshot, &asked);
        assert!(
            planned.plan.steps.len() >= all.recommendations.len(),
            "{:#?}",
            planned
        );
        assert_expectations_hold(&planned.plan, &snapshot);
        let text = planned.plan.to_json();
        assert_eq!(Plan::parse("plan", &text).unwrap(), planned.plan);
    }

    proptest::proptest! {
        /// Over generated version counts, attachments and holders: every
        /// expectation holds on the snapshot, ids are unique, a version is
        /// deleted exactly when there are five, and only attachments serving
        /// holders alone are changed.
        #[test]
        fn generated_plans_expect_what_their_snapshot_shows(
            versions in 1usize..=5,
            attached_to in proptest::collection::vec(proptest::bool::ANY, 4),
            held_by in proptest::collection::vec(proptest::bool::ANY, 3),
            aws_managed in proptest::bool::ANY,
            all_unused in proptest::bool::ANY,
        ) {
            let mut snapshot = snapshot();
            let details = &mut snapshot.authorization_details;
            let arn = if aws_managed { ROAC.to_owned() } else { format!("{A}:policy/app-deploy") };
            let policy = details.policies.iter_mut().find(|p| p.arn == arn).unwrap();
            if !aws_managed {
                policy.policy_version_list.truncate(versions);
            }
            let original = policy.default_version().unwrap().document.clone();
            let link = whittle_model::AttachedPolicy { policy_name: "p".into(), policy_arn: arn.clone() };
            let set = |list: &mut Vec<whittle_model::AttachedPolicy>, on: bool| {
                list.retain(|a| a.policy_arn != arn);
                if on { list.push(link.clone()); }
            };
            set(&mut details.user_detail_list[1].attached_managed_policies, attached_to[0]);
            set(&mut details.group_detail_list[0].attached_managed_policies, attached_to[1]);
            set(&mut details.group_detail_list[1].attached_managed_policies, attached_to[2]);
            set(&mut details.role_detail_list[0].attached_managed_policies, attached_to[3]);
            let holders: Vec<&str> = EVERYONE.iter().zip(&held_by).filter(|(_, h)| **h).map(|(p, _)| *p).collect();
            let version = snapshot.authorization_details.policies.iter().find(|p| p.arn == arn).unwrap().default_version_id.clone();
            let policy = PolicyRef::Managed { arn: arn.clone(), version, aws_managed };
            let suggested = (!all_unused).then(|| allow(&[]));
            let r = recommendation(policy, &holders, original, suggested);
            let planned = plan(&recommendations(vec![r], vec![]), &snapshot, &options());
            assert_expectations_hold(&planned.plan, &snapshot);
            let deletes = planned.plan.steps.iter().filter(|s| s.id.starts_with("delete-policy-version:")).count();
            proptest::prop_assert_eq!(deletes, usize::from(!aws_managed && !all_unused && versions == 5));
            for attachment in attachments(&snapshot.authorization_details, &arn) {
                let changed = planned.plan.steps.iter().any(|s| s.id == format!("detach:{}:{arn}", attachment.principal));
                let within = !attachment.serves.is_empty() && attachment.serves.iter().all(|p| holders.contains(&p.as_str()));
                let expected = within && (aws_managed || all_unused);
                proptest::prop_assert_eq!(changed, expected, "{}", attachment.principal);
            }
        }
    }

    /// Every expectation of `plan` holds on `snapshot`, and step ids are unique.
    fn assert_expectations_hold(plan: &Plan, snapshot: &Snapshot) {
        let mut seen = BTreeSet::new();
        for step in &plan.steps {
            assert!(seen.insert(&step.id), "duplicate step id {}", step.id);
            for expectation in &step.expect {
                assert!(
                    whittle_model::holds(expectation, &snapshot.authorization_details),
                    "{}: {expectation} does not hold",
                    step.id
                );
            }
        }
    }
}
