//! The semantic pass: id checks, duplicate names and ids, flags, generics,
//! and the resolution of every type reference to a [`TypeKind`].
//!
//! Resolution runs in two phases so that lookups can borrow names straight
//! from the definitions (no `String` per reference): first every kind is
//! computed, in a fixed traversal order, from an index that borrows the
//! schema; then the kinds are written back in the same order.
//!
//! The parser feeds the pass as it goes ([`Prepared::record`],
//! [`presolve`]): that is when a definition's names are in the cache.

mod definition;
mod hash;
mod ids;
mod index;
mod resolve;

use std::cell::OnceCell;
use std::collections::HashSet;

use crate::ast::{Definition, ParamType, Schema, Span, TypeKind, TypeRef};
use crate::diagnostic::Diagnostic;

use definition::check_definition;
use ids::check_builtin_ids;
use index::build_index;
pub(crate) use index::Prepared;
pub(crate) use resolve::presolve;

/// Checks a parsed schema, appending what is wrong to `diags`, and sets
/// the kind of every type reference in it.
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

/// Writes the kinds computed by [`check_definition`] back, in the order
/// [`resolve::Resolver`] produced them: the reference, then its arguments.
fn assign(ty: &mut TypeRef, kinds: &mut impl Iterator<Item = TypeKind>) {
    ty.kind = kinds.next().unwrap_or(TypeKind::Unresolved);
    for arg in &mut ty.args {
        assign(arg, kinds);
    }
}

/// The span of a definition's full name (`auth.sendCode`), where its
/// problems are reported.
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

    /// The 1-based line `span` starts on.
    fn line_of(&self, span: Span) -> usize {
        let starts = self.starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.src.match_indices('\n').map(|(k, _)| k + 1))
                .collect()
        });
        starts.partition_point(|&s| s <= span.start)
    }
}
