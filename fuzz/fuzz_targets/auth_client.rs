//! Fuzz target `auth_client`: the check `mtproto_test_support::fuzz::auth_client`, shared
//! with the stable corpus replay in `tests/fuzz_corpus.rs`.
#![no_main]

mtproto_test_support::fuzz_target!(auth_client);
