//! Who can become whom in an account export. The nodes are its users and
//! roles; an edge from A to B is a way A gets B's permissions, decided from
//! policy text alone:
//!
//! - A assumes role B: B's trust policy admits A (by ARN, by A's account —
//!   then A's own policies must allow `sts:AssumeRole` on B —, or everyone) and
//!   no unconditional Deny of either side, nor A's boundary, stops it;
//! - A rewrites B's trust policy (`iam:UpdateAssumeRolePolicy` on B) and then
//!   assumes it;
//! - A creates credentials for user B (`iam:CreateAccessKey`,
//!   `iam:CreateLoginProfile`, `iam:UpdateLoginProfile` on B);
//! - A passes role B (`iam:PassRole` on B) to a service B trusts, holding the
//!   other actions of one of the `privilege-escalation` rules whose `[match]`
//!   includes `iam:PassRole` (the compute action that runs code as B).
//!
//! A principal that can change the policies of one it can become
//! (`iam:AttachRolePolicy`, `iam:PutRolePolicy`, and the user forms) can make
//! it, and so itself, anything: it counts as dangerous, with that last hop.
//!
//! The dangerous principals are the administrators and those an escalation
//! rule fires on. Reachability is computed once, by a breadth-first search
//! backwards from all of them: each principal that can reach one gets the
//! shortest chain to the nearest. Building the edges is bounded by [`BUDGET`]
//! resource checks, so an account of thousands of roles trusting their account
//! stays fast; when the budget runs out the chains found so far are reported
//! with a note.

mod chain;
mod trust;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use crate::diagnostics::{FlowStep, Related};
use crate::input::{Contents, DocumentKind, PrincipalEntry, PrincipalKind};
use crate::rules::Rule;
use whittle_policy::ActionSet;
use whittle_policy::pattern::{Pattern, policy_matches};
use whittle_policy::permissions::{Permissions, StatementScope};
use whittle_policy::policy::{ConditionValue, Effect, Element, Statement};
use whittle_policy::{ActionId, Catalog};
use whittle_syntax::SourceFile;

use trust::{Admits, TrustIndex, account_of, principal_key};

/// The most resource checks building the graph may make.
pub const BUDGET: usize = 2_000_000;

/// Why a principal is dangerous to reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Danger {
    /// It can use every action on every resource.
    Admin,
    /// The escalation rule of this name fires on it.
    Escalates(String),
    /// The principal `by` can change its policies (with `action`) and
    /// become it: it is as powerful as `by` makes it.
    Empowered {
        /// Who changes its policies.
        by: String,
        /// How, e.g. `iam:AttachRolePolicy`.
        action: String,
    },
}

impl Danger {
    /// "an administrator", "able to escalate (privesc-passrole-ec2)".
    pub fn describe(&self) -> String {
        match self {
            Danger::Admin => "an administrator (full-admin-access)".to_owned(),
            Danger::Escalates(rule) => format!("able to escalate its privileges ({rule})"),
            Danger::Empowered { by, action } => {
                format!("a principal {by} can give any permission ({action})")
            }
        }
    }
}

/// The chain from one principal to a dangerous one, as a finding shows it.
#[derive(Debug, Clone)]
pub struct Chain {
    /// The principals along the chain (`user/dev`, `role/ci`, `role/admin`),
    /// the reported one first.
    pub path: Vec<String>,
    /// One step per hop, at the statement that makes it possible.
    pub steps: Vec<FlowStep>,
    /// The policies that make the hops, with what each contributes.
    pub related: Vec<Related>,
    /// Why the last principal is dangerous.
    pub danger: Danger,
    /// The hops that hold only under a policy's conditions, described.
    pub conditions: Vec<String>,
    /// True when the graph was cut short by [`BUDGET`].
    pub truncated: bool,
}

