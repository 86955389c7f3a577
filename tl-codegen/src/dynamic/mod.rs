//! A schema-driven dynamic codec: TL binary ⇄ JSON at run time, with no
//! generated code.
//!
//! [`Registry::new`] indexes the constructors and functions of one or more
//! parsed schemas by id and by name; [`Registry::decode_boxed`] turns a boxed
//! value into JSON and [`Registry::encode_boxed`] turns JSON back into bytes.
//! This is what `tlc decode` and `tlc encode` run, for people who need to see
//! what a captured MTProto message holds.
//!
//! The codec reads and writes the wire format itself rather than going
//! through `mtproto-types`: that crate build-depends on this one, and being
//! independent of the generated code is what makes comparing the two
//! meaningful.
//!
//! # The JSON mapping
//! - A boxed value is an object `{"_": "<TL name>", <fields in schema order>}`;
//!   a bare constructor (`message` in `msg_container`, `future_salt` in
//!   `future_salts`) has no `"_"` key.
//! - `#` fields are omitted (computed on encode); an absent `flags.N?T` field
//!   is omitted; a `flags.N?true` field is `true` when set, omitted otherwise.
//! - `int` and `long` are JSON integers (exact over the full 64-bit range);
//!   `double` is a JSON number (the non-finite values, which JSON lacks, are
//!   the strings `"NaN"`, `"Infinity"` and `"-Infinity"`, and a NaN with
//!   other bits than the usual one `"NaN:0x<its 16 hex digits>"`); `Bool` is
//!   `true`/`false`; `string` is a JSON string; `bytes`, `int128` and `int256`
//!   are lowercase hex strings; vectors are arrays.
//! - `Object` and `!X` fields are nested objects decoded by their constructor
//!   id. An `Object` cannot run past its enclosing bounded buffer: in
//!   `message msg_id:long seqno:int bytes:int body:Object` the body is exactly
//!   `bytes` long (shown on decode, recomputed on encode).
//! - `gzip_packed` decodes to `{"_": "gzip_packed", "packed_data": <the
//!   inflated value>}`, inflated with a cap ([`Options::max_inflated`]); it
//!   encodes from that form (the value is serialized and compressed) or from
//!   a hex string of the raw `packed_data`.
//!
//! ```
//! use tl_codegen::dynamic::Registry;
//!
//! let schema = tl_parser::parse("pong#347773c5 msg_id:long ping_id:long = Pong;")
//!     .unwrap()
//!     .schema;
//! let registry = Registry::new([&schema]).unwrap();
//! let json = serde_json::json!({"_": "pong", "msg_id": 1, "ping_id": -2});
//! let bytes = registry.encode_boxed(&json).unwrap();
//! assert_eq!(&bytes[..4], &0x347773c5u32.to_le_bytes());
//! assert_eq!(registry.decode_boxed(&bytes).unwrap(), json);
//! ```

mod decode;
mod encode;
mod json;
mod wire;

use std::collections::HashMap;
use std::fmt;

use tl_parser::{Category, Definition, ParamType, Schema, TypeKind, TypeRef};

/// Constructor id of `gzip_packed#3072cfa1 packed_data:bytes = Object`,
/// which the codec understands even when no given schema declares it.
pub const GZIP_PACKED_ID: u32 = 0x3072_cfa1;
/// Constructor id of the boxed `Vector t`.
pub const VECTOR_ID: u32 = 0x1cb5_c415;
/// Constructor id of `boolTrue`.
pub const BOOL_TRUE_ID: u32 = 0x9972_75b5;
/// Constructor id of `boolFalse`.
pub const BOOL_FALSE_ID: u32 = 0xbc79_9737;
/// The default cap on what the gzip_packed values of one input inflate to: 16 MiB.
pub const DEFAULT_MAX_INFLATED: usize = 16 * 1024 * 1024;
/// The default cap on nesting (objects and vectors inside each other).
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// Limits applied while decoding and encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The most bytes the `gzip_packed` values of one decoded input may
    /// inflate to, together (nested ones included); more is an error (a
    /// gzip bomb), found without inflating past the cap.
    pub max_inflated: usize,
    /// The deepest nesting of objects and vectors accepted, so hostile input
    /// gets an error rather than a stack overflow.
    pub max_depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_inflated: DEFAULT_MAX_INFLATED,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// Why [`Registry::decode_boxed`] failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The byte offset in the input where the problem is. Inside a
    /// `gzip_packed` value it is the offset of that value's `packed_data`;
    /// the message then says where in the inflated data the problem is.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte offset {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Why [`Registry::encode_boxed`] failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeError {
    /// Where in the JSON value the problem is, as a path such as
    /// `.messages[2].body.error_code`; empty for the value itself.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "."
        } else {
            &self.path
        };
        write!(f, "at {path}: {}", self.message)
    }
}

