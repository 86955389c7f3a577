//! The bodies of the fuzz targets, as plain functions.
//!
//! Both the libFuzzer targets in `fuzz/fuzz_targets/` (through
//! [`fuzz_target!`](crate::fuzz_target)) and the stable replay test
//! `tests/fuzz_corpus.rs` call these, so every corpus and regression input
//! is checked on stable Rust by `cargo test`, with no fuzzing toolchain.
//!
//! Each check panics when a property fails. Beyond "no panic" they check
//! what can be checked for any input:
//! - decoding then encoding gives back exactly the consumed bytes (our TL
//!   decoders only accept canonical encodings);
//! - the generated codecs and the dynamic codec agree: an input one accepts
//!   the other accepts too (except where the generated code is lazy, see
//!   [`Layer::lazy`]), and both re-encode it to the same bytes;
//! - no run allocates more than a fixed multiple of its input
//!   ([`Counting`](crate::counting::Counting),
//!   [`bounded`](crate::counting::bounded)).

mod auth;
mod container;
mod decrypt;
mod gzip;
mod layers;
mod obfuscated;
mod parse;
mod session;
mod tl;
mod transport;

pub use auth::{auth_client, auth_server, auth_transcript, AuthTranscript, AUTH_STEPS};
pub use container::container;
pub use decrypt::{decrypt, decrypt_key};
pub use gzip::{gzip, GZIP_CAP};
pub use layers::{
    api_layer, both_layers, init, service_layer, Layer, API_TL, DYNAMIC_MAX_INFLATED, MTPROTO_TL,
};
pub use obfuscated::{obfuscated, OBFUSCATED_SECRET};
pub use parse::parse;
pub use session::session;
pub use tl::{api, dynamic, service};
pub use transport::{envelopes, transport};

/// A fuzz target's check: panics when the input breaks a rule.
pub type Check = fn(&[u8]);

/// Every target, by the name of its corpus directory.
pub const TARGETS: &[(&str, Check)] = &[
    ("parse", parse),
    ("service", service),
    ("api", api),
    ("dynamic", dynamic),
    ("transport", transport),
    ("container", container),
    ("gzip", gzip),
    ("session", session),
    ("obfuscated", obfuscated),
    ("decrypt", decrypt),
    ("auth_client", auth_client),
    ("auth_server", auth_server),
];

/// A libFuzzer target running the check of that name: the counting
/// allocator, the shared tables built before the first input, then the
/// check on every input. For `fuzz/fuzz_targets/*.rs`, whose crate depends
/// on `libfuzzer-sys`:
///
/// ```ignore
/// #![no_main]
/// mtproto_test_support::fuzz_target!(parse);
/// ```
#[macro_export]
macro_rules! fuzz_target {
    ($check:ident) => {
        #[global_allocator]
        static ALLOCATOR: $crate::counting::Counting = $crate::counting::Counting;

        libfuzzer_sys::fuzz_target!(
            init: {
                $crate::fuzz::init();
            },
            |data: &[u8]| {
                $crate::fuzz::$check(data);
            }
        );
    };
}
