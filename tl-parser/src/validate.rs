//! The semantic pass: id checks, duplicate names and ids, flags, generics,
//! and the resolution of every type reference to a [`TypeKind`].
//!
//! Resolution runs in two phases so that lookups can borrow names straight
//! from the definitions (no `String` per reference): first every kind is
//! computed, in a fixed traversal order, from an index that borrows the
//! schema; then the kinds are written back in the same order.

use std::cell::OnceCell;
use std::collections::hash_map::{Entry, RandomState};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use crate::ast::{
    Category, Definition, GenericParam, Name, ParamType, Schema, Span, TypeKind, TypeRef,
};
use crate::diagnostic::Diagnostic;
use crate::id;

/// The Fx hash (rustc's): a multiply and a rotate per word. Names are
/// short, and SipHash was a tenth of the time of a whole parse. Each map
/// starts it from a random state, so that a crafted file cannot count on
/// colliding names to make the maps (and the check) quadratic.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            self.add(tail_word(rest));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The last 1 to 7 bytes of a name as a little-endian word, zero-padded,
/// from overlapping loads. Copying them into a zeroed `[u8; 8]` instead
/// compiled to a `memcpy` call whose bytes the next 8-byte load could not
/// take from the store buffer: that stall was most of the hashing, and
/// hashing a tenth of a validating parse.
fn tail_word(rest: &[u8]) -> u64 {
    let n = rest.len();
    debug_assert!((1..8).contains(&n));
    if n >= 4 {
        let lo = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let hi = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]);
        u64::from(lo) | (u64::from(hi) << (8 * (n - 4)))
    } else {
        u64::from(rest[0])
            | (u64::from(rest[n / 2]) << (8 * (n / 2)))
            | (u64::from(rest[n - 1]) << (8 * (n - 1)))
    }
}

/// Builds [`FxHasher`]s from one random starting state.
#[derive(Clone, Copy)]
struct RandomFx(u64);

impl BuildHasher for RandomFx {
    type Hasher = FxHasher;

    fn build_hasher(&self) -> FxHasher {
        FxHasher(self.0)
    }
}

type FxMap<K, V> = HashMap<K, V, RandomFx>;

fn map_with_capacity<K, V>(n: usize) -> FxMap<K, V> {
    let seed = RandomState::new().hash_one(0u8);
    FxMap::with_capacity_and_hasher(n, RandomFx(seed))
}

/// A name as a map key: borrowed from the tree, with its hash computed
/// once. The maps hash nothing themselves ([`Prehashed`]), and compare names
/// only when the hashes are equal, so building the index reads no name from
/// memory: the parser hashed each one while it was in the cache.
#[derive(Clone, Copy)]
struct Key<'a> {
    hash: u64,
    name: &'a Name,
}

impl<'a> Key<'a> {
    fn new(seed: RandomFx, name: &'a Name) -> Self {
        Key {
            hash: seed.hash_one(name),
            name,
        }
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.name == other.name
    }
}

impl Eq for Key<'_> {}

impl std::hash::Hash for Key<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Passes a [`Key`]'s precomputed hash through.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; anything else still hashes soundly.
        let mut fx = FxHasher(self.0);
        fx.write(bytes);
        self.0 = fx.0;
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type KeyMap<'a, V> = HashMap<Key<'a>, V, BuildHasherDefault<Prehashed>>;

fn key_map<'a, V>(n: usize) -> KeyMap<'a, V> {
    KeyMap::with_capacity_and_hasher(n, BuildHasherDefault::default())
}

/// What the index needs from one definition, taken by the parser right
/// after the definition is parsed (see [`Prepared::record`]).
struct IndexEntry {
    name_hash: u64,
    /// The hash of the boxed type a constructor declares with its result.
    declares: Option<u64>,
    id: u32,
    id_differs: bool,
}

/// The index entries of a file's definitions, in order, and the seed their
/// hashes were made with.
pub(crate) struct Prepared {
    seed: RandomFx,
    entries: Vec<IndexEntry>,
}

