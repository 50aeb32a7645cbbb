//! What `whittle fetch` and `whittle import` say when they have written a
//! snapshot: what it holds, what it cost, and who lacks last-accessed data;
//! for a fetch of many accounts, each account's outcome and the totals.

use std::path::Path;

use whittle_model::Snapshot;

/// The summary of a snapshot written to `out`, for standard error: its
/// entities and complete reports, the API calls it took, the failures of the
/// whole account, and every principal without last-accessed data with why.
pub fn snapshot_summary(snapshot: &Snapshot, out: &Path) -> String {
    let details = &snapshot.authorization_details;
    let principals = details.user_detail_list.len() + details.role_detail_list.len();
    let complete = snapshot.reports.iter().filter(|r| r.is_complete()).count();
    let stats = &snapshot.stats;
    let mut text = format!(
        "{} users, {} groups, {} roles, {} managed policies; {complete} complete last-accessed reports ({} reused)\n",
        details.user_detail_list.len(),
        details.group_detail_list.len(),
        details.role_detail_list.len(),
        details.policies.len(),
        stats.reused_reports,
    );
    if stats.api_calls > 0 {
        text.push_str(&format!(
            "{} API calls ({:.1} per principal) in {:.1} s\n",
            stats.api_calls,
            stats.api_calls as f64 / principals.max(1) as f64,
            stats.wall_time_ms as f64 / 1000.0
        ));
    }
    for problem in snapshot.errors.iter().filter(|e| e.arn.is_none()) {
        text.push_str(&format!(
            "error: {}: {}\n",
            problem.operation, problem.message
        ));
    }
    // Every selected principal has a complete report or a problem saying why not.
    let missing: Vec<_> = snapshot.errors.iter().filter(|e| e.arn.is_some()).collect();
    if !missing.is_empty() {
        text.push_str(&format!(
            "{} principals without last-accessed data:\n",
            missing.len()
        ));
        for problem in &missing {
            let arn = problem.arn.as_deref().unwrap_or_default();
            text.push_str(&format!(
                "  {arn}: {}: {}\n",
                problem.operation, problem.message
            ));
        }
    }
    text.push_str(&format!("wrote {}\n", out.display()));
    text
}

/// How the fetch of one account of many ended.
#[derive(Debug, Clone, Copy)]
pub enum AccountFetch<'a> {
    /// Its snapshot was written to `path`.
    Fetched {
        /// The account.
        account_id: &'a str,
        /// What was fetched.
        snapshot: &'a Snapshot,
        /// Where it was written.
        path: &'a Path,
    },
    /// It could not be read, or its snapshot not written.
    Failed {
        /// The account.
        account_id: &'a str,
        /// Why.
        reason: &'a str,
    },
}

/// The summary of a fetch of many accounts, for standard error: each
/// account's [`snapshot_summary`] or why it failed, then how many were fetched.
pub fn accounts_summary(accounts: &[AccountFetch<'_>]) -> String {
    let mut text = String::new();
    let mut failed = 0;
    for account in accounts {
        match account {
            AccountFetch::Fetched {
                account_id,
                snapshot,
                path,
            } => {
                text.push_str(&format!("account {account_id}:\n"));
                text.push_str(&snapshot_summary(snapshot, path));
            }
            AccountFetch::Failed { account_id, reason } => {
                text.push_str(&format!("account {account_id}: failed: {reason}\n"));
                failed += 1;
            }
        }
    }
    text.push_str(&format!(
        "{} of {} accounts fetched{}\n",
        accounts.len() - failed,
        accounts.len(),
        if failed > 0 {
            format!("; {failed} failed")
        } else {
            String::new()
        }
    ));
    text
}
