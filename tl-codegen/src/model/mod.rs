//! Lowering: a parsed [`Schema`] becomes a model of the Rust items to emit:
//! names, modules, which types borrow (need `'a`), which fields must be
//! boxed to break recursion, and how each field travels on the wire.
//! This module holds the model and resolves the schema's definitions into
//! it; [`names`] spells TL names in Rust, [`graph`] derives what depends on
//! the types' references to each other.

mod graph;
mod names;

use std::collections::{BTreeMap, HashMap};

use tl_parser::{Category, Definition, Name, ParamType, Schema, TypeKind, TypeRef};

pub(crate) use graph::borrows;
use graph::{box_large_fields, mark_lifetimes, mark_recursion, measure_min_lens};
use names::{check_unique_idents, field_ident, name_variants, type_ident};

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

/// One field of a constructor or function.
pub(crate) struct Field {
    pub tl_name: String,
    pub ident: String,
    pub role: Role,
}

/// How a field travels: computed on write, or stored in the struct.
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
        /// the type is large (see [`graph::LARGE_FIELD`]).
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
    /// The bit's position in the word, 0 to 31.
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
