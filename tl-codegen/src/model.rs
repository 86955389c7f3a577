//! Lowering: a parsed [`Schema`] becomes a model of the Rust items to emit:
//! names, modules, which types borrow (need `'a`), which fields must be
//! boxed to break recursion, and how each field travels on the wire.

use std::collections::{BTreeMap, HashMap, HashSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use tl_parser::{Category, Definition, Name, ParamType, Schema, TypeKind, TypeRef};

use crate::Error;

/// Everything the emitter needs, in a stable order.
pub(crate) struct Layer {
    pub types: Vec<BoxedType>,
    pub constructors: Vec<Item>,
    pub functions: Vec<Item>,
}

/// A boxed TL type (`InputPeer`): one enum with a variant per constructor.
pub(crate) struct BoxedType {
    pub tl_name: Name,
    pub rust: RustName,
    /// Indices into [`Layer::constructors`].
    pub constructors: Vec<usize>,
    pub lifetime: bool,
}

/// A constructor (a struct in `types`) or a function (a struct in `functions`).
pub(crate) struct Item {
    pub def: Definition,
    pub rust: RustName,
    pub fields: Vec<Field>,
    /// Whether the struct borrows from its input (`'a`).
    pub lifetime: bool,
    /// Least number of bytes of the bare form.
    pub min_bare_len: usize,
    /// Type parameters, from `{X:Type}` (functions only).
    pub generics: Vec<String>,
    /// Constructors only: the boxed type, an index into [`Layer::types`].
    pub boxed_type: Option<usize>,
    /// Constructors only: the variant name in its boxed type's enum.
    pub variant: String,
    /// Constructors only: whether decoding can recurse into the same type,
    /// so the bare decoder must count nesting depth.
    pub recursive: bool,
    /// Functions only: the type the server answers with.
    pub returns: Option<Ty>,
}

/// Where a generated item lives below its kind's module (`types`, `enums`,
/// `functions`): the TL namespace as modules, then the item's own name.
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct RustName {
    /// One module per TL namespace (`auth` for `auth.sentCode`).
    pub module: Vec<String>,
    /// The struct's or enum's name (`SentCode`).
    pub ident: String,
}

impl RustName {
    fn of(name: &Name) -> Self {
        RustName {
            module: module_of(name),
            ident: type_ident(&name.name),
        }
    }
}

/// One field of a constructor or function.
pub(crate) struct Field {
    pub tl_name: String,
    pub ident: String,
    pub role: Role,
}

pub(crate) enum Role {
    /// `name:#`: computed on write from the flag fields, never stored.
    Flags(FlagsWord),
    /// `bytes:int` right before an `Object`: the object's length, computed
    /// on write and checked on read.
    ObjectLength,
    /// A stored value, present only when `flag` (field index, bit) is set.
    Value {
        ty: Ty,
        flag: Option<(usize, u32)>,
        /// Boxed to break a recursive type's infinite size, or because
        /// the type is large (see [`LARGE_FIELD`]).
        boxed: bool,
        /// An `Object` whose length is the preceding `ObjectLength` field.
        sized_by_previous: bool,
    },
}

/// What one `#` field carries: the bits that fields use, each with the
/// fields it controls. Computed once while lowering, so that writing the
/// word, checking it on read and documenting the fields all agree.
#[derive(Default)]
pub(crate) struct FlagsWord {
    /// The bits some field uses, ascending.
    pub bits: Vec<FlagBit>,
    /// The same bits as a mask: a word read with any other bit set is
    /// refused, since it would encode back to other bytes.
    pub used: u32,
}

/// The fields that one bit of a `#` field controls. Real schemas let
/// several fields share a bit (`user.bot` and `user.bot_info_version`;
/// `message.views` and `message.forwards`): on the wire they are all
/// present or all absent.
pub(crate) struct FlagBit {
    pub bit: u32,
    /// Fields stored as an `Option`, as indices into [`Item::fields`].
    pub values: Vec<usize>,
    /// `flags.N?true` fields, as indices into [`Item::fields`].
    pub trues: Vec<usize>,
}

impl FlagsWord {
    /// Records that field `field` is controlled by `bit`.
    fn add(&mut self, bit: u32, field: usize, is_true: bool) {
        let at = match self.bits.binary_search_by_key(&bit, |b| b.bit) {
            Ok(at) => at,
            Err(at) => {
                let empty = FlagBit {
                    bit,
                    values: Vec::new(),
                    trues: Vec::new(),
                };
                self.bits.insert(at, empty);
                at
            }
        };
        let group = &mut self.bits[at];
        if is_true {
            group.trues.push(field);
        } else {
            group.values.push(field);
        }
        self.used |= 1 << bit;
    }

    /// The group of `bit`, which some field uses.
    fn bit(&self, bit: u32) -> &FlagBit {
        let at = self
            .bits
            .binary_search_by_key(&bit, |b| b.bit)
            .expect("a flag bit that a field uses is recorded");
        &self.bits[at]
    }
}

impl Item {
    /// The group of fields controlled by `bit` of the `#` field at
    /// `flags_field`, as a field's [`Role::Value::flag`] names it.
    pub fn flag_bit(&self, (flags_field, bit): (usize, u32)) -> &FlagBit {
        match &self.fields[flags_field].role {
            Role::Flags(word) => word.bit(bit),
            _ => unreachable!("a flag refers to a `#` field"),
        }
    }
}

/// How a value is represented in Rust and encoded on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Int,
    Long,
    Double,
    Str,
    Bytes,
    Int128,
    Int256,
    Bool,
    /// `flags.N?true`: a `bool` that takes no bytes.
    True,
    Vector {
        boxed: bool,
        element: Box<Ty>,
    },
    Object,
    Generic(String),
    /// An index into [`Layer::types`].
    Boxed(usize),
    /// A bare constructor: an index into [`Layer::constructors`].
    Bare(usize),
}

