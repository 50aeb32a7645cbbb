//! What a last-accessed report says about one action: used inside the window,
//! unused (at service or action level), or not known — an action IAM does not
//! track in a service that was used, or a service the report does not list.

use std::collections::HashMap;

use jiff::Timestamp;
use whittle_model::Report;

use whittle_policy::catalog::{ActionId, Catalog};

/// The verdict on one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// Used at or after the window's start.
    Used(Timestamp),
    /// The whole service was not used inside the window; its last use, if any.
    UnusedService(Option<Timestamp>),
    /// A tracked action not used inside the window; its last use, if any.
    UnusedAction(Option<Timestamp>),
    /// The service was used but IAM does not track this action: unknown, kept.
    Untracked,
    /// The report does not list the service at all: unknown, kept.
    NotReported,
}

impl Usage {
    /// True for the verdicts that allow removing the action.
    pub fn is_unused(self) -> bool {
        matches!(self, Usage::UnusedService(_) | Usage::UnusedAction(_))
    }
}

struct ServiceUsage {
    last: Option<Timestamp>,
    /// Lowercase action name → last use, for services tracked at action level.
    tracked: Option<HashMap<String, Option<Timestamp>>>,
}

/// A report indexed by service namespace, judged against a window.
pub struct UsageIndex {
    services: HashMap<String, ServiceUsage>,
    window_start: Timestamp,
}

impl UsageIndex {
    /// Indexes `report`; uses before `window_start` count as no use.
    pub fn new(report: &Report, window_start: Timestamp) -> Self {
        let services = report
            .last_accessed
            .services_last_accessed
            .iter()
            .map(|service| {
                let tracked = service
                    .tracked_actions_last_accessed
                    .as_ref()
                    .map(|actions| {
                        actions
                            .iter()
                            .map(|a| {
                                // IAM sends bare names; accept `prefix:Name` too.
                                let name = a.action_name.rsplit(':').next().unwrap_or_default();
                                (name.to_ascii_lowercase(), a.last_accessed_time)
                            })
                            .collect()
                    });
                let usage = ServiceUsage {
                    last: service.last_authenticated,
                    tracked,
                };
                (service.service_namespace.to_ascii_lowercase(), usage)
            })
            .collect();
        Self {
            services,
            window_start,
        }
    }

    /// The verdict on `id`. An action is tracked when the report lists it, or
    /// when the catalog marks it as reported at action level (then a missing
    /// entry means no use).
    pub fn classify(&self, catalog: &Catalog, id: ActionId) -> Usage {
        let action = catalog.action(id);
        let service = &catalog.services()[action.service];
        let Some(usage) = self
            .services
            .get(&service.record.prefix.to_ascii_lowercase())
        else {
            return Usage::NotReported;
        };
        let recent = |t: Option<Timestamp>| t.filter(|t| *t >= self.window_start);
        if recent(usage.last).is_none() {
            return Usage::UnusedService(usage.last);
        }
        let name = action.record.name.to_ascii_lowercase();
        match usage.tracked.as_ref().and_then(|t| t.get(&name)) {
            Some(&last) => match recent(last) {
                Some(t) => Usage::Used(t),
                None => Usage::UnusedAction(last),
            },
            None if action.record.tracked == Some(true) && usage.tracked.is_some() => {
                Usage::UnusedAction(None)
            }
            None => Usage::Untracked,
        }
    }
}