/// A user or role as a node of the graph.
pub(super) struct Node<'a> {
    /// The export's entry.
    pub entry: &'a PrincipalEntry,
    /// Its identity policies: indices of documents.
    pub sources: Vec<usize>,
    /// Its permissions boundary's document, if the export holds it.
    pub boundary: Option<usize>,
    /// Why it is dangerous, if it is.
    pub danger: Option<Danger>,
    /// The escalation rules through which it could pass a role: indices into
    /// [`Edges::pass_rules`] whose other actions it holds.
    pub pass_rules: Vec<usize>,
    /// Which of [`Edges`]' actions its policies grant at all (before resources).
    pub holds: Holds,
}

/// Which edge actions a principal holds, whatever the resources.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Holds {
    assume: bool,
    update_trust: bool,
    credentials: bool,
    modify: bool,
    pass: bool,
}

/// A privilege-escalation rule that passes a role: what else it needs.
pub(super) struct PassRule {
    rule: Arc<Rule>,
    /// Its groups other than the one of iam:PassRole.
    others: Vec<ActionSet>,
    /// The service prefixes of those actions (`ec2`, `ecs`): the services a
    /// role passed this way runs in.
    prefixes: Vec<String>,
}

impl PassRule {
    /// Whether a role trusting the service principal `service` runs code in
    /// a service this rule's actions start: `ec2.amazonaws.com` for `ec2`,
    /// `ecs-tasks.amazonaws.com` for `ecs`, `tasks.apprunner.amazonaws.com`
    /// for `apprunner`.
    fn serves(&self, service: &str) -> bool {
        let label = service.strip_suffix(".amazonaws.com").unwrap_or(service);
        self.prefixes.iter().any(|p| {
            label == p
                || label
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('-'))
                || label
                    .strip_suffix(p.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }
}

/// The actions that make edges, looked up in the catalog once.
pub(super) struct Edges {
    assume: Option<ActionId>,
    pass: Option<ActionId>,
    update_trust: Option<ActionId>,
    credentials: Vec<ActionId>,
    /// Changing a role's policies (attach, write inline).
    modify_role: Vec<ActionId>,
    /// Changing a user's policies.
    modify_user: Vec<ActionId>,
    /// The escalation rules that pass a role.
    pub pass_rules: Vec<PassRule>,
}

impl Edges {
    /// The edge actions of `catalog`, and of `action_rules` those tagged
    /// `privilege-escalation` whose match includes iam:PassRole.
    pub fn of(catalog: &Catalog, action_rules: &[(Arc<Rule>, super::ActionRule)]) -> Self {
        let pass = catalog.action_id("iam:PassRole");
        let pass_rules = pass.map_or_else(Vec::new, |pass| {
            action_rules
                .iter()
                .filter(|(rule, _)| rule.tags.iter().any(|t| t == "privilege-escalation"))
                .filter_map(|(rule, compiled)| {
                    let (with, others): (Vec<&ActionSet>, Vec<&ActionSet>) =
                        compiled.groups().iter().partition(|g| g.contains(pass));
                    (!with.is_empty() && !others.is_empty()).then(|| {
                        let mut prefixes: Vec<String> = others
                            .iter()
                            .flat_map(|group| group.iter())
                            .filter_map(|id| {
                                let name = &catalog.action(id).qualified_name;
                                name.split_once(':').map(|(p, _)| p.to_owned())
                            })
                            .collect();
                        prefixes.sort_unstable();
                        prefixes.dedup();
                        PassRule {
                            rule: Arc::clone(rule),
                            others: others.into_iter().cloned().collect(),
                            prefixes,
                        }
                    })
                })
                .collect()
        });
        Self {
            assume: catalog.action_id("sts:AssumeRole"),
            pass,
            update_trust: catalog.action_id("iam:UpdateAssumeRolePolicy"),
            modify_role: ["iam:AttachRolePolicy", "iam:PutRolePolicy"]
                .into_iter()
                .filter_map(|name| catalog.action_id(name))
                .collect(),
            modify_user: ["iam:AttachUserPolicy", "iam:PutUserPolicy"]
                .into_iter()
                .filter_map(|name| catalog.action_id(name))
                .collect(),
            credentials: [
                "iam:CreateAccessKey",
                "iam:CreateLoginProfile",
                "iam:UpdateLoginProfile",
            ]
            .into_iter()
            .filter_map(|name| catalog.action_id(name))
            .collect(),
            pass_rules,
        }
    }

    /// Which edge actions `permissions` grant, and through which pass rules.
    pub fn held(&self, permissions: &Permissions) -> (Holds, Vec<usize>) {
        let usable = permissions.effective();
        let has = |id: Option<ActionId>| id.is_some_and(|id| usable.contains(id));
        let holds = Holds {
            assume: has(self.assume),
            update_trust: has(self.update_trust),
            credentials: self.credentials.iter().any(|&id| usable.contains(id)),
            modify: self
                .modify_role
                .iter()
                .chain(&self.modify_user)
                .any(|&id| usable.contains(id)),
            pass: has(self.pass),
        };
        let rules = if holds.pass {
            (0..self.pass_rules.len())
                .filter(|&r| {
                    self.pass_rules[r].others.iter().all(|group| {
                        let mut hit = group.clone();
                        hit.intersect_with(&usable);
                        !hit.is_empty()
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        (holds, rules)
    }
}

/// What the graph is built from.
pub(super) struct Export<'a> {
    pub file: &'a SourceFile,
    pub contents: &'a Contents,
    pub documents: &'a super::distinct::Distinct,
    pub catalog: &'a Catalog,
    pub edges: &'a Edges,
}

/// A statement of a document: which document, which resolved statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Grant {
    document: usize,
    statement: usize,
}

/// How one principal becomes another.
#[derive(Debug, Clone)]
enum How {
    /// Through the target's trust policy (`trust`), with the caller's own
    /// grant of sts:AssumeRole when it needs or has one.
    Assume {
        trust: Grant,
        identity: Option<Grant>,
        admits: Admits,
    },
    /// Into a shared node that stands for every principal with the same
    /// policies (see [`Builder::profiles`]); it makes no hop of its own.
    Via,
    /// By rewriting the target's trust policy.
    RewriteTrust { grant: Grant },
    /// By creating the target user's credentials.
    Credentials { grant: Grant, action: ActionId },
    /// By passing the target role to a service that runs code as it.
    Pass {
        grant: Grant,
        rule: usize,
        service: String,
    },
}

#[derive(Debug, Clone)]
struct Edge {
    from: usize,
    to: usize,
    how: How,
}

/// What one document says about an action on every ARN, when its answer
/// does not depend on the ARN: the statement, for an Allow.
#[derive(Debug, Clone, Copy)]
enum Memo {
    Allowed(usize),
    NotAllowed,
    Denied,
}

impl Memo {
    fn of(self, document: usize) -> Access {
        match self {
            Memo::Allowed(statement) => Access::Allowed(Grant {
                document,
                statement,
            }),
            Memo::NotAllowed => Access::NotAllowed,
            Memo::Denied => Access::Denied,
        }
    }
}

/// What a principal's identity policies say about one action on one ARN.
enum Access {
    Allowed(Grant),
    NotAllowed,
    Denied,
}

/// True when a Resource value names exactly one resource: the one place that
/// decides whether a value holds a wildcard (or a policy variable).
fn literal(value: &str) -> bool {
    !value.contains(['*', '?']) && !value.contains("${")
}

/// Replaces the policy variables a caller's own identity decides.
fn substitute<'v>(value: &'v str, caller: &PrincipalEntry) -> Cow<'v, str> {
    if !value.contains("${") {
        return Cow::Borrowed(value);
    }
    // A role has no user name: `${aws:username}` then matches nothing.
    let user = match caller.kind {
        PrincipalKind::User => caller.arn.rsplit('/').next().unwrap_or(""),
        PrincipalKind::Role => "\u{0}",
    };
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return Cow::Owned(out);
        };
        let name = &rest[start + 2..start + len];
        match name.to_ascii_lowercase().as_str() {
            "aws:username" => out.push_str(user),
            "aws:principalaccount" => out.push_str(account_of(&caller.arn)),
            _ => out.push_str(&rest[start..=start + len]),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Builds the graph and the chains.
pub(super) struct Builder<'a> {
    export: &'a Export<'a>,
    nodes: &'a [Node<'a>],
    /// Trust policy document of each node (roles only).
    trust: Vec<Option<usize>>,
    /// Principal key → node.
    by_key: HashMap<(String, &'static str, String), usize>,
    /// Shared nodes, numbered after the principals: principals whose
    /// policies are the same (a group's members) reach the roles that trust
    /// their whole account through one shared node, so that a thousand users
    /// who may assume any role make a thousand edges, not a million.
    profiles: HashMap<Profile, usize>,
    /// Principals that can change the policies of one they can become, and
    /// how: they can make it, and so themselves, anything.
    empowers: HashMap<usize, Empower>,
    /// What a group of documents ([`super::distinct::Distinct::group`]) says
    /// about an action whatever the ARN (its Resources are all `*`), and how
    /// many checks working it out took: counted again on each use, so that
    /// [`BUDGET`] bounds the edges as it would without it.
    everywhere: HashMap<(usize, ActionId), (Memo, usize)>,
    checks: usize,
}

/// How a principal makes another one anything and becomes it.
struct Empower {
    /// The hop into the other principal.
    become_it: Edge,
    /// The statement that lets it change the other's policies.
    grant: Grant,
    /// The action, e.g. iam:AttachRolePolicy.
    action: ActionId,
}

/// What decides which roles trusting its account a principal may assume:
/// its account, identity policies and boundary (and its ARN, when those use
/// policy variables).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Profile {
    account: String,
    sources: Vec<usize>,
    boundary: Option<usize>,
    arn: Option<String>,
}

impl<'a> Builder<'a> {
    pub fn new(export: &'a Export<'a>, nodes: &'a [Node<'a>]) -> Self {
        let mut trust_of: HashMap<&str, usize> = HashMap::new();
        for (i, document) in export.contents.documents.iter().enumerate() {
            if document.kind == DocumentKind::Trust
                && let Some(owner) = &document.owner
            {
                trust_of.insert(owner.arn.as_str(), i);
            }
        }
        let trust = nodes
            .iter()
            .map(|n| match n.entry.kind {
                PrincipalKind::Role => trust_of.get(n.entry.arn.as_str()).copied(),
                PrincipalKind::User => None,
            })
            .collect();
        let by_key = nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| principal_key(&n.entry.arn).map(|k| (k, i)))
            .collect();
        Self {
            export,
            nodes,
            trust,
            by_key,
            profiles: HashMap::new(),
            empowers: HashMap::new(),
            everywhere: HashMap::new(),
            checks: 0,
        }
    }

