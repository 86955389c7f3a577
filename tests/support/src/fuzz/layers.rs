//! What the checks share: the schemas parsed once into the dynamic codec's
//! registries, the allocation bounds, and which definitions the generated
//! code decodes lazily.

use std::collections::HashSet;
use std::sync::OnceLock;

use mtproto::gzip;
use tl_codegen::dynamic::{Options, Registry};
use tl_parser::{Category, ParamType, Schema, TypeKind, TypeRef};

/// The service layer's schema, as the runtime's build script reads it.
pub const MTPROTO_TL: &str = include_str!("../../../../schema/mtproto.tl");
/// The application layer's schema, as `mtproto-types`' build script reads it.
pub const API_TL: &str = include_str!("../../../../schema/api.tl");

/// The allocation bound of the generated TL decoders: 64 bytes per input
/// byte plus 64 KiB (decoded values hold pointers, `Vec`s and enums a few
/// times larger than their wire form).
pub(super) fn tl_limit(input: usize) -> usize {
    64 * input + (64 << 10)
}

/// The bound of the dynamic codec, whose JSON is heavier: a 4-byte
/// constructor without fields becomes a map of one entry (a B-tree node of
/// about 640 bytes), so 256 bytes per input byte; plus what nested
/// gzip_packed values may inflate to, together at most the cap (read in a
/// buffer that may grow to twice what it holds).
pub(super) fn dynamic_limit(input: usize) -> usize {
    // 1 MiB more for the inflaters' own state (about 350 KB each).
    256 * input + (1 << 20) + 2 * DYNAMIC_MAX_INFLATED
}

/// One layer's schema, loaded into the dynamic codec.
pub struct Layer {
    /// The parsed schema.
    pub schema: Schema,
    /// The dynamic codec for it, with the checks' small inflation cap.
    pub registry: Registry,
    /// Ids of constructors and functions whose generated decoder keeps part
    /// of the value raw (`Object`, `!X`, or `gzip_packed`, whose bytes the
    /// generated code does not inflate), directly or through the types of
    /// their fields. For those the generated decoder may accept what the
    /// dynamic one, which decodes everything, rejects.
    pub lazy: HashSet<u32>,
}

/// The inflation cap given to the dynamic codec in the checks, small so a
/// bomb is found quickly and the allocation bound stays meaningful.
pub const DYNAMIC_MAX_INFLATED: usize = 64 << 10;

/// Constructor id of `true#3fedd339 = True`.
pub(super) const TRUE_ID: u32 = 0x3fed_d339;

impl Layer {
    fn new(sources: &[&str]) -> Self {
        let schemas: Vec<Schema> = sources
            .iter()
            .map(|s| {
                tl_parser::parse(s)
                    .expect("checked-in schema parses")
                    .schema
            })
            .collect();
        let registry = Registry::new(&schemas)
            .expect("schemas fit together")
            .with_options(Options {
                max_inflated: DYNAMIC_MAX_INFLATED,
                ..Options::default()
            });
        let schema = schemas.into_iter().next().expect("one schema");
        let lazy = lazy_ids(&schema);
        Layer {
            schema,
            registry,
            lazy,
        }
    }
}

/// The fixpoint behind [`Layer::lazy`].
fn lazy_ids(schema: &Schema) -> HashSet<u32> {
    fn refers(ty: &TypeRef, lazy_types: &HashSet<String>, lazy_names: &HashSet<String>) -> bool {
        match ty.kind {
            TypeKind::Object | TypeKind::Generic => true,
            TypeKind::Boxed => lazy_types.contains(&ty.name.full()),
            TypeKind::BareConstructor => {
                lazy_names.contains(&ty.name.full()) || lazy_types.contains(&ty.name.full())
            }
            _ => ty.args.iter().any(|a| refers(a, lazy_types, lazy_names)),
        }
    }
    let mut lazy_names: HashSet<String> = HashSet::from(["gzip_packed".to_owned()]);
    let mut lazy_types: HashSet<String> = HashSet::new();
    loop {
        let mut changed = false;
        for def in &schema.definitions {
            let name = def.name.full();
            let is_lazy = lazy_names.contains(&name)
                || def.params.iter().any(|p| match &p.ty {
                    ParamType::Normal { ty, .. } => refers(ty, &lazy_types, &lazy_names),
                    ParamType::Flags => false,
                });
            if is_lazy {
                changed |= lazy_names.insert(name);
                if def.category == Category::Type {
                    changed |= lazy_types.insert(def.result.name.full());
                }
            }
        }
        if !changed {
            break;
        }
    }
    schema
        .definitions
        .iter()
        .filter(|d| lazy_names.contains(&d.name.full()))
        .map(|d| d.id)
        .collect()
}

/// The service layer (`schema/mtproto.tl`), built on first use.
pub fn service_layer() -> &'static Layer {
    static LAYER: OnceLock<Layer> = OnceLock::new();
    LAYER.get_or_init(|| Layer::new(&[MTPROTO_TL]))
}

/// The application layer (`schema/api.tl`), built on first use.
pub fn api_layer() -> &'static Layer {
    static LAYER: OnceLock<Layer> = OnceLock::new();
    LAYER.get_or_init(|| Layer::new(&[API_TL]))
}

/// Both schemas in one registry, as `tlc decode` uses them.
pub fn both_layers() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let service = tl_parser::parse(MTPROTO_TL).unwrap().schema;
        let api = tl_parser::parse(API_TL).unwrap().schema;
        Registry::new([&service, &api])
            .unwrap()
            .with_options(Options {
                max_inflated: DYNAMIC_MAX_INFLATED,
                ..Options::default()
            })
    })
}

/// Builds every shared table, so that a target's first run does not count
/// them against its allocation bound.
pub fn init() {
    service_layer();
    api_layer();
    both_layers();
}

/// Whether `data` may hold a `gzip_packed` anywhere: the dynamic codec
/// inflates it and compresses again on encode, so its bytes need not come
/// back the same.
pub(super) fn may_hold_gzip(data: &[u8]) -> bool {
    data.windows(4)
        .any(|w| w == gzip::GZIP_PACKED_ID.to_le_bytes())
}