impl std::error::Error for EncodeError {}

/// Why [`Registry::new`] refused a set of schemas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryError {
    /// The definition the problem is in (`auth.sendCode`).
    pub definition: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "in `{}`: {}", self.definition, self.message)
    }
}

impl std::error::Error for RegistryError {}

/// The type of a field, resolved against every schema of the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ty {
    Int,
    Long,
    Double,
    Str,
    Bytes,
    Int128,
    Int256,
    Bool,
    /// `flags.N?true`: no bytes, the flag bit is the value.
    True,
    /// `Vector<T>` (boxed, with its id) or `vector<T>` (bare).
    Vector {
        boxed: bool,
        element: Box<Ty>,
    },
    /// `Object`, `X` or `!X`: any boxed value, known by its id.
    Object,
    /// A boxed type declared by constructors (index into `Registry::types`).
    Boxed(usize),
    /// A bare constructor (index into `Registry::items`).
    Bare(usize),
}

/// One field of a constructor or function.
#[derive(Clone, Debug)]
struct Field {
    name: String,
    kind: FieldKind,
}

#[derive(Clone, Debug)]
enum FieldKind {
    /// A `#` field; its value is computed from the fields that refer to it.
    Flags,
    /// A value, present only when `flag` (index of the `#` field, bit) is set.
    Value { ty: Ty, flag: Option<(usize, u32)> },
}

/// A constructor or a function: both travel as boxed values.
#[derive(Clone, Debug)]
struct Item {
    /// The full TL name (`auth.sentCode`).
    name: String,
    id: u32,
    /// Which of the given schemas declared it (references resolve within
    /// their own schema first).
    origin: usize,
    fields: Vec<Field>,
    /// Index into `Registry::types` of the type a constructor builds; `None`
    /// for functions (they are not values of a type).
    type_index: Option<usize>,
    /// The index of an `int` field named `bytes` that gives the length of the
    /// last field, an `Object` (`message … bytes:int body:Object`).
    length_field: Option<usize>,
}

/// A boxed type: its name and constructors.
#[derive(Clone, Debug)]
struct TypeInfo {
    name: String,
    constructors: Vec<usize>,
}

/// Every constructor and function of a set of schemas, by id and by name:
/// what the dynamic codec decodes and encodes with.
#[derive(Clone, Debug)]
pub struct Registry {
    items: Vec<Item>,
    types: Vec<TypeInfo>,
    by_id: HashMap<u32, usize>,
    by_name: HashMap<String, Vec<usize>>,
    /// Whether a field refers to the item as a bare constructor.
    bare_used: Vec<bool>,
    options: Options,
}

