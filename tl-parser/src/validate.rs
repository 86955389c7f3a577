//! The semantic pass: ids, duplicate names and ids, flags, generics, and the
//! resolution of every type reference to a [`TypeKind`].

use std::collections::{HashMap, HashSet};

use crate::ast::{Category, Definition, ParamType, Schema, Span, TypeKind, TypeRef};
use crate::diagnostic::{line_col, Diagnostic};
use crate::id;

/// The primitive kinds of the lowercase builtin names.
fn primitive(name: &str) -> Option<TypeKind> {
    Some(match name {
        "int" => TypeKind::Int,
        "long" => TypeKind::Long,
        "double" => TypeKind::Double,
        "string" => TypeKind::String,
        "bytes" => TypeKind::Bytes,
        "int128" => TypeKind::Int128,
        "int256" => TypeKind::Int256,
        _ => return None,
    })
}

/// Names every schema may use without declaring them.
fn well_known(name: &str) -> Option<TypeKind> {
    match name {
        "Bool" => Some(TypeKind::Bool),
        "true" => Some(TypeKind::True),
        "Vector" | "vector" => Some(TypeKind::Vector),
        "Object" => Some(TypeKind::Object),
        _ => primitive(name),
    }
}

/// Everything about the schema that resolution looks up.
struct Index<'s> {
    /// Full name of every definition, by index.
    names: Vec<String>,
    /// Boxed type name → constructors (indexes into `definitions`) with that result.
    types: HashMap<String, Vec<usize>>,
    /// Constructor full name → index.
    constructors: HashMap<String, usize>,
    /// Boxed names declared by builtin lines (`Int` from `int ? = Int;`).
    builtin_types: HashMap<String, TypeKind>,
    recovered: &'s HashSet<String>,
}

pub(crate) fn validate(
    src: &str,
    schema: &mut Schema,
    recovered: &HashSet<String>,
    diags: &mut Vec<Diagnostic>,
) {
    check_ids(src, schema, diags);
    check_duplicate_names(src, schema, diags);

    let mut index = Index {
        names: schema.definitions.iter().map(|d| d.name.full()).collect(),
        types: HashMap::new(),
        constructors: HashMap::new(),
        builtin_types: HashMap::new(),
        recovered,
    };
    for b in &schema.builtins {
        let result = b.result.split_whitespace().next().unwrap_or("");
        match primitive(&b.name).or_else(|| (b.name == "vector").then_some(TypeKind::Vector)) {
            Some(kind) => {
                index.builtin_types.insert(result.to_owned(), kind);
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
    for (k, d) in schema.definitions.iter().enumerate() {
        if d.category == Category::Type {
            index.constructors.entry(d.name.full()).or_insert(k);
            if is_declarable_result(&d.result)
                && d.generics.iter().all(|g| g.name != d.result.name.name)
            {
                index.types.entry(d.result.name.full()).or_default().push(k);
            }
        }
    }

    for (k, def) in schema.definitions.iter_mut().enumerate() {
        check_definition(&index, k, def, diags);
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

fn line_of(src: &str, span: Span) -> usize {
    line_col(src, span.start).0
}

fn check_ids(src: &str, schema: &mut Schema, diags: &mut Vec<Diagnostic>) {
    let mut buf = String::new();
    for def in &mut schema.definitions {
        def.computed_id = id::compute_id_with(def, &mut buf);
        def.id = def.explicit_id.unwrap_or(def.computed_id);
        if let Some(explicit) = def.explicit_id.filter(|&e| e != def.computed_id) {
            let name = name_span(def);
            let digits = src
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
                    "the id is computed from `{buf}`; the explicit id is the one used on the wire"
                )),
            );
        }
    }
    for b in &schema.builtins {
        let Some(explicit) = b.explicit_id else {
            continue;
        };
        let text = src.get(b.span.start..b.span.end).unwrap_or("");
        let normalized = id::normalized_builtin(text);
        let computed = crc32fast::hash(normalized.as_bytes());
        if computed != explicit {
            let at = b.span.start + b.name.len();
            let digits = text[b.name.len()..]
                .bytes()
                .skip(1)
                .take_while(u8::is_ascii_hexdigit)
                .count();
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

    let mut by_id: HashMap<u32, usize> = HashMap::new();
    for (k, def) in schema.definitions.iter().enumerate() {
        if let Some(&first) = by_id.get(&def.id) {
            let other = &schema.definitions[first];
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
                    line_of(src, other.span)
                )),
            );
        } else {
            by_id.insert(def.id, k);
        }
    }
}

fn check_duplicate_names(src: &str, schema: &Schema, diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (k, def) in schema.definitions.iter().enumerate() {
        let full = def.name.full();
        if let Some(&first) = seen.get(&full) {
            let first = &schema.definitions[first];
            diags.push(
                Diagnostic::error(name_span(def), format!("duplicate definition `{full}`"))
                    .with_note(format!(
                        "`{full}` is first defined on line {}",
                        line_of(src, first.span)
                    )),
            );
        } else {
            seen.insert(full, k);
        }
    }
}

/// What resolution needs to know about the definition a reference is in.
struct Scope<'d> {
    generics: &'d [crate::ast::GenericParam],
    used: Vec<bool>,
}

