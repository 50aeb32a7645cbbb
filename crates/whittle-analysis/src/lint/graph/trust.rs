//! Reading trust policies for the graph: which roles admit whom (by ARN, by
//! account, everyone), which a service may assume, and how one role's trust
//! policy admits one caller, Deny statements included.

use std::collections::HashMap;

use super::{Builder, Grant};
use crate::input::PrincipalEntry;
use whittle_policy::policy::{Effect, Principal};

/// Whom a trust statement admits of a principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Admits {
    /// By its ARN (or a session of the role): no identity grant needed.
    Named,
    /// Its whole account: the caller's own policies must allow it.
    Account,
    /// Every AWS principal.
    Everyone,
}

/// The principal key `(account, kind, name)` of a user or role ARN, or of
/// an assumed-role session (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`
/// names role NAME), in lowercase.
pub(super) fn principal_key(arn: &str) -> Option<(String, &'static str, String)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, _, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let (kind, name) = match service {
        "iam" => {
            let (kind, rest) = resource.split_once('/')?;
            let kind = match kind {
                "user" => "user",
                "role" => "role",
                _ => return None,
            };
            (kind, rest.rsplit('/').next()?)
        }
        "sts" => {
            let rest = resource.strip_prefix("assumed-role/")?;
            ("role", rest.split('/').next()?)
        }
        _ => return None,
    };
    Some((account.to_owned(), kind, name.to_ascii_lowercase()))
}

/// The account of an ARN.
pub(super) fn account_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or("")
}

/// The roles each kind of trust admits, and those a service can assume.
#[derive(Default)]
pub(super) struct TrustIndex {
    pub(super) named: HashMap<(String, &'static str, String), Vec<usize>>,
    pub(super) account: HashMap<String, Vec<usize>>,
    pub(super) everyone: Vec<usize>,
    /// Roles some service may assume, with the services.
    pub(super) services: Vec<(usize, Vec<String>)>,
    /// Per node: whether its trust policy has a Deny statement (which may
    /// name one caller), so that its admission is decided caller by caller.
    pub(super) guarded: Vec<bool>,
}

impl TrustIndex {
    /// Indexes role `r` under an `AWS` principal value of its trust policy.
    fn add_aws(&mut self, r: usize, value: &str) {
        if value == "*" {
            self.everyone.push(r);
        } else if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
            self.account.entry(value.to_owned()).or_default().push(r);
        } else if let Some(account) = root_account(value) {
            self.account.entry(account.to_owned()).or_default().push(r);
        } else if let Some(key) = principal_key(value) {
            self.named.entry(key).or_default().push(r);
        }
    }
}

/// The account of `arn:aws:iam::ACCOUNT:root`.
pub(super) fn root_account(value: &str) -> Option<&str> {
    let rest = value.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (_, service, _, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (service == "iam" && resource == "root").then_some(account)
}

/// How a Principal element admits `caller`, if it does.
fn admits(principal: &Principal, caller: &PrincipalEntry) -> Option<Admits> {
    let entries = match principal {
        Principal::Any => return Some(Admits::Everyone),
        Principal::Typed(entries) => entries,
    };
    let key = principal_key(&caller.arn);
    let account = account_of(&caller.arn);
    let mut best = None;
    for (kind, values) in entries {
        if kind.value != "AWS" {
            continue;
        }
        for value in values {
            let value = value.value.as_str();
            let how = if value == "*" {
                Some(Admits::Everyone)
            } else if value == account || root_account(value) == Some(account) {
                Some(Admits::Account)
            } else if key.is_some() && principal_key(value) == key {
                Some(Admits::Named)
            } else {
                None
            };
            if let Some(how) = how
                && best.is_none_or(|b| rank(how) < rank(b))
            {
                best = Some(how);
            }
        }
    }
    best
}

/// Named before account before everyone.
fn rank(admits: Admits) -> u8 {
    match admits {
        Admits::Named => 0,
        Admits::Account => 1,
        Admits::Everyone => 2,
    }
}

impl Builder<'_> {
    /// Indexes every role's trust policy by whom it admits.
    pub(super) fn trust_index(&self) -> TrustIndex {
        let mut index = TrustIndex {
            guarded: vec![false; self.nodes.len()],
            ..TrustIndex::default()
        };
        let Some(assume) = self.export.edges.assume else {
            return index;
        };
        for (r, trust) in self.trust.iter().enumerate() {
            let Some(document) = *trust else { continue };
            let parsed = self.export.documents.parsed(document);
            index.guarded[r] = parsed
                .scope
                .statements
                .iter()
                .any(|s| s.effect == Effect::Deny);
            let mut services = Vec::new();
            for scope in &parsed.scope.statements {
                if scope.effect != Effect::Allow || !scope.actions.contains(assume) {
                    continue;
                }
                let Some(principal) = parsed
                    .policy
                    .statement(scope.index)
                    .and_then(|s| s.principal.as_ref())
                else {
                    continue;
                };
                if principal.negated {
                    // NotPrincipal in an Allow admits nearly everyone.
                    index.everyone.push(r);
                    continue;
                }
                match &principal.value {
                    Principal::Any => index.everyone.push(r),
                    Principal::Typed(entries) => {
                        for (key, values) in entries {
                            for value in values {
                                let value = value.value.as_str();
                                match key.value.as_str() {
                                    "AWS" => index.add_aws(r, value),
                                    "Service" => services.push(value.to_owned()),
                                    _ => {}
                                }
                            }
                        }
                    }
                }
            }
            if !services.is_empty() {
                index.services.push((r, services));
            }
        }
        for list in index.named.values_mut().chain(index.account.values_mut()) {
            list.dedup();
        }
        index.everyone.dedup();
        index
    }

    /// How role `r`'s trust policy admits `caller` to sts:AssumeRole, unless
    /// an unconditional Deny in it stops the caller.
    pub(super) fn admitted(
        &self,
        r: usize,
        caller: &PrincipalEntry,
        named: bool,
    ) -> Option<(Grant, Admits)> {
        let assume = self.export.edges.assume?;
        let document = self.trust[r]?;
        let parsed = self.export.documents.parsed(document);
        let mut best: Option<(Grant, Admits)> = None;
        for (k, scope) in parsed.scope.statements.iter().enumerate() {
            if !scope.actions.contains(assume) {
                continue;
            }
            let Some(principal) = parsed
                .policy
                .statement(scope.index)
                .and_then(|s| s.principal.as_ref())
            else {
                continue;
            };
            let named =
                admits(&principal.value, caller).filter(|&how| named || how != Admits::Named);
            let applies = if principal.negated {
                // NotPrincipal: everyone except those named (and, for an
                // account named, its principals).
                if named.is_some() {
                    None
                } else {
                    Some(Admits::Everyone)
                }
            } else {
                named
            };
            let Some(how) = applies else { continue };
            match scope.effect {
                Effect::Deny if !scope.conditional => return None,
                Effect::Deny => {}
                Effect::Allow => {
                    let grant = Grant {
                        document,
                        statement: k,
                    };
                    // The most specific admission wins: a named principal
                    // needs no grant of its own.
                    if best.is_none_or(|(_, b)| rank(how) < rank(b)) {
                        best = Some((grant, how));
                    }
                }
            }
        }
        best
    }
}