impl Prepared {
    pub(crate) fn new(capacity: usize) -> Self {
        Prepared {
            seed: RandomFx(RandomState::new().hash_one(0u8)),
            entries: Vec::with_capacity(capacity),
        }
    }

    /// Records a definition the parser just completed: its name and result
    /// are still in the cache, which they will not be when validation
    /// builds its index.
    pub(crate) fn record(&mut self, def: &Definition) {
        let declares = (def.category == Category::Type
            && is_declarable_result(&def.result)
            && generic_index(&def.generics, &def.result).is_none())
        .then(|| self.seed.hash_one(&def.result.name));
        self.entries.push(IndexEntry {
            name_hash: self.seed.hash_one(&def.name),
            declares,
            id: def.id,
            id_differs: def.explicit_id.is_some_and(|e| e != def.computed_id),
        });
    }
}

/// The primitive kinds of the lowercase builtin names.
fn primitive(name: &str) -> Option<TypeKind> {
    // By length first: this runs for every type reference.
    Some(match (name.len(), name) {
        (3, "int") => TypeKind::Int,
        (4, "long") => TypeKind::Long,
        (5, "bytes") => TypeKind::Bytes,
        (6, "double") => TypeKind::Double,
        (6, "string") => TypeKind::String,
        (6, "int128") => TypeKind::Int128,
        (6, "int256") => TypeKind::Int256,
        _ => return None,
    })
}

/// Names every schema may use without declaring them.
fn well_known(name: &str) -> Option<TypeKind> {
    match (name.len(), name) {
        (4, "Bool") => Some(TypeKind::Bool),
        (4, "true") => Some(TypeKind::True),
        (6, "Vector" | "vector") => Some(TypeKind::Vector),
        (6, "Object") => Some(TypeKind::Object),
        _ => primitive(name),
    }
}

/// Everything about the schema that resolution looks up.
struct Index<'a> {
    definitions: &'a [Definition],
    seed: RandomFx,
    /// Boxed type → its constructors: the first, the second, how many.
    types: KeyMap<'a, (usize, usize, usize)>,
    /// Definition name → index of its first definition.
    by_name: KeyMap<'a, usize>,
    /// Boxed names declared by builtin lines (`Int` from `int ? = Int;`).
    builtin_types: FxMap<&'a str, TypeKind>,
    /// Names from definitions that failed to parse.
    recovered: &'a HashSet<String>,
}

pub(crate) fn validate(
    src: &str,
    schema: &mut Schema,
    prepared: &Prepared,
    recovered: &HashSet<String>,
    diags: &mut Vec<Diagnostic>,
) {
    let lines = Lines::new(src);
    check_builtin_ids(src, schema, diags);

    let mut kinds = Vec::with_capacity(schema.definitions.len() * 4);
    // Where each definition's kinds start in `kinds`.
    let mut starts = Vec::with_capacity(schema.definitions.len());
    {
        let index = build_index(&lines, schema, prepared, recovered, diags);
        for def in &schema.definitions {
            starts.push(kinds.len());
            check_definition(&index, def, &mut kinds, diags);
        }
    }
    // Backwards: the last definitions checked are the ones still in the
    // cache.
    for (def, &start) in schema.definitions.iter_mut().zip(&starts).rev() {
        let mut kinds = kinds[start..].iter().copied();
        for p in &mut def.params {
            if let ParamType::Normal { ty, .. } = &mut p.ty {
                assign(ty, &mut kinds);
            }
        }
        assign(&mut def.result, &mut kinds);
    }
}

