//! The schema-wide index that resolution looks names up in: which
//! definition has each name, which constructors declare each boxed type,
//! what the builtin lines declare. Building it is where duplicate names and
//! ids are found, since that is when each name is first seen.

use std::collections::hash_map::Entry;
use std::collections::HashSet;
use std::hash::BuildHasher;

use super::hash::{key_map, map_with_capacity, FxMap, Key, KeyMap, RandomFx};
use super::ids::check_id;
use super::resolve::primitive;
use super::{name_span, Lines};
use crate::ast::{Category, Definition, GenericParam, Schema, Span, TypeKind, TypeRef};
use crate::diagnostic::Diagnostic;

/// What the index needs from one definition, taken by the parser right
/// after the definition is parsed (see [`Prepared::record`]).
pub(super) struct IndexEntry {
    name_hash: u64,
    /// The hash of the boxed type a constructor declares with its result.
    declares: Option<u64>,
    /// The id the definition goes by on the wire.
    pub(super) id: u32,
    /// Whether an explicit `#id` differs from the computed one.
    pub(super) id_differs: bool,
}

/// The index entries of a file's definitions, in order, and the seed their
/// hashes were made with.
pub(crate) struct Prepared {
    seed: RandomFx,
    entries: Vec<IndexEntry>,
}

impl Prepared {
    /// Room for `capacity` definitions, hashed from a fresh random seed.
    pub(crate) fn new(capacity: usize) -> Self {
        Prepared {
            seed: RandomFx::new(),
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

/// Everything about the schema that resolution looks up.
pub(super) struct Index<'a> {
    /// The schema's definitions, which the maps' values index.
    pub(super) definitions: &'a [Definition],
    /// The seed every [`Key`] in the maps was hashed from.
    pub(super) seed: RandomFx,
    /// Boxed type → its constructors: the first, the second, how many.
    pub(super) types: KeyMap<'a, (usize, usize, usize)>,
    /// Definition name → index of its first definition.
    pub(super) by_name: KeyMap<'a, usize>,
    /// Boxed names declared by builtin lines (`Int` from `int ? = Int;`).
    pub(super) builtin_types: FxMap<&'a str, TypeKind>,
    /// Names from definitions that failed to parse.
    pub(super) recovered: &'a HashSet<String>,
}

/// Indexes `schema` from the entries the parser prepared, reporting
/// unknown builtin lines, duplicate definitions and duplicate ids.
pub(super) fn build_index<'a>(
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

/// Whether a constructor's result can be the boxed type it declares: a
/// plain name starting with an uppercase letter.
pub(super) fn is_declarable_result(ty: &TypeRef) -> bool {
    !ty.bare
        && !ty.generic_ref
        && ty.args.is_empty()
        && ty.name.name.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Which of `generics` the plain name `ty` is, if any.
fn generic_index(generics: &[GenericParam], ty: &TypeRef) -> Option<usize> {
    if !ty.name.namespace.is_empty() {
        return None;
    }
    generics.iter().position(|g| g.name == ty.name.name)
}