impl Ty {
    /// Least number of bytes a value takes on the wire.
    pub fn min_len(&self, bare_min: &mut dyn FnMut(usize) -> usize) -> usize {
        match self {
            Ty::Int => 4,
            Ty::Long | Ty::Double => 8,
            Ty::Str | Ty::Bytes => 4,
            Ty::Int128 => 16,
            Ty::Int256 => 32,
            Ty::Bool => 4,
            Ty::True => 0,
            Ty::Vector { boxed, .. } => {
                if *boxed {
                    8
                } else {
                    4
                }
            }
            Ty::Object | Ty::Generic(_) | Ty::Boxed(_) => 4,
            Ty::Bare(c) => bare_min(*c),
        }
    }
}

/// A Rust spelling for a converted TL name (`converted`, from `tl_name`)
/// that `r#` cannot help with: the keywords that cannot be raw take an
/// underscore (`self_`), and a name that case conversion emptied (TL allows
/// `_` and `__` as names) is spelled from the original (`__`, `___`).
/// Other keywords are written raw by the emitter (`r#type`).
fn usable(converted: String, tl_name: &str) -> String {
    match converted.as_str() {
        "" => format!("{tl_name}_"),
        "self" | "super" | "crate" | "Self" | "_" => converted + "_",
        _ => converted,
    }
}

/// The Rust name of a field: snake_case.
pub(crate) fn field_ident(tl_name: &str) -> String {
    usable(tl_name.to_snake_case(), tl_name)
}

fn module_of(name: &Name) -> Vec<String> {
    name.namespace
        .iter()
        .map(|ns| usable(ns.to_snake_case(), ns))
        .collect()
}

/// The Rust name of a TL name, starting with an uppercase letter.
fn type_ident(name: &str) -> String {
    let ident = name.to_upper_camel_case();
    if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
        // `T_` for `_`, `T2fa` for `2fa`.
        format!("T{}", if ident.is_empty() { name } else { &ident })
    } else {
        usable(ident, name)
    }
}

/// Types that the generator maps to Rust primitives instead of emitting.
fn is_builtin_result(def: &Definition) -> bool {
    matches!(def.result.kind, TypeKind::Bool | TypeKind::True)
        || (def.result.name.namespace.is_empty()
            && matches!(def.result.name.name.as_str(), "Bool" | "True" | "Vector"))
}

