//! Organisation scale: one snapshot per account, each fetched with a role
//! assumed in that account, accounts in parallel under one global budget of
//! jobs in flight. A failed account is reported and the others complete.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_config::SdkConfig;
use futures::StreamExt;
use tokio::sync::Semaphore;
use whittle_model::{Problem, Snapshot};

use crate::client::{self, ClientOptions};
use crate::fetch::{self, Event, FetchOptions};
use crate::jobs::CallError;

/// How to fetch several accounts.
#[derive(Debug, Clone)]
pub struct AccountsOptions {
    /// The role to assume in each account: a name (with its path, if any).
    pub role_name: String,
    /// Where to write `<account-id>.json` snapshots.
    pub out_dir: PathBuf,
    /// Accounts fetched at once.
    pub account_concurrency: usize,
    /// Jobs in flight across all accounts.
    pub total_concurrency: usize,
    /// Reuse completed reports of earlier snapshots in `out_dir`.
    pub resume: bool,
}

/// What happened to one account.
#[derive(Debug, Clone)]
pub struct AccountOutcome {
    /// The account.
    pub account_id: String,
    /// Where its snapshot was written, when it was.
    pub path: Option<PathBuf>,
    /// The snapshot, when the account could be read.
    pub snapshot: Option<Snapshot>,
    /// Why the account could not be read.
    pub error: Option<Problem>,
}

/// Why an accounts file could not be read; positions are `line:column`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountsFileError {
    /// The file starts like JSON but is not.
    #[error("{line}:{column}: {message}")]
    Json {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// JSON that is not `aws organizations list-accounts` output.
    #[error("JSON accounts files are `aws organizations list-accounts` output, with \"Accounts\"")]
    NotListAccounts,
    /// A line that is not a 12-digit account id.
    #[error("{line}:1: \"{id}\" is not a 12-digit account id")]
    InvalidId {
        /// 1-based line number.
        line: usize,
        /// The line's text, comment removed.
        id: String,
    },
}

/// Parses an accounts file: one 12-digit account id per line (`#` comments and
/// blank lines ignored), or `aws organizations list-accounts` output (only
/// ACTIVE accounts are taken).
pub fn parse_accounts(text: &str) -> Result<Vec<String>, AccountsFileError> {
    let valid = is_account_id;
    if text.trim_start().starts_with('{') {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| AccountsFileError::Json {
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        let accounts = value["Accounts"]
            .as_array()
            .ok_or(AccountsFileError::NotListAccounts)?;
        return Ok(accounts
            .iter()
            .filter(|a| a["Status"].as_str().is_none_or(|s| s == "ACTIVE"))
            .filter_map(|a| a["Id"].as_str())
            .filter(|id| valid(id))
            .map(str::to_owned)
            .collect());
    }
    let mut ids = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let id = line.split('#').next().unwrap_or_default().trim();
        if id.is_empty() {
            continue;
        }
        if !valid(id) {
            return Err(AccountsFileError::InvalidId {
                line: n + 1,
                id: id.to_owned(),
            });
        }
        ids.push(id.to_owned());
    }
    Ok(ids)
}

