//! Fuzz target `transport`: the check `mtproto_test_support::fuzz::transport`, shared
//! with the stable corpus replay in `tests/fuzz_corpus.rs`.
#![no_main]

mtproto_test_support::fuzz_target!(transport);
