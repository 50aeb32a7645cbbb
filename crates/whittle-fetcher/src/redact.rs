//! Redaction of secrets from debug output: access key ids, secret keys, session
//! tokens and request signatures never reach a log, whatever the SDK prints.

use std::sync::LazyLock;

use regex::Regex;

/// Patterns of secrets, each with the replacement that keeps its context.
static SECRETS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        // SigV4: Authorization: AWS4-HMAC-SHA256 Credential=AKID/…, Signature=hex
        (r"(?i)(Signature=)[0-9a-f]+", "${1}[redacted]"),
        (r"(?i)(Credential=)[^/,\s]+", "${1}[redacted]"),
        (r"(?i)(X-Amz-Signature=)[0-9a-f]+", "${1}[redacted]"),
        (r"(?i)(X-Amz-Credential=)[^&\s]+", "${1}[redacted]"),
        // Session tokens in headers and query strings.
        (
            r#"(?i)(x-amz-security-token["']?\s*[:=]\s*["']?)[^"'\s&,}]+"#,
            "${1}[redacted]",
        ),
        // Credentials in STS responses (XML) and in JSON or config files.
        (
            r"(?i)(<(?:SecretAccessKey|SessionToken|AccessKeyId)>)[^<]*",
            "${1}[redacted]",
        ),
        (
            r#"(?i)((?:secret_access_key|secretaccesskey|session_token|sessiontoken)["']?\s*[:=]\s*["']?)[^"'\s,}]+"#,
            "${1}[redacted]",
        ),
        // Access key ids wherever they appear.
        (r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b", "[redacted-key-id]"),
    ]
    .into_iter()
    .map(|(pattern, replacement)| (Regex::new(pattern).expect("the patterns are valid"), replacement))
    .collect()
});

/// `text` with every secret replaced by `[redacted]`.
pub fn redact(text: &str) -> String {
    SECRETS
        .iter()
        .fold(text.to_owned(), |text, (pattern, replacement)| {
            pattern.replace_all(&text, *replacement).into_owned()
        })
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn signatures_keys_and_tokens_are_redacted() {
        let header = "authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261126/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";
        let out = redact(header);
        assert!(!out.contains("AKIAIOSFODNN7EXAMPLE"), "{out}");
        assert!(!out.contains("fe5f80f77d5f"), "{out}");
        assert!(out.contains("SignedHeaders=host;x-amz-date"), "{out}");

        let token =
            r#"{"x-amz-security-token": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH"}"#;
        assert!(!redact(token).contains("IQoJb3JpZ2lu"), "{}", redact(token));
        let query = "X-Amz-Credential=AKIDEXAMPLE%2F20261126&X-Amz-Security-Token=abc123&X-Amz-Signature=0a1b2c";
        let out = redact(query);
        assert!(
            !out.contains("abc123") && !out.contains("0a1b2c") && !out.contains("AKIDEXAMPLE"),
            "{out}"
        );

        let sts = "<Credentials><AccessKeyId>ASIAWHITTLEASSUMED01</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey><SessionToken>FwoGZXIvYXdzE</SessionToken></Credentials>";
        let out = redact(sts);
        for secret in ["ASIAWHITTLEASSUMED01", "wJalrXUtnFEMI", "FwoGZXIvYXdzE"] {
            assert!(!out.contains(secret), "{out}");
        }
        let config =
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG\naws_session_token=FwoGZXIvYXdzE";
        let out = redact(config);
        assert!(
            !out.contains("wJalrXUtnFEMI") && !out.contains("FwoGZXIvYXdzE"),
            "{out}"
        );
        // Ordinary text is left alone.
        assert_eq!(
            redact("GetServiceLastAccessedDetails ok"),
            "GetServiceLastAccessedDetails ok"
        );
    }
}