impl Registry {
    /// Indexes the constructors and functions of `schemas`, with the default
    /// [`Options`].
    ///
    /// Types may refer to types of another of the given schemas; a name
    /// resolves in its own schema first. When two schemas declare the same
    /// id, the first one wins (Telegram's layers repeat a few service
    /// definitions); one name with two ids (the service layer's bare
    /// `message` and the API's `message`) keeps both. Fails when a field's
    /// type is declared by none of the schemas.
    pub fn new<'s, I>(schemas: I) -> Result<Self, RegistryError>
    where
        I: IntoIterator<Item = &'s Schema>,
    {
        let definitions: Vec<(usize, &Definition)> = schemas
            .into_iter()
            .enumerate()
            .flat_map(|(origin, s)| s.definitions.iter().map(move |d| (origin, d)))
            .collect();
        let mut registry = Registry {
            items: Vec::new(),
            types: Vec::new(),
            by_id: HashMap::new(),
            by_name: HashMap::new(),
            bare_used: Vec::new(),
            options: Options::default(),
        };
        let mut type_names: HashMap<String, usize> = HashMap::new();
        // First pass: names, ids and types, so that fields can refer to
        // anything in any schema, whatever the order.
        let mut kept = Vec::new();
        for (origin, def) in definitions {
            // The same id twice is the same definition repeated (Telegram's
            // layers repeat a few service ones): the first one wins.
            if registry.by_id.contains_key(&def.id) {
                continue;
            }
            let name = def.name.full();
            let index = registry.items.len();
            let type_index = match def.category {
                Category::Function => None,
                Category::Type => {
                    let type_name = def.result.name.full();
                    let t = *type_names.entry(type_name.clone()).or_insert_with(|| {
                        registry.types.push(TypeInfo {
                            name: type_name,
                            constructors: Vec::new(),
                        });
                        registry.types.len() - 1
                    });
                    registry.types[t].constructors.push(index);
                    Some(t)
                }
            };
            registry.by_id.insert(def.id, index);
            // Names may repeat with different ids: the service layer's bare
            // `message` and the API's `message`. Both stay; lookups choose.
            registry
                .by_name
                .entry(name.clone())
                .or_default()
                .push(index);
            registry.items.push(Item {
                name,
                id: def.id,
                origin,
                fields: Vec::new(),
                type_index,
                length_field: None,
            });
            kept.push(def);
        }
        registry.bare_used = vec![false; registry.items.len()];
        // Second pass: resolve the fields.
        for (index, def) in kept.into_iter().enumerate() {
            let origin = registry.items[index].origin;
            let mut fields: Vec<Field> = Vec::with_capacity(def.params.len());
            for param in &def.params {
                let kind = match &param.ty {
                    ParamType::Flags => FieldKind::Flags,
                    ParamType::Normal { ty, flag } => {
                        let resolved =
                            registry
                                .resolve(ty, origin, &type_names)
                                .map_err(|message| RegistryError {
                                    definition: def.name.full(),
                                    message: format!("field `{}`: {message}", param.name),
                                })?;
                        let flag = match flag {
                            None => None,
                            Some(flag) => {
                                let flags_index = fields
                                    .iter()
                                    .position(|f| {
                                        f.name == flag.field && matches!(f.kind, FieldKind::Flags)
                                    })
                                    .ok_or_else(|| RegistryError {
                                        definition: def.name.full(),
                                        message: format!(
                                            "field `{}` refers to `{}`, which is not an earlier `#` field",
                                            param.name, flag.field
                                        ),
                                    })?;
                                Some((flags_index, flag.bit))
                            }
                        };
                        FieldKind::Value { ty: resolved, flag }
                    }
                };
                fields.push(Field {
                    name: param.name.to_string(),
                    kind,
                });
            }
            registry.items[index].length_field = length_field(&fields);
            registry.items[index].fields = fields;
        }
        Ok(registry)
    }

