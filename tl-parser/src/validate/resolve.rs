//! Type resolution: what each type reference names (a builtin, a generic
//! parameter, a boxed type, a bare constructor), and the checks that only
//! make sense once that is known (`true` outside a flag, type arguments,
//! `%` on a type with several constructors).

use super::hash::{FirstIndex, Key};
use super::index::Index;
use crate::ast::{Category, Definition, GenericParam, ParamType, TypeKind, TypeRef};
use crate::diagnostic::Diagnostic;

/// The primitive kinds of the lowercase builtin names.
pub(super) fn primitive(name: &str) -> Option<TypeKind> {
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

/// Pushes [`TypeKind::Unresolved`] for each of `ty`'s arguments, in the
/// order [`Resolver::resolve`] would have pushed their kinds.
pub(super) fn push_args_unresolved(ty: &TypeRef, kinds: &mut Vec<TypeKind>) {
    for arg in &ty.args {
        kinds.push(TypeKind::Unresolved);
        push_args_unresolved(arg, kinds);
    }
}

/// Resolution within one definition.
pub(super) struct Resolver<'i, 'a> {
    /// The schema-wide names.
    pub(super) index: &'i Index<'a>,
    /// The definition's generic parameters.
    pub(super) generics: &'i [GenericParam],
    /// The first position of each generic parameter's name.
    pub(super) generic_names: &'i FirstIndex<'i>,
    /// Which generic parameters a reference has named so far.
    pub(super) used: &'i mut [bool],
    /// The kinds, in the order [`Resolver::resolve`] visits references.
    pub(super) kinds: &'i mut Vec<TypeKind>,
    /// Where problems go.
    pub(super) diags: &'i mut Vec<Diagnostic>,
}

impl Resolver<'_, '_> {
    /// Which generic parameter `ty` names, if any.
    pub(super) fn generic(&self, ty: &TypeRef) -> Option<usize> {
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
    pub(super) fn resolve(&mut self, ty: &TypeRef, flagged: bool) {
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

    /// The kind of `ty` itself, reporting what is wrong with it.
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

    /// The kind of a reference to generic parameter `generic` (`None`: a
    /// `!X` with no `X` declared), marking the parameter used.
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
            return self.builtin_or_unknown(ty);
        }
        if ty.has_percent() {
            return match index.types.get(&k) {
                Some(&(_, _, 1)) => TypeKind::BareConstructor,
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
                    TypeKind::Unresolved
                }
                None => self.builtin_or_unknown(ty),
            };
        }
        if let Some(&c) = index.by_name.get(&k) {
            if index.definitions[c].category == Category::Type {
                return TypeKind::BareConstructor;
            }
        }
        self.unknown(ty, "no constructor in this schema is named")
    }

    /// The kind of a type name no constructor declares (`Int` in `int ? =
    /// Int;`), boxed or with `%`: one a builtin line declares, or unknown.
    fn builtin_or_unknown(&mut self, ty: &TypeRef) -> TypeKind {
        let builtin = ty
            .name
            .namespace
            .is_empty()
            .then(|| self.index.builtin_types.get(ty.name.name.as_str()))
            .flatten();
        match builtin {
            Some(&kind) => kind,
            None => self.unknown(ty, "no constructor in this schema has the result type"),
        }
    }

    /// Reports `ty` as unknown, unless it names a definition that failed to
    /// parse (that was reported already); `why` starts the note.
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