fn build_index<'a>(
    lines: &Lines<'_>,
    schema: &'a Schema,
    prepared: &Prepared,
    recovered: &'a HashSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> Index<'a> {
    let mut index = Index {
        definitions: &schema.definitions,
        seed: prepared.seed,
        types: key_map(schema.definitions.len() / 2),
        by_name: key_map(schema.definitions.len()),
        builtin_types: map_with_capacity(schema.builtins.len()),
        recovered,
    };
    for b in &schema.builtins {
        let result = b.result.split_whitespace().next().unwrap_or("");
        match primitive(&b.name).or_else(|| (b.name == "vector").then_some(TypeKind::Vector)) {
            Some(kind) => {
                index.builtin_types.insert(result, kind);
            }
            None => diags.push(
                Diagnostic::error(
                    Span::new(b.span.start, b.span.start + b.name.len()),
                    format!("unknown builtin type `{}`", b.name),
                )
                .with_note(
                    "builtin lines declare int, long, double, string, bytes, int128, int256 and vector",
                ),
            ),
        }
    }
    // From the entries the parser prepared: a pass over the definitions
    // themselves would be a pass over megabytes of memory.
    let mut by_id: FxMap<u32, usize> = map_with_capacity(schema.definitions.len());
    debug_assert_eq!(
        prepared.entries.len(),
        schema.definitions.len(),
        "the parser records an entry for each definition it pushes"
    );
    for (k, (d, entry)) in schema.definitions.iter().zip(&prepared.entries).enumerate() {
        check_id(lines, &schema.definitions, k, entry, &mut by_id, diags);
        let name = Key {
            hash: entry.name_hash,
            name: &d.name,
        };
        match index.by_name.entry(name) {
            Entry::Occupied(first) => {
                let first = &schema.definitions[*first.get()];
                diags.push(
                    Diagnostic::error(name_span(d), format!("duplicate definition `{}`", d.name))
                        .with_note(format!(
                            "`{}` is first defined on line {}",
                            d.name,
                            lines.line_of(first.span)
                        )),
                );
            }
            Entry::Vacant(slot) => {
                slot.insert(k);
            }
        }
        if let Some(hash) = entry.declares {
            let result = Key {
                hash,
                name: &d.result.name,
            };
            index
                .types
                .entry(result)
                .and_modify(|(_, second, n)| {
                    if *n == 1 {
                        *second = k;
                    }
                    *n += 1;
                })
                .or_insert((k, k, 1));
        }
    }
    index
}

/// Sets the kinds of the names every schema knows (`int`, `Vector`, `Bool`,
/// `Object`, …): they do not depend on the rest of the file, and the parser
/// calls this right after each definition, while its names are in the
/// cache. Names that are generic parameters of the definition, `!X`
/// references and namespaced names are left for validation.
pub(crate) fn presolve(def: &mut Definition) {
    fn visit(ty: &mut TypeRef, generics: &[GenericParam]) {
        if !ty.generic_ref
            && ty.name.namespace.is_empty()
            && generics.iter().all(|g| g.name != ty.name.name)
        {
            if let Some(kind) = well_known(&ty.name.name) {
                ty.kind = kind;
            }
        }
        for arg in &mut ty.args {
            visit(arg, generics);
        }
    }
    for p in &mut def.params {
        if let ParamType::Normal { ty, .. } = &mut p.ty {
            visit(ty, &def.generics);
        }
    }
    visit(&mut def.result, &def.generics);
}

/// Writes the kinds computed by [`check_definition`] back, in the order
/// [`resolve`] produced them: the reference, then its arguments.
fn assign(ty: &mut TypeRef, kinds: &mut impl Iterator<Item = TypeKind>) {
    ty.kind = kinds.next().unwrap_or(TypeKind::Unresolved);
    for arg in &mut ty.args {
        assign(arg, kinds);
    }
}

/// Whether a constructor's result can be the boxed type it declares: a
/// plain name starting with an uppercase letter.
fn is_declarable_result(ty: &TypeRef) -> bool {
    !ty.bare
        && !ty.generic_ref
        && ty.args.is_empty()
        && ty.name.name.starts_with(|c: char| c.is_ascii_uppercase())
}

fn generic_index(generics: &[GenericParam], ty: &TypeRef) -> Option<usize> {
    if !ty.name.namespace.is_empty() {
        return None;
    }
    generics.iter().position(|g| g.name == ty.name.name)
}

