//! Building the IAM client: credentials from the standard chain (environment,
//! profile, SSO, instance metadata) through aws-config, an optional role to
//! assume, endpoint, CA bundle, timeouts and adaptive retries; and counting the
//! HTTP attempts it makes.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_iam::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_iam::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

/// IAM is a global service served from us-east-1 in the aws partition.
const DEFAULT_REGION: &str = "us-east-1";

/// How to reach IAM.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// A named profile of the shared config files.
    pub profile: Option<String>,
    /// The signing region (default: the configured one, else us-east-1).
    pub region: Option<String>,
    /// Another endpoint, e.g. a local IAM-compatible server.
    pub endpoint_url: Option<String>,
    /// Extra certificate authorities to trust (PEM).
    pub ca_bundle: Option<PathBuf>,
    /// Connect timeout.
    pub connect_timeout: Option<Duration>,
    /// Read timeout.
    pub read_timeout: Option<Duration>,
    /// A role to assume first (another account's, say).
    pub assume_role: Option<String>,
    /// Attempts per call, for the SDK's adaptive retry (throttling included).
    pub max_attempts: u32,
    /// The longest pause between two attempts [default: the SDK's, 20 s].
    pub max_backoff: Option<Duration>,
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The CA bundle could not be read.
    #[error("cannot read the CA bundle {path}: {source}")]
    CaBundle {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The TLS settings were rejected.
    #[error("invalid TLS settings: {0}")]
    Tls(String),
}

/// An IAM client and what it was built with.
#[derive(Debug, Clone)]
pub struct IamClient {
    /// The SDK client.
    pub client: aws_sdk_iam::Client,
    /// The signing region.
    pub region: String,
    /// The endpoint, when not AWS's default.
    pub endpoint_url: Option<String>,
    /// HTTP attempts made so far, retries included.
    pub calls: CallCounter,
}

/// Counts HTTP attempts (retries included) per operation; clones share counts.
#[derive(Debug, Clone, Default)]
pub struct CallCounter(Arc<Mutex<BTreeMap<String, u64>>>);

impl CallCounter {
    /// Attempts per operation so far.
    pub fn by_operation(&self) -> BTreeMap<String, u64> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// All attempts so far.
    pub fn total(&self) -> u64 {
        self.by_operation().values().sum()
    }

    fn record(&self, operation: &str) {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *counts.entry(operation.to_owned()).or_default() += 1;
    }
}

/// Counts every HTTP attempt, retries included.
#[derive(Debug)]
struct CountAttempts(CallCounter);

impl Intercept for CountAttempts {
    fn name(&self) -> &'static str {
        "whittle::CountAttempts"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_iam::error::BoxError> {
        let operation = cfg.load::<Metadata>().map_or("unknown", Metadata::name);
        self.0.record(operation);
        Ok(())
    }
}

/// Builds a client from the standard credential chain and `options`.
pub async fn build(options: &ClientOptions) -> Result<IamClient, ClientError> {
    Ok(from_config(&load(options).await?, options))
}

/// Loads the shared configuration: credentials from the standard chain (or the
/// profile), region, CA bundle and, with `assume_role`, the assumed role's
/// credentials.
pub async fn load(options: &ClientOptions) -> Result<aws_config::SdkConfig, ClientError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(path) = &options.ca_bundle {
        let pem = std::fs::read(path).map_err(|source| ClientError::CaBundle {
            path: path.clone(),
            source,
        })?;
        let trust = tls::TrustStore::empty()
            .with_native_roots(true)
            .with_pem_certificate(pem);
        let context = tls::TlsContext::builder()
            .with_trust_store(trust)
            .build()
            .map_err(|e| ClientError::Tls(e.to_string()))?;
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::AwsLc,
            ))
            .tls_context(context)
            .build_https();
        loader = loader.http_client(http);
    }
    let mut shared = loader.load().await;
    if shared.region().is_none() {
        shared = shared
            .into_builder()
            .region(Region::new(DEFAULT_REGION))
            .build();
    }
    Ok(match &options.assume_role {
        Some(role) => assume(&shared, role).await,
        None => shared,
    })
}

/// `shared` with the credentials of `role_arn`, assumed through STS with
/// `shared`'s credentials (lazily: a failure shows on the first call).
pub async fn assume(shared: &aws_config::SdkConfig, role_arn: &str) -> aws_config::SdkConfig {
    let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
        .session_name("whittle")
        .configure(shared)
        .build()
        .await;
    shared
        .clone()
        .into_builder()
        .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(
            provider,
        ))
        .build()
}

/// Builds a client from an already loaded configuration (credentials and
/// region), applying the endpoint, timeouts and retries of `options`.
pub fn from_config(shared: &aws_config::SdkConfig, options: &ClientOptions) -> IamClient {
    let mut timeouts = TimeoutConfig::builder();
    if let Some(t) = options.connect_timeout {
        timeouts = timeouts.connect_timeout(t);
    }
    if let Some(t) = options.read_timeout {
        timeouts = timeouts.read_timeout(t);
    }
    let mut retry = RetryConfig::adaptive().with_max_attempts(options.max_attempts.max(1));
    if let Some(max) = options.max_backoff {
        retry = retry.with_initial_backoff(max / 4).with_max_backoff(max);
    }
    let calls = CallCounter::default();
    let mut config = aws_sdk_iam::config::Builder::from(shared)
        .timeout_config(timeouts.build())
        .retry_config(retry)
        .interceptor(CountAttempts(calls.clone()));
    if let Some(url) = &options.endpoint_url {
        config = config.endpoint_url(url);
    }
    let region = shared
        .region()
        .map_or_else(|| DEFAULT_REGION.to_owned(), |r| r.to_string());
    IamClient {
        client: aws_sdk_iam::Client::from_conf(config.build()),
        region,
        endpoint_url: options.endpoint_url.clone(),
        calls,
    }
}
