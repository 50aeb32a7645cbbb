//! Redaction of secrets from every text that comes from outside and is stored
//! or printed (error messages of endpoints and proxies, the SDK's debug logs):
//! access key ids, secret keys, session tokens and request signatures never
//! reach a snapshot, a checkpoint, a journal, stderr or a log.
//!
//! Two nets: patterns that know where secrets sit (`Credential=`,
//! `x-amz-security-token: …`, `<SessionToken>`, `aws_secret_access_key = …`,
//! in plain, quoted, escaped-quote and URL-encoded forms), and the exact
//! values this process signs with ([`remember`]), wherever they appear.

use std::sync::{LazyLock, RwLock};

use regex::Regex;

/// Between a name and its value: optional backslashes and quotes (JSON, and
/// JSON inside a JSON string), then `:` or `=`, plain or URL-encoded (`%3A`,
/// `%3D`, and `%22` for a quote), then the value's opening quote, if any.
const SEPARATOR: &str = r#"(?:\\*["']|%22)?\s*(?::|=|%3[aAdD])\s*(?:\\*["']|%22)?"#;

/// Where a value ends: a quote, a backslash (an escaped quote), white space,
/// a separator of a query string, header list, JSON object or XML element.
const VALUE: &str = r#"[^"'\\\s&,;}<>\]]+"#;

/// Patterns of secrets, each with the replacement that keeps its context.
static SECRETS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    let named = |names: &str| format!("(?i)((?:{names}){SEPARATOR}){VALUE}");
    [
        // SigV4: Authorization: AWS4-HMAC-SHA256 Credential=AKID/…, Signature=hex,
        // and the query-string form X-Amz-Credential=…&X-Amz-Signature=….
        (named("signature"), "${1}[redacted]"),
        (
            format!(r#"(?i)((?:credential){SEPARATOR})[^/"'\\\s&,;}}<>%]+"#),
            "${1}[redacted]",
        ),
        // Session tokens, secret keys and key ids under any of their names.
        (
            named(
                r"(?:x-amz-)?security[-_]?token|(?:aws[-_]?)?session[-_]?token|(?:aws[-_]?)?secret[-_]?access[-_]?key|(?:aws[-_]?)?access[-_]?key[-_]?id",
            ),
            "${1}[redacted]",
        ),
        // SSO and OIDC tokens in the SDK's logs.
        (
            named(r"access[-_]?token|refresh[-_]?token|client[-_]?secret|id[-_]?token"),
            "${1}[redacted]",
        ),
        // Credentials in STS responses (XML).
        (
            r"(?i)(<(?:SecretAccessKey|SessionToken|AccessKeyId|SecurityToken)>)[^<]*".to_owned(),
            "${1}[redacted]",
        ),
        // A bearer token.
        (r"(?i)(\bBearer\s+)[^\s,;]+".to_owned(), "${1}[redacted]"),
        // Access key ids wherever they appear (long-term, temporary, bearer,
        // context-specific), and user and role ids.
        (
            r"\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[A-Z0-9]{12,}\b".to_owned(),
            "[redacted-key-id]",
        ),
    ]
    .into_iter()
    .map(|(pattern, replacement)| {
        (
            Regex::new(&pattern).expect("the patterns are valid"),
            replacement,
        )
    })
    .collect()
});

/// The key ids and tokens this process signed requests with, in the forms
/// they may be echoed in (as they are, URL-encoded, JSON-escaped).
static KNOWN: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));

/// The signatures of the latest requests: an endpoint echoes a request's
/// signature in its answer to that request, so a few hundred suffice.
static RECENT_SIGNATURES: LazyLock<RwLock<std::collections::VecDeque<String>>> =
    LazyLock::new(|| RwLock::new(std::collections::VecDeque::new()));

/// How many signatures are remembered.
const SIGNATURES_KEPT: usize = 256;

/// The shortest value remembered: shorter ones would redact ordinary words.
const SHORTEST_KNOWN: usize = 8;

/// Remembers the signature of a request just signed, so that [`redact`]
/// removes it from the answer whatever the answer calls it.
pub fn remember_signature(signature: &str) {
    if signature.len() < SHORTEST_KNOWN {
        return;
    }
    let mut recent = RECENT_SIGNATURES.write().unwrap_or_else(|e| e.into_inner());
    if !recent.iter().any(|s| s == signature) {
        if recent.len() == SIGNATURES_KEPT {
            recent.pop_front();
        }
        recent.push_back(signature.to_owned());
    }
}

/// Remembers a secret (an access key id or a session token the process signs
/// with) so that [`redact`] removes it from any text, however it is quoted.
pub fn remember(secret: &str) {
    if secret.len() < SHORTEST_KNOWN {
        return;
    }
    let forms = forms(secret);
    let mut known = KNOWN.write().unwrap_or_else(|e| e.into_inner());
    for form in forms {
        if !known.contains(&form) {
            known.push(form);
        }
    }
    // Longest first, so that a form containing another is replaced whole.
    known.sort_by_key(|form| std::cmp::Reverse(form.len()));
}

