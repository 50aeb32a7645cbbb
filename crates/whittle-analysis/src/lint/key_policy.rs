//! Key policies: in a KMS key policy `"Resource": "*"` means *this key* — a
//! key policy can grant nothing on any other resource — so the rules that
//! judge grants "on every resource" must see one named resource there.

use whittle_policy::policy::{Policy, Statement};
use whittle_policy::unknown;
use whittle_syntax::{SourceFile, Span};

use crate::diagnostics::Location;
use crate::input::{DocumentKind, EmbeddedDocument};

/// The label of the resource a key policy's `*` stands for.
const THIS_KEY: &str = "this key";

/// The statements of a key policy whose `*` was read as the key itself.
pub(super) struct ThisKey {
    rewritten: Vec<Span>,
}

/// Rewrites `"Resource": "*"` in a key policy to the ARN of the key it is
/// attached to (an ARN of KMS's `key` type whose account, Region and id are
/// unknown), and remembers where, to say so on findings there.
pub(super) fn scope_to_this_key(document: &EmbeddedDocument, policy: &mut Policy) -> ThisKey {
    let mut rewritten = Vec::new();
    if !is_key_policy(document, policy) {
        return ThisKey { rewritten };
    }
    let key = format!(
        "arn:aws:kms:{}:{}:key/{}",
        unknown::placeholder("Region"),
        unknown::placeholder("AccountId"),
        unknown::placeholder(THIS_KEY)
    );
    for statement in &mut policy.statements {
        let Some(resource) = statement.resource.as_mut().filter(|r| !r.negated) else {
            continue;
        };
        let mut any = false;
        for value in resource.values.iter_mut().filter(|v| v.value == "*") {
            value.value.clone_from(&key);
            any = true;
        }
        if any {
            rewritten.push(statement.span);
        }
    }
    ThisKey { rewritten }
}

/// A resource-based policy of a CloudFormation `AWS::KMS::Key`, or one whose
/// every statement names only `kms:` actions (a key policy on its own).
fn is_key_policy(document: &EmbeddedDocument, policy: &Policy) -> bool {
    if document.kind != DocumentKind::Resource {
        return false;
    }
    let terraform_key = document
        .definition
        .as_ref()
        .is_some_and(|d| d.id.starts_with("aws_kms_key.") || d.id.contains(".aws_kms_key."));
    if terraform_key
        || document
            .subject
            .as_deref()
            .is_some_and(|s| s.contains("(AWS::KMS::Key)"))
    {
        return true;
    }
    let only_kms = |statement: &Statement| {
        statement.action.as_ref().is_some_and(|a| {
            !a.negated
                && !a.values.is_empty()
                && a.values.iter().all(|v| {
                    v.value
                        .get(..4)
                        .is_some_and(|p| p.eq_ignore_ascii_case("kms:"))
                })
        })
    };
    !policy.statements.is_empty() && policy.statements.iter().all(only_kms)
}

impl ThisKey {
    /// The note for a finding in a statement whose `*` was read as the key.
    pub(super) fn note(&self, file: &SourceFile, location: &Location) -> Option<String> {
        self.rewritten
            .iter()
            .any(|span| {
                let (start, end) = (file.position(span.start), file.position(span.end));
                start <= location.start && location.end <= end
            })
            .then(|| {
                "in a key policy \"Resource\": \"*\" is the key the policy is attached to"
                    .to_owned()
            })
    }
}