pub(crate) fn lower(schema: &Schema) -> Result<Layer, Error> {
    let mut constructors: Vec<&Definition> = Vec::new();
    let mut functions: Vec<&Definition> = Vec::new();
    for def in &schema.definitions {
        match def.category {
            Category::Type if is_builtin_result(def) => {}
            Category::Type => constructors.push(def),
            Category::Function => functions.push(def),
        }
    }

    // Boxed types, in a stable order, each with its constructors.
    let mut by_type: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut type_names: HashMap<String, Name> = HashMap::new();
    for (i, def) in constructors.iter().enumerate() {
        if def.result.kind == TypeKind::Object || def.result.name.full() == "Object" {
            // `gzip_packed … = Object`: any boxed value may be one, so it
            // gets a struct but no enum of its own.
            continue;
        }
        let key = def.result.name.full();
        by_type.entry(key.clone()).or_default().push(i);
        type_names.insert(key, def.result.name.clone());
    }
    let type_index: HashMap<String, usize> = by_type
        .keys()
        .enumerate()
        .map(|(i, k)| (k.clone(), i))
        .collect();
    let ctor_index: HashMap<String, usize> = constructors
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.full(), i))
        .collect();

    let mut layer = Layer {
        types: by_type
            .iter()
            .map(|(key, ctors)| {
                let name = type_names[key].clone();
                BoxedType {
                    rust: RustName::of(&name),
                    tl_name: name,
                    constructors: ctors.clone(),
                    lifetime: false,
                }
            })
            .collect(),
        constructors: Vec::new(),
        functions: Vec::new(),
    };

    let resolver = Resolver {
        type_index: &type_index,
        ctor_index: &ctor_index,
        by_type: &by_type,
    };
    for def in &constructors {
        let item = lower_item(def, &resolver)?;
        layer.constructors.push(item);
    }
    for def in &functions {
        let item = lower_item(def, &resolver)?;
        layer.functions.push(item);
    }
    for (item, def) in layer.constructors.iter_mut().zip(&constructors) {
        item.boxed_type = type_index.get(&def.result.name.full()).copied();
    }

    check_unique_idents(&layer)?;
    name_variants(&mut layer);
    mark_lifetimes(&mut layer);
    mark_recursion(&mut layer);
    box_large_fields(&mut layer);
    measure_min_lens(&mut layer);
    Ok(layer)
}

struct Resolver<'s> {
    type_index: &'s HashMap<String, usize>,
    ctor_index: &'s HashMap<String, usize>,
    by_type: &'s BTreeMap<String, Vec<usize>>,
}

impl Resolver<'_> {
    fn ty(&self, def: &Definition, r: &TypeRef) -> Result<Ty, Error> {
        let unsupported = |what: &str| Error::Unsupported {
            definition: def.name.full(),
            message: format!("{what} `{}`", r.name.full()),
        };
        Ok(match r.kind {
            TypeKind::Int => Ty::Int,
            TypeKind::Long => Ty::Long,
            TypeKind::Double => Ty::Double,
            TypeKind::String => Ty::Str,
            TypeKind::Bytes => Ty::Bytes,
            TypeKind::Int128 => Ty::Int128,
            TypeKind::Int256 => Ty::Int256,
            TypeKind::Bool => Ty::Bool,
            TypeKind::True => Ty::True,
            TypeKind::Object => Ty::Object,
            TypeKind::Generic => Ty::Generic(type_ident(&r.name.name)),
            TypeKind::Vector => {
                let element = r
                    .args
                    .first()
                    .ok_or_else(|| unsupported("vector without an element type"))?;
                Ty::Vector {
                    boxed: !r.bare,
                    element: Box::new(self.ty(def, element)?),
                }
            }
            TypeKind::Boxed => {
                let key = r.name.full();
                match self.type_index.get(&key) {
                    Some(&i) => Ty::Boxed(i),
                    None => return Err(unsupported("a type without constructors")),
                }
            }
            TypeKind::BareConstructor => {
                let key = r.name.full();
                if let Some(&c) = self.ctor_index.get(&key) {
                    Ty::Bare(c)
                } else if let Some([only]) = self.by_type.get(&key).map(Vec::as_slice) {
                    Ty::Bare(*only)
                } else {
                    return Err(unsupported("a bare reference to an unknown constructor"));
                }
            }
            TypeKind::Unresolved => return Err(unsupported("an unresolved type")),
        })
    }
}