/// True for a 12-digit account id: the only ids used in file names.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// The ACTIVE accounts of the caller's organisation (Organizations ListAccounts).
pub async fn organization_accounts(shared: &SdkConfig) -> Result<Vec<String>, CallError> {
    let client = aws_sdk_organizations::Client::new(shared);
    let mut pages = client.list_accounts().into_paginator().send();
    let mut ids = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CallError::from_sdk("ListAccounts", e))?;
        for account in page.accounts.unwrap_or_default() {
            let active = account
                .state
                .as_ref()
                .map(|s| s.as_str() == "ACTIVE")
                .or_else(|| account.status.as_ref().map(|s| s.as_str() == "ACTIVE"))
                .unwrap_or(true);
            if active && let Some(id) = account.id {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

/// Fetches every account into `<out_dir>/<account-id>.json`, written atomically
/// as each completes. An account whose role cannot be assumed or whose
/// entities cannot be listed gets no snapshot (an earlier one is left as it
/// was) and an error in its outcome.
pub async fn fetch_accounts(
    base: &SdkConfig,
    client_options: &ClientOptions,
    accounts: &[String],
    options: &AccountsOptions,
    template: &FetchOptions,
    progress: &(dyn Fn(&str, Event<'_>) + Sync),
) -> Vec<AccountOutcome> {
    let budget = Arc::new(Semaphore::new(options.total_concurrency.max(1)));
    let (valid, rejected) = sorted_out(accounts);
    let mut outcomes: Vec<AccountOutcome> = futures::stream::iter(valid)
        .map(|account_id| {
            let budget = Arc::clone(&budget);
            async move {
                fetch_account(
                    base,
                    client_options,
                    account_id,
                    options,
                    template,
                    budget,
                    progress,
                )
                .await
            }
        })
        .buffer_unordered(options.account_concurrency.max(1))
        .collect()
        .await;
    outcomes.extend(rejected);
    outcomes.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    outcomes
}

async fn fetch_account(
    base: &SdkConfig,
    client_options: &ClientOptions,
    account_id: &str,
    options: &AccountsOptions,
    template: &FetchOptions,
    budget: Arc<Semaphore>,
    progress: &(dyn Fn(&str, Event<'_>) + Sync),
) -> AccountOutcome {
    let out = snapshot_path(&options.out_dir, account_id);
    let failed = |problem: Problem| AccountOutcome {
        account_id: account_id.to_owned(),
        path: None,
        snapshot: None,
        error: Some(problem),
    };
    let reuse = if options.resume {
        match fetch::reusable_reports(&out) {
            Ok(reports) => reports,
            Err(e) => {
                return failed(Problem {
                    arn: None,
                    operation: "resume".to_owned(),
                    code: None,
                    message: e.to_string(),
                });
            }
        }
    } else {
        Vec::new()
    };
    let role = format!(
        "arn:aws:iam::{account_id}:role/{}",
        options.role_name.trim_start_matches('/')
    );
    let shared = client::assume(base, &role).await;
    let iam = client::from_config(&shared, client_options);
    let checkpoint = fetch::checkpoint_path(&out);
    let fetch_options = FetchOptions {
        reuse,
        checkpoint: Some(checkpoint.clone()),
        budget: Some(budget),
        ..template.clone()
    };
    let mut snapshot = fetch::fetch(&iam, &fetch_options, &|e| progress(account_id, e)).await;
    // The account the role was assumed in, whatever ARNs the data holds.
    snapshot.account_id = Some(account_id.to_owned());
    if let Some(problem) = snapshot.errors.iter().find(|e| e.arn.is_none()) {
        return failed(Problem {
            message: format!("as {role}: {}", problem.message),
            ..problem.clone()
        });
    }
    if let Err(e) = snapshot.write(&out) {
        return failed(Problem {
            arn: None,
            operation: "write".to_owned(),
            code: None,
            message: format!("cannot write {}: {e}", out.display()),
        });
    }
    let _ = std::fs::remove_file(&checkpoint);
    AccountOutcome {
        account_id: account_id.to_owned(),
        path: Some(out),
        snapshot: Some(snapshot),
        error: None,
    }
}

/// Each account once, and the ids that are not 12 digits (from a broken or
/// hostile ListAccounts: `../x`, `/abs`), which name no file and are never
/// fetched, as failed outcomes.
fn sorted_out(accounts: &[String]) -> (Vec<&String>, Vec<AccountOutcome>) {
    let mut seen = std::collections::BTreeSet::new();
    let (valid, invalid): (Vec<&String>, Vec<&String>) = accounts
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .partition(|id| is_account_id(id));
    let rejected = invalid
        .into_iter()
        .map(|id| AccountOutcome {
            account_id: id.clone(),
            path: None,
            snapshot: None,
            error: Some(Problem {
                arn: None,
                operation: "ListAccounts".to_owned(),
                code: None,
                message: format!("{id:?} is not a 12-digit account id: not fetched"),
            }),
        })
        .collect();
    (valid, rejected)
}

/// `<dir>/<account-id>.json`.
pub fn snapshot_path(dir: &Path, account_id: &str) -> PathBuf {
    dir.join(format!("{account_id}.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_files_are_lines_or_list_accounts_output() {
        assert_eq!(
            parse_accounts("# prod\n111111111111\n\n222222222222  # staging\n").unwrap(),
            ["111111111111", "222222222222"]
        );
        let err = parse_accounts("111111111111\n12345\n").unwrap_err();
        assert_eq!(
            err,
            AccountsFileError::InvalidId {
                line: 2,
                id: "12345".to_owned()
            }
        );
        assert!(err.to_string().starts_with("2:1:"), "{err}");
        let json = r#"{"Accounts": [{"Id": "111111111111", "Status": "ACTIVE"},
                                    {"Id": "333333333333", "Status": "SUSPENDED"}]}"#;
        assert_eq!(parse_accounts(json).unwrap(), ["111111111111"]);
    }

    #[test]
    fn accounts_are_fetched_once_and_ids_that_are_not_12_digits_never() {
        let ids: Vec<String> = [
            "111111111111",
            "../x",
            "111111111111",
            "/abs",
            "../x",
            "22222222222a",
        ]
        .map(str::to_owned)
        .into();
        let (valid, rejected) = sorted_out(&ids);
        assert_eq!(valid, ["111111111111"]);
        let names: Vec<&str> = rejected.iter().map(|o| o.account_id.as_str()).collect();
        assert_eq!(names, ["../x", "/abs", "22222222222a"]);
        for outcome in &rejected {
            assert!(outcome.path.is_none() && outcome.snapshot.is_none());
            let message = &outcome.error.as_ref().unwrap().message;
            assert!(message.contains("not a 12-digit account id"), "{message}");
        }
    }
}
