//! How much whittle reads of each kind of input. An endless or huge input
//! (`lint /dev/zero`, a stream on stdin that never ends, a FIFO) fails with an
//! error naming the file and the limit instead of exhausting memory. The limits
//! are generous: an account export of 10,000 roles is about 50 MB.

use std::io::Read;
use std::path::Path;

/// A kind of input and the most bytes whittle reads of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// What the input is, for the error: "a policy input".
    pub what: &'static str,
    /// The most bytes read.
    pub bytes: u64,
}

const MIB: u64 = 1 << 20;

/// A file (or stdin) to lint or diff: a policy, CLI output, account export,
/// template or plan.
pub const POLICY_INPUT: Limit = Limit {
    what: "a policy input",
    bytes: 256 * MIB,
};
/// A `whittle.snapshot/v1` file.
pub const SNAPSHOT: Limit = Limit {
    what: "a snapshot",
    bytes: 1024 * MIB,
};
/// A `whittle.plan/v1` file or its journal.
pub const PLAN: Limit = Limit {
    what: "a plan or journal",
    bytes: 256 * MIB,
};
/// An AWS CLI output read by `whittle import`.
pub const IMPORT: Limit = Limit {
    what: "an AWS CLI output",
    bytes: 256 * MIB,
};
/// A baseline of accepted findings.
pub const BASELINE: Limit = Limit {
    what: "a baseline",
    bytes: 64 * MIB,
};
/// `whittle.toml`, a rule file, the `--accounts` list or a CA bundle.
pub const SETTINGS: Limit = Limit {
    what: "a settings file",
    bytes: 4 * MIB,
};
/// A service reference document read by `whittle catalog update`.
pub const CATALOG: Limit = Limit {
    what: "a catalog document",
    bytes: 64 * MIB,
};

impl Limit {
    /// Reads all of `path`, failing with [`std::io::ErrorKind::FileTooLarge`]
    /// past the limit.
    pub fn read(self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.read_from(std::fs::File::open(path)?)
    }

    /// Reads all of `path` as UTF-8 text, failing past the limit.
    pub fn read_to_string(self, path: &Path) -> std::io::Result<String> {
        String::from_utf8(self.read(path)?).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })
    }

    /// Reads `reader` (stdin, a FIFO) to its end, failing past the limit.
    pub fn read_from(self, reader: impl Read) -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        reader.take(self.bytes + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > self.bytes {
            return Err(self.exceeded());
        }
        Ok(bytes)
    }

    /// The error for an input past the limit.
    pub fn exceeded(self) -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "larger than {}, the most whittle reads of {}",
                self.size(),
                self.what
            ),
        )
    }

    /// The limit for people: "256 MiB".
    pub fn size(self) -> String {
        if self.bytes >= MIB && self.bytes.is_multiple_of(MIB) {
            format!("{} MiB", self.bytes / MIB)
        } else {
            format!("{} bytes", self.bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_input_stops_at_the_limit() {
        let limit = Limit {
            what: "a test input",
            bytes: 1024,
        };
        let error = limit.read_from(std::io::repeat(b'x')).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::FileTooLarge);
        assert_eq!(
            error.to_string(),
            "larger than 1024 bytes, the most whittle reads of a test input"
        );
        assert_eq!(limit.read_from(&[b'x'; 1024][..]).unwrap().len(), 1024);
    }
}
