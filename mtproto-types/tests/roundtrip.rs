//! Round trips over every constructor and function of the API layer.
//!
//! For each definition of `schema/api.tl`, random valid bytes are written
//! straight from the schema (`mtproto_test_support::tlgen`, not through the
//! generated code), decoded with the layer's `decode_by_id`, and must report
//! their exact length and re-encode to the very same bytes. proptest drives
//! the randomness from a fixed seed, so a CI run is reproducible; the case
//! count keeps the whole test to seconds. The service layer's round trips
//! live with the runtime that generates it (`tests/roundtrip.rs`).
#![cfg(feature = "api")]

use mtproto_test_support::roundtrip::{api_object, assert_visited_all, layer_round_trips, schema};
use mtproto_test_support::tlgen::Generator;

#[test]
fn every_api_definition_round_trips() {
    let schema = schema("api.tl");
    assert_eq!(schema.layer, Some(230));
    let gen = Generator::new(&schema, api_object);
    let visited = layer_round_trips(&gen, mtproto_types::api::decode_by_id, 16);
    assert_visited_all(&gen, &visited);
    // Layer 230 has well over two thousand constructors and functions; a
    // schema that lost most of them would not pass unnoticed.
    assert!(visited.len() > 2000, "only {} definitions", visited.len());
}
