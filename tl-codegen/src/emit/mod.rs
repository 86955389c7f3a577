//! Emission: the lowered [`Layer`] becomes Rust tokens, one `quote!` block
//! per emitted item. This module holds the [`Emitter`], the file's layout
//! (its parts and namespace modules) and how TL types are spelled in Rust;
//! each kind of item has a module of its own, and the wire code
//! (`Constructor`, `Serialize`, `Deserialize` impls) has two: [`codec`] for
//! whole items and [`values`] for one value of a type.

mod codec;
mod enums;
mod functions;
mod index;
mod structs;
mod values;

use std::collections::BTreeMap;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::model::{Field, Item, Layer, Role, RustName, Ty};

/// The top-level parts of a generated file, in the file's order. Each can
/// be emitted and formatted on its own.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Part {
    /// `LAYER`, `decode_by_id`, `name_of`.
    Index,
    /// `pub mod types`.
    Types,
    /// `pub mod enums`.
    Enums,
    /// `pub mod functions`.
    Functions,
}

impl Part {
    pub(crate) const ALL: [Part; 4] = [Part::Index, Part::Types, Part::Enums, Part::Functions];
}

/// What the emitter needs besides the layer.
pub(crate) struct Emitter<'l> {
    pub layer: &'l Layer,
    /// Path of the TL core crate (`::mtproto_types`, or `crate` inside it).
    pub runtime: TokenStream,
    /// Derive `serde::Serialize` behind the including crate's `serde` feature.
    pub serde: bool,
    /// The schema's `// LAYER N`, if any.
    pub layer_number: Option<u32>,
    /// Mark the codec functions `#[inline]` (see [`crate::Options::inline`]).
    pub inline: bool,
}

/// A Rust identifier, raw (`r#type`) when the name is a keyword.
fn ident(name: &str) -> Ident {
    if syn::parse_str::<Ident>(name).is_ok() {
        Ident::new(name, Span::call_site())
    } else {
        Ident::new_raw(name, Span::call_site())
    }
}

/// A constructor id or bit mask as the schema writes it: `0x1cb5c415`.
fn hex_id(id: u32) -> Literal {
    format!("{id:#010x}")
        .parse()
        .expect("a hex literal is a valid token")
}

/// A byte count or length without a type suffix (`12`, not `12usize`):
/// where it goes always says its type.
fn count(n: usize) -> Literal {
    Literal::usize_unsuffixed(n)
}

fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
    quote!(#(#[doc = #lines])*)
}

/// `<'a>` when `yes`, nothing otherwise: the lifetime parameter of a type
/// that borrows.
fn lifetime_if(yes: bool, lt: &TokenStream) -> TokenStream {
    if yes {
        quote!(<#lt>)
    } else {
        quote!()
    }
}

/// `IntoStatic` for a type that borrows nothing: it is already `'static`,
/// so there is no conversion code to compile, and the docs say so plainly.
fn already_static(name: &Ident) -> TokenStream {
    quote! {
        impl tl::IntoStatic for #name {
            type Static = Self;

            #[inline]
            fn into_static(self) -> Self {
                self
            }
        }
    }
}

