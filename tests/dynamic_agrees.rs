//! The dynamic codec (`tl_codegen::dynamic`, what `tlc decode`/`encode`
//! run) agrees byte for byte with the generated layers, for every
//! constructor and function of both the service layer and the API layer.
//!
//! For random values generated from the schema (seeded, so failures repeat):
//! JSON → dynamic encode → bytes → generated `decode_by_id` → serialize →
//! the same bytes; and bytes → dynamic decode → JSON text → dynamic encode →
//! the same bytes. The two implementations share no code below the schema
//! parser, so agreement means both read the wire the same way.

use std::collections::{BTreeSet, HashMap};

use mtproto_test_support::hex::hex;
use mtproto_types::Serialize;
use serde_json::{json, Map, Value};
use tl_codegen::dynamic::Registry;
use tl_parser::{Category, Definition, ParamType, Schema, TypeKind, TypeRef};

const MTPROTO_TL: &str = include_str!("../schema/mtproto.tl");
const API_TL: &str = include_str!("../schema/api.tl");

/// Random cases per definition.
const CASES: u64 = 4;
/// Below this depth values are random; at it, generation takes the
/// shortest way to a finished value.
const MAX_DEPTH: usize = 3;

/// SplitMix64: tiny, seeded and good enough to pick test values.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// One schema, indexed for generating values of its types.
struct Layer<'s> {
    schema: &'s Schema,
    by_name: HashMap<String, &'s Definition>,
    /// Boxed type name → its constructors.
    types: HashMap<String, Vec<&'s Definition>>,
    /// Constructor name → the depth of its smallest finished value.
    height: HashMap<String, usize>,
}

impl<'s> Layer<'s> {
    fn new(schema: &'s Schema) -> Self {
        let mut by_name = HashMap::new();
        let mut types: HashMap<String, Vec<&Definition>> = HashMap::new();
        for def in &schema.definitions {
            by_name.insert(def.name.full(), def);
            if def.category == Category::Type {
                types.entry(def.result.name.full()).or_default().push(def);
            }
        }
        let mut layer = Layer {
            schema,
            by_name,
            types,
            height: HashMap::new(),
        };
        // Fixpoint: a constructor's height is one more than its deepest
        // required field; optional fields and vectors (which may be empty)
        // cost nothing.
        loop {
            let mut changed = false;
            for def in &schema.definitions {
                let h = def
                    .params
                    .iter()
                    .map(|p| match &p.ty {
                        ParamType::Normal { ty, flag: None } => layer.type_height(ty),
                        _ => Some(0),
                    })
                    .try_fold(0, |acc, h| h.map(|h| acc.max(h)))
                    .map(|h| h + 1);
                if let Some(h) = h {
                    if layer.height.get(&def.name.full()) != Some(&h) {
                        layer.height.insert(def.name.full(), h);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        layer
    }

    fn type_height(&self, ty: &TypeRef) -> Option<usize> {
        if ty.generic_ref {
            return Some(1);
        }
        match ty.kind {
            TypeKind::Vector => Some(0),
            TypeKind::Object | TypeKind::Generic => Some(1),
            TypeKind::Boxed | TypeKind::BareConstructor | TypeKind::Unresolved => self
                .constructors_of(ty)
                .iter()
                .filter_map(|d| self.height.get(&d.name.full()).copied())
                .min(),
            _ => Some(0),
        }
    }

    /// The constructors a (boxed or bare) type reference may take.
    fn constructors_of(&self, ty: &TypeRef) -> Vec<&'s Definition> {
        let name = ty.name.full();
        if let Some(ctors) = self.types.get(&name) {
            ctors.clone()
        } else {
            self.by_name.get(&name).copied().into_iter().collect()
        }
    }

    /// A random value of `def` as JSON (with `"_"` when `boxed`).
    fn value_of(&self, def: &Definition, boxed: bool, depth: usize, rng: &mut Rng) -> Value {
        let mut map = Map::new();
        if boxed {
            map.insert("_".into(), json!(def.name.full()));
        }
        let name = def.name.full();
        // Fields sharing a flag bit must be present together.
        let mut bits: HashMap<(String, u32), bool> = HashMap::new();
        for p in &def.params {
            let ParamType::Normal { ty, flag } = &p.ty else {
                continue;
            };
            if let Some(flag) = flag {
                let set = *bits
                    .entry((flag.field.to_string(), flag.bit))
                    .or_insert_with(|| depth < MAX_DEPTH && rng.chance(60));
                if !set {
                    continue;
                }
            }
            let value = if name == "gzip_packed" {
                // packed_data must really be gzip for the dynamic decoder
                // to inflate: give it a value to compress.
                self.any_object(depth + 1, rng)
            } else {
                self.value(ty, depth + 1, rng)
            };
            map.insert(p.name.to_string(), value);
        }
        Value::Object(map)
    }

    /// A random boxed value of any constructor of the layer.
    fn any_object(&self, depth: usize, rng: &mut Rng) -> Value {
        let ctors: Vec<&Definition> = self.schema.constructors().collect();
        let def = self.pick(&ctors, depth, rng);
        self.value_of(def, true, depth, rng)
    }

    fn pick<'d>(&self, ctors: &[&'d Definition], depth: usize, rng: &mut Rng) -> &'d Definition {
        if depth < MAX_DEPTH {
            // Not gzip_packed for `Object`s chosen at random: it nests
            // without end, and it has its own cases.
            loop {
                let d = ctors[rng.below(ctors.len())];
                if d.name.full() != "gzip_packed" || ctors.len() == 1 {
                    return d;
                }
            }
        }
        ctors
            .iter()
            .min_by_key(|d| {
                self.height
                    .get(&d.name.full())
                    .copied()
                    .unwrap_or(usize::MAX)
            })
            .expect("a type has constructors")
    }

