//! What the end-to-end tests share: the local IAM endpoints they run against.

// Also the fetcher crate's wire tests and benchmark use it, hence outside `e2e/`.
#[path = "../../support/fake_iam.rs"]
pub mod fake_iam;
pub mod moto;