fn lower_item(def: &Definition, resolver: &Resolver<'_>) -> Result<Item, Error> {
    if def.category == Category::Type && !def.generics.is_empty() {
        return Err(Error::Unsupported {
            definition: def.name.full(),
            message: "generic constructors are not supported".into(),
        });
    }
    let mut fields: Vec<Field> = Vec::with_capacity(def.params.len());
    let mut field_idents: HashMap<String, usize> = HashMap::with_capacity(def.params.len());
    let last = def.params.len().saturating_sub(1);
    for (i, param) in def.params.iter().enumerate() {
        let role = match &param.ty {
            ParamType::Flags => Role::Flags(FlagsWord::default()),
            ParamType::Normal { ty, flag } => {
                let ty = resolver.ty(def, ty)?;
                let flag = match flag {
                    None => None,
                    Some(f) => {
                        let index = fields
                            .iter()
                            .position(|fl| {
                                fl.tl_name == f.field && matches!(fl.role, Role::Flags(_))
                            })
                            .ok_or_else(|| Error::Unsupported {
                                definition: def.name.full(),
                                message: format!("flag field `{}` not declared before", f.field),
                            })?;
                        Some((index, f.bit))
                    }
                };
                match flag {
                    Some((index, bit)) => {
                        let this_field = fields.len();
                        if let Role::Flags(word) = &mut fields[index].role {
                            word.add(bit, this_field, ty == Ty::True);
                        }
                    }
                    None if ty == Ty::True => {
                        return Err(Error::Unsupported {
                            definition: def.name.full(),
                            message: format!("`{}:true` outside a flag", param.name),
                        });
                    }
                    None => {}
                }
                let sized_by_previous = ty == Ty::Object
                    && i > 0
                    && matches!(fields.last(), Some(f) if f.tl_name == "bytes"
                        && matches!(&f.role, Role::Value { ty: Ty::Int, flag: None, .. }));
                if sized_by_previous {
                    fields.last_mut().expect("checked above").role = Role::ObjectLength;
                } else if matches!(ty, Ty::Object) && i != last {
                    return Err(Error::Unsupported {
                        definition: def.name.full(),
                        message: format!(
                            "`{}:Object` is neither the last field nor sized by a `bytes:int` before it",
                            param.name
                        ),
                    });
                }
                Role::Value {
                    ty,
                    flag,
                    boxed: false,
                    sized_by_previous,
                }
            }
        };
        let ident = field_ident(&param.name);
        // A map, not a scan: a hostile schema may have 100 000 fields.
        if let Some(&first) = field_idents.get(&ident) {
            let first: &Field = &fields[first];
            return Err(Error::Unsupported {
                definition: def.name.full(),
                message: format!(
                    "fields `{}` and `{}` both become the Rust field `{ident}`",
                    first.tl_name, param.name
                ),
            });
        }
        field_idents.insert(ident.clone(), fields.len());
        fields.push(Field {
            tl_name: param.name.to_string(),
            ident,
            role,
        });
    }
    let returns = match def.category {
        Category::Function => Some(resolver.ty(def, &def.result)?),
        Category::Type => None,
    };
    Ok(Item {
        def: def.clone(),
        rust: RustName::of(&def.name),
        fields,
        lifetime: false,
        generics: def.generics.iter().map(|g| type_ident(&g.name)).collect(),
        min_bare_len: 0,
        boxed_type: None,
        variant: String::new(),
        recursive: false,
        returns,
    })
}

/// One generated item, for the clash check: its Rust name and the TL name
/// it came from.
type Placed<'l> = (&'l RustName, String);

