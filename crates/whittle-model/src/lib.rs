//! whittle's snapshot format (`whittle.snapshot/v1`): one account's users,
//! groups, roles and policies together with IAM's last-accessed reports, as
//! written by `whittle fetch` and `whittle import` and read by `whittle recommend`.
//!
//! The snapshot's own fields are snake_case. The AWS payloads inside it keep the
//! AWS CLI's field names, so that `aws iam get-account-authorization-details` and
//! `aws iam get-service-last-accessed-details` output can be copied in unchanged:
//! [`AuthorizationDetails`] is the former (with every policy document decoded to
//! JSON), [`LastAccessedDetails`] the latter (with all pages merged).
//!
//! It also holds the plan format (`whittle.plan/v1`, [`Plan`]) that `whittle
//! apply` and `whittle rollback` execute, their journal ([`Journal`]), and an
//! in-memory simulator of plans ([`simulate`], [`simulate_rollback`], [`holds`]).

mod details;
mod last_accessed;
pub mod limits;
mod plan;
mod simulate;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use details::{
    AttachedPolicy, AuthorizationDetails, GroupDetail, InstanceProfile, ManagedPolicyDetail,
    PermissionsBoundary, PolicyDetail, PolicyVersion, RoleDetail, RoleLastUsed, Tag, UserDetail,
    account_of, decode_document,
};
pub use last_accessed::{
    EntitiesDetails, EntityDetails, EntityInfo, ErrorDetails, JobStatus, LastAccessedDetails,
    ServiceLastAccessed, TrackedActionLastAccessed,
};
pub use plan::{
    Expectation, JOURNAL_SCHEMA, Journal, JournalStep, KeyValue, Operation, Outcome, PLAN_SCHEMA,
    Plan, PlanError, PlanSource, PreviousTag, Principal, PrincipalKind, Step, StepState, Subject,
    canonical_json, document_sha256, journal_path,
};
pub use simulate::{SimulateError, holds, simulate, simulate_rollback};

/// The schema name written into every snapshot.
pub const SCHEMA: &str = "whittle.snapshot/v1";

/// One account's policies and usage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The 12-digit account id, when known.
    pub account_id: Option<String>,
    /// When the data was collected (the end of the fetch).
    pub fetched_at: Timestamp,
    /// False for a checkpoint written while a fetch is still running, and for
    /// a fetch that recorded errors (a listing or a job that failed).
    pub complete: bool,
    /// The program that wrote the snapshot.
    pub tool: Tool,
    /// Where the data came from.
    pub source: Source,
    /// Every user, group, role and managed policy, with decoded documents.
    pub authorization_details: AuthorizationDetails,
    /// One last-accessed report per principal or policy a job ran for.
    pub reports: Vec<Report>,
    /// What could not be fetched, per principal (or for the whole account).
    pub errors: Vec<Problem>,
    /// API calls and time spent.
    pub stats: Stats,
}

/// The program that wrote a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// `whittle`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The action catalog it used: source, version and date.
    pub catalog: Option<String>,
}

/// Where a snapshot's data came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// Fetched from the IAM API.
    Api {
        /// The endpoint used when not AWS's default.
        endpoint: Option<String>,
        /// The region the client was configured with.
        region: Option<String>,
    },
    /// Built from AWS CLI output files.
    Import {
        /// The files read.
        files: Vec<String>,
    },
}

/// The kind of IAM entity a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
    /// An IAM group.
    Group,
    /// A managed policy (its report covers every entity it is attached to).
    Policy,
}

impl EntityKind {
    /// The kind named by an IAM ARN (`…:user/…`, `…:role/…`, `…:group/…`,
    /// `…:policy/…`), if any.
    pub fn of_arn(arn: &str) -> Option<Self> {
        let resource = arn.splitn(6, ':').nth(5)?;
        match resource.split('/').next()? {
            "user" => Some(Self::User),
            "role" => Some(Self::Role),
            "group" => Some(Self::Group),
            "policy" => Some(Self::Policy),
            _ => None,
        }
    }

    /// The lowercase name used in snapshots and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Role => "role",
            Self::Group => "group",
            Self::Policy => "policy",
        }
    }
}

