//! `whittle fetch` and `whittle access-advisor` when AWS cannot be reached or
//! answers with something that is not IAM: each failure is said in one line,
//! the way the AWS CLI says it, never as a `Debug` dump of the SDK's errors,
//! and exits 2. The environment has no credentials but those a test gives,
//! empty shared config files and no instance metadata; every endpoint is on
//! 127.0.0.1 (or a host name that fails before any DNS query is sent).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::fetch_wire::endpoint;
use crate::support::fake_iam::{Reply, wire_file};
use crate::support::raw_http::{Behaviour, RawEndpoint};

const DETAILS: &str = "GetAccountAuthorizationDetails";

/// The whittle binary in an empty environment: `dir` as HOME with empty
/// shared config files, instance metadata off, no AWS_* variables.
fn bare(dir: &Path, args: &[&str]) -> Command {
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    for file in [&config, &credentials] {
        if !file.exists() {
            std::fs::write(file, "").unwrap();
        }
    }
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("whittle"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1");
    command
}

/// `bare` with static test credentials.
fn with_keys(dir: &Path, args: &[&str]) -> Command {
    let mut command = bare(dir, args);
    command
        .env("AWS_ACCESS_KEY_ID", "AKIDWHITTLETEST")
        .env("AWS_SECRET_ACCESS_KEY", "not-a-secret");
    command
}

/// Runs a fetch of `url` into `dir/snap.json` with one attempt per call.
fn fetch(dir: &Path, url: &str, credentials: bool) -> Output {
    let out = dir.join("snap.json");
    let args = [
        "fetch",
        "--endpoint-url",
        url,
        "--out",
        out.to_str().unwrap(),
        "--max-attempts",
        "1",
    ];
    let mut command = if credentials {
        with_keys(dir, &args)
    } else {
        bare(dir, &args)
    };
    command.output().unwrap()
}

/// Asserts exit 2 and that `expected` is said on one `error:` line; no line
/// of stderr is a Debug dump. Returns stderr.
fn assert_says(output: &Output, expected: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|line| line.starts_with("error: ") && line.contains(expected)),
        "no error line says {expected:?}:\n{stderr}"
    );
    for dump in [
        "DispatchFailure",
        "ConnectorError",
        "CredentialsNotLoaded",
        "Custom {",
        "Os {",
        "source:",
        "Unhandled",
    ] {
        assert!(!stderr.contains(dump), "a Debug dump ({dump}):\n{stderr}");
    }
    stderr
}

/// A port of 127.0.0.1 that nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn no_credentials_say_unable_to_locate_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let iam = endpoint(|_| {});
    let output = fetch(dir.path(), &iam.url, false);
    let stderr = assert_says(&output, "Unable to locate credentials");
    assert!(stderr.contains("--profile"), "{stderr}");
    // Nothing was sent without credentials.
    assert!(iam.fake.seen().is_empty());
    assert!(!dir.path().join("snap.json").exists());
}

#[test]
fn an_unknown_profile_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config"),
        "[profile known]\nregion = us-east-1\n",
    )
    .unwrap();
    let iam = endpoint(|_| {});
    let output = with_keys(
        dir.path(),
        &[
            "fetch",
            "--out",
            "snap.json",
            "--endpoint-url",
            &iam.url,
            "--profile",
            "nope",
        ],
    )
    .current_dir(dir.path())
    .output()
    .unwrap();
    assert_says(&output, "the config profile (nope) could not be found");
    // Environment credentials are not used in place of the profile asked for.
    assert!(iam.fake.seen().is_empty());

    // AWS_PROFILE is checked the same way.
    let output = with_keys(
        dir.path(),
        &[
            "access-advisor",
            "get",
            "--job-id",
            "x",
            "--endpoint-url",
            &iam.url,
        ],
    )
    .env("AWS_PROFILE", "also-unknown")
    .output()
    .unwrap();
    assert_says(
        &output,
        "the config profile (also-unknown) could not be found",
    );

    // A `default` profile the files lack is the usual case, not an error:
    // the environment's keys are used.
    let iam = endpoint(|fake| {
        fake.always(
            "GenerateServiceLastAccessedDetails",
            Reply::ok("generate-job.xml"),
        );
    });
    let output = with_keys(
        dir.path(),
        &[
            "access-advisor",
            "generate",
            "--arn",
            "arn:aws:iam::123456789012:role/x",
            "--endpoint-url",
            &iam.url,
        ],
    )
    .env("AWS_PROFILE", "default")
    .output()
    .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_refused_connection_names_the_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("https://127.0.0.1:{}", closed_port());
    let output = fetch(dir.path(), &url, true);
    assert_says(
        &output,
        &format!("could not connect to {url}: connection refused"),
    );
}

