//! `whittle catalog expand|update|info`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, bail};
use whittle_policy::catalog::service_reference::{self, IndexEntry, ParsedService};
use whittle_policy::catalog::{CatalogFile, CatalogSource, FORMAT, ServiceRecord};
use whittle_policy::{ActionSet, Expander};

use crate::{cache, exit, output};

/// AWS's service reference index.
pub const SERVICE_REFERENCE_URL: &str = "https://servicereference.us-east-1.amazonaws.com/";

/// Service documents downloaded at once.
const DOWNLOAD_WORKERS: usize = 8;

/// Prints the actions matching `patterns` (or, with `complement`, the others).
/// Exits 1 when a pattern matches no action.
pub fn expand(patterns: &[String], complement: bool, count: bool) -> anyhow::Result<u8> {
    let catalog = cache::load_catalog();
    let expander = Expander::new(&catalog);
    let mut code = exit::OK;
    let mut set = ActionSet::empty(catalog.len());
    for pattern in patterns {
        let matched = expander.expand(pattern);
        if matched.is_empty() {
            eprintln!("warning: \"{pattern}\" matches no action");
            code = exit::FINDINGS;
        }
        set.union_with(&matched);
    }
    if complement {
        set = set.complement();
    }
    let text = if count {
        whittle_reporter::action_count(&set)
    } else {
        whittle_reporter::action_names(&catalog, &set)
    };
    output::write(None, &text)?;
    Ok(code)
}

/// Prints the catalog's sources, size and cache location.
pub fn info() -> anyhow::Result<u8> {
    let catalog = cache::load_catalog();
    let path = cache::catalog_path()?;
    let cache = whittle_reporter::CatalogCache {
        path: &path,
        exists: path.exists(),
    };
    let text =
        whittle_reporter::catalog_info(&whittle_reporter::CatalogSummary::of(&catalog), &cache);
    output::write(None, &text)?;
    Ok(exit::OK)
}

/// Downloads the service reference from `source` (an https URL or a directory
/// holding a copy laid out like the URLs) into the user cache. An update that
/// would take most of a service's actions away from the catalog in use is
/// refused unless `allow_loss`.
pub fn update(source: &str, allow_loss: bool) -> anyhow::Result<u8> {
    let fetcher = Fetcher::new(source)?;
    let index_bytes = fetcher
        .get(source)
        .context("cannot read the service reference index")?;
    let index = service_reference::parse_index(&index_bytes)
        .with_context(|| format!("{source}: not a service reference index"))?;
    if index.is_empty() {
        bail!("{source}: the service reference index lists no service");
    }
    for entry in &index {
        fetcher
            .check(&entry.url)
            .with_context(|| format!("{source}: the index lists {}", entry.url))?;
    }
    eprintln!("fetching {} services from {source}", index.len());
    let (services, failures) = fetch_services(&fetcher, &index);
    for (entry, error) in &failures {
        eprintln!("error: {}: {error:#}", entry.url);
    }
    if services.is_empty() {
        bail!("no service document could be read");
    }
    let version = services
        .iter()
        .filter_map(|s| s.version.clone())
        .max()
        .unwrap_or_else(|| "unversioned".to_owned());
    let actions: usize = services.iter().map(|s| s.record.actions.len()).sum();
    let mut records: Vec<_> = services.into_iter().map(|s| s.record).collect();
    records.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    let losses = losses(&cache::load_catalog(), &records);
    if !losses.is_empty() && !allow_loss {
        for loss in &losses {
            eprintln!("error: {loss}");
        }
        bail!(
            "the update would take most of the actions of {} service{} away from the catalog in use; nothing was written (--allow-loss to write it anyway)",
            losses.len(),
            if losses.len() == 1 { "" } else { "s" }
        );
    }
    let file = CatalogFile {
        format: FORMAT,
        source: CatalogSource {
            name: "AWS service reference".to_owned(),
            version,
            date: jiff::Timestamp::now().strftime("%Y-%m-%d").to_string(),
            license: None,
        },
        services: records,
    };
    let path = cache::catalog_path()?;
    let json = serde_json::to_vec(&file).context("cannot serialise the catalog")?;
    output::write_atomically(&path, &json)?;
    eprint!(
        "{}",
        whittle_reporter::catalog_update_summary(&whittle_reporter::CatalogUpdate {
            services: file.services.len(),
            actions,
            path: &path,
            unreadable: failures.len(),
        })
    );
    Ok(if failures.is_empty() {
        exit::OK
    } else {
        exit::ERROR
    })
}

/// The services of `current` that `update` would replace by a record with
/// fewer than half their actions (an empty document, a truncated one).
fn losses(current: &whittle_policy::Catalog, update: &[ServiceRecord]) -> Vec<String> {
    update
        .iter()
        .filter_map(|record| {
            let service = current.service(&record.prefix)?;
            let before = current.service_actions(service).len();
            let after = record.actions.len();
            (after * 2 < before).then(|| {
                format!(
                    "{}: {after} action{} where the catalog in use has {before}",
                    record.prefix,
                    if after == 1 { "" } else { "s" }
                )
            })
        })
        .collect()
}

type Failure<'a> = (&'a IndexEntry, anyhow::Error);

