//! Checks of constructor ids: an explicit `#id` that differs from the
//! computed one (a warning: the explicit id is what goes on the wire), and
//! two definitions with the same id.

use super::hash::FxMap;
use super::index::IndexEntry;
use super::{name_span, Lines};
use crate::ast::{Definition, Schema, Span};
use crate::diagnostic::Diagnostic;
use crate::id;

/// Warns about an explicit id that differs from the computed one (both set
/// by the parser) and reports a duplicate id; `by_id` holds the ids of the
/// definitions before this one.
pub(super) fn check_id(
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
pub(super) fn check_builtin_ids(src: &str, schema: &Schema, diags: &mut Vec<Diagnostic>) {
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