fn check_unique_idents(layer: &Layer) -> Result<(), Error> {
    fn items(list: &[Item]) -> Vec<Placed<'_>> {
        list.iter().map(|c| (&c.rust, c.def.name.full())).collect()
    }
    let enums: Vec<Placed<'_>> = layer
        .types
        .iter()
        .map(|t| (&t.rust, t.tl_name.full()))
        .collect();
    let groups = [
        ("types", items(&layer.constructors)),
        ("enums", enums),
        ("functions", items(&layer.functions)),
    ];
    for (kind, placed) in groups {
        let mut seen: HashMap<&RustName, String> = HashMap::new();
        for (rust, tl) in placed {
            if let Some(other) = seen.insert(rust, tl.clone()) {
                return Err(Error::NameClash {
                    module: kind.to_string(),
                    rust_name: rust.ident.clone(),
                    first: other,
                    second: tl,
                });
            }
        }
    }
    Ok(())
}

/// Variants drop their type's name as a prefix (`InputPeer::Empty` for
/// `inputPeerEmpty`) unless that leaves nothing, no valid identifier, or a
/// clash, in which case the whole constructor name is used.
fn name_variants(layer: &mut Layer) {
    for ty in &layer.types {
        let short: Vec<String> = ty
            .constructors
            .iter()
            .map(|&c| {
                let full = &layer.constructors[c].rust.ident;
                match full.strip_prefix(ty.rust.ident.as_str()) {
                    Some(rest) if rest.starts_with(|ch: char| ch.is_ascii_uppercase()) => {
                        rest.to_string()
                    }
                    _ => full.clone(),
                }
            })
            .collect();
        let unique: HashSet<&String> = short.iter().collect();
        let use_short = unique.len() == short.len() && !short.iter().any(|s| s == "Self");
        for (k, &c) in ty.constructors.iter().enumerate() {
            layer.constructors[c].variant = if use_short {
                short[k].clone()
            } else {
                layer.constructors[c].rust.ident.clone()
            };
        }
    }
}

pub(crate) fn borrows(ty: &Ty, types: &[BoxedType], ctors: &[Item]) -> bool {
    match ty {
        Ty::Str | Ty::Bytes | Ty::Object => true,
        Ty::Vector { element, .. } => borrows(element, types, ctors),
        Ty::Boxed(t) => types[*t].lifetime,
        Ty::Bare(c) => ctors[*c].lifetime,
        _ => false,
    }
}