fn name_span(def: &Definition) -> Span {
    let len = def
        .name
        .namespace
        .iter()
        .map(|n| n.len() + 1)
        .sum::<usize>()
        + def.name.name.len();
    Span::new(def.span.start, def.span.start + len)
}

/// Line numbers for notes, from a table of line starts built on first use:
/// a file with thousands of duplicates must not be rescanned for each.
struct Lines<'s> {
    src: &'s str,
    starts: OnceCell<Vec<usize>>,
}

impl<'s> Lines<'s> {
    fn new(src: &'s str) -> Self {
        Lines {
            src,
            starts: OnceCell::new(),
        }
    }

    fn line_of(&self, span: Span) -> usize {
        let starts = self.starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.src.match_indices('\n').map(|(k, _)| k + 1))
                .collect()
        });
        starts.partition_point(|&s| s <= span.start)
    }
}

/// First position of each name in a long list (fields, generics). Short
/// lists are scanned; long ones (hostile input can have 100 000 fields) get
/// a map, so that checking every entry stays linear.
struct FirstIndex<'a> {
    map: Option<FxMap<&'a str, usize>>,
}

impl<'a> FirstIndex<'a> {
    fn new(names: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let len = names.len();
        // Below this a scan is cheaper than building a map.
        let map = (len > 24).then(|| {
            let mut map = map_with_capacity(len);
            for (k, name) in names.enumerate() {
                map.entry(name).or_insert(k);
            }
            map
        });
        FirstIndex { map }
    }

    fn find(&self, name: &str, scan: impl FnOnce() -> Option<usize>) -> Option<usize> {
        match &self.map {
            Some(map) => map.get(name).copied(),
            None => scan(),
        }
    }
}

/// Warns about an explicit id that differs from the computed one (both set
/// by the parser) and reports a duplicate id; `by_id` holds the ids of the
/// definitions before this one.
fn check_id(
    lines: &Lines<'_>,
    definitions: &[Definition],
    k: usize,
    entry: &IndexEntry,
    by_id: &mut FxMap<u32, usize>,
    diags: &mut Vec<Diagnostic>,
) {
    let def = &definitions[k];
    // `def` is read only to report a problem: it is no longer in the cache.
    if let Some(explicit) = entry.id_differs.then_some(def.explicit_id).flatten() {
        let name = name_span(def);
        let digits = lines
            .src
            .get(name.end + 1..)
            .map_or(0, |s| s.bytes().take_while(u8::is_ascii_hexdigit).count());
        diags.push(
            Diagnostic::warning(
                Span::new(name.end, name.end + 1 + digits),
                format!(
                    "explicit id #{explicit:08x} of `{}` differs from its computed id #{:08x}",
                    def.name, def.computed_id
                ),
            )
            .with_note(format!(
                "the id is computed from `{}`; the explicit id is the one used on the wire",
                id::normalized_form(def)
            )),
        );
    }
    if let Some(&first) = by_id.get(&entry.id) {
        let other = &definitions[first];
        diags.push(
            Diagnostic::error(
                name_span(def),
                format!(
                    "duplicate id #{:08x}: `{}` has the same id",
                    def.id, other.name
                ),
            )
            .with_note(format!(
                "`{}` is on line {}",
                other.name,
                lines.line_of(other.span)
            )),
        );
    } else {
        by_id.insert(entry.id, k);
    }
}

/// Checks the explicit ids of builtin lines (`vector#1cb5c415 …`).
fn check_builtin_ids(src: &str, schema: &Schema, diags: &mut Vec<Diagnostic>) {
    for b in &schema.builtins {
        let Some(explicit) = b.explicit_id else {
            continue;
        };
        let text = src.get(b.span.start..b.span.end).unwrap_or("");
        let normalized = id::normalized_builtin(text);
        let computed = crc32fast::hash(normalized.as_bytes());
        if computed != explicit {
            let at = b.span.start + b.name.len();
            let digits = text
                .get(b.name.len() + 1..)
                .map_or(0, |s| s.bytes().take_while(u8::is_ascii_hexdigit).count());
            diags.push(
                Diagnostic::warning(
                    Span::new(at, at + 1 + digits),
                    format!(
                        "explicit id #{explicit:08x} of builtin `{}` differs from its computed id #{computed:08x}",
                        b.name
                    ),
                )
                .with_note(format!("the id is computed from `{normalized}`")),
            );
        }
    }
}