    fn statement(&self, grant: Grant) -> (&StatementScope, Option<&Statement>) {
        let parsed = self.export.documents.parsed(grant.document);
        let scope = &parsed.scope.statements[grant.statement];
        (scope, parsed.policy.statement(scope.index))
    }

    /// What `caller`'s identity policies and boundary say about `action` on
    /// `arn`: the first granting statement, unless an unconditional Deny (or
    /// the boundary) stops it.
    fn access(&mut self, caller: &Node<'_>, action: ActionId, arn: &str) -> Access {
        let mut allowed = None;
        for &document in &caller.sources {
            match self.document_access(document, caller.entry, action, arn) {
                Access::Denied => return Access::Denied,
                Access::Allowed(grant) if allowed.is_none() => allowed = Some(grant),
                _ => {}
            }
        }
        if let Some(boundary) = caller.boundary {
            match self.document_access(boundary, caller.entry, action, arn) {
                Access::Allowed(_) => {}
                Access::Denied => return Access::Denied,
                Access::NotAllowed => return Access::NotAllowed,
            }
        }
        allowed.map_or(Access::NotAllowed, Access::Allowed)
    }

    fn document_access(
        &mut self,
        document: usize,
        caller: &PrincipalEntry,
        action: ActionId,
        arn: &str,
    ) -> Access {
        let group = self.export.documents.group(document);
        if let Some(&(memo, checks)) = self.everywhere.get(&(group, action)) {
            self.checks += checks;
            return memo.of(document);
        }
        let parsed = self.export.documents.parsed(document);
        let mut allowed = None;
        // Whether every Resource looked at is `*` (or none): then the answer
        // is the same for every ARN, and for every copy of the document.
        let mut everywhere = true;
        let mut checks = 0;
        let mut decided = None;
        for (k, scope) in parsed.scope.statements.iter().enumerate() {
            if !scope.actions.contains(action) {
                continue;
            }
            let resource = parsed
                .policy
                .statement(scope.index)
                .and_then(|s| s.resource.as_ref());
            everywhere &= resource.is_none_or(|r| r.values.iter().all(|v| v.value == "*"));
            checks += 1;
            if !covers(resource, arn, caller) {
                continue;
            }
            match scope.effect {
                // A conditional Deny may not apply; an Allow under conditions
                // may (the hop then says so).
                Effect::Deny if !scope.conditional => {
                    decided = Some(Memo::Denied);
                    break;
                }
                Effect::Deny => {}
                Effect::Allow if allowed.is_none() => allowed = Some(k),
                Effect::Allow => {}
            }
        }
        let memo = decided.unwrap_or(allowed.map_or(Memo::NotAllowed, Memo::Allowed));
        self.checks += checks;
        if everywhere {
            self.everywhere.insert((group, action), (memo, checks));
        }
        memo.of(document)
    }

