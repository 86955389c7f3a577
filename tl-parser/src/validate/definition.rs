//! The checks of one definition on its own: duplicate fields and generic
//! parameters, `flags.N?` conditions, what a constructor may declare as its
//! result, and generic parameters that are never used. Its type references
//! are resolved on the way ([`Resolver`]).

use super::hash::FirstIndex;
use super::index::{is_declarable_result, Index};
use super::resolve::{push_args_unresolved, Resolver};
use crate::ast::{Category, Definition, Flag, ParamType, Span, TypeKind};
use crate::diagnostic::Diagnostic;

/// Checks one definition and appends the kinds of its type references (the
/// fields' types in order, then the result) to `kinds`.
pub(super) fn check_definition(
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

/// Checks the `flags.N?` condition `flag` of field `j`; `found` is the
/// first field named like the flags field.
fn check_flag(
    def: &Definition,
    j: usize,
    flag: &Flag,
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
