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

/// One recorded response.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    body: String,
    delay: Duration,
}

impl Reply {
    /// A `testdata/wire/` file served with `status`.
    pub fn file(status: u16, name: &str) -> Self {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/wire")
            .join(name);
        let body =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Self {
            status,
            body,
            delay: Duration::ZERO,
        }
    }

    /// `body` served with `status`, for a response generated in memory.
    pub fn body(status: u16, body: String) -> Self {
        Self {
            status,
            body,
            delay: Duration::ZERO,
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
        let access_key = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split("Credential=").nth(1))
            .and_then(|v| v.split('/').next())
            .unwrap_or_default()
            .to_owned();
        state.seen.push(Seen {
            action: action.clone(),
            params: params.clone(),
            access_key,
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
        ResponseTemplate::new(reply.status)
            .set_body_raw(reply.body, "text/xml")
            .insert_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
            .set_delay(reply.delay)
    }
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