/// Checks one definition and appends the kinds of its type references (the
/// fields' types in order, then the result) to `kinds`.
fn check_definition(
    index: &Index<'_>,
    def: &Definition,
    kinds: &mut Vec<TypeKind>,
    diags: &mut Vec<Diagnostic>,
) {
    let full = &def.name;
    let params = FirstIndex::new(def.params.iter().map(|p| p.name.as_str()));
    let generics = FirstIndex::new(def.generics.iter().map(|g| g.name.as_str()));
    let find_param =
        |name: &str| params.find(name, || def.params.iter().position(|q| q.name == name));
    let find_generic =
        |name: &str| generics.find(name, || def.generics.iter().position(|g| g.name == name));
    for (j, g) in def.generics.iter().enumerate() {
        if find_generic(&g.name) != Some(j) {
            diags.push(Diagnostic::error(
                g.span,
                format!("duplicate generic parameter `{}` in `{full}`", g.name),
            ));
        }
    }
    for (j, p) in def.params.iter().enumerate() {
        if find_param(&p.name) != Some(j) {
            diags.push(Diagnostic::error(
                Span::new(p.span.start, p.span.start + p.name.len()),
                format!("duplicate field `{}` in `{full}`", p.name),
            ));
        }
        if let ParamType::Normal {
            flag: Some(flag), ..
        } = &p.ty
        {
            check_flag(def, j, flag, find_param(&flag.field), diags);
        }
    }

    let mut used = vec![false; def.generics.len()];
    let mut r = Resolver {
        index,
        generics: &def.generics,
        generic_names: &generics,
        used: &mut used,
        kinds,
        diags,
    };
    for p in &def.params {
        if let ParamType::Normal { ty, flag } = &p.ty {
            r.resolve(ty, flag.is_some());
        }
    }

    let result = &def.result;
    if def.category == Category::Type {
        if let Some(j) = r.generic(result) {
            r.used[j] = true;
            r.kinds.push(TypeKind::Generic);
            push_args_unresolved(result, r.kinds);
            r.diags.push(Diagnostic::error(
                result.span,
                format!("the result of constructor `{full}` cannot be a generic parameter"),
            ));
        } else if !is_declarable_result(result) {
            r.kinds.push(TypeKind::Unresolved);
            push_args_unresolved(result, r.kinds);
            r.diags.push(Diagnostic::error(
                result.span,
                format!(
                    "the result of constructor `{full}` must be a boxed type name starting with an uppercase letter, found `{result}`"
                ),
            ));
        } else {
            r.resolve(result, false);
        }
    } else {
        r.resolve(result, false);
    }

    for (j, (g, used)) in def.generics.iter().zip(&used).enumerate() {
        if !used && find_generic(&g.name) == Some(j) {
            diags.push(
                Diagnostic::error(
                    g.span,
                    format!("generic parameter `{}` of `{full}` is never used", g.name),
                )
                .with_note(format!(
                    "use it as a field type `!{}` or as the result",
                    g.name
                )),
            );
        }
    }
}

fn push_args_unresolved(ty: &TypeRef, kinds: &mut Vec<TypeKind>) {
    for arg in &ty.args {
        kinds.push(TypeKind::Unresolved);
        push_args_unresolved(arg, kinds);
    }
}