/// The last-accessed report of one principal or policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The ARN the job ran for.
    pub arn: String,
    /// What the ARN names.
    pub kind: EntityKind,
    /// The job id (readable only by the identity that created it).
    pub job_id: Option<String>,
    /// GetServiceLastAccessedDetails, all pages merged.
    pub last_accessed: LastAccessedDetails,
    /// For groups and policies: GetServiceLastAccessedDetailsWithEntities per
    /// service namespace used, all pages merged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub entities: BTreeMap<String, EntitiesDetails>,
    /// API calls spent on this report.
    #[serde(default)]
    pub api_calls: u32,
}

impl Report {
    /// True when the job completed and its data can be used.
    pub fn is_complete(&self) -> bool {
        self.last_accessed.job_status == JobStatus::Completed
    }
}

/// Something that could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The principal or policy concerned; `None` for the account as a whole.
    pub arn: Option<String>,
    /// The API operation that failed, e.g. `GetServiceLastAccessedDetails`.
    pub operation: String,
    /// AWS's error code, e.g. `Throttling`, when there is one.
    pub code: Option<String>,
    /// What went wrong.
    pub message: String,
}

/// The cost of a fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// API calls made, retries included.
    pub api_calls: u64,
    /// Calls per operation.
    #[serde(default)]
    pub calls_by_operation: BTreeMap<String, u64>,
    /// Wall time of the fetch, in milliseconds.
    pub wall_time_ms: u64,
    /// Reports reused from an earlier snapshot (`--resume`).
    #[serde(default)]
    pub reused_reports: u64,
}

/// Why a snapshot could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// Not JSON, or not a snapshot; the position is in the message.
    #[error("{path}:{line}:{column}: not a whittle snapshot: {message}")]
    Format {
        /// The file.
        path: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Written in another version of the format.
    #[error("{path}: snapshot schema \"{found}\" is not supported (expected \"{SCHEMA}\")")]
    Schema {
        /// The file.
        path: String,
        /// The schema the file declares.
        found: String,
    },
}

impl Snapshot {
    /// An empty, incomplete snapshot stamped now.
    pub fn new(tool: Tool, source: Source) -> Self {
        Self {
            schema: SCHEMA.to_owned(),
            account_id: None,
            fetched_at: Timestamp::now(),
            complete: false,
            tool,
            source,
            authorization_details: AuthorizationDetails::default(),
            reports: Vec::new(),
            errors: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Parses a snapshot; `path` is only used in errors.
    pub fn parse(path: &str, text: &str) -> Result<Self, SnapshotError> {
        #[derive(Deserialize)]
        struct Header {
            schema: Option<String>,
        }
        let format = |e: serde_json::Error| SnapshotError::Format {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        };
        let header: Header = serde_json::from_str(text).map_err(format)?;
        match header.schema.as_deref() {
            Some(SCHEMA) => serde_json::from_str(text).map_err(format),
            found => Err(SnapshotError::Schema {
                path: path.to_owned(),
                found: found.unwrap_or("(none)").to_owned(),
            }),
        }
    }

    /// Reads a snapshot file.
    pub fn read(path: &Path) -> Result<Self, SnapshotError> {
        let text = limits::SNAPSHOT
            .read_to_string(path)
            .map_err(|source| SnapshotError::Io {
                path: path.display().to_string(),
                source,
            })?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// The snapshot as pretty-printed JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("snapshots always serialise");
        text.push('\n');
        text
    }

    /// Writes the snapshot to `path` atomically; a new file is readable by its
    /// owner only, as it describes a whole account ([`write_privately`]).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        write_privately(path, self.to_json().as_bytes())
    }

    /// The report for `arn`, if the snapshot has one.
    pub fn report(&self, arn: &str) -> Option<&Report> {
        self.reports.iter().find(|r| r.arn == arn)
    }
}

/// Replaces `path` with `bytes` atomically: a temporary file in the same
/// directory, synced, then renamed over `path`. A reader (or a crash) never sees
/// a torn file: it finds the old content or the new.
///
/// A symbolic link is written through (its target is replaced, the link
/// stays); a FIFO, device or socket (`-o /dev/stdout`) is written to, never
/// replaced; a file that exists keeps its mode and, where allowed, its group;
/// a new file gets the mode the umask gives (`0666` less it).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_with_mode(path, bytes, 0o666)
}

/// [`write_atomically`], but a new file is readable by its owner only (`0600`):
/// for snapshots, which describe a whole account.
pub fn write_privately(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_with_mode(path, bytes, 0o600)
}