/// `secret` as it is and as it would be URL-encoded (upper or lower case
/// hex) or escaped in JSON.
fn forms(secret: &str) -> Vec<String> {
    let encoded = |upper: bool| {
        secret
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ if upper => format!("%{b:02X}"),
                _ => format!("%{b:02x}"),
            })
            .collect::<String>()
    };
    let mut forms = vec![
        secret.to_owned(),
        encoded(true),
        encoded(false),
        secret.replace('/', r"\/"),
        secret.replace('+', " "),
    ];
    forms.sort();
    forms.dedup();
    forms
}

/// `text` with every secret replaced by `[redacted]`.
pub fn redact(text: &str) -> String {
    let known = KNOWN.read().unwrap_or_else(|e| e.into_inner());
    let signatures = RECENT_SIGNATURES.read().unwrap_or_else(|e| e.into_inner());
    let text = (known.iter().chain(signatures.iter()))
        .filter(|secret| text.contains(secret.as_str()))
        .fold(text.to_owned(), |text, secret| {
            text.replace(secret.as_str(), "[redacted]")
        });
    SECRETS.iter().fold(text, |text, (pattern, replacement)| {
        pattern.replace_all(&text, *replacement).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::{forms, redact, remember};

    fn assert_gone(text: &str, secrets: &[&str]) {
        let out = redact(text);
        for secret in secrets {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
    }

    #[test]
    fn signatures_keys_and_tokens_are_redacted() {
        let header = "authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261126/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";
        let out = redact(header);
        assert!(!out.contains("AKIAIOSFODNN7EXAMPLE"), "{out}");
        assert!(!out.contains("fe5f80f77d5f"), "{out}");
        assert!(out.contains("SignedHeaders=host;x-amz-date"), "{out}");

        let token =
            r#"{"x-amz-security-token": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH"}"#;
        assert_gone(token, &["IQoJb3JpZ2lu"]);
        let query = "X-Amz-Credential=AKIDEXAMPLE%2F20261126&X-Amz-Security-Token=abc123&X-Amz-Signature=0a1b2c";
        assert_gone(query, &["abc123", "0a1b2c", "AKIDEXAMPLE"]);

        let sts = "<Credentials><AccessKeyId>ASIAWHITTLEASSUMED01</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey><SessionToken>FwoGZXIvYXdzE</SessionToken></Credentials>";
        assert_gone(
            sts,
            &["ASIAWHITTLEASSUMED01", "wJalrXUtnFEMI", "FwoGZXIvYXdzE"],
        );
        let config =
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG\naws_session_token=FwoGZXIvYXdzE";
        assert_gone(config, &["wJalrXUtnFEMI", "FwoGZXIvYXdzE"]);
        // Ordinary text is left alone.
        assert_eq!(
            redact("GetServiceLastAccessedDetails ok"),
            "GetServiceLastAccessedDetails ok"
        );
    }

    #[test]
    fn escaped_quoted_and_url_encoded_forms_are_redacted() {
        for text in [
            r#"{\"x-amz-security-token\": \"FQoGZXIvYXdzEXAMPLETOKEN\"}"#,
            r#"x-amz-security-token=\"FQoGZXIvYXdzEXAMPLETOKEN\""#,
            r#"{\\\"X-Amz-Security-Token\\\":\\\"FQoGZXIvYXdzEXAMPLETOKEN\\\"}"#,
            "x-amz-security-token%3DFQoGZXIvYXdzEXAMPLETOKEN%26x",
            "x-amz-security-token%22%3A%22FQoGZXIvYXdzEXAMPLETOKEN%22",
            "'X-Amz-Security-Token': 'FQoGZXIvYXdzEXAMPLETOKEN'",
            "<SecurityToken>FQoGZXIvYXdzEXAMPLETOKEN</SecurityToken>",
        ] {
            assert_gone(text, &["FQoGZXIvYXdzEXAMPLETOKEN"]);
        }
        for text in [
            r#"Credential=\"WHITTLEKEYID/20260101/us-east-1/iam/aws4_request"#,
            "Credential%3DWHITTLEKEYID%2F20260101%2Fus-east-1",
            r#"{"AccessKeyId": "WHITTLEKEYID"}"#,
            "aws_access_key_id = WHITTLEKEYID",
            r#"{\"aws_access_key_id\":\"WHITTLEKEYID\"}"#,
        ] {
            assert_gone(text, &["WHITTLEKEYID"]);
        }
        for text in [
            r#"Signature=\"0123456789abcdef0123\""#,
            "Signature%3D0123456789abcdef0123",
            r#""signature": "0123456789abcdef0123""#,
        ] {
            assert_gone(text, &["0123456789abcdef0123"]);
        }
        // Key ids of every credential kind, whatever surrounds them.
        for id in [
            "ABIAWHITTLE000000001",
            "ACCAWHITTLE000000001",
            "ASIAWHITTLE000000001",
        ] {
            assert_gone(&format!("key {id} was used"), &[id]);
        }
        assert_gone(
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x",
            &["eyJhbGci"],
        );
    }

    #[test]
    fn remembered_secrets_are_redacted_in_any_form() {
        let token = "WhittleRememberedToken+with/slashes==";
        remember(token);
        for form in forms(token) {
            assert_gone(&format!("an echo: [{form}]"), &[&form]);
        }
        // Short values are not remembered: they would redact ordinary words.
        remember("abc");
        assert_eq!(redact("abc"), "abc");
    }
}
