//! Strict JSON into a `Node` tree, then the policy grammar (identity and trust
//! policies), with every problem located in the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use whittle_policy::Policy;
use whittle_syntax::{SourceFile, parse_json};

fuzz_target!(|data: &[u8]| {
    let Some(text) = whittle_fuzz::text(data) else {
        return;
    };
    let file = SourceFile::new("policy.json", text);
    let Ok(node) = parse_json(text) else {
        let _ = file.parse_json();
        return;
    };
    assert!(
        node.span.end <= text.len(),
        "the root's span lies in the text"
    );
    let _ = node.compact_len();
    for policy in [Policy::parse(&node), Policy::parse_trust(&node)] {
        for element in policy.statements.iter().filter_map(|s| s.resource.as_ref()) {
            let _ = element.covers_every_resource();
            let _ = element.covers_a_whole_type();
        }
        for problem in &policy.problems {
            assert!(problem.span.start <= problem.span.end);
            assert!(
                problem.span.end <= text.len(),
                "{problem:?} lies in the text"
            );
            let _ = file.position(problem.span.start);
            let _ = file.position(problem.span.end);
        }
    }
});