fn write_with_mode(path: &Path, bytes: &[u8], new_mode: u32) -> std::io::Result<()> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    // `metadata` follows links: what the path finally names.
    let (target, existing) = match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                format!("{} is a directory", path.display()),
            ));
        }
        Ok(m) if !m.is_file() => {
            // A FIFO, device or socket (`/dev/stdout`): write into it.
            let mut out = std::fs::OpenOptions::new().write(true).open(path)?;
            out.write_all(bytes)?;
            return out.flush();
        }
        Ok(m) if is_link => (std::fs::canonicalize(path)?, Some(m)),
        Ok(m) => (path.to_path_buf(), Some(m)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && is_link => {
            return Err(std::io::Error::new(
                e.kind(),
                format!("{} is a symbolic link to nowhere", path.display()),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (path.to_path_buf(), None),
        Err(e) => return Err(e),
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The kernel takes the umask off the mode a file is created with.
        builder.permissions(std::fs::Permissions::from_mode(new_mode));
    }
    #[cfg(not(unix))]
    let _ = new_mode;
    let mut temp = builder.tempfile_in(dir)?;
    if let Some(existing) = &existing {
        temp.as_file().set_permissions(existing.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Keeping the group may not be allowed: the file is still ours.
            let _ = std::os::unix::fs::fchown(temp.as_file(), None, Some(existing.gid()));
        }
    }
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> Snapshot {
        let tool = Tool {
            name: "whittle".into(),
            version: "0.1.0".into(),
            catalog: None,
        };
        Snapshot::new(
            tool,
            Source::Import {
                files: vec!["details.json".into()],
            },
        )
    }

    #[cfg(unix)]
    #[test]
    fn writes_go_through_links_fifos_and_keep_an_existing_files_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // A link is written through: the link stays, its target changes.
        let target = dir.path().join("target.json");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        // A broken link is refused, naming it.
        let broken = dir.path().join("broken.json");
        std::os::unix::fs::symlink(dir.path().join("gone/nothing"), &broken).unwrap();
        let err = write_atomically(&broken, b"x").unwrap_err();
        assert!(
            err.to_string().contains("symbolic link to nowhere"),
            "{err}"
        );
        // An existing file keeps its mode.
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&target, b"again").unwrap();
        assert_eq!(mode(&target), 0o640);
        // A new file gets what the umask gives any new file; a snapshot 0600.
        let reference = dir.path().join("reference");
        std::fs::File::create(&reference).unwrap();
        let fresh = dir.path().join("fresh.json");
        write_atomically(&fresh, b"{}").unwrap();
        assert_eq!(mode(&fresh), mode(&reference));
        let snap = dir.path().join("snap.json");
        snapshot().write(&snap).unwrap();
        assert_eq!(mode(&snap), 0o600);
        // A FIFO is written into, not replaced by a file.
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write_atomically(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        assert!(!std::fs::metadata(&fifo).unwrap().is_file());
    }

    #[test]
    fn snapshots_round_trip_through_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/snap.json");
        let mut original = snapshot();
        original.account_id = Some("123456789012".into());
        original.write(&path).unwrap();
        assert_eq!(Snapshot::read(&path).unwrap(), original);
    }

    #[test]
    fn other_schemas_and_broken_files_are_named_with_positions() {
        let err = Snapshot::parse("s.json", r#"{"schema": "whittle.snapshot/v9"}"#).unwrap_err();
        assert!(err.to_string().contains("whittle.snapshot/v9"), "{err}");
        let err = Snapshot::parse(
            "s.json",
            "{\n  \"schema\": \"whittle.snapshot/v1\",\n  \"x\" 1}",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("s.json:3:7:"), "{err}");
    }

    #[test]
    fn entity_kinds_come_from_arns() {
        assert_eq!(
            EntityKind::of_arn("arn:aws:iam::123456789012:role/service-role/x"),
            Some(EntityKind::Role)
        );
        assert_eq!(
            EntityKind::of_arn("arn:aws:iam::aws:policy/ReadOnlyAccess"),
            Some(EntityKind::Policy)
        );
        assert_eq!(EntityKind::of_arn("arn:aws:s3:::bucket"), None);
        assert_eq!(EntityKind::of_arn("nonsense"), None);
    }
}
