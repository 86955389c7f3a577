//! Fuzz target `api`: the check `tests/fuzz_checks::api`, shared with the
//! stable corpus replay in `tests/fuzz_corpus.rs`.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

#[global_allocator]
static ALLOC: checks::Counting = checks::Counting;

libfuzzer_sys::fuzz_target!(
    init: {
        checks::init();
    },
    |data: &[u8]| {
        checks::api(data);
    }
);