    fn value(&self, ty: &TypeRef, depth: usize, rng: &mut Rng) -> Value {
        if ty.generic_ref {
            return self.any_object(depth, rng);
        }
        match ty.kind {
            TypeKind::Int => json!(match rng.below(4) {
                0 => i32::MIN,
                1 => i32::MAX,
                _ => rng.next() as i32,
            }),
            TypeKind::Long => json!(match rng.below(4) {
                0 => i64::MIN,
                1 => i64::MAX,
                _ => rng.next() as i64,
            }),
            TypeKind::Double => loop {
                let v = f64::from_bits(rng.next());
                if v.is_finite() {
                    break json!(v);
                }
            },
            TypeKind::String => {
                let len = if rng.chance(10) { 300 } else { rng.below(12) };
                let pool = ['a', 'Z', '0', ' ', 'é', 'ж', '中', '🦀', '"', '\\', '\n'];
                json!((0..len)
                    .map(|_| pool[rng.below(pool.len())])
                    .collect::<String>())
            }
            TypeKind::Bytes => {
                let len = if rng.chance(10) { 254 } else { rng.below(9) };
                json!(hex(&(0..len).map(|_| rng.next() as u8).collect::<Vec<_>>()))
            }
            TypeKind::Int128 => json!(hex(&(0..16).map(|_| rng.next() as u8).collect::<Vec<_>>())),
            TypeKind::Int256 => json!(hex(&(0..32).map(|_| rng.next() as u8).collect::<Vec<_>>())),
            TypeKind::Bool => json!(rng.chance(50)),
            TypeKind::True => json!(true),
            TypeKind::Vector => {
                let n = if depth < MAX_DEPTH { rng.below(3) } else { 0 };
                let element = &ty.args[0];
                Value::Array(
                    (0..n)
                        .map(|_| self.value(element, depth + 1, rng))
                        .collect(),
                )
            }
            TypeKind::Object | TypeKind::Generic => self.any_object(depth, rng),
            TypeKind::Boxed | TypeKind::BareConstructor | TypeKind::Unresolved => {
                let ctors = self.constructors_of(ty);
                assert!(!ctors.is_empty(), "no constructor for `{ty}`");
                let def = self.pick(&ctors, depth, rng);
                self.value_of(def, !ty.bare, depth, rng)
            }
        }
    }
}

/// Definitions the generator maps to Rust primitives (`bool`) instead of
/// generating: the dynamic codec still handles them as values of their own.
const NOT_GENERATED: [&str; 3] = ["boolFalse", "boolTrue", "true"];

type GeneratedDecode =
    for<'a> fn(&'a [u8]) -> Option<mtproto_types::Result<Box<dyn mtproto_types::Dynamic + 'a>>>;

