//! Fuzz target `dynamic`: the check `mtproto_test_support::fuzz::dynamic`, shared
//! with the stable corpus replay in `tests/fuzz_corpus.rs`.
#![no_main]

mtproto_test_support::fuzz_target!(dynamic);
