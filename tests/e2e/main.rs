//! End-to-end tests: the real `whittle` binary on real files in `testdata/`,
//! against a fake IAM endpoint that answers with IAM's recorded XML and
//! against a real moto server.
//!
//! One test binary with a module per area, so that the AWS SDK and the rest of
//! the test dependencies are compiled into and linked once, not once per file.

mod apply;
mod bad_inputs;
mod cli;
mod fetch_errors;
mod fetch_moto;
mod fetch_wire;
mod iac;
mod lint_config;
mod recommend_cli;
mod recommend_plan;
mod recommend_source;
mod secrets;
mod shell_moto;
mod support;