/// Runs both checks on every definition of `schema`; returns the ids seen.
fn agree(
    registry: &Registry,
    schema: &Schema,
    decode: GeneratedDecode,
    seed: u64,
) -> BTreeSet<u32> {
    let layer = Layer::new(schema);
    let mut visited = BTreeSet::new();
    for def in &schema.definitions {
        if NOT_GENERATED.contains(&def.name.full().as_str()) {
            continue;
        }
        for case in 0..CASES {
            let mut rng = Rng(seed ^ u64::from(def.id) << 16 ^ case);
            let value = layer.value_of(def, true, 0, &mut rng);
            let context = || format!("`{}` case {case}: {value}", def.name.full());

            let bytes = registry
                .encode_boxed(&value)
                .unwrap_or_else(|e| panic!("dynamic encode failed: {e}\n{}", context()));
            assert_eq!(&bytes[..4], &def.id.to_le_bytes(), "{}", context());

            let generated = decode(&bytes)
                .unwrap_or_else(|| panic!("generated layer has no id {:08x}", def.id))
                .unwrap_or_else(|e| panic!("generated decode failed: {e}\n{}", context()));
            assert_eq!(
                hex(&generated.to_bytes()),
                hex(&bytes),
                "generated re-serialization differs\n{}",
                context()
            );

            let decoded = registry
                .decode_boxed(&bytes)
                .unwrap_or_else(|e| panic!("dynamic decode failed: {e}\n{}", context()));
            // Through JSON text, as `tlc decode | tlc encode` would go.
            let text = serde_json::to_string(&decoded).unwrap();
            let reparsed: Value = serde_json::from_str(&text).unwrap();
            let again = registry
                .encode_boxed(&reparsed)
                .unwrap_or_else(|e| panic!("re-encode failed: {e}\n{text}\n{}", context()));
            assert_eq!(hex(&again), hex(&bytes), "JSON round trip differs\n{text}");
            visited.insert(def.id);
        }
    }
    visited
}

fn generated_ids(schema: &Schema) -> BTreeSet<u32> {
    schema
        .definitions
        .iter()
        .filter(|d| !NOT_GENERATED.contains(&d.name.full().as_str()))
        .map(|d| d.id)
        .collect()
}

fn parse(source: &str) -> Schema {
    tl_parser::parse(source).expect("the schema parses").schema
}

#[test]
fn dynamic_codec_agrees_with_the_generated_layers() {
    let service = parse(MTPROTO_TL);
    let api = parse(API_TL);
    let registry = Registry::new([&service, &api]).expect("the schemas fit together");

    let visited = agree(&registry, &service, mtproto::service::decode_by_id, 0x5e41);
    let all = generated_ids(&service);
    assert_eq!(visited, all, "every service-layer id was visited");
    assert!(all.len() > 50, "{}", all.len());

    let visited = agree(&registry, &api, mtproto_types::api::decode_by_id, 0xa91);
    let all = generated_ids(&api);
    for name in NOT_GENERATED {
        let id = registry.id_of(name).unwrap();
        assert_eq!(
            mtproto_types::api::name_of(id),
            None,
            "{name} is generated after all"
        );
    }
    assert_eq!(visited, all, "every API-layer id was visited");
    assert!(all.len() > 2000, "{}", all.len());
}

#[test]
fn the_sample_container_agrees_with_the_generated_layer() {
    // A container of a gzip-packed rpc_result and a pong, as `tlc decode`
    // shows by default: the generated service layer reads the same bytes.
    let service = parse(MTPROTO_TL);
    let api = parse(API_TL);
    let registry = Registry::new([&service, &api]).unwrap();
    let value = json!({"_": "msg_container", "messages": [
        {"msg_id": 8, "seqno": 1, "body": {"_": "rpc_result", "req_msg_id": 4,
            "result": {"_": "gzip_packed", "packed_data": {"_": "help.getConfig"}}}},
        {"msg_id": 12, "seqno": 2, "body": {"_": "pong", "msg_id": 4, "ping_id": -1}}
    ]});
    let bytes = registry.encode_boxed(&value).unwrap();
    let generated = mtproto::service::decode_by_id(&bytes).unwrap().unwrap();
    assert_eq!(generated.to_bytes(), bytes);
    let shown = format!("{generated:?}");
    assert!(shown.contains("RawObject(#f35c6d01, 44 bytes)"), "{shown}");
}
