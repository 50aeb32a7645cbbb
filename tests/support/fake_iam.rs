//! A fake IAM endpoint on 127.0.0.1 for wire-level tests: it answers the Query
//! API's form-encoded POSTs with recorded responses in IAM's exact XML
//! (`testdata/wire/`), scripted per operation, and records every request.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The text of a `testdata/wire/` file.
pub fn wire_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/wire")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One recorded response.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    body: String,
    delay: Duration,
    /// Answer with an IAM error whose message repeats the request's headers.
    echo: bool,
}

impl Reply {
    /// A `testdata/wire/` file served with `status`.
    pub fn file(status: u16, name: &str) -> Self {
        let body = wire_file(name);
        Self {
            status,
            body,
            delay: Duration::ZERO,
            echo: false,
        }
    }

    /// `body` served with `status`, for a response generated in memory.
    pub fn body(status: u16, body: String) -> Self {
        Self {
            status,
            body,
            delay: Duration::ZERO,
            echo: false,
        }
    }

    /// A 200 with a `testdata/wire/` file.
    pub fn ok(name: &str) -> Self {
        Self::file(200, name)
    }

    /// A plain-text 500, as an endpoint without the operation answers (moto).
    pub fn not_implemented() -> Self {
        Self {
            status: 500,
            body: "<!doctype html><title>500 Internal Server Error</title>".to_owned(),
            delay: Duration::ZERO,
            echo: false,
        }
    }

    /// An IAM `AccessDenied` error with `status` whose message repeats every
    /// request header (Authorization, X-Amz-Security-Token included) as they
    /// came, as JSON with escaped quotes, as `name=\"value\"` and
    /// URL-encoded, as a careless endpoint or proxy would.
    pub fn echo(status: u16) -> Self {
        Self {
            echo: true,
            ..Self::body(status, String::new())
        }
    }

    /// The same reply after `delay` (latency injection).
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// A request as the fake saw it: its `Action` and other form fields.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The operation, e.g. `GetServiceLastAccessedDetails`.
    pub action: String,
    /// The other form fields, decoded.
    pub params: HashMap<String, String>,
    /// The access key id the request was signed with.
    pub access_key: String,
    /// The request's Authorization header (with its signature).
    pub authorization: String,
}

#[derive(Default)]
struct State {
    /// Replies served in order, per action (and optionally per ARN).
    scripts: HashMap<String, VecDeque<Reply>>,
    /// Replies served when the script is empty.
    fallback: HashMap<String, Reply>,
    seen: Vec<Seen>,
}

/// The fake endpoint.
#[derive(Clone, Default)]
pub struct FakeIam(Arc<Mutex<State>>);

impl FakeIam {
    /// Queues replies for `action`, served one per request in order.
    pub fn script(&self, action: &str, replies: impl IntoIterator<Item = Reply>) -> &Self {
        let mut state = self.0.lock().unwrap();
        state
            .scripts
            .entry(action.to_owned())
            .or_default()
            .extend(replies);
        self
    }

    /// Queues replies for `action` on one ARN (`Arn` of
    /// GenerateServiceLastAccessedDetails, `RoleArn` of STS AssumeRole).
    pub fn script_for(
        &self,
        action: &str,
        arn: &str,
        replies: impl IntoIterator<Item = Reply>,
    ) -> &Self {
        self.script(&format!("{action} {arn}"), replies)
    }

    /// The reply for `action` once its script is used up.
    pub fn always(&self, action: &str, reply: Reply) -> &Self {
        self.0
            .lock()
            .unwrap()
            .fallback
            .insert(action.to_owned(), reply);
        self
    }

    /// The reply for `action` when asked for the page after `marker`.
    pub fn always_after(&self, action: &str, marker: &str, reply: Reply) -> &Self {
        self.always(&format!("{action} Marker={marker}"), reply)
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.0.lock().unwrap().seen.clone()
    }

    /// The requests for `action`.
    pub fn seen_for(&self, action: &str) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.action == action)
            .collect()
    }

    /// Starts a server on 127.0.0.1 that answers with this fake.
    pub async fn start(&self) -> MockServer {
        let server = MockServer::builder().start().await;
        Mock::given(method("POST"))
            .respond_with(self.clone())
            .mount(&server)
            .await;
        server
    }
}

impl Respond for FakeIam {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut params: HashMap<String, String> = url_decoded(&request.body);
        let action = params.remove("Action").unwrap_or_default();
        let mut state = self.0.lock().unwrap();
        let authorization = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let access_key = Some(authorization.as_str())
            .and_then(|v| v.split("Credential=").nth(1))
            .and_then(|v| v.split('/').next())
            .unwrap_or_default()
            .to_owned();
        state.seen.push(Seen {
            action: action.clone(),
            params: params.clone(),
            access_key,
            authorization,
        });
        let keyed = params
            .get("Arn")
            .or_else(|| params.get("RoleArn"))
            .map(|arn| format!("{action} {arn}"))
            .filter(|key| state.scripts.get(key).is_some_and(|q| !q.is_empty()));
        let key = keyed.unwrap_or_else(|| action.clone());
        // A page asked for by its marker has its own fallback.
        let paged = params
            .get("Marker")
            .map(|marker| format!("{action} Marker={marker}"));
        let reply = state
            .scripts
            .get_mut(&key)
            .and_then(VecDeque::pop_front)
            .or_else(|| paged.and_then(|k| state.fallback.get(&k).cloned()))
            .or_else(|| state.fallback.get(&action).cloned())
            .unwrap_or_else(|| Reply::file(400, "error-no-such-entity.xml"));
        let body = if reply.echo {
            echo_body(request)
        } else {
            reply.body
        };
        ResponseTemplate::new(reply.status)
            .set_body_raw(body, "text/xml")
            .insert_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
            .set_delay(reply.delay)
    }
}

/// An IAM error whose message holds `request`'s headers in several forms.
fn echo_body(request: &Request) -> String {
    let headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let plain: Vec<String> = headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
    let json: Vec<String> = headers
        .iter()
        .map(|(n, v)| format!(r#"\"{n}\": \"{v}\""#))
        .collect();
    let assigned: Vec<String> = headers
        .iter()
        .map(|(n, v)| format!(r#"{n}=\"{v}\""#))
        .collect();
    let encoded: Vec<String> = headers
        .iter()
        .map(|(n, v)| {
            let v = percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC);
            format!("{n}%3D{v}")
        })
        .collect();
    let message = format!(
        "denied; you sent {} | {{{}}} | {} | {}",
        plain.join("; "),
        json.join(", "),
        assigned.join(" "),
        encoded.join("%26")
    );
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n    <Message>{escaped}</Message>\n  </Error>\n  <RequestId>00000000-0000-0000-0000-000000000000</RequestId>\n</ErrorResponse>\n"
    )
}

fn url_decoded(body: &[u8]) -> HashMap<String, String> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}
