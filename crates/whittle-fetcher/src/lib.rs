//! AWS I/O for whittle: builds snapshots of an account's IAM policies and
//! last-accessed reports with `aws-sdk-iam` ([`fetch`]), or from AWS CLI output
//! ([`import`]), for one account or many ([`accounts`]), and runs single
//! last-accessed jobs for `whittle access-advisor` ([`jobs`]), and applies and
//! rolls back `whittle.plan/v1` plans ([`apply`]).

pub mod accounts;
pub mod apply;
pub mod client;
mod convert;
pub mod describe;
pub mod fetch;
pub mod import;
pub mod jobs;
pub mod redact;
pub mod transport;

pub use client::{ClientOptions, IamClient};
pub use fetch::{Event, FetchOptions};
pub use jobs::{CallError, Granularity, JobOptions};