/// Checks the `flags.N?` condition `flag` of field `j`; `found` is the
/// first field named like the flags field.
fn check_flag(
    def: &Definition,
    j: usize,
    flag: &crate::ast::Flag,
    found: Option<usize>,
    diags: &mut Vec<Diagnostic>,
) {
    let p = &def.params[j];
    // Fields are written without spaces, so the pieces sit at fixed offsets.
    let field_start = p.span.start + p.name.len() + 1;
    let field_span = Span::new(field_start, field_start + flag.field.len());
    match found {
        Some(f) if f < j && def.params[f].ty == ParamType::Flags => {}
        Some(f) if f < j => diags.push(
            Diagnostic::error(
                field_span,
                format!(
                    "`{}` is not a `#` field, so it has no flag bits",
                    flag.field
                ),
            )
            .with_note(format!(
                "declare it as `{}:#` to use `{}.{}?`",
                flag.field, flag.field, flag.bit
            )),
        ),
        Some(f) if f == j => diags.push(Diagnostic::error(
            field_span,
            format!("field `{}` cannot be conditional on itself", p.name),
        )),
        Some(_) => diags.push(
            Diagnostic::error(
                field_span,
                format!(
                    "flags field `{}` is declared after `{}`, which uses it",
                    flag.field, p.name
                ),
            )
            .with_note("the `#` field must come before the fields it controls"),
        ),
        None => diags.push(
            Diagnostic::error(
                field_span,
                format!("no flags field `{}` in `{}`", flag.field, def.name),
            )
            .with_note(format!(
                "declare `{}:#` before the fields that use it",
                flag.field
            )),
        ),
    }
    if flag.bit > 31 {
        let bit_start = field_span.end + 1;
        let bit_len = flag.bit.to_string().len();
        diags.push(Diagnostic::error(
            Span::new(bit_start, bit_start + bit_len),
            format!(
                "flag bit {} is out of range: `#` fields have bits 0 to 31",
                flag.bit
            ),
        ));
    }
}

/// Resolution within one definition.
struct Resolver<'i, 'a> {
    index: &'i Index<'a>,
    generics: &'i [GenericParam],
    generic_names: &'i FirstIndex<'i>,
    used: &'i mut [bool],
    kinds: &'i mut Vec<TypeKind>,
    diags: &'i mut Vec<Diagnostic>,
}

impl Resolver<'_, '_> {
    /// Which generic parameter `ty` names, if any.
    fn generic(&self, ty: &TypeRef) -> Option<usize> {
        if self.generics.is_empty() || !ty.name.namespace.is_empty() {
            return None;
        }
        let name = ty.name.name.as_str();
        self.generic_names
            .find(name, || self.generics.iter().position(|g| g.name == name))
    }

    /// Pushes the kind of `ty`, then those of its arguments. `flagged`
    /// says whether `ty` is the type of a `flags.N?` field, the one place
    /// `true` means something.
    fn resolve(&mut self, ty: &TypeRef, flagged: bool) {
        let kind = self.kind_of(ty, flagged);
        self.kinds.push(kind);
        if kind == TypeKind::Vector {
            for arg in &ty.args {
                self.resolve(arg, false);
            }
        } else {
            push_args_unresolved(ty, self.kinds);
        }
    }

    fn kind_of(&mut self, ty: &TypeRef, flagged: bool) -> TypeKind {
        // Set by `presolve`, which leaves generic names alone.
        let kind = if ty.kind != TypeKind::Unresolved {
            ty.kind
        } else {
            let generic = self.generic(ty);
            if ty.generic_ref || generic.is_some() {
                return self.generic_kind(ty, generic);
            }
            let simple = ty.name.namespace.is_empty();
            match simple.then(|| well_known(&ty.name.name)).flatten() {
                Some(kind) => kind,
                None => self.declared_kind(ty),
            }
        };
        if kind == TypeKind::True && !flagged {
            self.diags.push(
                Diagnostic::error(ty.span, "`true` can only be the type of a flag field")
                    .with_note("write `name:flags.N?true`"),
            );
        }
        if kind == TypeKind::Vector {
            if ty.args.len() != 1 {
                self.diags.push(
                    Diagnostic::error(
                        ty.span,
                        format!(
                            "`{}` takes exactly one type argument, found {}",
                            ty.name,
                            ty.args.len()
                        ),
                    )
                    .with_note(format!("write `{}<T>`", ty.name)),
                );
            }
        } else if !ty.args.is_empty() {
            self.diags.push(
                Diagnostic::error(ty.span, format!("`{}` takes no type arguments", ty.name))
                    .with_note("only `Vector` and `vector` are generic types"),
            );
        }
        kind
    }

