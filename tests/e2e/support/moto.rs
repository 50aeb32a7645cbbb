//! A real moto server (a local IAM-compatible endpoint) on 127.0.0.1 for the
//! end-to-end fetch tests, started on a free port and killed when dropped.
//!
//! `moto_server` is found through `WHITTLE_MOTO_SERVER` (set by `scripts/test`),
//! else in `target/moto-venv`, where `scripts/install-moto` puts it.

#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long moto may take to start accepting connections.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// How often to check whether it does.
const POLL: Duration = Duration::from_millis(100);

/// A running `moto_server`; dropping it kills the server.
pub struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    /// Starts moto on a free port of 127.0.0.1 and waits until it accepts
    /// connections. Panics when moto cannot be found or does not come up.
    pub fn start() -> Self {
        let server = server_path();
        let port = free_port();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            // AWS managed policies would add ~1,000 policies to every listing.
            .env_remove("MOTO_IAM_LOAD_MANAGED_POLICIES")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
        // Owned from here on, so that a panic below still kills the server.
        let mut moto = Self { child, port };
        moto.wait_until_ready();
        moto
    }

    /// The endpoint URL, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_until_ready(&mut self) {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if TcpStream::connect_timeout(&address, POLL).is_ok() {
                return;
            }
            if let Some(status) = self.child.try_wait().expect("moto_server can be waited on") {
                panic!("moto_server exited before accepting connections ({status})");
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not accept connections on {address} within {STARTUP_TIMEOUT:?}"
            );
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `WHITTLE_MOTO_SERVER`, else `<workspace>/target/moto-venv/bin/moto_server`.
fn server_path() -> PathBuf {
    if let Some(path) = std::env::var_os("WHITTLE_MOTO_SERVER").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let installed =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/moto-venv/bin/moto_server");
    assert!(
        installed.exists(),
        "moto_server not found: run scripts/test (or scripts/install-moto)"
    );
    installed
}

/// A port of 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("can bind 127.0.0.1:0");
    listener
        .local_addr()
        .expect("a bound socket has an address")
        .port()
}

/// The AWS CLI (`aws`) that `scripts/install-moto` installs beside
/// `moto_server`. Panics with what to run when it is missing: the tests of the
/// shell form of plans must not pass without running it.
pub fn aws_cli() -> PathBuf {
    let aws = server_path().with_file_name("aws");
    assert!(
        aws.exists(),
        "the AWS CLI is not installed at {}: run scripts/install-moto (it installs awscli beside moto_server)",
        aws.display()
    );
    aws
}

/// An IAM client of the test's own for `endpoint` (moto), to seed an account
/// and read it back.
pub fn iam_client(endpoint: &str) -> aws_sdk_iam::Client {
    use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_iam::Client::from_conf(config)
}

/// The call's result; panics with the whole error chain when it failed.
pub fn check<T, E: std::error::Error>(call: &str, result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{call}: {}", aws_sdk_iam::error::DisplayErrorContext(&e)))
}
