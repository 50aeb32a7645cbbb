//! Project configuration, `whittle.toml`: which rules run, at what severity, and
//! which findings are accepted (ignored) by path, Sid, or policy/principal ARN.
//!
//! ```toml
//! fail-on = "warning"                 # default for --fail-on
//! rules-dirs = ["iam-rules"]          # extra rule files, relative to this file
//! disable = ["infrastructure-modification", "WH012"]
//!
//! [severity]
//! service-wide-wildcard = "error"
//!
//! [[ignore]]
//! rules = ["service-wide-wildcard"]   # optional: all rules when absent
//! paths = ["legacy/**"]               # optional: globs on the file path, as given or from this file's directory
//! sids = ["BreakGlass*"]              # optional: statement Sids (IAM wildcards)
//! arns = ["arn:aws:iam::*:role/break-glass"]  # optional: policy or principal ARNs
//! resources = ["BreakGlassRole", "aws_iam_role.break_glass*"]  # optional: CloudFormation logical ids, Terraform addresses
//! reason = "reviewed in SEC-123"
//! ```
//!
//! An `[[ignore]]` entry matches a finding when every selector it sets matches.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::diagnostics::Finding;
use crate::rules::{RuleSet, Severity};
use whittle_policy::expand::{WildcardMatcher, wildcard_matcher};

/// The file name looked for in the working directory and its parents.
pub const FILE_NAME: &str = "whittle.toml";

/// Errors in a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The configuration file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("{path}: {source}")]
    Parse {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong, with line and column.
        source: toml::de::Error,
    },
    /// A value is invalid (unknown rule, bad glob).
    #[error("{path}: {message}")]
    Invalid {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// A loaded `whittle.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Default for `--fail-on`.
    #[serde(default)]
    pub fail_on: Option<String>,
    /// Extra directories of rule files, relative to the configuration file.
    #[serde(default)]
    pub rules_dirs: Vec<PathBuf>,
    /// Rules (names or ids) that do not run.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Severity overrides by rule name or id.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Accepted findings.
    #[serde(default)]
    pub ignore: Vec<IgnoreEntry>,
    /// Where the file was read from (set by [`Config::load`]).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// One `[[ignore]]` entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    /// Rule names or ids; all rules when empty.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Globs on the finding's file path (`**` crosses directories).
    #[serde(default)]
    pub paths: Vec<String>,
    /// IAM-style patterns (`*`, `?`) on the Sid of the statement the finding is in.
    #[serde(default)]
    pub sids: Vec<String>,
    /// IAM-style patterns on the policy or principal ARN the finding is about.
    #[serde(default)]
    pub arns: Vec<String>,
    /// IAM-style patterns on the CloudFormation logical id or Terraform
    /// resource address (`aws_iam_role.ci`, `module.m.aws_iam_policy.p`)
    /// that defines the policy.
    #[serde(default)]
    pub resources: Vec<String>,
    /// Why the findings are accepted (shown nowhere; for reviewers of the file).
    #[serde(default)]
    pub reason: Option<String>,
}