#[test]
fn a_host_that_does_not_resolve_is_a_dns_failure() {
    // A 64-character label: the resolver refuses it before sending a query.
    let url = format!("http://{}.example", "a".repeat(64));
    let dir = tempfile::tempdir().unwrap();
    let output = fetch(dir.path(), &url, true);
    assert_says(
        &output,
        &format!("could not resolve the host of {url} (DNS)"),
    );
}

#[test]
fn an_endpoint_that_speaks_plain_http_behind_an_https_url_is_a_tls_failure() {
    let iam = endpoint(|_| {});
    let url = iam.url.replacen("http://", "https://", 1);
    let dir = tempfile::tempdir().unwrap();
    let output = fetch(dir.path(), &url, true);
    assert_says(
        &output,
        &format!("TLS handshake with {url} failed: it does not answer in TLS"),
    );
}

#[test]
fn answers_that_are_not_iam_say_what_they_are() {
    for (body, said) in [
        (
            "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>portal</body></html>",
            "the endpoint answered HTTP 200 with an HTML page, not an IAM response",
        ),
        (
            "",
            "the endpoint answered HTTP 200 with an empty body, not an IAM response",
        ),
        (
            "{\"message\": \"hello\"}",
            "the endpoint answered HTTP 200 with a body that is not XML, not an IAM response",
        ),
        (
            "<root><child/></root>",
            "the endpoint answered HTTP 200 with XML that is not an IAM response",
        ),
    ] {
        let iam = endpoint(|fake| {
            fake.always(DETAILS, Reply::body(200, body.to_owned()));
        });
        let dir = tempfile::tempdir().unwrap();
        let output = fetch(dir.path(), &iam.url, true);
        assert_says(&output, said);
    }
    // access-advisor says the same, and exits 2.
    let iam = endpoint(|fake| {
        fake.always(
            "GenerateServiceLastAccessedDetails",
            Reply::body(200, "<html><body>proxy</body></html>".to_owned()),
        );
    });
    let dir = tempfile::tempdir().unwrap();
    let output = with_keys(
        dir.path(),
        &[
            "access-advisor",
            "generate",
            "--arn",
            "arn:aws:iam::123456789012:role/x",
            "--endpoint-url",
            &iam.url,
        ],
    )
    .output()
    .unwrap();
    assert_says(
        &output,
        "GenerateServiceLastAccessedDetails failed: the endpoint answered HTTP 200 with an HTML page",
    );
}

#[test]
fn an_answer_that_trickles_in_ends_at_the_operation_timeout() {
    let endpoint = RawEndpoint::start(Behaviour::Trickle {
        body: wire_file("authorization-details-page2.xml"),
        gap: Duration::from_millis(200),
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let started = Instant::now();
    let output = with_keys(
        dir.path(),
        &[
            "fetch",
            "--endpoint-url",
            &endpoint.url,
            "--out",
            out.to_str().unwrap(),
            "--operation-timeout",
            "1",
            "--max-attempts",
            "2",
        ],
    )
    .output()
    .unwrap();
    // Two attempts of at most a second each, well before the body's end.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_says(&output, "no answer in time");
    assert_says(&output, "(--operation-timeout)");
    assert!(!out.exists());
}

#[test]
fn a_certificate_not_trusted_is_a_tls_failure_and_its_ca_bundle_makes_it_trusted() {
    let endpoint = RawEndpoint::start_tls(Behaviour::Answer {
        body: wire_file("generate-job.xml"),
    });
    let dir = tempfile::tempdir().unwrap();
    let generate = |extra: &[&str]| {
        let mut args = vec![
            "access-advisor",
            "generate",
            "--arn",
            "arn:aws:iam::123456789012:role/x",
            "--endpoint-url",
            &endpoint.url,
            "--max-attempts",
            "1",
        ];
        args.extend_from_slice(extra);
        with_keys(dir.path(), &args).output().unwrap()
    };
    // Signed by a CA the system does not know, nor a bundle of another CA.
    let other_ca = dir.path().join("other-ca.pem");
    // (the server's own certificate, which is no CA).
    std::fs::copy(crate::support::raw_http::tls_file("server.pem"), &other_ca).unwrap();
    for extra in [&[][..], &["--ca-bundle", other_ca.to_str().unwrap()][..]] {
        let stderr = assert_says(
            &generate(extra),
            &format!(
                "TLS handshake with {} failed: invalid peer certificate",
                endpoint.url
            ),
        );
        assert!(stderr.contains("--ca-bundle"), "{stderr}");
    }
    assert_eq!(endpoint.requests(), 0);
    // With the CA that issued it, the same endpoint is trusted.
    let ca = crate::support::raw_http::tls_file("ca.pem");
    let output = generate(&["--ca-bundle", ca.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("examplef-1305-c245-eba4-71fe298bcda7"),
        "{stdout}"
    );
    assert_eq!(endpoint.requests(), 1);
}
