//! Fuzz target `obfuscated`: the check `mtproto_test_support::fuzz::obfuscated`, shared
//! with the stable corpus replay in `tests/fuzz_corpus.rs`.
#![no_main]

mtproto_test_support::fuzz_target!(obfuscated);
