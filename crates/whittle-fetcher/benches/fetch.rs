//! Fetches an account of 1,000 roles from a fake IAM endpoint on 127.0.0.1
//! (`tests/support/fake_iam.rs`) that answers every call after 50 ms, at several
//! concurrency bounds, and shows that the bound is used: wall time ≈ calls ×
//! latency ÷ concurrency.
//!
//! The account is one generated page of GetAccountAuthorizationDetails; each
//! role's last-accessed job is GenerateServiceLastAccessedDetails then one
//! GetServiceLastAccessedDetails that is already COMPLETED, so a fetch makes
//! 1 + 2 × 1,000 calls. Before measuring, one fetch per bound prints its
//! figures, e.g.
//!
//! ```text
//! 1000 principals, concurrency 32: 2001 API calls in 3.40 s; calls × 50 ms ÷ 32 = 3.13 s (ratio 1.089); floor 3.25 s (ratio 1.048)
//! ```
//!
//! The first ratio cannot quite reach 1: the details call runs alone and a
//! job's two calls run one after the other, so the floor is 50 ms + ⌈1,000 ÷ c⌉
//! × 100 ms. What remains above the floor is a steady ~2 ms a call (the fake's
//! 1 ms timer ticks, loopback HTTP and the SDK), the same at every bound.
//!
//! Criterion then times whole fetches, one per sample, 10 samples per bound
//! (about three and a half minutes in all; its warning that 10 samples do not
//! fit the target time is expected).
//!
//! Run with `cargo bench -p whittle-fetcher --bench fetch`.

// criterion_group! and criterion_main! define undocumented public items.
#![allow(missing_docs)]

#[path = "../../../tests/support/fake_iam.rs"]
mod fake_iam;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_iam::config::{Credentials, SharedCredentialsProvider};
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use fake_iam::{FakeIam, Reply};
use tokio::runtime::Runtime;
use whittle_fetcher::client::{ClientOptions, IamClient, from_config};
use whittle_fetcher::fetch::{FetchOptions, fetch};
use whittle_fetcher::jobs::JobOptions;
use whittle_model::{Snapshot, Tool};

/// Roles in the account, each a principal with one job.
const PRINCIPALS: usize = 1_000;
/// The latency injected into every reply.
const LATENCY: Duration = Duration::from_millis(50);
/// The concurrency bounds measured.
const CONCURRENCY: [usize; 3] = [8, 32, 64];
/// Calls a job makes, one after the other: generate, then get.
const CALLS_PER_JOB: usize = 2;

const DETAILS: &str = "GetAccountAuthorizationDetails";
const GENERATE: &str = "GenerateServiceLastAccessedDetails";
const GET: &str = "GetServiceLastAccessedDetails";

/// One page of GetAccountAuthorizationDetails with `roles` roles, in IAM's XML
/// (the shape of `testdata/wire/authorization-details-page2.xml`).
fn authorization_details(roles: usize) -> String {
    // {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}
    const TRUST: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
    let mut xml = String::from(
        "<GetAccountAuthorizationDetailsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n  \
         <GetAccountAuthorizationDetailsResult>\n    \
         <IsTruncated>false</IsTruncated>\n    \
         <RoleDetailList>\n",
    );
    for i in 0..roles {
        write!(
            xml,
            "      <member>\n        \
             <Path>/</Path>\n        \
             <RoleName>role-{i}</RoleName>\n        \
             <RoleId>AROAEXAMPLE{i:010}</RoleId>\n        \
             <Arn>arn:aws:iam::123456789012:role/role-{i}</Arn>\n        \
             <CreateDate>2024-01-15T10:00:00Z</CreateDate>\n        \
             <AssumeRolePolicyDocument>{TRUST}</AssumeRolePolicyDocument>\n        \
             <InstanceProfileList/>\n        \
             <RolePolicyList/>\n        \
             <AttachedManagedPolicies/>\n        \
             <Tags/>\n        \
             <RoleLastUsed/>\n      \
             </member>\n"
        )
        .expect("writing to a String cannot fail");
    }
    xml.push_str(
        "    </RoleDetailList>\n    \
         <Policies/>\n  \
         </GetAccountAuthorizationDetailsResult>\n  \
         <ResponseMetadata>\n    \
         <RequestId>5f0a2c1e-7b3d-4e9a-8c61-0d2e4f6a8b11</RequestId>\n  \
         </ResponseMetadata>\n\
         </GetAccountAuthorizationDetailsResponse>\n",
    );
    xml
}

/// The fake account: every reply after `LATENCY`.
fn account() -> FakeIam {
    let fake = FakeIam::default();
    fake.always(
        DETAILS,
        Reply::body(200, authorization_details(PRINCIPALS)).delayed(LATENCY),
    )
    .always(GENERATE, Reply::ok("generate-job.xml").delayed(LATENCY))
    .always(GET, Reply::ok("get-page2.xml").delayed(LATENCY));
    fake
}