    /// Every edge out of the principals that are not dangerous themselves;
    /// true when [`BUDGET`] cut the building short.
    fn edges(&mut self, index: &TrustIndex) -> (Vec<Edge>, bool) {
        let nodes = self.nodes;
        let edges_of = self.export.edges;
        let mut edges = Vec::new();
        let of_kind = |kind| -> Vec<usize> {
            (0..nodes.len())
                .filter(|&i| nodes[i].entry.kind == kind)
                .collect()
        };
        let (users, roles) = (of_kind(PrincipalKind::User), of_kind(PrincipalKind::Role));
        let services: HashMap<usize, &[String]> = index
            .services
            .iter()
            .map(|(r, s)| (*r, s.as_slice()))
            .collect();
        // A service-linked role is used by its service alone: nobody passes it.
        let passable: Vec<usize> = index
            .services
            .iter()
            .map(|(r, _)| *r)
            .filter(|&r| !nodes[r].entry.arn.contains(":role/aws-service-role/"))
            .collect();
        for (a, node) in nodes.iter().enumerate() {
            if self.checks > BUDGET {
                return (edges, true);
            }
            if node.danger.is_some() {
                continue;
            }
            self.assume_edges(a, index, &mut edges);
            if node.holds.modify {
                self.empower(a, &roles, &users);
            }
            if node.holds.update_trust
                && let Some(action) = edges_of.update_trust
            {
                for r in self.targets(a, action, &roles) {
                    if r == a {
                        continue;
                    }
                    if let Access::Allowed(grant) = self.access(node, action, &nodes[r].entry.arn)
                        && self.may_assume_named(node, r)
                    {
                        edges.push(Edge {
                            from: a,
                            to: r,
                            how: How::RewriteTrust { grant },
                        });
                    }
                }
            }
            if node.holds.credentials {
                let mut done = HashSet::new();
                for &action in &edges_of.credentials {
                    for u in self.targets(a, action, &users) {
                        if u == a || done.contains(&u) {
                            continue;
                        }
                        if let Access::Allowed(grant) =
                            self.access(node, action, &nodes[u].entry.arn)
                        {
                            done.insert(u);
                            edges.push(Edge {
                                from: a,
                                to: u,
                                how: How::Credentials { grant, action },
                            });
                        }
                    }
                }
            }
            if let Some(pass) = edges_of.pass
                && !node.pass_rules.is_empty()
            {
                for r in self.targets(a, pass, &passable) {
                    let Some(service) = services.get(&r) else {
                        continue;
                    };
                    if r == a {
                        continue;
                    }
                    let Access::Allowed(grant) = self.access(node, pass, &nodes[r].entry.arn)
                    else {
                        continue;
                    };
                    // iam:PassedToService limits the services the role can
                    // be passed to: one the role trusts must be among them.
                    let allowed = self.passed_to(grant);
                    let passes = |s: &String| {
                        allowed
                            .as_ref()
                            .is_none_or(|patterns| patterns.iter().any(|p| p.matches(s)))
                    };
                    let Some((rule, service)) = node.pass_rules.iter().find_map(|&rule| {
                        let serves = |s: &&String| edges_of.pass_rules[rule].serves(s);
                        service
                            .iter()
                            .find(|s| serves(s) && passes(s))
                            .map(|s| (rule, s))
                    }) else {
                        continue;
                    };
                    edges.push(Edge {
                        from: a,
                        to: r,
                        how: How::Pass {
                            grant,
                            rule,
                            service: service.clone(),
                        },
                    });
                }
            }
        }
        (edges, false)
    }

