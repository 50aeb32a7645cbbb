//! The readers of whittle's own formats: a `whittle.snapshot/v1` snapshot and
//! a `whittle.plan/v1` plan (the header picks which applies). What either
//! reads must write back and read again as the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use whittle_model::{Plan, Snapshot};

fuzz_target!(|data: &[u8]| {
    let Some(text) = whittle_fuzz::text(data) else {
        return;
    };
    if let Ok(snapshot) = Snapshot::parse("snapshot.json", text) {
        let again = Snapshot::parse("snapshot.json", &snapshot.to_json())
            .expect("a snapshot written reads back");
        assert_eq!(snapshot, again, "a snapshot round-trips");
    }
    if let Ok(plan) = Plan::parse("plan.json", text) {
        let again = Plan::parse("plan.json", &plan.to_json()).expect("a plan written reads back");
        assert_eq!(plan, again, "a plan round-trips");
        assert_eq!(plan.sha256(), again.sha256(), "a plan's hash is stable");
    }
});
