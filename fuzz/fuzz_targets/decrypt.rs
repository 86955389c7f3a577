//! Fuzz target `decrypt`: the check `mtproto_test_support::fuzz::decrypt`, shared
//! with the stable corpus replay in `tests/fuzz_corpus.rs`.
#![no_main]

mtproto_test_support::fuzz_target!(decrypt);