    fn assume_edges(&mut self, a: usize, index: &TrustIndex, edges: &mut Vec<Edge>) {
        let nodes = self.nodes;
        let node = &nodes[a];
        let Some(assume) = self.export.edges.assume else {
            return;
        };
        let mut candidates: Vec<usize> = Vec::new();
        if let Some(key) = principal_key(&node.entry.arn) {
            candidates.extend(index.named.get(&key).into_iter().flatten());
        }
        let mut shared: Vec<usize> = Vec::new();
        if node.holds.assume {
            let broad = index
                .account
                .get(account_of(&node.entry.arn))
                .into_iter()
                .flatten()
                .chain(&index.everyone);
            for &r in broad {
                if index.guarded[r] {
                    candidates.push(r);
                } else {
                    shared.push(r);
                }
            }
        }
        let mut seen = HashSet::new();
        for r in candidates {
            if r == a || !seen.insert(r) {
                continue;
            }
            if let Some(how) = self.assume(node, r, assume, true) {
                edges.push(Edge {
                    from: a,
                    to: r,
                    how,
                });
            }
        }
        if shared.is_empty() {
            return;
        }
        let profile = self.profile(node, assume);
        let next = nodes.len() + self.profiles.len();
        let (p, new) = match self.profiles.get(&profile) {
            Some(&p) => (p, false),
            None => {
                self.profiles.insert(profile, next);
                (next, true)
            }
        };
        edges.push(Edge {
            from: a,
            to: p,
            how: How::Via,
        });
        if !new {
            return;
        }
        shared.sort_unstable();
        shared.dedup();
        for r in shared {
            if let Some(how) = self.assume(node, r, assume, false) {
                edges.push(Edge {
                    from: p,
                    to: r,
                    how,
                });
            }
        }
    }

