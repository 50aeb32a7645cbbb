//! What went wrong with a call, in one line a person can act on, the way the
//! AWS CLI says it: no credentials, a connection refused, a TLS handshake that
//! failed, a host that does not resolve, a timeout, an answer that is not IAM's.
//! Never a `Debug` dump of the SDK's error types.

use std::error::Error;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use crate::transport::{ResponseTooLarge, Unreachable, cause, find};

/// The code recorded for credentials that could not be loaded (none found,
/// a `credential_process` or SSO login that failed): no IAM code applies.
pub const CREDENTIALS_ERROR: &str = "CredentialsError";

/// The code recorded for a response over the size limit.
pub const RESPONSE_TOO_LARGE: &str = "ResponseTooLarge";

/// The code recorded for a job given up at its deadline (`--job-timeout`).
pub const JOB_TIMEOUT: &str = "Timeout";

/// Codes that mean the caller's credentials no longer work (they expired, were
/// revoked or never existed): every later call would fail the same way.
const CREDENTIALS_CODES: &[&str] = &[
    CREDENTIALS_ERROR,
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "TokenRefreshRequired",
    "SignatureDoesNotMatch",
];

/// True for the codes whittle records for failures without an AWS error code
/// (credentials not loaded, a job timeout, an oversized response): their
/// messages say it all, so they are not repeated when printed.
pub fn is_whittle_code(code: &str) -> bool {
    [CREDENTIALS_ERROR, RESPONSE_TOO_LARGE, JOB_TIMEOUT].contains(&code)
}

/// True for an error code saying that the credentials do not work.
pub fn is_credentials_failure(code: Option<&str>) -> bool {
    code.is_some_and(|code| CREDENTIALS_CODES.contains(&code))
}

/// The error code and the one-line message for a failed call of `operation`.
pub(crate) fn describe<E>(
    operation: &str,
    error: &SdkError<E, HttpResponse>,
) -> (Option<String>, String)
where
    E: ProvideErrorMetadata + Error + 'static,
{
    let (code, message) = describe_lines(operation, error);
    (code.map(|c| one_line(&c)), one_line(&message))
}

/// `text` on one line: what outside programs say (an endpoint's message, a
/// `credential_process`'s stderr) may span several, or hold control characters.
pub(crate) fn one_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { '\n' } else { c })
        .collect();
    let parts: Vec<&str> = spaced
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    parts.join(" ")
}

fn describe_lines<E>(operation: &str, error: &SdkError<E, HttpResponse>) -> (Option<String>, String)
where
    E: ProvideErrorMetadata + Error + 'static,
{
    let code = error.code().map(str::to_owned);
    if let SdkError::ServiceError(service) = error {
        return match (error.message(), code) {
            (Some(message), code) => (code, message.to_owned()),
            (None, Some(code)) => {
                let status = service.raw().status().as_u16();
                (Some(code.clone()), format!("HTTP {status}: {code}"))
            }
            (None, None) => (None, not_iam(operation, service.raw())),
        };
    }
    if let Some(too_large) = find::<ResponseTooLarge>(error) {
        return (Some(RESPONSE_TOO_LARGE.to_owned()), too_large.to_string());
    }
    if let Some(credentials) = find::<CredentialsError>(error) {
        return (
            Some(CREDENTIALS_ERROR.to_owned()),
            self::credentials(credentials),
        );
    }
    if let SdkError::ResponseError(response) = error {
        return (None, not_iam(operation, response.raw()));
    }
    if let SdkError::TimeoutError(_) = error {
        let what = error.source().map_or_else(String::new, chain);
        return (
            None,
            format!("no answer in time: {what} (--operation-timeout)"),
        );
    }
    if let Some(unreachable) = find::<Unreachable>(error) {
        return (None, connection(unreachable));
    }
    (None, chain(error))
}

/// An answer that is not an IAM response: what it was instead.
fn not_iam(operation: &str, response: &HttpResponse) -> String {
    let status = response.status().as_u16();
    let body = response.body().bytes().map(trimmed);
    let what = match body {
        None => "a body that could not be read",
        Some([]) => "an empty body",
        Some(b) if is_html(b) => "an HTML page",
        Some([b'<', ..]) => "XML that is not an IAM response",
        Some(_) => "a body that is not XML",
    };
    let hint = if status >= 400 {
        format!(": it may not implement {operation}")
    } else {
        String::new()
    };
    format!("the endpoint answered HTTP {status} with {what}, not an IAM response{hint}")
}

