//! Building the IAM client: credentials from the standard chain (environment,
//! profile, SSO, instance metadata) through aws-config, an optional role to
//! assume, endpoint, CA bundle, timeouts (connect, read, whole operation),
//! adaptive retries and the [`transport`] that caps response
//! sizes; counting the HTTP attempts it makes, and remembering the secrets it
//! signs with so that [`redact`] removes them from any text.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::{
    ProvideCredentials, SharedCredentialsProvider, future as credentials_future,
};
use aws_sdk_iam::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_iam::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

use crate::redact;
use crate::transport::{self, MAX_RESPONSE_BYTES};

/// IAM is a global service served from us-east-1 in the aws partition.
const DEFAULT_REGION: &str = "us-east-1";

/// The longest one API call may take, its retries included, unless told
/// otherwise: a response that trickles in a few bytes a second passes the
/// SDK's minimum-throughput check and would otherwise never end.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

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
    /// The longest one call may take, retries included [default:
    /// [`DEFAULT_OPERATION_TIMEOUT`]].
    pub operation_timeout: Option<Duration>,
    /// The most bytes one response may hold [default: [`MAX_RESPONSE_BYTES`]].
    pub max_response_bytes: Option<u64>,
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
    /// The profile asked for is in neither shared file.
    #[error(
        "the config profile ({0}) could not be found in the shared config files \
         (~/.aws/config and ~/.aws/credentials, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE)"
    )]
    UnknownProfile(String),
    /// The shared config files could not be read or parsed.
    #[error("cannot read the shared config files: {0}")]
    ProfileFiles(String),
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
/// profile, which must exist), region, the HTTP client (CA bundle, response
/// cap), timeouts and, with `assume_role`, the assumed role's credentials.
pub async fn load(options: &ClientOptions) -> Result<aws_config::SdkConfig, ClientError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = selected_profile(options).await? {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    let mut trust = tls::TrustStore::empty().with_native_roots(true);
    if let Some(path) = &options.ca_bundle {
        let pem = whittle_model::limits::SETTINGS
            .read(path)
            .map_err(|source| ClientError::CaBundle {
                path: path.clone(),
                source,
            })?;
        trust = trust.with_pem_certificate(pem);
    }
    let context = tls::TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|e| ClientError::Tls(e.to_string()))?;
    loader = loader
        .http_client(transport::https_client(
            context,
            max_response_bytes(options),
        ))
        .timeout_config(timeouts(options));
    let mut shared = loader.load().await;
    if shared.region().is_none() {
        shared = shared
            .into_builder()
            .region(Region::new(DEFAULT_REGION))
            .build();
    }
    let shared = remembering(shared);
    Ok(match &options.assume_role {
        Some(role) => assume(&shared, role).await,
        None => shared,
    })
}

/// The profile named by `--profile` or `AWS_PROFILE`, after checking that the
/// shared files define it: aws-config would silently look elsewhere (and a
/// fetch would then say only that it found no credentials).
async fn selected_profile(options: &ClientOptions) -> Result<Option<String>, ClientError> {
    let named = options
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    // A missing `default` is the usual case (credentials in the environment).
    let Some(name) = named.filter(|name| name != "default") else {
        return Ok(options.profile.clone());
    };
    let profiles = aws_config::profile::load(
        &aws_types::os_shim_internal::Fs::real(),
        &aws_types::os_shim_internal::Env::real(),
        // The standard files (~/.aws/config, ~/.aws/credentials or their variables).
        &Default::default(),
        Some(name.clone().into()),
    )
    .await
    .map_err(|e| ClientError::ProfileFiles(crate::describe::chain(&e)))?;
    match profiles.get_profile(&name) {
        Some(_) => Ok(Some(name)),
        None => Err(ClientError::UnknownProfile(name)),
    }
}

fn max_response_bytes(options: &ClientOptions) -> u64 {
    options.max_response_bytes.unwrap_or(MAX_RESPONSE_BYTES)
}

fn timeouts(options: &ClientOptions) -> TimeoutConfig {
    let mut timeouts = TimeoutConfig::builder().operation_timeout(
        options
            .operation_timeout
            .unwrap_or(DEFAULT_OPERATION_TIMEOUT),
    );
    if let Some(t) = options.connect_timeout {
        timeouts = timeouts.connect_timeout(t);
    }
    if let Some(t) = options.read_timeout {
        timeouts = timeouts.read_timeout(t);
    }
    timeouts.build()
}

/// `shared` whose credentials, each time they are loaded, are remembered for
/// [`redact`]: an endpoint that echoes them back never gets them printed.
fn remembering(shared: aws_config::SdkConfig) -> aws_config::SdkConfig {
    match shared.credentials_provider() {
        Some(provider) => shared
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(Remembering(provider)))
            .build(),
        None => shared,
    }
}

/// A credentials provider that remembers what it provides.
#[derive(Debug)]
struct Remembering(SharedCredentialsProvider);

impl ProvideCredentials for Remembering {
    fn provide_credentials<'a>(&'a self) -> credentials_future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        credentials_future::ProvideCredentials::new(async move {
            let credentials = self.0.provide_credentials().await?;
            redact::remember(credentials.access_key_id());
            redact::remember(credentials.secret_access_key());
            if let Some(token) = credentials.session_token() {
                redact::remember(token);
            }
            Ok(credentials)
        })
    }

    fn fallback_on_interrupt(&self) -> Option<aws_credential_types::Credentials> {
        self.0.fallback_on_interrupt()
    }
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
        .credentials_provider(SharedCredentialsProvider::new(Remembering(
            SharedCredentialsProvider::new(provider),
        )))
        .build()
}

/// Builds a client from an already loaded configuration (credentials and
/// region), applying the endpoint, timeouts and retries of `options`. The
/// HTTP client is `shared`'s ([`load`]'s caps responses), else one that caps
/// them at `max_response_bytes`.
pub fn from_config(shared: &aws_config::SdkConfig, options: &ClientOptions) -> IamClient {
    let mut retry = RetryConfig::adaptive().with_max_attempts(options.max_attempts.max(1));
    if let Some(max) = options.max_backoff {
        retry = retry.with_initial_backoff(max / 4).with_max_backoff(max);
    }
    let calls = CallCounter::default();
    let http = shared.http_client().unwrap_or_else(|| {
        transport::https_client(tls::TlsContext::default(), max_response_bytes(options))
    });
    let mut config = aws_sdk_iam::config::Builder::from(shared)
        .http_client(http)
        .timeout_config(timeouts(options))
        .retry_config(retry)
        .retry_classifier(transport::NoRetryOfOversized)
        .interceptor(CountAttempts(calls.clone()))
        .interceptor(RememberSignatures);
    if let Some(provider) = shared.credentials_provider() {
        config = config.credentials_provider(Remembering(provider));
    }
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

/// Remembers each request's signature for [`redact`], once it is signed.
#[derive(Debug)]
struct RememberSignatures;

impl Intercept for RememberSignatures {
    fn name(&self) -> &'static str {
        "whittle::RememberSignatures"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_iam::error::BoxError> {
        let authorization = context.request().headers().get("authorization");
        if let Some(signature) = authorization.and_then(|a| a.split("Signature=").nth(1)) {
            redact::remember_signature(signature.trim());
        }
        if let Some(token) = context.request().headers().get("x-amz-security-token") {
            redact::remember(token);
        }
        Ok(())
    }
}
