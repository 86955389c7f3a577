//! Checks over every definition of a schema, on random values written by
//! [`tlgen`](crate::tlgen): proptest seeds the generator from a fixed seed,
//! so a CI run is reproducible, and every definition that fails is listed,
//! not just the first.

use std::collections::BTreeSet;

use mtproto_types::{Dynamic, Result};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use tl_parser::{Definition, Schema};

use crate::tlgen::{Generator, Rng};

/// A generated layer's `decode_by_id`.
pub type DecodeById = for<'a> fn(&'a [u8]) -> Option<Result<Box<dyn Dynamic + 'a>>>;

/// `schema/<file>` of the workspace, parsed.
pub fn schema(file: &str) -> Schema {
    let path = format!("{}/../../schema/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    tl_parser::parse(&text)
        .unwrap_or_else(|e| panic!("{path} does not parse: {e:?}"))
        .schema
}

/// `Object` and `!X` in the service layer: a boxed ping with a random id.
pub fn service_object(rng: &mut Rng, out: &mut Vec<u8>) {
    out.extend_from_slice(&0x7abe77ecu32.to_le_bytes());
    rng.fill(out, 8);
}

/// `!X` in the application layer (invokeWithLayer and friends): a boxed
/// Bool, or `help.getConfig` (a query with no fields).
pub fn api_object(rng: &mut Rng, out: &mut Vec<u8>) {
    let id: u32 = match rng.below(3) {
        0 => 0x997275b5,
        1 => 0xbc799737,
        _ => 0xc4f9186b,
    };
    out.extend_from_slice(&id.to_le_bytes());
}

/// Runs `check` on `cases` random values of each of `definitions` and
/// returns their ids; panics listing every definition that failed, as
/// "N definitions `failed`:".
pub fn check_each<'s>(
    gen: &Generator<'s>,
    definitions: impl IntoIterator<Item = &'s Definition>,
    cases: u32,
    failed: &str,
    check: impl Fn(&Definition, &[u8]) -> std::result::Result<(), TestCaseError>,
) -> BTreeSet<u32> {
    let mut visited = BTreeSet::new();
    let mut failures = Vec::new();
    for def in definitions {
        let config = Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        };
        let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        let mut runner = TestRunner::new_with_rng(config, rng);
        let result = runner.run(&proptest::num::u64::ANY, |seed| {
            check(def, &gen.boxed(def, &mut Rng::new(seed)))
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
        "{} definitions {failed}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    visited
}

/// Every definition of the generator's schema, decoded with the layer's
/// `decode_by_id` from random valid bytes, reports its exact length and
/// re-encodes to the very same bytes; returns the ids checked.
pub fn layer_round_trips(gen: &Generator<'_>, decode: DecodeById, cases: u32) -> BTreeSet<u32> {
    check_each(gen, gen.definitions(), cases, "failed", |def, bytes| {
        // The generated code maps `Bool` to Rust's `bool` and `true`
        // (which only ever appears as `flags.N?true`, taking no bytes)
        // to a flag bit, so the layer's decoder does not know them.
        match def.name.full().as_str() {
            "boolTrue" | "boolFalse" => {
                let value = <bool as mtproto_types::Deserialize>::from_bytes(bytes)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                if value != (def.name.name == "boolTrue")
                    || mtproto_types::Serialize::to_bytes(&value) != bytes
                {
                    return Err(TestCaseError::fail("Bool does not round-trip"));
                }
                return Ok(());
            }
            "true" => {
                if decode(bytes).is_some() {
                    return Err(TestCaseError::fail("`true` decodes as a value"));
                }
                return Ok(());
            }
            _ => {}
        }
        let decoded = match decode(bytes) {
            None => return Err(TestCaseError::fail("decode_by_id does not know the id")),
            Some(Err(e)) => {
                return Err(TestCaseError::fail(format!(
                    "decoding failed: {e} in {}",
                    mtproto_types::hex(bytes)
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
                mtproto_types::hex(bytes),
                mtproto_types::hex(&again)
            )));
        }
        Ok(())
    })
}

/// Every definition has its own id, and the check visited each of them.
pub fn assert_visited_all(gen: &Generator<'_>, visited: &BTreeSet<u32>) {
    let ids: BTreeSet<u32> = gen.definitions().map(|d| d.id).collect();
    assert_eq!(ids.len(), gen.definitions().count(), "duplicate ids");
    assert_eq!(&ids, visited);
}
