//! The HTTP client every AWS call goes through: hyper 1 with rustls (the
//! trust store of `--ca-bundle` added to the native roots), proxies from the
//! environment, a cap on the size of a response body, and connection failures
//! that name the endpoint they could not reach.

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, TlsContext};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use http_body_util::BodyExt;

/// The most bytes one response body may hold. A page of
/// GetAccountAuthorizationDetails is a few MB at most; anything near this is
/// not IAM, and is not buffered whole.
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// The rustls client the SDK would build by default (aws-lc, proxies from
/// `HTTPS_PROXY`/`NO_PROXY`), trusting `trust` (the native roots, plus
/// `--ca-bundle`), whose responses are cut at `max_body` bytes.
pub fn https_client(trust: TlsContext, max_body: u64) -> SharedHttpClient {
    let inner = Builder::new().build_with_connector_fn(move |settings, components| {
        let mut builder = ConnectorBuilder::default()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::AwsLc,
            ))
            .tls_context(trust.clone());
        builder.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            builder.set_sleep_impl(components.sleep_impl());
        }
        builder.set_proxy_config(Some(ProxyConfig::from_env()));
        builder.build()
    });
    SharedHttpClient::new(Capped {
        inner,
        max_body: usize::try_from(max_body).unwrap_or(usize::MAX),
    })
}

/// A response larger than [`MAX_RESPONSE_BYTES`] (or the limit in force).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the endpoint's response is larger than {} (the limit for one call): it was not read further",
    size(*.limit)
)]
pub struct ResponseTooLarge {
    /// The limit, in bytes.
    pub limit: u64,
}

/// A connection that could not be made, or broke: names the endpoint (its
/// scheme, host and port; never its path or query).
#[derive(Debug, thiserror::Error)]
#[error("{endpoint}")]
pub struct Unreachable {
    /// `scheme://host:port`.
    pub endpoint: String,
    #[source]
    source: aws_smithy_runtime_api::box_error::BoxError,
}

/// `bytes` in MiB or bytes, for messages.
fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

/// An HTTP client whose connectors cap response bodies.
#[derive(Debug)]
struct Capped {
    inner: SharedHttpClient,
    max_body: usize,
}

impl HttpClient for Capped {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(CappedConnector {
            inner: self.inner.http_connector(settings, components),
            max_body: self.max_body,
        })
    }

    fn connector_metadata(
        &self,
    ) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct CappedConnector {
    inner: SharedHttpConnector,
    max_body: usize,
}

impl HttpConnector for CappedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let endpoint = origin(request.uri());
        let max_body = self.max_body;
        let response = self.inner.call(request);
        HttpConnectorFuture::new(async move {
            let response = response.await.map_err(|error| naming(error, endpoint))?;
            let limit = max_body as u64;
            let declared = response
                .headers()
                .get("content-length")
                .and_then(|v| v.trim().parse::<u64>().ok());
            if declared.is_some_and(|n| n > limit) {
                // Refused before a byte of the body is read; not retried.
                return Err(ConnectorError::other(
                    Box::new(ResponseTooLarge { limit }),
                    None,
                ));
            }
            Ok(response.map(move |body| {
                let limited = http_body_util::Limited::new(body, max_body).map_err(
                    move |error| -> aws_smithy_runtime_api::box_error::BoxError {
                        if error.is::<http_body_util::LengthLimitError>() {
                            Box::new(ResponseTooLarge { limit })
                        } else {
                            error
                        }
                    },
                );
                SdkBody::from_body_1_x(limited)
            }))
        })
    }
}

/// `error` with the endpoint it concerns, of the same kind (the kind decides
/// whether the SDK retries).
fn naming(error: ConnectorError, endpoint: String) -> ConnectorError {
    let metadata = error.connection_metadata().cloned();
    let (timeout, io, user, other) = (
        error.is_timeout(),
        error.is_io(),
        error.is_user(),
        error.as_other(),
    );
    let source = Box::new(Unreachable {
        endpoint,
        source: error.into_source(),
    });
    let error = if timeout {
        ConnectorError::timeout(source)
    } else if io {
        ConnectorError::io(source)
    } else if user {
        ConnectorError::user(source)
    } else {
        ConnectorError::other(source, other)
    };
    match metadata {
        Some(metadata) => error.with_connection(metadata),
        None => error,
    }
}

/// `scheme://host[:port]` of a request's URI.
fn origin(uri: &str) -> String {
    let (scheme, rest) = uri.split_once("://").unwrap_or(("https", uri));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Credentials in the authority (`user:pass@host`) are never repeated.
    let host = authority.rsplit('@').next().unwrap_or_default();
    format!("{scheme}://{host}")
}

/// Keeps the SDK from reading an oversized response again: a body cut at the
/// limit would otherwise count as a transient error and be retried.
#[derive(Debug, Default)]
pub(crate) struct NoRetryOfOversized;

impl ClassifyRetry for NoRetryOfOversized {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(error)) if find::<ResponseTooLarge>(error).is_some() => {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "whittle::NoRetryOfOversized"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// The first error of type `E` in `error`'s chain of sources.
pub(crate) fn find<'a, E: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a E> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(found) = error.downcast_ref::<E>() {
            return Some(found);
        }
        next = cause(error);
    }
    None
}

/// What caused `error`. An `io::Error` wrapping another error (rustls wraps
/// its own so) gives that error, where `source` would skip it.
pub(crate) fn cause<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a (dyn std::error::Error + 'static)> {
    match error
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::get_ref)
    {
        Some(inner) => Some(inner),
        None => error.source(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_keeps_scheme_host_and_port_only() {
        assert_eq!(
            origin("https://iam.amazonaws.com/?Action=x"),
            "https://iam.amazonaws.com"
        );
        assert_eq!(
            origin("http://user:secret@127.0.0.1:8080/path"),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn limits_are_said_in_mib() {
        assert_eq!(size(MAX_RESPONSE_BYTES), "64 MiB");
        assert_eq!(size(1000), "1000 bytes");
    }
}