    /// The constructor or function a JSON `"_"` names. Where two schemas
    /// use one name with different ids (the service layer's bare `message`
    /// and the API's `message`), the choice is, in order: one of the
    /// expected type whose fields cover the object's keys, one that is not
    /// only ever used bare (a container's `message` has no `"_"`), any of
    /// the expected type, the first.
    pub(super) fn lookup(
        &self,
        name: &str,
        expected: Option<usize>,
        object: Option<&serde_json::Map<String, serde_json::Value>>,
    ) -> Option<usize> {
        let candidates = self.by_name.get(name)?;
        if let [only] = candidates.as_slice() {
            return Some(*only);
        }
        let fits = |i: &&usize| expected.map_or(true, |t| self.items[**i].type_index == Some(t));
        let covers = |i: &&usize| {
            object.map_or(true, |map| {
                map.keys().all(|k| {
                    k == json::TYPE_KEY || self.items[**i].fields.iter().any(|f| &f.name == k)
                })
            })
        };
        candidates
            .iter()
            .filter(fits)
            .filter(covers)
            .find(|&&i| !self.bare_used[i])
            .or_else(|| candidates.iter().filter(fits).find(covers))
            .or_else(|| candidates.iter().find(fits))
            .or_else(|| candidates.first())
            .copied()
    }

    /// The same registry with other limits.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// The limits in force.
    pub fn options(&self) -> Options {
        self.options
    }

    /// The TL name of a constructor or function id, if a schema declares it.
    pub fn name_of(&self, id: u32) -> Option<&str> {
        self.by_id.get(&id).map(|&i| self.items[i].name.as_str())
    }

    /// The id of a constructor or function by its TL name (`auth.sentCode`).
    pub fn id_of(&self, name: &str) -> Option<u32> {
        self.lookup(name, None, None).map(|i| self.items[i].id)
    }

    /// How many constructors and functions the registry knows.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the registry knows no constructor or function at all.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Decodes one boxed value that spans all of `bytes` into JSON.
    ///
    /// Truncated input, an unknown constructor id, a constructor of the wrong
    /// type, a hostile length, invalid UTF-8 in a `string`, a gzip bomb, too
    /// deep nesting and trailing bytes are errors with the byte offset.
    pub fn decode_boxed(&self, bytes: &[u8]) -> Result<serde_json::Value, DecodeError> {
        decode::decode_boxed(self, bytes)
    }

    /// Encodes a JSON value (see the [module documentation](self)) as one
    /// boxed value. Errors name the JSON path of the offending field.
    pub fn encode_boxed(&self, value: &serde_json::Value) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        encode::encode_boxed(self, value, &mut out)?;
        Ok(out)
    }

    fn resolve(
        &mut self,
        ty: &TypeRef,
        origin: usize,
        types: &HashMap<String, usize>,
    ) -> Result<Ty, String> {
        if ty.generic_ref {
            return Ok(Ty::Object);
        }
        let name = ty.name.full();
        Ok(match ty.kind {
            TypeKind::Int => Ty::Int,
            TypeKind::Long => Ty::Long,
            TypeKind::Double => Ty::Double,
            TypeKind::String => Ty::Str,
            TypeKind::Bytes => Ty::Bytes,
            TypeKind::Int128 => Ty::Int128,
            TypeKind::Int256 => Ty::Int256,
            TypeKind::Bool => Ty::Bool,
            TypeKind::True => Ty::True,
            TypeKind::Object | TypeKind::Generic => Ty::Object,
            TypeKind::Vector => {
                let element = ty
                    .args
                    .first()
                    .ok_or_else(|| format!("`{ty}` has no element type"))?;
                Ty::Vector {
                    boxed: !ty.bare,
                    element: Box::new(self.resolve(element, origin, types)?),
                }
            }
            TypeKind::Boxed | TypeKind::BareConstructor | TypeKind::Unresolved => {
                if let Some(&t) = types.get(&name) {
                    if !ty.bare {
                        return Ok(Ty::Boxed(t));
                    }
                    // `%Message`: the bare form of a type with one
                    // constructor in the referring schema.
                    let own: Vec<usize> = self.types[t]
                        .constructors
                        .iter()
                        .copied()
                        .filter(|&i| self.items[i].origin == origin)
                        .collect();
                    match (own.as_slice(), self.types[t].constructors.as_slice()) {
                        ([only], _) | ([], [only]) => self.bare(*only),
                        _ => {
                            return Err(format!(
                                "`{ty}` is bare but `{name}` does not have exactly one constructor"
                            ))
                        }
                    }
                } else if let Some(candidates) = self.by_name.get(&name) {
                    // `message`, `future_salt`: a constructor, preferably
                    // of the referring schema.
                    let i = candidates
                        .iter()
                        .copied()
                        .find(|&i| self.items[i].origin == origin)
                        .unwrap_or(candidates[0]);
                    self.bare(i)
                } else {
                    return Err(format!("type `{ty}` is declared by none of the schemas"));
                }
            }
        })
    }

    fn bare(&mut self, index: usize) -> Ty {
        self.bare_used[index] = true;
        Ty::Bare(index)
    }
}