    /// How `node` assumes role `r`, if it can; with `named` false, only as a
    /// principal of its account (for the shared node of its profile).
    fn assume(&mut self, node: &Node<'_>, r: usize, assume: ActionId, named: bool) -> Option<How> {
        self.checks += 1;
        let (trust, admits) = self.admitted(r, node.entry, named)?;
        let target = &self.nodes[r].entry.arn;
        let same_account = account_of(&node.entry.arn) == account_of(target);
        let identity = match self.access(node, assume, target) {
            Access::Denied => return None,
            Access::Allowed(grant) => Some(grant),
            // A role's trust policy that names the caller is enough in its
            // own account, unless a boundary limits the caller.
            Access::NotAllowed
                if admits == Admits::Named && same_account && node.boundary.is_none() =>
            {
                None
            }
            Access::NotAllowed => return None,
        };
        Some(How::Assume {
            trust,
            identity,
            admits,
        })
    }

    /// The profile of `node` for sts:AssumeRole.
    fn profile(&self, node: &Node<'_>, assume: ActionId) -> Profile {
        let variables = node.sources.iter().chain(&node.boundary).any(|&d| {
            let parsed = self.export.documents.parsed(d);
            parsed.scope.statements.iter().any(|scope| {
                scope.actions.contains(assume)
                    && parsed
                        .policy
                        .statement(scope.index)
                        .and_then(|s| s.resource.as_ref())
                        .is_some_and(|r| r.values.iter().any(|v| v.value.contains("${")))
            })
        });
        Profile {
            account: account_of(&node.entry.arn).to_owned(),
            sources: node.sources.clone(),
            boundary: node.boundary,
            arn: variables.then(|| node.entry.arn.clone()),
        }
    }