impl Emitter<'_> {
    /// `#[inline]` on the boxed types' decoders when asked for: small
    /// layers (the service messages) gain from inlining across crates and
    /// codegen units; a whole application layer would only grow its build.
    /// (The constructors' bare decoders, the encoders and the conversions
    /// are always `#[inline]`; see [`crate::Options::inline`].)
    fn inline_attr(&self) -> TokenStream {
        if self.inline {
            quote!(#[inline])
        } else {
            TokenStream::new()
        }
    }

    /// The whole file.
    pub fn file(&self) -> TokenStream {
        Part::ALL.iter().map(|&part| self.part(part)).collect()
    }

    /// One top-level part of the file.
    pub fn part(&self, part: Part) -> TokenStream {
        let layer = self.layer;
        match part {
            Part::Index => self.index(),
            Part::Types => self.kind_module(
                "types",
                "Constructors: one struct per TL constructor, usable boxed or bare.",
                layer
                    .constructors
                    .iter()
                    .map(|c| (&c.rust, self.constructor(c))),
            ),
            Part::Enums => self.kind_module(
                "enums",
                "Boxed types: one enum per TL type, a variant per constructor.",
                layer.types.iter().map(|t| (&t.rust, self.boxed_type(t))),
            ),
            Part::Functions => self.kind_module(
                "functions",
                "Functions: one struct per RPC query, naming the type it returns.",
                layer.functions.iter().map(|f| (&f.rust, self.function(f))),
            ),
        }
    }

    /// `pub mod types { … pub mod auth { … } }` from items tagged with their
    /// Rust name, whose module path is their namespace.
    fn kind_module<'n>(
        &self,
        kind: &str,
        doc: &str,
        items: impl Iterator<Item = (&'n RustName, TokenStream)>,
    ) -> TokenStream {
        let mut tree = ModTree::default();
        for (name, item) in items {
            tree.insert(&name.module, item);
        }
        let kind_ident = ident(kind);
        let body = self.mod_body(&tree, 1);
        let doc = doc_lines(doc);
        quote! {
            #doc
            pub mod #kind_ident {
                #body
            }
        }
    }

    fn mod_body(&self, tree: &ModTree, depth: usize) -> TokenStream {
        let supers = (0..depth).map(|_| quote!(super::));
        let rt = &self.runtime;
        let items = &tree.items;
        let children = tree.children.iter().map(|(name, child)| {
            let name = ident(name);
            let body = self.mod_body(child, depth + 1);
            let doc = doc_lines(&format!("The `{name}` namespace."));
            quote! {
                #doc
                pub mod #name {
                    #body
                }
            }
        });
        quote! {
            #[allow(unused_imports)]
            use #(#supers)* {enums, types};
            #[allow(unused_imports)]
            use #rt as tl;

            #(#items)*
            #(#children)*
        }
    }

    /// The path of a generated item from inside a kind module:
    /// `enums::auth::SentCode`.
    fn path(&self, kind: &str, name: &RustName) -> TokenStream {
        let kind = ident(kind);
        let module = name.module.iter().map(|m| ident(m));
        let name = ident(&name.ident);
        quote!(#kind::#(#module::)*#name)
    }

    /// The Rust type of a value, with lifetime `lt` for borrowed data.
    fn rust_ty(&self, ty: &Ty, lt: &TokenStream) -> TokenStream {
        match ty {
            Ty::Int => quote!(i32),
            Ty::Long => quote!(i64),
            Ty::Double => quote!(f64),
            Ty::Str => quote!(::std::borrow::Cow<#lt, str>),
            Ty::Bytes => quote!(tl::Bytes<#lt>),
            Ty::Int128 => quote!(tl::Int128),
            Ty::Int256 => quote!(tl::Int256),
            Ty::Bool | Ty::True => quote!(bool),
            Ty::Vector { element, .. } => {
                let element = self.rust_ty(element, lt);
                quote!(::std::vec::Vec<#element>)
            }
            Ty::Object => quote!(tl::RawObject<#lt>),
            Ty::Generic(g) => {
                let g = ident(g);
                quote!(#g)
            }
            Ty::Boxed(t) => {
                let t = &self.layer.types[*t];
                let path = self.path("enums", &t.rust);
                let lt = lifetime_if(t.lifetime, lt);
                quote!(#path #lt)
            }
            Ty::Bare(c) => {
                let c = &self.layer.constructors[*c];
                let path = self.path("types", &c.rust);
                let lt = lifetime_if(c.lifetime, lt);
                quote!(#path #lt)
            }
        }
    }

    /// The Rust type of a stored field: its value's type, boxed and
    /// optional as the field is.
    fn field_ty(&self, stored: &Stored<'_>, lt: &TokenStream) -> TokenStream {
        let mut rust = self.rust_ty(stored.ty, lt);
        if stored.boxed {
            rust = quote!(::std::boxed::Box<#rust>);
        }
        if stored.optional {
            rust = quote!(::std::option::Option<#rust>);
        }
        rust
    }

    /// Whether a value of `ty` may borrow from its input (or is a type
    /// parameter), so turning it `'static` takes a conversion.
    fn borrows(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Generic(_) => true,
            Ty::Vector { element, .. } => self.borrows(element),
            _ => crate::model::borrows(ty, &self.layer.types, &self.layer.constructors),
        }
    }

    /// The generic parameters of an item: the lifetime `lt` if given and
    /// the item borrows, then its type parameters, each bounded by `bound`
    /// unless that is empty.
    fn generics(&self, item: &Item, lt: Option<&TokenStream>, bound: &TokenStream) -> TokenStream {
        let lt = if item.lifetime { lt.cloned() } else { None };
        let params = item.generics.iter().map(|g| {
            let g = ident(g);
            if bound.is_empty() {
                quote!(#g)
            } else {
                quote!(#g: #bound)
            }
        });
        let all: Vec<TokenStream> = lt.into_iter().chain(params).collect();
        if all.is_empty() {
            quote!()
        } else {
            quote!(<#(#all),*>)
        }
    }

    /// The fields a struct stores: all but the `#` words and lengths,
    /// which are computed on write.
    fn stored_fields<'i>(&self, item: &'i Item) -> impl Iterator<Item = Stored<'i>> {
        item.fields.iter().filter_map(|field| match &field.role {
            Role::Value {
                ty, flag, boxed, ..
            } => Some(Stored {
                field,
                ty,
                optional: flag.is_some() && *ty != Ty::True,
                boxed: *boxed,
            }),
            _ => None,
        })
    }
}

/// A field a struct stores, with how it is held.
struct Stored<'i> {
    field: &'i Field,
    ty: &'i Ty,
    /// Behind a flag, so an `Option` (`flags.N?true` fields are plain
    /// `bool`s).
    optional: bool,
    /// In a `Box` (see [`Role::Value`]).
    boxed: bool,
}

/// Items grouped by namespace, to be emitted as nested modules.
#[derive(Default)]
struct ModTree {
    items: Vec<TokenStream>,
    children: BTreeMap<String, ModTree>,
}

impl ModTree {
    fn insert(&mut self, path: &[String], item: TokenStream) {
        match path.split_first() {
            None => self.items.push(item),
            Some((head, rest)) => self
                .children
                .entry(head.clone())
                .or_default()
                .insert(rest, item),
        }
    }
}
