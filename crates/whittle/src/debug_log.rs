//! `--debug`: the AWS SDK's tracing output on stderr, every line passed through
//! [`whittle_fetcher::redact::redact`] so that no secret reaches a log.

use std::io::Write;

use tracing_subscriber::EnvFilter;

/// Writes to stderr with secrets redacted. The formatter hands over one whole
/// event per write, so a secret is never split across two calls.
struct RedactingStderr;

impl Write for RedactingStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = whittle_fetcher::redact::redact(&String::from_utf8_lossy(buf));
        std::io::stderr().write_all(text.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Installs the debug logger: `RUST_LOG` when set, else everything at debug.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("debug"));
    // A second installation (impossible from main) would only be ignored.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(|| RedactingStderr)
        .try_init();
}
