//! Round trips over every constructor and function of the service layer.
//!
//! For each definition of `schema/mtproto.tl`, random valid bytes are
//! written straight from the schema (`mtproto_test_support::tlgen`, not
//! through the generated code), decoded with `mtproto::service::decode_by_id`,
//! and must report their exact length and re-encode to the very same bytes.
//! proptest drives the randomness from a fixed seed, so a CI run is
//! reproducible.

use mtproto_test_support::roundtrip::{
    assert_visited_all, layer_round_trips, schema, service_object,
};
use mtproto_test_support::tlgen::Generator;

#[test]
fn every_service_definition_round_trips() {
    let schema = schema("mtproto.tl");
    let gen = Generator::new(&schema, service_object);
    let visited = layer_round_trips(&gen, mtproto::service::decode_by_id, 256);
    assert_visited_all(&gen, &visited);
    // The service layer as the documents describe it, key exchange included.
    assert_eq!(visited.len(), 54);
}