fn fetch_services<'a>(
    fetcher: &Fetcher,
    index: &'a [IndexEntry],
) -> (Vec<ParsedService>, Vec<Failure<'a>>) {
    let next = Mutex::new(index.iter());
    let results = Mutex::new((Vec::new(), Vec::new()));
    std::thread::scope(|scope| {
        for _ in 0..DOWNLOAD_WORKERS.min(index.len()) {
            scope.spawn(|| {
                loop {
                    let Some(entry) = next.lock().unwrap_or_else(|e| e.into_inner()).next() else {
                        break;
                    };
                    let parsed = fetcher.get(&entry.url).and_then(|bytes| {
                        service_reference::parse_service(&bytes)
                            .context("not a service reference document")
                    });
                    let mut results = results.lock().unwrap_or_else(|e| e.into_inner());
                    match parsed {
                        Ok(service) => results.0.push(service),
                        Err(error) => results.1.push((entry, error)),
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Reads documents over HTTP(S), or from a local copy of the service reference.
enum Fetcher {
    Http(ureq::Agent),
    /// A directory: URLs are mapped onto it by their path (`/v1/s3/s3.json`), and
    /// the index itself is `index.json`.
    Directory(PathBuf),
}

impl Fetcher {
    fn new(source: &str) -> anyhow::Result<Self> {
        if source.contains("://") {
            check_url(source)?;
            let agent = ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(60)))
                .user_agent(concat!("whittle/", env!("CARGO_PKG_VERSION")))
                // Redirects to http:// are refused too.
                .https_only(source.starts_with("https://"))
                .build()
                .into();
            Ok(Fetcher::Http(agent))
        } else {
            Ok(Fetcher::Directory(PathBuf::from(source)))
        }
    }

    /// Whether `url`, listed by the index, may be read: an https URL (http
    /// only to a loopback address); for a directory copy, a path that stays
    /// inside it.
    fn check(&self, url: &str) -> anyhow::Result<()> {
        match self {
            Fetcher::Http(_) => check_url(url),
            Fetcher::Directory(_) => {
                let path = url
                    .split_once("://")
                    .map_or(url, |(_, rest)| rest.split_once('/').map_or("", |(_, p)| p));
                if Path::new(path)
                    .components()
                    .any(|c| !matches!(c, std::path::Component::Normal(_)))
                {
                    bail!("a path out of the directory copy");
                }
                Ok(())
            }
        }
    }

    fn get(&self, url: &str) -> anyhow::Result<Vec<u8>> {
        match self {
            Fetcher::Http(agent) => {
                let mut response = agent
                    .get(url)
                    .call()
                    .with_context(|| format!("GET {url}"))?;
                response
                    .body_mut()
                    .with_config()
                    .limit(whittle_model::limits::CATALOG.bytes)
                    .read_to_vec()
                    .with_context(|| format!("GET {url}: cannot read the body"))
            }
            Fetcher::Directory(dir) => {
                let path = local_path(dir, url);
                whittle_model::limits::CATALOG
                    .read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))
            }
        }
    }
}

/// Refuses a URL that is not https, but for http to a loopback address (a
/// local mirror, tests).
fn check_url(url: &str) -> anyhow::Result<()> {
    if url.starts_with("https://") {
        return Ok(());
    }
    if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let host = if host.starts_with('[') {
            host.split(']').next().map(|h| &h[1..]).unwrap_or("")
        } else {
            host.split(':').next().unwrap_or("")
        };
        let loopback = host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if loopback {
            return Ok(());
        }
    }
    bail!(
        "not an https:// URL: whittle reads the service reference over HTTPS only (http:// only from a loopback address)"
    )
}

/// Maps a service reference URL onto a directory copy of it.
fn local_path(dir: &Path, url: &str) -> PathBuf {
    if Path::new(url) == dir {
        return dir.join("index.json");
    }
    let path = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest.split_once('/').map_or("", |(_, p)| p));
    if path.is_empty() {
        dir.join("index.json")
    } else {
        dir.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_map_onto_a_directory_copy() {
        let dir = Path::new("/copy");
        assert_eq!(local_path(dir, "/copy"), PathBuf::from("/copy/index.json"));
        assert_eq!(
            local_path(dir, "https://servicereference.us-east-1.amazonaws.com/"),
            PathBuf::from("/copy/index.json")
        );
        assert_eq!(
            local_path(
                dir,
                "https://servicereference.us-east-1.amazonaws.com/v1/s3/s3.json"
            ),
            PathBuf::from("/copy/v1/s3/s3.json")
        );
    }

    #[test]
    fn only_https_and_loopback_http_urls_are_read() {
        for url in [
            "https://servicereference.us-east-1.amazonaws.com/",
            "http://127.0.0.1:8080/index.json",
            "http://localhost/x",
            "http://[::1]:9/x",
        ] {
            assert!(check_url(url).is_ok(), "{url}");
        }
        for url in [
            "http://servicereference.us-east-1.amazonaws.com/",
            "http://127.0.0.1.evil.example/x",
            "http://user@evil.example/x",
            "ftp://127.0.0.1/x",
            "file:///etc/passwd",
        ] {
            assert!(check_url(url).is_err(), "{url}");
        }
        let copy = Fetcher::Directory(PathBuf::from("/copy"));
        assert!(copy.check("https://x/v1/s3/s3.json").is_ok());
        assert!(copy.check("https://x/../../etc/passwd").is_err());
        assert!(copy.check("/etc/passwd").is_err());
    }
}