/// `message msg_id:long seqno:int bytes:int body:Object`: the wire rule the
/// schema cannot express is that `bytes` is the length of `body`. We
/// recognize it by shape (an `int` named `bytes` right before a final
/// `Object`) rather than by name, so a schema that renames `message` works.
fn length_field(fields: &[Field]) -> Option<usize> {
    let [.., length, last] = fields else {
        return None;
    };
    let is_object = matches!(
        last.kind,
        FieldKind::Value {
            ty: Ty::Object,
            flag: None
        }
    );
    let is_length = length.name == "bytes"
        && matches!(
            length.kind,
            FieldKind::Value {
                ty: Ty::Int,
                flag: None
            }
        );
    (is_object && is_length).then_some(fields.len() - 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(source: &str) -> Registry {
        Registry::new([&tl_parser::parse(source).unwrap().schema]).unwrap()
    }

    #[test]
    fn message_body_length_is_recognized_by_shape() {
        let r = registry(
            "message msg_id:long seqno:int bytes:int body:Object = Message;\n\
             rpc_answer_dropped#a43ad8b7 msg_id:long seq_no:int bytes:int = RpcDropAnswer;",
        );
        let message = &r.items[r.by_name["message"][0]];
        assert_eq!(message.length_field, Some(2));
        let dropped = &r.items[r.by_name["rpc_answer_dropped"][0]];
        assert_eq!(dropped.length_field, None);
    }

    #[test]
    fn first_schema_wins_on_duplicates() {
        let a = tl_parser::parse("pong#347773c5 msg_id:long ping_id:long = Pong;")
            .unwrap()
            .schema;
        let b = tl_parser::parse("pong#347773c5 msg_id:long = Pong;")
            .unwrap()
            .schema;
        let r = Registry::new([&a, &b]).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r.items[0].fields.len(), 2);
        assert_eq!(r.name_of(0x347773c5), Some("pong"));
        assert_eq!(r.id_of("pong"), Some(0x347773c5));
    }

    #[test]
    fn one_name_with_two_ids_keeps_both() {
        let service = tl_parser::parse(
            "msg_container#73f1f8dc messages:vector message = MessageContainer;\n\
             message msg_id:long seqno:int bytes:int body:Object = Message;",
        )
        .unwrap()
        .schema;
        let api = tl_parser::parse(
            "message#11111111 id:int = Message;\nupdateNewMessage#22222222 message:Message = Update;",
        )
        .unwrap()
        .schema;
        let r = Registry::new([&service, &api]).unwrap();
        // The container refers to its own schema's bare message.
        let container = &r.items[r.by_name["msg_container"][0]];
        let FieldKind::Value {
            ty: Ty::Vector { element, .. },
            ..
        } = &container.fields[0].kind
        else {
            panic!("{container:?}")
        };
        assert_eq!(**element, Ty::Bare(r.by_name["message"][0]));
        // `"_": "message"` names the API's, the one that travels boxed.
        assert_eq!(r.id_of("message"), Some(0x11111111));
        let json =
            serde_json::json!({"_": "updateNewMessage", "message": {"_": "message", "id": 5}});
        let bytes = r.encode_boxed(&json).unwrap();
        assert_eq!(&bytes[4..8], &0x11111111u32.to_le_bytes());
        assert_eq!(r.decode_boxed(&bytes).unwrap(), json);
    }
}
