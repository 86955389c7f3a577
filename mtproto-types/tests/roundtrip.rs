//! Round trips over every constructor and function of both generated layers.
//!
//! For each definition of `schema/mtproto.tl` and `schema/api.tl`, random
//! valid bytes are written straight from the schema (tests/support/tlgen.rs,
//! not through the generated code), decoded with the layer's
//! `decode_by_id`, and must report their exact length and re-encode to the
//! very same bytes. proptest drives the randomness from a fixed seed, so a
//! CI run is reproducible; the case count keeps the whole test to seconds.
#![cfg(feature = "api")]

#[path = "../../tests/support/tlgen.rs"]
mod tlgen;

use std::collections::BTreeSet;

use mtproto_types::{Dynamic, Result};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use tlgen::{Generator, Rng};

type DecodeById = for<'a> fn(&'a [u8]) -> Option<Result<Box<dyn Dynamic + 'a>>>;

fn load(path: &str) -> tl_parser::Schema {
    let file = format!("{}/../schema/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    tl_parser::parse(&text)
        .unwrap_or_else(|e| panic!("{file} does not parse: {e:?}"))
        .schema
}

/// A runner with a fixed seed, so every CI run generates the same inputs.
fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

/// Checks one layer and returns the ids it visited.
fn check_layer(gen: &Generator, decode: DecodeById, cases: u32) -> BTreeSet<u32> {
    let mut visited = BTreeSet::new();
    let mut failures = Vec::new();
    for def in gen.definitions() {
        let mut runner = runner(cases);
        let result = runner.run(&proptest::num::u64::ANY, |seed| {
            let bytes = gen.boxed(def, &mut Rng::new(seed));
            // The generated code maps `Bool` to Rust's `bool` and `true`
            // (which only ever appears as `flags.N?true`, taking no bytes)
            // to a flag bit, so the layer's decoder does not know them.
            match def.name.full().as_str() {
                "boolTrue" | "boolFalse" => {
                    let value = <bool as mtproto_types::Deserialize>::from_bytes(&bytes)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    if value != (def.name.name == "boolTrue")
                        || mtproto_types::Serialize::to_bytes(&value) != bytes
                    {
                        return Err(TestCaseError::fail("Bool does not round-trip"));
                    }
                    return Ok(());
                }
                "true" => {
                    if decode(&bytes).is_some() {
                        return Err(TestCaseError::fail("`true` decodes as a value"));
                    }
                    return Ok(());
                }
                _ => {}
            }
            let decoded = match decode(&bytes) {
                None => return Err(TestCaseError::fail("decode_by_id does not know the id")),
                Some(Err(e)) => {
                    return Err(TestCaseError::fail(format!(
                        "decoding failed: {e} in {}",
                        mtproto_types::hex(&bytes)
                    )))
                }
                Some(Ok(value)) => value,
            };
            if decoded.serialized_len() != bytes.len() {
                return Err(TestCaseError::fail(format!(
                    "serialized_len {} for {} input bytes",
                    decoded.serialized_len(),
                    bytes.len()
                )));
            }
            let again = decoded.to_bytes();
            if again != bytes {
                return Err(TestCaseError::fail(format!(
                    "re-encoded differently:\n in  {}\n out {}\n value {decoded:?}",
                    mtproto_types::hex(&bytes),
                    mtproto_types::hex(&again)
                )));
            }
            Ok(())
        });
        match result {
            Ok(()) => {
                visited.insert(def.id);
            }
            Err(e) => failures.push(format!("{} (#{:08x}): {e}", def.name, def.id)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} definitions failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    visited
}

/// Every definition has its own id, and the test visited each of them.
fn assert_visited_all(gen: &Generator, visited: &BTreeSet<u32>) {
    let ids: BTreeSet<u32> = gen.definitions().map(|d| d.id).collect();
    assert_eq!(ids.len(), gen.definitions().count(), "duplicate ids");
    assert_eq!(&ids, visited);
}

/// `Object` and `!X` in the service layer: a boxed ping with a random id.
fn service_object(rng: &mut Rng, out: &mut Vec<u8>) {
    out.extend_from_slice(&0x7abe77ecu32.to_le_bytes());
    rng.fill(out, 8);
}

/// `!X` in the application layer (invokeWithLayer and friends): a boxed
/// Bool, or `help.getConfig` (a query with no fields).
fn api_object(rng: &mut Rng, out: &mut Vec<u8>) {
    let id: u32 = match rng.below(3) {
        0 => 0x997275b5,
        1 => 0xbc799737,
        _ => 0xc4f9186b,
    };
    out.extend_from_slice(&id.to_le_bytes());
}

#[test]
fn every_service_definition_round_trips() {
    let schema = load("mtproto.tl");
    let gen = Generator::new(&schema, service_object);
    let visited = check_layer(&gen, mtproto::service::decode_by_id, 256);
    assert_visited_all(&gen, &visited);
    // The service layer as the documents describe it, key exchange included.
    assert_eq!(visited.len(), 54);
}

#[test]
fn every_api_definition_round_trips() {
    let schema = load("api.tl");
    assert_eq!(schema.layer, Some(230));
    let gen = Generator::new(&schema, api_object);
    let visited = check_layer(&gen, mtproto_types::api::decode_by_id, 16);
    assert_visited_all(&gen, &visited);
    // Layer 230 has well over two thousand constructors and functions; a
    // schema that lost most of them would not pass unnoticed.
    assert!(visited.len() > 2000, "only {} definitions", visited.len());
}
