//! How a chain of the graph reads in a finding: one step per hop at the
//! statement that makes it, the policies behind each hop as related places,
//! and the hops that hold only under conditions.

use std::sync::Arc;

use super::{Admits, Builder, Chain, Danger, Edge, Grant, How};
use crate::diagnostics::{FlowStep, Location, Logical, Related};
use crate::input::PrincipalEntry;

/// `user/dev`, `role/ci`: how messages name a principal.
pub(in crate::lint) fn short_name(entry: &PrincipalEntry) -> String {
    let name = entry.arn.rsplit('/').next().unwrap_or(&entry.arn);
    format!("{}/{name}", entry.kind.as_str())
}

impl Builder<'_> {
    pub(super) fn chain(
        &self,
        start: usize,
        edges: &[Edge],
        next: &[Option<usize>],
        truncated: bool,
    ) -> Option<Chain> {
        let mut path = vec![short_name(self.nodes[start].entry)];
        let mut steps = Vec::new();
        let mut related = Vec::new();
        let mut conditions = Vec::new();
        let mut at = start;
        // The principal a hop starts from: through a shared node, the one
        // that entered it.
        let mut from = start;
        while let Some(e) = next[at] {
            self.follow(
                from,
                &edges[e],
                &mut path,
                &mut steps,
                &mut related,
                &mut conditions,
            );
            at = edges[e].to;
            if at < self.nodes.len() {
                from = at;
            }
        }
        let danger = match (&self.nodes.get(at)?.danger, self.empowers.get(&at)) {
            (Some(danger), _) => danger.clone(),
            (None, Some(empower)) => {
                let edge = &empower.become_it;
                self.follow(
                    at,
                    edge,
                    &mut path,
                    &mut steps,
                    &mut related,
                    &mut conditions,
                );
                let action = &self.export.catalog.action(empower.action).qualified_name;
                let by = short_name(self.nodes[at].entry);
                let it = short_name(self.nodes[edge.to].entry);
                steps.push(FlowStep {
                    location: self.location(empower.grant),
                    message: format!(
                        "{by} can change the policies of {it} ({action}, granted by {})",
                        self.label(empower.grant)
                    ),
                });
                let place = self.related(empower.grant, format!("grants {action} on {it}"));
                if !related.contains(&place) {
                    related.push(place);
                }
                Danger::Empowered {
                    by,
                    action: action.clone(),
                }
            }
            (None, None) => return None,
        };
        Some(Chain {
            path,
            steps,
            related,
            danger,
            conditions,
            truncated,
        })
    }

    /// Adds one hop from `from` along `edge` (none for a hop into a shared
    /// node) to the chain being built.
    fn follow(
        &self,
        from: usize,
        edge: &Edge,
        path: &mut Vec<String>,
        steps: &mut Vec<FlowStep>,
        related: &mut Vec<Related>,
        conditions: &mut Vec<String>,
    ) {
        let Some((step, places)) = self.hop(from, edge) else {
            return;
        };
        steps.push(step);
        for (grant, message) in places {
            if self.statement(grant).0.conditional {
                conditions.push(format!(
                    "the hop {} → {} holds only under the conditions of {}",
                    short_name(self.nodes[from].entry),
                    short_name(self.nodes[edge.to].entry),
                    self.label(grant)
                ));
            }
            let place = self.related(grant, message);
            if !related.contains(&place) {
                related.push(place);
            }
        }
        path.push(short_name(self.nodes[edge.to].entry));
    }

    /// The step of one hop and the statements behind it, each with what it
    /// contributes.
    fn hop(&self, from: usize, edge: &Edge) -> Option<(FlowStep, Vec<(Grant, String)>)> {
        let from = short_name(self.nodes.get(from)?.entry);
        // A hop into a shared node is none of its own.
        let to = short_name(self.nodes.get(edge.to)?.entry);
        let catalog = self.export.catalog;
        let (at, message, places) = match &edge.how {
            How::Assume {
                trust,
                identity,
                admits,
            } => {
                let whom = match admits {
                    Admits::Named => format!("trusts {from}"),
                    Admits::Account => "trusts its account".to_owned(),
                    Admits::Everyone => "trusts every AWS principal".to_owned(),
                };
                let mut places = vec![(*trust, whom.clone())];
                let mut message = format!(
                    "{from} can assume {to} (trust policy of {to}, {}: {whom})",
                    self.statement_name(*trust)
                );
                if let Some(identity) = identity {
                    places.push((*identity, format!("grants sts:AssumeRole on {to}")));
                    message.push_str(&format!(
                        "; {} grants sts:AssumeRole",
                        self.label(*identity)
                    ));
                }
                (*trust, message, places)
            }
            How::Via => return None,
            How::RewriteTrust { grant } => (
                *grant,
                format!(
                    "{from} can rewrite the trust policy of {to} (iam:UpdateAssumeRolePolicy, granted by {}) and then assume it",
                    self.label(*grant)
                ),
                vec![(*grant, format!("grants iam:UpdateAssumeRolePolicy on {to}"))],
            ),
            How::Credentials { grant, action } => {
                let name = &catalog.action(*action).qualified_name;
                (
                    *grant,
                    format!(
                        "{from} can create credentials for {to} and act as it ({name}, granted by {})",
                        self.label(*grant)
                    ),
                    vec![(*grant, format!("grants {name} on {to}"))],
                )
            }
            How::Pass {
                grant,
                rule,
                service,
            } => {
                let rule = &self.export.edges.pass_rules[*rule];
                (
                    *grant,
                    format!(
                        "{from} can pass {to} to {service}, which {to} trusts, and run code as it ({}: iam:PassRole granted by {})",
                        rule.rule.name,
                        self.label(*grant)
                    ),
                    vec![(*grant, format!("grants iam:PassRole on {to}"))],
                )
            }
        };
        Some((
            FlowStep {
                location: self.location(at),
                message,
            },
            places,
        ))
    }

    fn label(&self, grant: Grant) -> String {
        let subject = self.export.contents.documents[grant.document]
            .subject
            .as_deref()
            .unwrap_or("the policy");
        format!("{subject}, {}", self.statement_name(grant))
    }

    /// `statement "Sid"` or `statement 2` (1-based).
    fn statement_name(&self, grant: Grant) -> String {
        let (scope, statement) = self.statement(grant);
        match statement.and_then(|s| s.sid.as_ref()) {
            Some(sid) => format!("statement \"{}\"", sid.value),
            None => format!("statement {}", scope.index + 1),
        }
    }

    fn logical(&self, document: usize) -> Option<Logical> {
        crate::lint::logical_of(&self.export.contents.documents[document])
    }

    fn location(&self, grant: Grant) -> Location {
        let file = self.export.file;
        let (_, statement) = self.statement(grant);
        let parsed = self.export.documents.parsed(grant.document);
        let span = statement.map_or(parsed.policy.span, |s| s.span);
        let span = self.export.documents.place(grant.document, span);
        Location {
            path: Arc::clone(file.path()),
            start: file.position(span.start),
            end: file.position(span.end),
            subject: self.export.contents.documents[grant.document]
                .subject
                .clone(),
            logical: self.logical(grant.document),
            sid: statement
                .and_then(|s| s.sid.as_ref())
                .map(|s| s.value.clone()),
            definition: None,
        }
    }

    fn related(&self, grant: Grant, message: String) -> Related {
        let document = &self.export.contents.documents[grant.document];
        Related {
            subject: document
                .subject
                .clone()
                .unwrap_or_else(|| "the policy".to_owned()),
            logical: self.logical(grant.document),
            message: format!("{}: {message}", self.statement_name(grant)),
        }
    }
}
