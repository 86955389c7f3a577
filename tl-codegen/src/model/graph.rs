//! What follows from how types refer to each other: which borrow from the
//! input (need `'a`), which fields are boxed (to break a recursive type's
//! infinite size, or because they are large), which constructors can
//! recurse when decoded, and the least bytes each bare form takes.

use super::{BoxedType, Item, Layer, Role, Ty};

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
pub(super) fn mark_lifetimes(layer: &mut Layer) {
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
pub(super) fn mark_recursion(layer: &mut Layer) {
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
pub(super) fn box_large_fields(layer: &mut Layer) {
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
pub(super) fn measure_min_lens(layer: &mut Layer) {
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