    /// The services an iam:PassRole grant is limited to by an
    /// `iam:PassedToService` condition, as patterns; `None` when it is not.
    fn passed_to(&self, grant: Grant) -> Option<Vec<Pattern>> {
        let (_, statement) = self.statement(grant);
        let condition = statement?.conditions.iter().find(|c| {
            c.key.value.eq_ignore_ascii_case("iam:PassedToService")
                && c.operator.value.base.starts_with("String")
                && !c.operator.value.base.starts_with("StringNot")
        })?;
        Some(
            condition
                .values
                .iter()
                .filter_map(|v| match &v.value {
                    ConditionValue::String(s) => Some(Pattern::policy(s)),
                    _ => None,
                })
                .collect(),
        )
    }

    /// Whether `node` could assume role `r` once its trust policy names it:
    /// nothing in its own policies or boundary denies it.
    fn may_assume_named(&mut self, node: &Node<'_>, r: usize) -> bool {
        let Some(assume) = self.export.edges.assume else {
            return false;
        };
        let nodes = self.nodes;
        match self.access(node, assume, &nodes[r].entry.arn) {
            Access::Denied => false,
            Access::Allowed(_) => true,
            Access::NotAllowed => node.boundary.is_none(),
        }
    }

    /// The candidates `node`'s grants of `action` could reach: when every
    /// Resource of those grants names one ARN, just those (found by key),
    /// else all of `candidates`.
    fn targets(&self, a: usize, action: ActionId, candidates: &[usize]) -> Vec<usize> {
        let node = &self.nodes[a];
        let mut named = Vec::new();
        for &document in &node.sources {
            let parsed = self.export.documents.parsed(document);
            for scope in &parsed.scope.statements {
                if scope.effect != Effect::Allow || !scope.actions.contains(action) {
                    continue;
                }
                let Some(resource) = parsed
                    .policy
                    .statement(scope.index)
                    .and_then(|s| s.resource.as_ref())
                else {
                    continue;
                };
                if resource.negated {
                    return candidates.to_vec();
                }
                for value in &resource.values {
                    let value = substitute(&value.value, node.entry);
                    if !literal(&value) {
                        return candidates.to_vec();
                    }
                    if let Some(&i) = principal_key(&value).and_then(|k| self.by_key.get(&k)) {
                        named.push(i);
                    }
                }
            }
        }
        let wanted: HashSet<usize> = candidates.iter().copied().collect();
        named.retain(|i| wanted.contains(i));
        named.sort_unstable();
        named.dedup();
        named
    }

    /// Records how `a` can change the policies of a principal it can become
    /// (by assuming it, or by creating its credentials), if it can.
    fn empower(&mut self, a: usize, roles: &[usize], users: &[usize]) {
        let nodes = self.nodes;
        let edges_of = self.export.edges;
        let node = &nodes[a];
        let kinds = [
            (&edges_of.modify_role, roles),
            (&edges_of.modify_user, users),
        ];
        for (actions, candidates) in kinds {
            for &action in actions {
                for p in self.targets(a, action, candidates) {
                    if p == a || nodes[p].danger.is_some() {
                        continue;
                    }
                    let Access::Allowed(grant) = self.access(node, action, &nodes[p].entry.arn)
                    else {
                        continue;
                    };
                    let how = match nodes[p].entry.kind {
                        PrincipalKind::Role => edges_of
                            .assume
                            .and_then(|assume| self.assume(node, p, assume, true)),
                        PrincipalKind::User => self.credentials(node, p),
                    };
                    if let Some(how) = how {
                        let become_it = Edge {
                            from: a,
                            to: p,
                            how,
                        };
                        self.empowers.insert(
                            a,
                            Empower {
                                become_it,
                                grant,
                                action,
                            },
                        );
                        return;
                    }
                }
            }
        }
    }

