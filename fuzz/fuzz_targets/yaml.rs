//! The YAML reader (CloudFormation templates with short-form tags) into a
//! `Node` tree, through `SourceFile::parse` as lint reads a `.yaml` file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use whittle_syntax::{SourceFile, parse_yaml};

fuzz_target!(|data: &[u8]| {
    let Some(text) = whittle_fuzz::text(data) else {
        return;
    };
    if whittle_fuzz::known_issue(text) {
        return;
    }
    match parse_yaml(text) {
        Ok(node) => {
            assert!(
                node.span.end <= text.len(),
                "the root's span lies in the text"
            );
            let _ = node.compact_len();
        }
        Err(error) => assert!(error.offset <= text.len(), "{error:?} lies in the text"),
    }
    let _ = SourceFile::new("template.yaml", text).parse();
});