fn check_definition(
    index: &Index<'_>,
    k: usize,
    def: &mut Definition,
    diags: &mut Vec<Diagnostic>,
) {
    let full = &index.names[k];
    // Generic parameter names.
    for (j, g) in def.generics.iter().enumerate() {
        if def.generics[..j].iter().any(|h| h.name == g.name) {
            diags.push(Diagnostic::error(
                g.span,
                format!("duplicate generic parameter `{}` in `{full}`", g.name),
            ));
        }
    }

    // Field names and flags.
    for j in 0..def.params.len() {
        let p = &def.params[j];
        if def.params[..j].iter().any(|q| q.name == p.name) {
            diags.push(Diagnostic::error(
                Span::new(p.span.start, p.span.start + p.name.len()),
                format!("duplicate field `{}` in `{full}`", p.name),
            ));
        }
        let ParamType::Normal {
            flag: Some(flag), ..
        } = &p.ty
        else {
            continue;
        };
        let field_start = p.span.start + p.name.len() + 1;
        let field_span = Span::new(field_start, field_start + flag.field.len());
        match def.params.iter().position(|q| q.name == flag.field) {
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
                    format!("no flags field `{}` in `{full}`", flag.field),
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

    let mut scope = Scope {
        generics: &def.generics,
        used: vec![false; def.generics.len()],
    };
    for p in &mut def.params {
        if let ParamType::Normal { ty, flag } = &mut p.ty {
            let flagged = flag.is_some();
            resolve(index, &mut scope, ty, flagged, diags);
        }
    }

    // The result.
    let result = &mut def.result;
    if def.category == Category::Type {
        if let Some(j) = def
            .generics
            .iter()
            .position(|g| g.name == result.name.name && result.name.namespace.is_empty())
        {
            scope.used[j] = true;
            result.kind = TypeKind::Generic;
            diags.push(Diagnostic::error(
                result.span,
                format!("the result of constructor `{full}` cannot be a generic parameter"),
            ));
        } else if !is_declarable_result(result) {
            diags.push(Diagnostic::error(
                result.span,
                format!(
                    "the result of constructor `{full}` must be a boxed type name starting with an uppercase letter, found `{result}`"
                ),
            ));
        } else {
            resolve(index, &mut scope, result, false, diags);
        }
    } else {
        resolve(index, &mut scope, result, false, diags);
    }

    for (g, used) in def.generics.iter().zip(&scope.used) {
        if !used {
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

/// Resolves `ty` (and its arguments) to a [`TypeKind`], reporting what
/// cannot be resolved. `flagged` says whether `ty` is the type of a
/// `flags.N?` field, the one place `true` means something.
fn resolve(
    index: &Index<'_>,
    scope: &mut Scope<'_>,
    ty: &mut TypeRef,
    flagged: bool,
    diags: &mut Vec<Diagnostic>,
) {
    let simple = ty.name.namespace.is_empty();
    let generic = simple
        .then(|| scope.generics.iter().position(|g| g.name == ty.name.name))
        .flatten();

    if ty.generic_ref || generic.is_some() {
        let Some(j) = generic else {
            diags.push(
                Diagnostic::error(ty.span, format!("`{ty}` refers to no generic parameter"))
                    .with_note(format!(
                    "`!` marks a generic parameter; declare it with `{{{}:Type}}` after the name",
                    ty.name
                )),
            );
            return;
        };
        scope.used[j] = true;
        ty.kind = TypeKind::Generic;
        if !ty.args.is_empty() {
            diags.push(Diagnostic::error(
                ty.span,
                format!("generic parameter `{}` takes no type arguments", ty.name),
            ));
        }
        if ty.has_percent() {
            diags.push(Diagnostic::error(
                ty.span,
                format!("generic parameter `{}` cannot be bare (`%`)", ty.name),
            ));
        }
        return;
    }

    let full = ty.name.full();
    let kind = match simple.then(|| well_known(&ty.name.name)).flatten() {
        Some(kind) => kind,
        None => resolve_declared(index, ty, &full, diags),
    };
    ty.kind = kind;

    if kind == TypeKind::True && !flagged {
        diags.push(
            Diagnostic::error(
                ty.span,
                "`true` can only be the type of a flag field".to_owned(),
            )
            .with_note("write `name:flags.N?true`"),
        );
    }
    if kind == TypeKind::Vector {
        if ty.args.len() != 1 {
            diags.push(
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
        for arg in &mut ty.args {
            resolve(index, scope, arg, false, diags);
        }
    } else if !ty.args.is_empty() {
        diags.push(
            Diagnostic::error(ty.span, format!("`{}` takes no type arguments", ty.name))
                .with_note("only `Vector` and `vector` are generic types"),
        );
    }
}

fn resolve_declared(
    index: &Index<'_>,
    ty: &TypeRef,
    full: &str,
    diags: &mut Vec<Diagnostic>,
) -> TypeKind {
    let unknown =
        |note: String| Diagnostic::error(ty.span, format!("unknown type `{full}`")).with_note(note);
    if !ty.bare {
        if index.types.contains_key(full) {
            return TypeKind::Boxed;
        }
        if let Some(&kind) = index.builtin_types.get(full) {
            return kind;
        }
        if !index.recovered.contains(full) {
            diags.push(unknown(format!(
                "no constructor in this schema has the result type `{full}`"
            )));
        }
        return TypeKind::Unresolved;
    }
    if ty.has_percent() {
        match index.types.get(full).map(Vec::as_slice) {
            Some([_]) => return TypeKind::BareConstructor,
            Some(constructors) => {
                let list: Vec<String> = constructors
                    .iter()
                    .take(4)
                    .map(|&k| format!("`{}`", index.names[k]))
                    .collect();
                diags.push(
                    Diagnostic::error(
                        ty.span,
                        format!(
                            "`%{full}` needs a type with exactly one constructor, but `{full}` has {}",
                            constructors.len()
                        ),
                    )
                    .with_note(format!(
                        "its constructors include {}; name one of them instead",
                        list.join(", ")
                    )),
                );
                return TypeKind::Unresolved;
            }
            None => {
                if let Some(&kind) = index.builtin_types.get(full) {
                    return kind;
                }
            }
        }
    } else if index.constructors.contains_key(full) {
        return TypeKind::BareConstructor;
    }
    if !index.recovered.contains(full) {
        diags.push(unknown(if ty.has_percent() {
            format!("no constructor in this schema has the result type `{full}`")
        } else {
            format!("no constructor named `{full}` in this schema (boxed types start with an uppercase letter)")
        }));
    }
    TypeKind::Unresolved
}