fn trimmed(body: &[u8]) -> &[u8] {
    let body = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body);
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    start.map_or(&[], |start| &body[start..])
}

fn is_html(body: &[u8]) -> bool {
    let head: Vec<u8> = body.iter().take(64).map(u8::to_ascii_lowercase).collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

/// Why credentials could not be had.
fn credentials(error: &CredentialsError) -> String {
    match error {
        CredentialsError::CredentialsNotLoaded(_) => "Unable to locate credentials: set \
            AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, name a profile with --profile or \
            AWS_PROFILE, or configure one with `aws configure` or `aws sso login`"
            .to_owned(),
        CredentialsError::ProviderTimedOut(_) => format!("loading credentials: {error}"),
        _ => format!(
            "the credentials could not be loaded: {}",
            error.source().map_or_else(|| error.to_string(), chain)
        ),
    }
}

/// A connection that could not be made or broke, with its endpoint.
fn connection(unreachable: &Unreachable) -> String {
    let endpoint = &unreachable.endpoint;
    let cause = unreachable.source();
    if let Some(tls) = cause.and_then(find::<rustls::Error>) {
        return match tls {
            rustls::Error::InvalidMessage(_) => format!(
                "TLS handshake with {endpoint} failed: it does not answer in TLS (is it an http:// endpoint?)"
            ),
            rustls::Error::InvalidCertificate(_) => format!(
                "TLS handshake with {endpoint} failed: {tls}; if it is yours, give its certificate authority with --ca-bundle"
            ),
            _ => format!("TLS handshake with {endpoint} failed: {tls}"),
        };
    }
    let text = cause.map_or_else(String::new, chain);
    if let Some(io) = cause.and_then(find::<std::io::Error>) {
        use std::io::ErrorKind::*;
        match io.kind() {
            ConnectionRefused => {
                return format!("could not connect to {endpoint}: connection refused");
            }
            ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
                return format!("the connection to {endpoint} broke: {text}");
            }
            _ => {}
        }
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("dns error") {
        return format!("could not resolve the host of {endpoint} (DNS): {text}");
    }
    if lower.contains("invalid dns name") {
        return format!("{endpoint}: the host is not a valid DNS name");
    }
    if lower.contains("connect timeout") {
        return format!("could not connect to {endpoint} in time (--connect-timeout)");
    }
    if lower.contains("timeout") {
        return format!("{endpoint} stopped sending: {text} (--read-timeout)");
    }
    format!("could not reach {endpoint}: {text}")
}

/// The messages of `error` and its sources, joined with ": ", skipping the
/// SDK's wrappers that say nothing ("dispatch failure", "io error", "other").
pub(crate) fn chain(error: &(dyn Error + 'static)) -> String {
    const SILENT: &[&str] = &[
        "dispatch failure",
        "io error",
        "other",
        "user error",
        "timeout",
        "request has timed out",
        "response error",
        "service error",
        "construction failure",
        "client error (Connect)",
        "tcp connect error",
        "an error occurred while loading credentials",
    ];
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(error) = next {
        let text = error.to_string();
        if !text.is_empty()
            && !SILENT.contains(&text.as_str())
            && parts.last().is_none_or(|last| !last.contains(&text))
        {
            parts.push(text);
        }
        next = cause(error);
    }
    if parts.is_empty() {
        return error.to_string();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_that_are_not_iam_are_named() {
        assert!(is_html(trimmed(b"\n  <!DOCTYPE html><html>")));
        assert!(is_html(b"<HTML><body>"));
        assert!(!is_html(b"<?xml version=\"1.0\"?><ErrorResponse>"));
        assert_eq!(trimmed(b" \r\n"), b"");
    }

    #[test]
    fn messages_are_one_line() {
        assert_eq!(
            one_line("Stderr: session expired\n\r\n  again\u{1b}[31m"),
            "Stderr: session expired again [31m"
        );
    }

    #[test]
    fn chains_skip_the_sdk_s_empty_wrappers() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        #[derive(Debug, thiserror::Error)]
        #[error("io error")]
        struct Wrapper(#[source] std::io::Error);
        assert_eq!(chain(&Wrapper(io)), "refused");
    }
}
