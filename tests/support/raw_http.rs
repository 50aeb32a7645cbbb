//! A raw HTTP endpoint on 127.0.0.1 for tests of endpoints that misbehave
//! below what a mock server lets one script: an answer that trickles in a few
//! bytes a second, a body without end (chunked) or one that declares 300 MB;
//! over TLS too, with the certificate of `testdata/wire/tls/` (issued for
//! 127.0.0.1 by a test CA, `ca.pem`). Each connection reads one request, then
//! a [`Behaviour`] writes the answer.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How the endpoint answers every request.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// `body` at once, with its Content-Length.
    Answer { body: String },
    /// `body` with its Content-Length, one byte every `gap`.
    Trickle { body: String, gap: Duration },
    /// A chunked body of `<` bytes that never ends (until the client leaves).
    Endless,
    /// A Content-Length of `declared` bytes, then `<` bytes until the client
    /// leaves or `declared` are sent.
    Declared { declared: u64 },
}

/// A running endpoint; it stops accepting when dropped (the listener thread
/// ends with the test process).
pub struct RawEndpoint {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    requests: Arc<AtomicU64>,
    body_bytes_sent: Arc<AtomicU64>,
}

impl RawEndpoint {
    /// Starts an endpoint that answers every request with `behaviour`.
    pub fn start(behaviour: Behaviour) -> Self {
        Self::listen(behaviour, None)
    }

    /// The same over TLS (`https://127.0.0.1:PORT`), with the test CA's
    /// certificate for 127.0.0.1.
    pub fn start_tls(behaviour: Behaviour) -> Self {
        Self::listen(behaviour, Some(Arc::new(tls_config())))
    }

    fn listen(behaviour: Behaviour, tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port on 127.0.0.1");
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicU64::new(0));
        let body_bytes_sent = Arc::new(AtomicU64::new(0));
        let (r, b) = (Arc::clone(&requests), Arc::clone(&body_bytes_sent));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (behaviour, r, b) = (behaviour.clone(), Arc::clone(&r), Arc::clone(&b));
                let tls = tls.clone();
                std::thread::spawn(move || match tls {
                    Some(config) => {
                        let Ok(connection) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        serve(
                            rustls::StreamOwned::new(connection, stream),
                            &behaviour,
                            &r,
                            &b,
                        );
                    }
                    None => serve(stream, &behaviour, &r, &b),
                });
            }
        });
        Self {
            url,
            requests,
            body_bytes_sent,
        }
    }

    /// Requests read so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// Body bytes written so far, over every connection.
    pub fn body_bytes_sent(&self) -> u64 {
        self.body_bytes_sent.load(Ordering::SeqCst)
    }
}

/// `testdata/wire/tls/NAME`.
pub fn tls_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/wire/tls")
        .join(name)
}

fn tls_config() -> rustls::ServerConfig {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(tls_file("server.pem"))
        .expect("the test certificate")
        .collect::<Result<_, _>>()
        .expect("the test certificate");
    let key = PrivateKeyDer::from_pem_file(tls_file("server.key")).expect("the test key");
    rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS 1.2 and 1.3")
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .expect("the test certificate and key match")
}

fn serve<S: Read + Write>(
    stream: S,
    behaviour: &Behaviour,
    requests: &AtomicU64,
    sent: &AtomicU64,
) {
    let mut reader = BufReader::new(stream);
    // Keep-alive: one request after another until the client hangs up.
    while read_request(&mut reader) {
        requests.fetch_add(1, Ordering::SeqCst);
        if answer(reader.get_mut(), behaviour, sent).is_err() {
            return;
        }
    }
}

/// Reads one request's head and body; false when the connection ended.
fn read_request<S: Read>(reader: &mut BufReader<S>) -> bool {
    let mut length = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return false,
            Ok(_) => {}
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).is_ok()
}

fn answer(stream: &mut impl Write, behaviour: &Behaviour, sent: &AtomicU64) -> std::io::Result<()> {
    const HEAD: &str = "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\nx-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n";
    match behaviour {
        Behaviour::Answer { body } => {
            write!(stream, "{HEAD}content-length: {}\r\n\r\n{body}", body.len())?;
            stream.flush()?;
            sent.fetch_add(body.len() as u64, Ordering::SeqCst);
        }
        Behaviour::Trickle { body, gap } => {
            write!(stream, "{HEAD}content-length: {}\r\n\r\n", body.len())?;
            stream.flush()?;
            for byte in body.bytes() {
                stream.write_all(&[byte])?;
                stream.flush()?;
                sent.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(*gap);
            }
        }
        Behaviour::Endless => {
            write!(stream, "{HEAD}transfer-encoding: chunked\r\n\r\n")?;
            let chunk = vec![b'<'; 64 * 1024];
            loop {
                write!(stream, "{:x}\r\n", chunk.len())?;
                stream.write_all(&chunk)?;
                stream.write_all(b"\r\n")?;
                sent.fetch_add(chunk.len() as u64, Ordering::SeqCst);
            }
        }
        Behaviour::Declared { declared } => {
            write!(stream, "{HEAD}content-length: {declared}\r\n\r\n")?;
            let chunk = vec![b'<'; 64 * 1024];
            let mut left = *declared;
            while left > 0 {
                let n = left.min(chunk.len() as u64);
                stream.write_all(&chunk[..n as usize])?;
                sent.fetch_add(n, Ordering::SeqCst);
                left -= n;
            }
        }
    }
    Ok(())
}