    /// How `node` creates user `u`'s credentials, if it can.
    fn credentials(&mut self, node: &Node<'_>, u: usize) -> Option<How> {
        let nodes = self.nodes;
        for &action in &self.export.edges.credentials {
            if let Access::Allowed(grant) = self.access(node, action, &nodes[u].entry.arn) {
                return Some(How::Credentials { grant, action });
            }
        }
        None
    }

    /// The chain of every principal that can reach a dangerous one, by a
    /// breadth-first search backwards from all dangerous principals at once.
    pub fn chains(mut self) -> Vec<(usize, Chain)> {
        let index = self.trust_index();
        let (edges, truncated) = self.edges(&index);
        let all = self.nodes.len() + self.profiles.len();
        let mut into: Vec<Vec<usize>> = vec![Vec::new(); all];
        for (e, edge) in edges.iter().enumerate() {
            into[edge.to].push(e);
        }
        let mut next: Vec<Option<usize>> = vec![None; all];
        let mut reached: Vec<bool> = (0..all)
            .map(|i| {
                self.nodes.get(i).is_some_and(|n| n.danger.is_some())
                    || self.empowers.contains_key(&i)
            })
            .collect();
        let mut queue: VecDeque<usize> = (0..all).filter(|&i| reached[i]).collect();
        while let Some(v) = queue.pop_front() {
            for &e in &into[v] {
                let u = edges[e].from;
                if !reached[u] {
                    reached[u] = true;
                    next[u] = Some(e);
                    queue.push_back(u);
                }
            }
        }
        (0..self.nodes.len())
            .filter(|&u| next[u].is_some() || self.empowers.contains_key(&u))
            .filter_map(|u| self.chain(u, &edges, &next, truncated).map(|c| (u, c)))
            .collect()
    }
}

/// True when a statement's Resource element covers `arn`, with the caller's
/// own policy variables filled in.
fn covers(resource: Option<&Element>, arn: &str, caller: &PrincipalEntry) -> bool {
    let Some(resource) = resource else {
        return false;
    };
    let hit = resource
        .values
        .iter()
        .any(|v| v.value == "*" || policy_matches(&substitute(&v.value, caller), arn));
    hit != resource.negated
}

#[cfg(test)]
mod tests {
    use super::trust::root_account;
    use super::*;

    #[test]
    fn a_pass_rule_serves_the_services_its_actions_start() {
        let rule = PassRule {
            rule: Arc::clone(
                crate::rules::RuleSet::embedded()
                    .unwrap()
                    .iter()
                    .next()
                    .unwrap(),
            ),
            others: Vec::new(),
            prefixes: vec!["apprunner".into(), "ec2".into(), "ecs".into()],
        };
        for service in [
            "ec2.amazonaws.com",
            "ecs-tasks.amazonaws.com",
            "tasks.apprunner.amazonaws.com",
        ] {
            assert!(rule.serves(service), "{service}");
        }
        for service in [
            "lambda.amazonaws.com",
            "ec2messages.amazonaws.com",
            "ecsx.amazonaws.com",
        ] {
            assert!(!rule.serves(service), "{service}");
        }
    }

    #[test]
    fn principal_keys_name_users_roles_and_sessions() {
        let role = principal_key("arn:aws:iam::123456789012:role/path/CI").unwrap();
        assert_eq!(role, ("123456789012".into(), "role", "ci".into()));
        assert_eq!(
            principal_key("arn:aws:sts::123456789012:assumed-role/ci/session"),
            Some(role)
        );
        assert_eq!(principal_key("arn:aws:iam::123456789012:root"), None);
        assert_eq!(principal_key("arn:aws:s3:::bucket"), None);
        assert_eq!(
            root_account("arn:aws:iam::123456789012:root"),
            Some("123456789012")
        );
    }
}