    fn generic_kind(&mut self, ty: &TypeRef, generic: Option<usize>) -> TypeKind {
        let Some(j) = generic else {
            self.diags.push(
                Diagnostic::error(ty.span, format!("`{ty}` refers to no generic parameter"))
                    .with_note(format!(
                    "`!` marks a generic parameter; declare it with `{{{}:Type}}` after the name",
                    ty.name
                )),
            );
            return TypeKind::Unresolved;
        };
        self.used[j] = true;
        if !ty.args.is_empty() {
            self.diags.push(Diagnostic::error(
                ty.span,
                format!("generic parameter `{}` takes no type arguments", ty.name),
            ));
        }
        if ty.has_percent() {
            self.diags.push(Diagnostic::error(
                ty.span,
                format!("generic parameter `{}` cannot be bare (`%`)", ty.name),
            ));
        }
        TypeKind::Generic
    }

    /// Kinds of names the schema itself declares.
    fn declared_kind(&mut self, ty: &TypeRef) -> TypeKind {
        let index = self.index;
        let k = Key::new(index.seed, &ty.name);
        if !ty.bare {
            if index.types.contains_key(&k) {
                return TypeKind::Boxed;
            }
            if let Some(&kind) = ty
                .name
                .namespace
                .is_empty()
                .then(|| index.builtin_types.get(ty.name.name.as_str()))
                .flatten()
            {
                return kind;
            }
            return self.unknown(ty, "no constructor in this schema has the result type");
        }
        if ty.has_percent() {
            match index.types.get(&k) {
                Some(&(_, _, 1)) => return TypeKind::BareConstructor,
                Some(&(first, second, n)) => {
                    let list = [first, second].map(|c| format!("`{}`", index.definitions[c].name));
                    self.diags.push(
                        Diagnostic::error(
                            ty.span,
                            format!(
                                "`{ty}` needs a type with exactly one constructor, but `{}` has {n}",
                                ty.name
                            ),
                        )
                        .with_note(format!(
                            "its constructors include {}; name one of them instead",
                            list.join(", ")
                        )),
                    );
                    return TypeKind::Unresolved;
                }
                None => {}
            }
            if let Some(&kind) = ty
                .name
                .namespace
                .is_empty()
                .then(|| index.builtin_types.get(ty.name.name.as_str()))
                .flatten()
            {
                return kind;
            }
            return self.unknown(ty, "no constructor in this schema has the result type");
        }
        if let Some(&c) = index.by_name.get(&k) {
            if index.definitions[c].category == Category::Type {
                return TypeKind::BareConstructor;
            }
        }
        self.unknown(ty, "no constructor in this schema is named")
    }

    fn unknown(&mut self, ty: &TypeRef, why: &str) -> TypeKind {
        let full = ty.name.full();
        if !self.index.recovered.contains(&full) {
            let mut note = format!("{why} `{full}`");
            if !ty.has_percent() && ty.bare {
                note.push_str(" (boxed types start with an uppercase letter)");
            }
            self.diags
                .push(Diagnostic::error(ty.span, format!("unknown type `{full}`")).with_note(note));
        }
        TypeKind::Unresolved
    }
}

#[cfg(test)]
mod tests {
    use super::tail_word;

    #[test]
    fn tail_words_are_the_zero_padded_little_endian_bytes() {
        let bytes = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77];
        for n in 1..8 {
            let mut padded = [0u8; 8];
            padded[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(
                tail_word(&bytes[..n]),
                u64::from_le_bytes(padded),
                "{n} bytes"
            );
        }
    }
}