impl Config {
    /// Finds `whittle.toml` in `start` or its nearest parent that has one.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// Reads and validates a configuration file against the known rules.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = whittle_model::limits::SETTINGS
            .read_to_string(path)
            .map_err(|source| ConfigError::Io {
                path: path.to_owned(),
                source,
            })?;
        let mut config: Config = toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source,
        })?;
        config.path = Some(path.to_owned());
        Ok(config)
    }

    /// The rule directories, resolved against the file's directory.
    pub fn rule_dirs(&self) -> Vec<PathBuf> {
        let base = self
            .path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        self.rules_dirs.iter().map(|d| base.join(d)).collect()
    }

    fn invalid(&self, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: self
                .path
                .clone()
                .unwrap_or_else(|| PathBuf::from(FILE_NAME)),
            message,
        }
    }

    /// Applies `disable` and `[severity]` to `rules`; every rule named must exist.
    pub fn configure(&self, rules: &mut RuleSet) -> Result<(), ConfigError> {
        let known = |name: &str| rules.get(name).map(|r| r.name.clone());
        let mut disabled = Vec::new();
        for name in &self.disable {
            disabled.push(
                known(name).ok_or_else(|| {
                    self.invalid(format!("disable: no rule is called \"{name}\""))
                })?,
            );
        }
        let mut overrides = Vec::new();
        for (name, severity) in &self.severity {
            let rule = known(name)
                .ok_or_else(|| self.invalid(format!("[severity]: no rule is called \"{name}\"")))?;
            overrides.push((rule, *severity));
        }
        for entry in &self.ignore {
            if let Some(name) = entry.rules.iter().find(|n| known(n).is_none()) {
                return Err(self.invalid(format!("[[ignore]]: no rule is called \"{name}\"")));
            }
        }
        rules.retain(|rule| !disabled.contains(&rule.name));
        for (name, severity) in overrides {
            rules.set_severity(&name, severity);
        }
        Ok(())
    }

    /// Compiles the `[[ignore]]` entries.
    pub fn ignores(&self, rules: &RuleSet) -> Result<Ignores, ConfigError> {
        let mut entries = Vec::new();
        for entry in &self.ignore {
            let mut paths = GlobSetBuilder::new();
            for pattern in &entry.paths {
                let glob = Glob::new(pattern)
                    .map_err(|e| self.invalid(format!("[[ignore]] paths: {e}")))?;
                paths.add(glob);
            }
            let paths = paths
                .build()
                .map_err(|e| self.invalid(format!("[[ignore]] paths: {e}")))?;
            let patterns = |values: &[String], what: &str| {
                values
                    .iter()
                    .map(|p| {
                        wildcard_matcher(p).ok_or_else(|| {
                            self.invalid(format!("[[ignore]] {what}: bad pattern \"{p}\""))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            };
            entries.push(CompiledIgnore {
                rules: entry
                    .rules
                    .iter()
                    .filter_map(|n| rules.get(n).map(|r| r.name.clone()))
                    .collect(),
                any_path: entry.paths.is_empty(),
                paths,
                sids: patterns(&entry.sids, "sids")?,
                arns: patterns(&entry.arns, "arns")?,
                resources: patterns(&entry.resources, "resources")?,
            });
        }
        // Paths match as given on the command line, or relative to the
        // directory of whittle.toml wherever whittle runs from.
        let root = self
            .path
            .as_deref()
            .and_then(Path::parent)
            .map(|dir| {
                if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                }
            })
            .and_then(|dir| std::fs::canonicalize(dir).ok());
        Ok(Ignores {
            entries,
            root,
            cwd: std::env::current_dir().ok(),
            relative: RefCell::new(HashMap::new()),
        })
    }
}

struct CompiledIgnore {
    rules: Vec<String>,
    any_path: bool,
    paths: GlobSet,
    sids: Vec<WildcardMatcher>,
    arns: Vec<WildcardMatcher>,
    resources: Vec<WildcardMatcher>,
}

/// The compiled `[[ignore]]` entries of a configuration.
pub struct Ignores {
    entries: Vec<CompiledIgnore>,
    /// The directory of whittle.toml, resolved.
    root: Option<PathBuf>,
    /// The working directory, which relative paths of findings start from.
    cwd: Option<PathBuf>,
    /// Each finding path seen, relative to `root`: resolved once per file, not
    /// once per finding.
    relative: RefCell<HashMap<Arc<str>, Option<PathBuf>>>,
}

impl Ignores {
    /// True when some entry accepts `finding`.
    pub fn matches(&self, finding: &Finding) -> bool {
        let location = &finding.location;
        let typed = location.path.trim_start_matches("./");
        let from_root = || {
            self.relative
                .borrow_mut()
                .entry(Arc::clone(&location.path))
                .or_insert_with(|| self.relative_to_root(&location.path))
                .clone()
        };
        self.entries.iter().any(|entry| {
            let path_matches = entry.any_path
                || entry.paths.is_match(typed)
                || from_root().is_some_and(|p| entry.paths.is_match(p));
            (entry.rules.is_empty() || entry.rules.contains(&finding.rule.name))
                && path_matches
                && (entry.sids.is_empty()
                    || location
                        .sid
                        .as_deref()
                        .is_some_and(|sid| entry.sids.iter().any(|m| m.is_match(sid))))
                && (entry.arns.is_empty()
                    || location
                        .logical
                        .as_ref()
                        .is_some_and(|l| entry.arns.iter().any(|m| m.is_match(&l.arn))))
                && (entry.resources.is_empty()
                    || location
                        .definition
                        .as_deref()
                        .is_some_and(|d| entry.resources.iter().any(|m| m.is_match(d))))
        })
    }

    /// `path` relative to the directory of whittle.toml, when it is inside it.
    fn relative_to_root(&self, path: &str) -> Option<PathBuf> {
        let root = self.root.as_ref()?;
        let path = Path::new(path);
        let absolute = if path.is_absolute() {
            path.to_owned()
        } else {
            self.cwd.as_ref()?.join(path)
        };
        let resolved = std::fs::canonicalize(&absolute).ok()?;
        resolved.strip_prefix(root).ok().map(Path::to_owned)
    }
}