/// A type needs `'a` when it transitively holds borrowed data: iterate to a
/// fixed point, since types refer to each other in cycles.
fn mark_lifetimes(layer: &mut Layer) {
    loop {
        let mut changed = false;
        for c in 0..layer.constructors.len() {
            if layer.constructors[c].lifetime {
                continue;
            }
            let needs = layer.constructors[c].fields.iter().any(|f| match &f.role {
                Role::Value { ty, .. } => borrows(ty, &layer.types, &layer.constructors),
                _ => false,
            });
            if needs {
                layer.constructors[c].lifetime = true;
                changed = true;
            }
        }
        for t in 0..layer.types.len() {
            if !layer.types[t].lifetime
                && layer.types[t]
                    .constructors
                    .iter()
                    .any(|&c| layer.constructors[c].lifetime)
            {
                layer.types[t].lifetime = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for f in 0..layer.functions.len() {
        let needs = layer.functions[f].fields.iter().any(|fl| match &fl.role {
            Role::Value { ty, .. } => borrows(ty, &layer.types, &layer.constructors),
            _ => false,
        });
        layer.functions[f].lifetime = needs;
    }
}

/// Types a value of this type directly contains (`inline`), or contains at
/// all, through vectors too (`any`).
fn edges(ty: &Ty, layer: &Layer, through_vectors: bool, out: &mut Vec<usize>) {
    match ty {
        Ty::Boxed(t) => out.push(*t),
        Ty::Bare(c) => {
            if let Some(t) = layer.constructors[*c].boxed_type {
                out.push(t)
            }
        }
        Ty::Vector { element, .. } if through_vectors => edges(element, layer, true, out),
        _ => {}
    }
}

fn reachable(layer: &Layer, from: usize, through_vectors: bool) -> Vec<bool> {
    let mut seen = vec![false; layer.types.len()];
    let mut stack = vec![from];
    while let Some(t) = stack.pop() {
        for &c in &layer.types[t].constructors {
            for f in &layer.constructors[c].fields {
                if let Role::Value { ty, .. } = &f.role {
                    let mut next = Vec::new();
                    edges(ty, layer, through_vectors, &mut next);
                    for n in next {
                        if !seen[n] {
                            seen[n] = true;
                            stack.push(n);
                        }
                    }
                }
            }
        }
    }
    seen
}

/// Box a field whose type can contain the field's own type without a
/// vector in between (otherwise the struct would have infinite size), and
/// mark constructors whose decoding can recurse, so they count depth.
fn mark_recursion(layer: &mut Layer) {
    let inline: Vec<Vec<bool>> = (0..layer.types.len())
        .map(|t| reachable(layer, t, false))
        .collect();
    let any: Vec<Vec<bool>> = (0..layer.types.len())
        .map(|t| reachable(layer, t, true))
        .collect();
    for c in 0..layer.constructors.len() {
        let Some(own) = layer.constructors[c].boxed_type else {
            continue;
        };
        let mut to_box = Vec::new();
        let mut recursive = false;
        for (i, f) in layer.constructors[c].fields.iter().enumerate() {
            if let Role::Value { ty, .. } = &f.role {
                let mut nested = Vec::new();
                edges(ty, layer, true, &mut nested);
                recursive |= nested.iter().any(|&t| t == own || any[t][own]);
                let mut direct = Vec::new();
                edges(ty, layer, false, &mut direct);
                if direct.iter().any(|&t| t == own || inline[t][own]) {
                    to_box.push(i);
                }
            }
        }
        layer.constructors[c].recursive = recursive;
        for i in to_box {
            if let Role::Value { boxed, .. } = &mut layer.constructors[c].fields[i].role {
                *boxed = true;
            }
        }
    }
}

/// A constructor field whose type would take more than this many bytes
/// inline is boxed. TL types nest large enums inside each other
/// (`message.reply_to` holds a `MessageReplyHeader`, which holds a
/// `MessageMedia`), and held inline they made `types::Message` 2.5 KB:
/// every decoded message was moved around as 2.5 KB, and a `Vec` of them
/// held mostly empty `Option`s. Boxed, a present field costs one
/// allocation and an absent one 8 bytes.
pub(crate) const LARGE_FIELD: usize = 128;

/// The same line for fields behind a flag, which most values leave out
/// (`message.fwd_from`, `replies`, `reactions`, `factcheck`, …): held inline
/// they are mostly empty space that every move of the value copies, so they
/// are boxed from a lower size. An absent one costs 8 bytes and nothing
/// else; a present one an allocation.
pub(crate) const LARGE_OPTIONAL_FIELD: usize = 64;

/// Boxes the fields of constructors whose type is larger than
/// [`LARGE_FIELD`] ([`LARGE_OPTIONAL_FIELD`] behind a flag), deciding from
/// the inside out (boxing inside a type shrinks it). Sizes are estimates
/// of the Rust layout on a 64-bit target (`Cow`/`Vec` 24 bytes, an enum
/// its largest variant plus a tag word, an `Option` of a number a tag word
/// more); being off by a few bytes only moves the line.
/// Functions are left alone: users build them, and they are not decoded
/// in bulk.
fn box_large_fields(layer: &mut Layer) {
    struct Sizes<'l> {
        layer: &'l Layer,
        ctor: Vec<Option<usize>>,
        visiting: Vec<bool>,
        to_box: Vec<(usize, usize)>,
    }
    impl Sizes<'_> {
        fn of_ctor(&mut self, c: usize) -> usize {
            if let Some(n) = self.ctor[c] {
                return n;
            }
            if self.visiting[c] {
                // Only through a boxed edge, which `mark_recursion` has
                // already cut; never reached for a valid layer.
                return 8;
            }
            self.visiting[c] = true;
            let layer = self.layer;
            let mut total = 0;
            for (i, f) in layer.constructors[c].fields.iter().enumerate() {
                let Role::Value {
                    ty, flag, boxed, ..
                } = &f.role
                else {
                    continue;
                };
                let inline = if *boxed { 8 } else { self.of_ty(ty) };
                let line = if flag.is_some() {
                    LARGE_OPTIONAL_FIELD
                } else {
                    LARGE_FIELD
                };
                let large = !*boxed && inline > line && matches!(ty, Ty::Boxed(_) | Ty::Bare(_));
                if large {
                    self.to_box.push((c, i));
                }
                let held = if *boxed || large { 8 } else { inline };
                // `Option` of a pointer, `Cow`, `Vec` or enum fits in a
                // niche; of a number it needs a tag word.
                let tag = match ty {
                    _ if flag.is_none() => 0,
                    Ty::Int | Ty::Long | Ty::Double | Ty::Int128 | Ty::Int256 => 8,
                    Ty::Bool => 1,
                    _ => 0,
                };
                total += held + tag;
            }
            let total = total.next_multiple_of(8);
            self.visiting[c] = false;
            self.ctor[c] = Some(total);
            total
        }

        fn of_ty(&mut self, ty: &Ty) -> usize {
            match ty {
                Ty::Int => 4,
                Ty::Long | Ty::Double => 8,
                Ty::Int128 => 16,
                Ty::Int256 => 32,
                Ty::Bool | Ty::True => 1,
                Ty::Str | Ty::Bytes | Ty::Object | Ty::Vector { .. } | Ty::Generic(_) => 24,
                Ty::Boxed(t) => {
                    let layer = self.layer;
                    8 + layer.types[*t]
                        .constructors
                        .iter()
                        .map(|&c| self.of_ctor(c))
                        .max()
                        .unwrap_or(0)
                }
                Ty::Bare(c) => self.of_ctor(*c),
            }
        }
    }

    let mut sizes = Sizes {
        layer,
        ctor: vec![None; layer.constructors.len()],
        visiting: vec![false; layer.constructors.len()],
        to_box: Vec::new(),
    };
    for c in 0..layer.constructors.len() {
        sizes.of_ctor(c);
    }
    for (c, i) in std::mem::take(&mut sizes.to_box) {
        if let Role::Value { boxed, .. } = &mut layer.constructors[c].fields[i].role {
            *boxed = true;
        }
    }
}

/// The least bytes of each bare form, so vector counts can be checked
/// against the input. Bare references cannot form a cycle in a valid
/// schema (the value would be infinite); one that does counts as 0 there.
fn measure_min_lens(layer: &mut Layer) {
    fn ctor_min(
        layer: &Layer,
        c: usize,
        memo: &mut [Option<usize>],
        visiting: &mut [bool],
    ) -> usize {
        if let Some(n) = memo[c] {
            return n;
        }
        if visiting[c] {
            return 0;
        }
        visiting[c] = true;
        let n = layer.constructors[c]
            .fields
            .iter()
            .map(|f| field_min(layer, &f.role, memo, visiting))
            .sum();
        visiting[c] = false;
        memo[c] = Some(n);
        n
    }
    fn field_min(
        layer: &Layer,
        role: &Role,
        memo: &mut [Option<usize>],
        visiting: &mut [bool],
    ) -> usize {
        match role {
            Role::Flags(_) | Role::ObjectLength => 4,
            Role::Value { flag: Some(_), .. } => 0,
            Role::Value { ty, .. } => ty.min_len(&mut |c| ctor_min(layer, c, memo, visiting)),
        }
    }
    let mut memo = vec![None; layer.constructors.len()];
    let mut visiting = vec![false; layer.constructors.len()];
    for c in 0..layer.constructors.len() {
        let n = ctor_min(layer, c, &mut memo, &mut visiting);
        layer.constructors[c].min_bare_len = n;
    }
    for f in 0..layer.functions.len() {
        let n = layer.functions[f]
            .fields
            .iter()
            .map(|fl| field_min(layer, &fl.role, &mut memo, &mut visiting))
            .sum();
        layer.functions[f].min_bare_len = n;
    }
}