/// A fresh client (its own call counter) for the fake at `endpoint`.
fn client(endpoint: &str) -> IamClient {
    let shared = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDWHITTLEBENCH",
            "not-a-secret",
            None,
            None,
            "bench",
        )))
        .build();
    from_config(
        &shared,
        &ClientOptions {
            endpoint_url: Some(endpoint.to_owned()),
            max_attempts: 3,
            ..ClientOptions::default()
        },
    )
}

fn options(concurrency: usize) -> FetchOptions {
    FetchOptions {
        principals: Vec::new(),
        path_prefix: None,
        include_managed_policies: false,
        concurrency,
        jobs: JobOptions {
            poll_initial: Duration::from_millis(10),
            ..JobOptions::default()
        },
        reuse: Vec::new(),
        checkpoint: None,
        checkpoint_interval: Duration::ZERO,
        tool: Tool {
            name: "whittle".into(),
            version: "bench".into(),
            catalog: None,
        },
        budget: None,
    }
}

/// One fetch with a fresh client, and how long it took.
fn run(rt: &Runtime, endpoint: &str, concurrency: usize) -> (Snapshot, Duration) {
    let iam = client(endpoint);
    let options = options(concurrency);
    rt.block_on(async {
        let started = Instant::now();
        let snapshot = fetch(&iam, &options, &|_| {}).await;
        (snapshot, started.elapsed())
    })
}

/// The least wall time any scheduling allows: the details call alone, then
/// the jobs in waves of `concurrency`, each job's calls one after the other.
fn floor(concurrency: usize) -> Duration {
    LATENCY * (1 + PRINCIPALS.div_ceil(concurrency) * CALLS_PER_JOB) as u32
}

/// True when criterion measures (not under `--test`, `--list` or `--profile-time`),
/// so that the figures are not printed for nothing.
fn measuring() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench")
        && !args
            .iter()
            .any(|a| a == "--test" || a == "--list" || a.starts_with("--profile-time"))
}

/// Prints one fetch's figures: calls, wall time and how close it comes to
/// calls × latency ÷ concurrency.
fn report(rt: &Runtime, endpoint: &str, concurrency: usize) {
    let (snapshot, wall) = run(rt, endpoint, concurrency);
    let stats = &snapshot.stats;
    assert!(snapshot.errors.is_empty(), "{:?}", snapshot.errors);
    assert_eq!(snapshot.reports.len(), PRINCIPALS);
    assert_eq!(
        stats.api_calls as usize,
        1 + PRINCIPALS * CALLS_PER_JOB,
        "{:?}",
        stats.calls_by_operation
    );
    let bound = LATENCY.mul_f64(stats.api_calls as f64 / concurrency as f64);
    let floor = floor(concurrency);
    println!(
        "{PRINCIPALS} principals, concurrency {concurrency}: {} API calls in {:.2} s; \
         calls × {} ms ÷ {concurrency} = {:.2} s (ratio {:.3}); \
         floor {:.2} s (ratio {:.3})",
        stats.api_calls,
        wall.as_secs_f64(),
        LATENCY.as_millis(),
        bound.as_secs_f64(),
        wall.as_secs_f64() / bound.as_secs_f64(),
        floor.as_secs_f64(),
        wall.as_secs_f64() / floor.as_secs_f64(),
    );
    let per_operation: Vec<String> = stats
        .calls_by_operation
        .iter()
        .map(|(operation, n)| format!("{operation} {n}"))
        .collect();
    println!(
        "    {:.3} calls per principal ({}); snapshot wall_time_ms {}",
        stats.api_calls as f64 / PRINCIPALS as f64,
        per_operation.join(", "),
        stats.wall_time_ms,
    );
}

fn fetch_account(c: &mut Criterion) {
    let rt = Runtime::new().expect("a tokio runtime");
    let fake = account();
    let server = rt.block_on(fake.start());
    let endpoint = server.uri();

    if measuring() {
        for concurrency in CONCURRENCY {
            report(&rt, &endpoint, concurrency);
        }
    }

    let mut group = c.benchmark_group(format!(
        "fetch {PRINCIPALS} principals, {} ms a call",
        LATENCY.as_millis()
    ));
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .throughput(Throughput::Elements(PRINCIPALS as u64));
    for concurrency in CONCURRENCY {
        // One fetch per sample: a target of ten floors never asks for two.
        group.measurement_time(floor(concurrency) * 10);
        group.bench_with_input(
            BenchmarkId::new("concurrency", concurrency),
            &concurrency,
            |b, &concurrency| {
                b.iter_custom(|iters| (0..iters).map(|_| run(&rt, &endpoint, concurrency).1).sum());
            },
        );
    }
    group.finish();
}

criterion_group!(benches, fetch_account);
criterion_main!(benches);
