//! Emission: the lowered [`Layer`] becomes Rust tokens, one `quote!` block
//! per emitted item, then one formatted file.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::model::{BoxedType, Field, Item, Layer, Role, Ty};

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

fn ident(name: &str) -> Ident {
    if syn::parse_str::<Ident>(name).is_ok() {
        Ident::new(name, Span::call_site())
    } else {
        Ident::new_raw(name, Span::call_site())
    }
}

/// The local a field is read into before its struct is built: the field's
/// own name, unless the reading code uses that name itself (`reader`, the
/// `flags_N` words, ...). Then an underscore is appended, which no other
/// field can be called: case conversion never ends a name with one, and the
/// names that get one for other reasons (`self_`) are no such clash.
fn field_local(field: &str) -> Ident {
    let internal = matches!(field, "reader" | "value" | "object_len")
        || field
            .strip_prefix("flags_")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if internal {
        format_ident!("{field}_")
    } else {
        ident(field)
    }
}

fn hex_id(id: u32) -> Literal {
    format!("{id:#010x}")
        .parse()
        .expect("a hex literal is a valid token")
}

fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
    quote!(#(#[doc = #lines])*)
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
        match part {
            Part::Index => self.index(),
            Part::Types => self.kind_module(
                "types",
                "Constructors: one struct per TL constructor, usable boxed or bare.",
                self.layer
                    .constructors
                    .iter()
                    .map(|c| (c.module.clone(), self.constructor(c)))
                    .collect(),
            ),
            Part::Enums => self.kind_module(
                "enums",
                "Boxed types: one enum per TL type, a variant per constructor.",
                self.layer
                    .types
                    .iter()
                    .map(|t| (t.module.clone(), self.boxed_type(t)))
                    .collect(),
            ),
            Part::Functions => self.kind_module(
                "functions",
                "Functions: one struct per RPC query, naming the type it returns.",
                self.layer
                    .functions
                    .iter()
                    .map(|f| (f.module.clone(), self.function(f)))
                    .collect(),
            ),
        }
    }

    /// `LAYER`, `decode_by_id` and `name_of`: what the file offers about the
    /// layer as a whole.
    fn index(&self) -> TokenStream {
        let layer_const = self.layer_number.map(|n| {
            quote! {
                /// The schema's layer number, from its `// LAYER` line.
                pub const LAYER: u32 = #n;
            }
        });
        let names = self
            .layer
            .constructors
            .iter()
            .chain(&self.layer.functions)
            .map(|i| (i.def.id, i.def.name.full()));
        let mut names: Vec<(u32, String)> = names.collect();
        names.sort();
        let ids = names.iter().map(|(id, _)| hex_id(*id));
        let tl_names = names.iter().map(|(_, n)| n);
        // Constructors decode through their boxed type's enum (one decoder
        // per enum, all of its ids in one arm); functions, and constructors
        // of types without an enum, as themselves.
        let mut arms: Vec<(Vec<u32>, TokenStream)> = self
            .layer
            .types
            .iter()
            .map(|t| {
                let ids = t
                    .constructors
                    .iter()
                    .map(|&c| self.layer.constructors[c].def.id)
                    .collect();
                (ids, self.path("enums", &t.module, &t.ident))
            })
            .collect();
        let standalone = self
            .layer
            .constructors
            .iter()
            .filter(|c| c.boxed_type.is_none())
            .map(|c| (c, "types"))
            .chain(self.layer.functions.iter().map(|f| (f, "functions")));
        for (item, kind) in standalone {
            let path = self.path(kind, &item.module, &item.ident);
            // Generic functions are decoded with their query left raw.
            let path = if item.generics.is_empty() {
                path
            } else {
                let raws = item.generics.iter().map(|_| quote!(tl::RawObject<'a>));
                quote!(#path::<#(#raws),*>)
            };
            arms.push((vec![item.def.id], path));
        }
        // Every boxed type has at least one constructor (types are grouped
        // from them), so no arm is empty.
        let decoders = arms.iter().map(|(ids, path)| {
            let ids = ids.iter().map(|&id| hex_id(id));
            quote! {
                #(#ids)|* => Some(tl::decode_dynamic::<#path>(bytes)),
            }
        });
        let rt = &self.runtime;
        quote! {
            #layer_const

            /// Decodes a boxed constructor or function of this layer by the
            /// id in its first four bytes; `None` when the layer has no such
            /// id. For logging raw objects and for tests: the value can be
            /// printed and serialized again. A constructor comes back as the
            /// enum of its boxed type, a function as its struct.
            #[inline]
            pub fn decode_by_id<'a>(
                bytes: &'a [u8],
            ) -> Option<#rt::Result<Box<dyn #rt::Dynamic + 'a>>> {
                use #rt as tl;
                let id = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
                match id {
                    #(#decoders)*
                    _ => None,
                }
            }

            /// The TL name of a constructor or function id of this layer, for
            /// logging values whose type is not known (a raw object's body).
            pub fn name_of(id: u32) -> Option<&'static str> {
                match id {
                    #(#ids => Some(#tl_names),)*
                    _ => None,
                }
            }
        }
    }

    /// `pub mod types { … pub mod auth { … } }` from items tagged with their
    /// namespace path.
    fn kind_module(
        &self,
        kind: &str,
        doc: &str,
        items: Vec<(Vec<String>, TokenStream)>,
    ) -> TokenStream {
        let mut tree = ModTree::default();
        for (path, item) in items {
            tree.insert(&path, item);
        }
        let kind_ident = ident(kind);
        let body = self.mod_body(&tree, 1);
        quote! {
            #[doc = #doc]
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
            let doc = format!("The `{name}` namespace.");
            quote! {
                #[doc = #doc]
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

    fn path(&self, kind: &str, module: &[String], name: &str) -> TokenStream {
        let kind = ident(kind);
        let module = module.iter().map(|m| ident(m));
        let name = ident(name);
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
                let path = self.path("enums", &t.module, &t.ident);
                if t.lifetime {
                    quote!(#path<#lt>)
                } else {
                    path
                }
            }
            Ty::Bare(c) => {
                let c = &self.layer.constructors[*c];
                let path = self.path("types", &c.module, &c.ident);
                if c.lifetime {
                    quote!(#path<#lt>)
                } else {
                    path
                }
            }
        }
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

    fn min_len(&self, ty: &Ty) -> usize {
        ty.min_len(&mut |c| self.layer.constructors[c].min_bare_len)
    }

    /// Bytes of the value `v` (an expression of type `&T`).
    fn len_of(&self, ty: &Ty, v: &TokenStream) -> TokenStream {
        match ty {
            Ty::Int => quote!(4),
            Ty::Long | Ty::Double => quote!(8),
            Ty::Int128 => quote!(16),
            Ty::Int256 => quote!(32),
            Ty::Bool => quote!(4),
            Ty::True => quote!(0),
            Ty::Bare(_) => quote!(tl::Constructor::bare_len(#v)),
            Ty::Vector { boxed, element } => {
                // A boxed vector's id, then the count.
                let id_len: usize = if *boxed { 4 } else { 0 };
                let header = id_len + 4;
                if let Some(n) = fixed_len(element) {
                    return quote!(#header + #v.len() * #n);
                }
                match VectorElements::of(element) {
                    VectorElements::Plain => quote!(#id_len + tl::vector::elements_len(#v)),
                    VectorElements::Bare => quote!(#id_len + tl::vector::bare_elements_len(#v)),
                    VectorElements::Other => {
                        let each = self.len_of(element, &quote!(x));
                        quote!(#header + #v.iter().map(|x| #each).sum::<usize>())
                    }
                }
            }
            _ => quote!(tl::Serialize::serialized_len(#v)),
        }
    }

    /// Statements appending the value `v` (of type `&T`) to `out`.
    fn write_of(&self, ty: &Ty, v: &TokenStream) -> TokenStream {
        match ty {
            Ty::True => quote!(),
            Ty::Bare(_) => quote!(tl::Constructor::write_bare_to(#v, out);),
            Ty::Vector { boxed, element } => {
                let id = boxed.then(|| quote!(out.put_u32(tl::VECTOR_ID);));
                let write = match VectorElements::of(element) {
                    VectorElements::Plain => quote!(tl::vector::write_elements(#v, out);),
                    VectorElements::Bare => quote!(tl::vector::write_bare_elements(#v, out);),
                    VectorElements::Other => {
                        let each = self.write_of(element, &quote!(x));
                        quote!(tl::vector::write_bare_with(#v, out, |x, out| { #each });)
                    }
                };
                quote! {
                    #id
                    #write
                }
            }
            _ => quote!(tl::Serialize::write_to(#v, out);),
        }
    }

    /// An expression reading one value from `reader`, using `?`.
    fn read_of(&self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::Int => quote!(reader.read_i32()?),
            Ty::Long => quote!(reader.read_i64()?),
            Ty::Double => quote!(reader.read_f64()?),
            Ty::Int128 => quote!(reader.read_int128()?),
            Ty::Int256 => quote!(reader.read_int256()?),
            Ty::True => quote!(true),
            Ty::Bare(_) => quote!(tl::DeserializeBare::deserialize_bare(reader)?),
            Ty::Vector { boxed, element } => {
                let id = boxed.then(|| quote!(reader.expect_vector_id()?;));
                let read = match VectorElements::of(element) {
                    VectorElements::Plain => quote!(tl::vector::deserialize_elements(reader)?),
                    VectorElements::Bare => quote!(tl::vector::deserialize_bare_elements(reader)?),
                    VectorElements::Other => {
                        let min = self.min_len(element);
                        let each = self.read_of(element);
                        quote!(tl::vector::deserialize_bare_with(reader, #min, |reader| Ok(#each))?)
                    }
                };
                quote! {{
                    #id
                    #read
                }}
            }
            _ => quote!(tl::Deserialize::deserialize(reader)?),
        }
    }

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

    fn doc_of(&self, item: &Item, what: &str) -> TokenStream {
        let mut text = String::new();
        if let Some(doc) = &item.def.doc {
            text.push_str(doc.trim());
            text.push_str("\n\n");
        }
        text.push_str(&format!(
            "{what} `{}`, id `{:#010x}`:\n```text\n{}\n```",
            item.def.name.full(),
            item.def.id,
            item.def
        ));
        doc_lines(&text)
    }

    fn serde_attrs(&self, tl_name: &str) -> TokenStream {
        if self.serde {
            quote! {
                #[cfg_attr(feature = "serde", derive(serde::Serialize))]
                #[cfg_attr(feature = "serde", serde(tag = "_", rename = #tl_name))]
            }
        } else {
            quote!()
        }
    }

    fn stored_fields<'i>(
        &self,
        item: &'i Item,
    ) -> impl Iterator<Item = (&'i Field, &'i Ty, bool, bool)> {
        item.fields.iter().filter_map(|f| match &f.role {
            Role::Value {
                ty, flag, boxed, ..
            } => Some((f, ty, flag.is_some() && *ty != Ty::True, *boxed)),
            _ => None,
        })
    }

    /// The struct of a constructor or function, with its wire impls.
    fn item_struct(&self, item: &Item, what: &str) -> TokenStream {
        let name = ident(&item.ident);
        let a = quote!('a);
        let decl_generics = self.generics(item, Some(&a), &quote!());
        let doc = self.doc_of(item, what);
        let serde = self.serde_attrs(&item.def.name.full());
        let fields = self.stored_fields(item).map(|(f, ty, optional, boxed)| {
            let field = ident(&f.ident);
            let mut rust = self.rust_ty(ty, &a);
            if boxed {
                rust = quote!(::std::boxed::Box<#rust>);
            }
            if optional {
                rust = quote!(::std::option::Option<#rust>);
            }
            let doc = field_doc(f, ty, item);
            quote! {
                #doc
                pub #field: #rust,
            }
        });
        let struct_decl = quote! {
            #doc
            #[derive(Clone, Debug, PartialEq)]
            #serde
            pub struct #name #decl_generics {
                #(#fields)*
            }
        };

        let id = hex_id(item.def.id);
        let id_u32: Literal = format!("{:#010x}_u32", item.def.id)
            .parse()
            .expect("a suffixed hex literal");
        let tl_name = item.def.name.full();
        let min = item.min_bare_len;
        let min_boxed = 4 + item.min_bare_len;
        // A constructor without fields reads and writes nothing.
        let (out, reader) = if item.fields.is_empty() {
            (format_ident!("_out"), format_ident!("_reader"))
        } else {
            (format_ident!("out"), format_ident!("reader"))
        };
        let write_bound = quote!(tl::Serialize);
        let read_bound = quote!(tl::Deserialize<'a>);
        let static_bound = quote!(tl::IntoStatic);
        let anon = quote!('_);
        let use_generics = self.generics(item, Some(&anon), &quote!());
        let use_generics_a = self.generics(item, Some(&a), &quote!());
        let write_impl = {
            let g = self.generics(item, None, &write_bound);
            quote!(impl #g)
        };
        let read_impl = {
            let params = item.generics.iter().map(|g| {
                let g = ident(g);
                quote!(#g: #read_bound)
            });
            quote!(impl<'a, #(#params),*>)
        };
        let lens: Vec<TokenStream> = item
            .fields
            .iter()
            .map(|f| self.field_len(item, f))
            .collect();
        let bare_len = if lens.is_empty() {
            quote!(0)
        } else {
            quote!(#(#lens)+*)
        };
        let writes = item.fields.iter().map(|f| self.field_write(item, f));
        let reads = self.field_reads(item);
        let recursive_enter = item.recursive.then(|| quote!(reader.enter()?;));
        let recursive_leave = item.recursive.then(|| quote!(reader.leave();));

        let static_generics = {
            let params = item.generics.iter().map(|g| {
                let g = ident(g);
                quote!(#g: #static_bound)
            });
            quote!(impl<#(#params),*>)
        };
        let static_ty = {
            let st = quote!('static);
            let lt = item.lifetime.then_some(st);
            let params = item.generics.iter().map(|g| {
                let g = ident(g);
                quote!(#g::Static)
            });
            let all: Vec<TokenStream> = lt.into_iter().chain(params).collect();
            if all.is_empty() {
                quote!(#name)
            } else {
                quote!(#name<#(#all),*>)
            }
        };
        let conversions = self.stored_fields(item).map(|(f, ty, ..)| {
            let field = ident(&f.ident);
            if self.borrows(ty) {
                quote!(#field: tl::IntoStatic::into_static(self.#field),)
            } else {
                // Already `'static`: moved, with no call to resolve.
                quote!(#field: self.#field,)
            }
        });
        // A type that borrows nothing is already `'static`: no conversion
        // code to compile, and the docs say so plainly.
        let into_static = if !item.lifetime && item.generics.is_empty() {
            quote! {
                impl tl::IntoStatic for #name {
                    type Static = Self;

                    #[inline]
                    fn into_static(self) -> Self {
                        self
                    }
                }
            }
        } else {
            quote! {
                #static_generics tl::IntoStatic for #name #use_generics {
                    type Static = #static_ty;

                    #[inline]
                    fn into_static(self) -> Self::Static {
                        #name { #(#conversions)* }
                    }
                }
            }
        };

        quote! {
            #struct_decl

            #write_impl tl::Constructor for #name #use_generics {
                const CONSTRUCTOR_ID: u32 = #id;
                const NAME: &'static str = #tl_name;

                #[inline]
                fn bare_len(&self) -> usize {
                    #bare_len
                }

                #[inline]
                fn write_bare_to(&self, #out: &mut tl::Writer<'_>) {
                    #(#writes)*
                }
            }

            // The boxed forms only add the id to the bare ones: always
            // `#[inline]`, so they cost nothing to build where unused.
            #write_impl tl::Serialize for #name #use_generics {
                #[inline]
                fn serialized_len(&self) -> usize {
                    4 + tl::Constructor::bare_len(self)
                }

                #[inline]
                fn write_to(&self, out: &mut tl::Writer<'_>) {
                    out.put_u32(#id_u32);
                    tl::Constructor::write_bare_to(self, out);
                }
            }

            #read_impl tl::DeserializeBare<'a> for #name #use_generics_a {
                const MIN_BARE_LEN: usize = #min;

                // Always inline: a bare decoder inlined into its boxed
                // type's decoder writes its value where the variant goes,
                // instead of returning it through memory to be moved (see
                // `Options::inline`).
                #[inline]
                fn deserialize_bare(#reader: &mut tl::Reader<'a>) -> tl::Result<Self> {
                    #recursive_enter
                    #reads
                    #recursive_leave
                    Ok(value)
                }
            }

            #read_impl tl::Deserialize<'a> for #name #use_generics_a {
                const MIN_LEN: usize = #min_boxed;

                #[inline]
                fn deserialize(reader: &mut tl::Reader<'a>) -> tl::Result<Self> {
                    reader.expect_constructor(#id, #tl_name)?;
                    tl::DeserializeBare::deserialize_bare(reader)
                }
            }

            #into_static
        }
    }

    fn field_len(&self, item: &Item, f: &Field) -> TokenStream {
        match &f.role {
            Role::Flags | Role::ObjectLength => quote!(4),
            Role::Value { ty: Ty::True, .. } => quote!(0),
            Role::Value {
                ty,
                flag: Some((index, bit)),
                ..
            } => {
                let field = ident(&f.ident);
                let len = match fixed_len(ty) {
                    Some(n) => quote!(if self.#field.is_some() { #n } else { 0 }),
                    None => {
                        // A `match` rather than `map_or` and a closure: one
                        // closure type per field was a thousand instances.
                        let each = self.len_of(ty, &quote!(x));
                        quote!(match &self.#field { Some(x) => #each, None => 0 })
                    }
                };
                if FlagBit::of(item, *index, *bit).values.len() > 1 {
                    let present = FlagBit::of(item, *index, *bit).condition();
                    quote!(if #present { #len } else { 0 })
                } else {
                    len
                }
            }
            Role::Value { ty, .. } => {
                let field = ident(&f.ident);
                self.len_of(ty, &quote!(&self.#field))
            }
        }
    }

    fn field_write(&self, item: &Item, f: &Field) -> TokenStream {
        match &f.role {
            Role::Flags => {
                let me = item
                    .fields
                    .iter()
                    .position(|x| std::ptr::eq(x, f))
                    .unwrap_or(0);
                let mut used: Vec<u32> = item
                    .fields
                    .iter()
                    .filter_map(|other| match &other.role {
                        Role::Value {
                            flag: Some((index, bit)),
                            ..
                        } if *index == me => Some(*bit),
                        _ => None,
                    })
                    .collect();
                used.sort_unstable();
                used.dedup();
                let bits = used.into_iter().map(|bit| {
                    let set = FlagBit::of(item, me, bit).condition();
                    let mask = hex_id(1 << bit);
                    quote!(| if #set { #mask } else { 0 })
                });
                quote! {
                    let flags: u32 = 0 #(#bits)*;
                    out.put_u32(flags);
                }
            }
            Role::ObjectLength => {
                let me = item
                    .fields
                    .iter()
                    .position(|x| std::ptr::eq(x, f))
                    .unwrap_or(0);
                let body = ident(&item.fields[me + 1].ident);
                quote! {
                    // `bytes` is the length of the object after it; TL gives
                    // objects no length of their own.
                    let bytes = tl::Serialize::serialized_len(&self.#body) as i32;
                    out.put_i32(bytes);
                }
            }
            Role::Value { ty: Ty::True, .. } => quote!(),
            Role::Value { ty, flag, .. } => {
                let field = ident(&f.ident);
                if let Some((index, bit)) = flag {
                    let write = self.write_of(ty, &quote!(x));
                    let group = FlagBit::of(item, *index, *bit);
                    if group.values.len() > 1 {
                        // Fields sharing a bit travel together: all or none.
                        let present = group.condition();
                        quote! {
                            if let (true, Some(x)) = (#present, &self.#field) {
                                #write
                            }
                        }
                    } else {
                        quote! {
                            if let Some(x) = &self.#field {
                                #write
                            }
                        }
                    }
                } else {
                    self.write_of(ty, &quote!(&self.#field))
                }
            }
        }
    }

    /// Statements that read every field in schema order into locals named
    /// like the fields (flags words and lengths first come as they appear),
    /// then bind `value`.
    fn field_reads(&self, item: &Item) -> TokenStream {
        let mut stmts = Vec::new();
        let mut fields = Vec::new();
        for (i, f) in item.fields.iter().enumerate() {
            match &f.role {
                Role::Flags => {
                    // Bits no field uses cannot be stored (flags words are
                    // computed on write), so accepting them would decode a
                    // value that encodes to other bytes: they are refused
                    // like every other non-canonical encoding.
                    let used = item
                        .fields
                        .iter()
                        .fold(0u32, |mask, other| match &other.role {
                            Role::Value {
                                flag: Some((index, bit)),
                                ..
                            } if *index == i => mask | 1 << bit,
                            _ => mask,
                        });
                    let local = format_ident!("flags_{}", i);
                    let unused = hex_id(!used);
                    stmts.push(quote! {
                        let #local = reader.read_u32()?;
                        if #local & #unused != 0 {
                            return Err(tl::Error::new(
                                tl::ErrorKind::NonCanonical("flag bits that no field uses"),
                                reader.offset() - 4,
                            ));
                        }
                    });
                }
                Role::ObjectLength => stmts.push(quote!(let object_len = reader.read_i32()?;)),
                Role::Value {
                    ty,
                    flag,
                    sized_by_previous,
                    ..
                } => {
                    let read = if *sized_by_previous {
                        quote!(reader.read_sized_object(object_len, "bytes")?)
                    } else {
                        self.read_of(ty)
                    };
                    let expr = match flag {
                        Some((index, bit)) => {
                            let local = format_ident!("flags_{}", index);
                            let mask = hex_id(1 << bit);
                            if *ty == Ty::True {
                                quote!(#local & #mask != 0)
                            } else {
                                quote!(if #local & #mask != 0 { Some(#read) } else { None })
                            }
                        }
                        None => read,
                    };
                    let field = ident(&f.ident);
                    let local = field_local(&f.ident);
                    stmts.push(quote!(let #local = #expr;));
                    fields.push(if local == field {
                        quote!(#field)
                    } else {
                        quote!(#field: #local)
                    });
                }
            }
        }
        let name = ident(&item.ident);
        quote! {
            #(#stmts)*
            let value = #name { #(#fields),* };
        }
    }

    fn constructor(&self, item: &Item) -> TokenStream {
        let what = "Constructor";
        let body = self.item_struct(item, what);
        let conversion = item.boxed_type.map(|t| {
            let ty = &self.layer.types[t];
            let name = ident(&item.ident);
            let enum_path = self.path("enums", &ty.module, &ty.ident);
            let variant = ident(&item.variant);
            let lt_item = if item.lifetime {
                quote!(<'a>)
            } else {
                quote!()
            };
            let lt_enum = if ty.lifetime { quote!(<'a>) } else { quote!() };
            let impl_lt = if ty.lifetime { quote!(<'a>) } else { quote!() };
            // A constructor without fields is a unit variant: nothing to move.
            let (param, build) = if item.fields.is_empty() {
                (quote!(_), quote!(#enum_path::#variant))
            } else {
                (quote!(value), quote!(#enum_path::#variant(value)))
            };
            quote! {
                impl #impl_lt From<#name #lt_item> for #enum_path #lt_enum {
                    #[inline]
                    fn from(#param: #name #lt_item) -> Self {
                        #build
                    }
                }
            }
        });
        quote! {
            #body
            #conversion
        }
    }

    fn function(&self, item: &Item) -> TokenStream {
        let body = self.item_struct(item, "Function");
        let name = ident(&item.ident);
        let anon = quote!('_);
        let use_generics = self.generics(item, Some(&anon), &quote!());
        let r = quote!('r);
        let returns = item
            .returns
            .as_ref()
            .map(|ty| match ty {
                Ty::Generic(g) => {
                    let g = ident(g);
                    quote!(#g::Return<'r>)
                }
                other => self.rust_ty(other, &r),
            })
            .unwrap_or_else(|| quote!(()));
        let g = self.generics(item, None, &quote!(tl::RemoteCall));
        quote! {
            #body

            impl #g tl::RemoteCall for #name #use_generics {
                type Return<'r> = #returns;
            }
        }
    }

    fn boxed_type(&self, ty: &BoxedType) -> TokenStream {
        let name = ident(&ty.ident);
        let tl_name = ty.tl_name.full();
        let lt = if ty.lifetime { quote!(<'a>) } else { quote!() };
        let anon = if ty.lifetime { quote!(<'_>) } else { quote!() };
        let a = quote!('a);
        let ctors: Vec<&Item> = ty
            .constructors
            .iter()
            .map(|&c| &self.layer.constructors[c])
            .collect();
        let mut doc = format!("The boxed type `{tl_name}`, one of:\n");
        for c in &ctors {
            doc.push_str(&format!(
                "- [`{}`](Self::{}): `{}#{:08x}`\n",
                c.variant,
                c.variant,
                c.def.name.full(),
                c.def.id
            ));
        }
        let doc = doc_lines(&doc);
        let variants = ctors.iter().map(|c| {
            let variant = ident(&c.variant);
            let doc = format!(" `{}`", c.def.name.full());
            let rename = c.def.name.full();
            let serde = self
                .serde
                .then(|| quote!(#[cfg_attr(feature = "serde", serde(rename = #rename))]));
            if c.fields.is_empty() {
                quote!(#[doc = #doc] #serde #variant,)
            } else {
                let path = self.rust_ty(&Ty::Bare(self.index_of(c)), &a);
                quote!(#[doc = #doc] #serde #variant(#path),)
            }
        });
        let inline = self.inline_attr();
        let serde = self.serde.then(|| {
            quote! {
                #[cfg_attr(feature = "serde", derive(serde::Serialize))]
                #[cfg_attr(feature = "serde", serde(tag = "_"))]
            }
        });
        let lens = ctors.iter().map(|c| {
            let variant = ident(&c.variant);
            if c.fields.is_empty() {
                quote!(Self::#variant => 4,)
            } else {
                quote!(Self::#variant(x) => 4 + tl::Constructor::bare_len(x),)
            }
        });
        let writes = ctors.iter().map(|c| {
            let variant = ident(&c.variant);
            let id_u32: Literal = format!("{:#010x}_u32", c.def.id)
                .parse()
                .expect("a suffixed hex literal");
            if c.fields.is_empty() {
                quote!(Self::#variant => out.put_u32(#id_u32),)
            } else {
                quote! {
                    Self::#variant(x) => {
                        out.put_u32(#id_u32);
                        tl::Constructor::write_bare_to(x, out);
                    }
                }
            }
        });
        let reads = ctors.iter().map(|c| {
            let variant = ident(&c.variant);
            let id = hex_id(c.def.id);
            if c.fields.is_empty() {
                quote!(#id => Self::#variant,)
            } else {
                quote!(#id => Self::#variant(tl::DeserializeBare::deserialize_bare(reader)?),)
            }
        });
        let ids = ctors.iter().map(|c| {
            let variant = ident(&c.variant);
            let id = hex_id(c.def.id);
            if c.fields.is_empty() {
                quote!(Self::#variant => #id,)
            } else {
                quote!(Self::#variant(_) => #id,)
            }
        });
        let statics = ctors.iter().map(|c| {
            let variant = ident(&c.variant);
            if c.fields.is_empty() {
                quote!(Self::#variant => #name::#variant,)
            } else {
                quote!(Self::#variant(x) => #name::#variant(tl::IntoStatic::into_static(x)),)
            }
        });
        let static_ty = if ty.lifetime {
            quote!(#name<'static>)
        } else {
            quote!(#name)
        };
        let into_static = if ty.lifetime {
            quote! {
                impl tl::IntoStatic for #name #anon {
                    type Static = #static_ty;

                    #[inline]
                    fn into_static(self) -> Self::Static {
                        match self {
                            #(#statics)*
                        }
                    }
                }
            }
        } else {
            quote! {
                impl tl::IntoStatic for #name {
                    type Static = Self;

                    #[inline]
                    fn into_static(self) -> Self {
                        self
                    }
                }
            }
        };
        let accessors = self.shared_accessors(ty, &ctors);
        let read_lt = if ty.lifetime { quote!(<'a>) } else { quote!() };
        let impl_lt = read_lt.clone();
        quote! {
            #doc
            #[derive(Clone, Debug, PartialEq)]
            #serde
            pub enum #name #lt {
                #(#variants)*
            }

            impl #impl_lt #name #read_lt {
                /// The constructor id of this value.
                pub fn constructor_id(&self) -> u32 {
                    match self {
                        #(#ids)*
                    }
                }
                #accessors
            }

            impl tl::Serialize for #name #anon {
                #[inline]
                fn serialized_len(&self) -> usize {
                    match self {
                        #(#lens)*
                    }
                }

                #[inline]
                fn write_to(&self, out: &mut tl::Writer<'_>) {
                    match self {
                        #(#writes)*
                    }
                }
            }

            impl<'a> tl::Deserialize<'a> for #name #read_lt {
                #[inline]
                fn deserialize(reader: &mut tl::Reader<'a>) -> tl::Result<Self> {
                    tl::deserialize_in_place(reader)
                }

                #inline
                fn deserialize_into<'s>(
                    reader: &mut tl::Reader<'a>,
                    slot: tl::Slot<'s, Self>,
                ) -> tl::Result<tl::Filled<'s>> {
                    let start = reader.offset();
                    Ok(slot.write(match reader.read_u32()? {
                        #(#reads)*
                        id => {
                            return Err(tl::Error::new(
                                tl::ErrorKind::UnknownConstructor { id, expected: #tl_name },
                                start,
                            ))
                        }
                    }))
                }
            }

            #into_static
        }
    }

    fn index_of(&self, item: &Item) -> usize {
        self.layer
            .constructors
            .iter()
            .position(|c| std::ptr::eq(c, item))
            .expect("the item is one of the layer's constructors")
    }

    /// Accessors for fields that every variant has with the same type
    /// (`Chat::id()`), so callers need not match for common data.
    fn shared_accessors(&self, ty: &BoxedType, ctors: &[&Item]) -> TokenStream {
        if ctors.len() < 2 || ctors.iter().any(|c| c.fields.is_empty()) {
            return quote!();
        }
        let a = quote!('a);
        let first = ctors[0];
        let shared = self.stored_fields(first).filter(|(f, t, optional, boxed)| {
            ctors[1..].iter().all(|c| {
                self.stored_fields(c).any(|(g, u, o, b)| {
                    g.ident == f.ident && u == *t && o == *optional && b == *boxed
                })
            })
        });
        let methods = shared.map(|(f, t, optional, boxed)| {
            let field = ident(&f.ident);
            let mut rust = self.rust_ty(t, &a);
            if boxed {
                rust = quote!(::std::boxed::Box<#rust>);
            }
            if optional {
                rust = quote!(::std::option::Option<#rust>);
            }
            // Plain numbers are returned by value, everything else by reference.
            let by_value = !boxed && !optional && fixed_len(t).is_some();
            let arms = ctors.iter().map(|c| {
                let variant = ident(&c.variant);
                if by_value {
                    quote!(Self::#variant(x) => x.#field,)
                } else {
                    quote!(Self::#variant(x) => &x.#field,)
                }
            });
            let rust = if by_value { rust } else { quote!(&#rust) };
            let doc = format!(
                "`{}`, which every constructor of `{}` has.",
                f.tl_name,
                ty.tl_name.full()
            );
            quote! {
                #[doc = #doc]
                pub fn #field(&self) -> #rust {
                    match self { #(#arms)* }
                }
            }
        });
        quote!(#(#methods)*)
    }
}

/// How the elements of a vector travel, which picks the runtime helper
/// that reads and writes it: one instance per element type, shared by
/// every field of that type, instead of a closure per field.
enum VectorElements {
    /// Values that read and write themselves (`Serialize`/`Deserialize`):
    /// primitives, boxed types, boxed vectors of such.
    Plain,
    /// Bare constructors (`Constructor`/`DeserializeBare`).
    Bare,
    /// Anything else (bare vectors of bare vectors): a closure per field.
    Other,
}

impl VectorElements {
    fn of(element: &Ty) -> Self {
        fn plain(ty: &Ty) -> bool {
            match ty {
                Ty::True | Ty::Bare(_) => false,
                Ty::Vector { boxed, element } => *boxed && plain(element),
                _ => true,
            }
        }
        match element {
            Ty::Bare(_) => VectorElements::Bare,
            ty if plain(ty) => VectorElements::Plain,
            _ => VectorElements::Other,
        }
    }
}

fn fixed_len(ty: &Ty) -> Option<usize> {
    match ty {
        Ty::Int | Ty::Bool => Some(4),
        Ty::Long | Ty::Double => Some(8),
        Ty::Int128 => Some(16),
        Ty::Int256 => Some(32),
        _ => None,
    }
}

fn field_doc(f: &Field, ty: &Ty, item: &Item) -> TokenStream {
    let mut text = format!("`{}`", f.tl_name);
    if let Role::Value {
        flag: Some((index, bit)),
        ..
    } = &f.role
    {
        let flags = &item.fields[*index].tl_name;
        let group = FlagBit::of(item, *index, *bit);
        let others: Vec<String> = group
            .values
            .iter()
            .chain(&group.trues)
            .filter(|o| o.tl_name != f.tl_name)
            .map(|o| format!("`{}`", o.tl_name))
            .collect();
        if *ty == Ty::True {
            text.push_str(&format!(": bit {bit} of `{flags}`"));
        } else {
            text.push_str(&format!(": present when bit {bit} of `{flags}` is set"));
        }
        if !others.is_empty() {
            let shared = others.join(", ");
            if group.values.is_empty() {
                text.push_str(&format!(" (shared with {shared})"));
            } else if *ty == Ty::True {
                text.push_str(&format!(
                    ".\n\nThe bit is shared with {shared}: it is written set exactly when \
                     they are all present, so this field is an output of decoding."
                ));
            } else {
                text.push_str(&format!(
                    ".\n\nThe bit is shared with {shared}: the fields travel together, \
                     and are written only when every one of them is present."
                ));
            }
        }
    }
    doc_lines(&text)
}

/// The fields that one bit of a `#` field controls. Real schemas let
/// several fields share a bit (`user.bot` and `user.bot_info_version`;
/// `message.views` and `message.forwards`): on the wire they are all
/// present or all absent.
struct FlagBit<'i> {
    values: Vec<&'i Field>,
    trues: Vec<&'i Field>,
}

impl<'i> FlagBit<'i> {
    fn of(item: &'i Item, flags_index: usize, bit: u32) -> Self {
        let mut group = FlagBit {
            values: Vec::new(),
            trues: Vec::new(),
        };
        for f in &item.fields {
            if let Role::Value {
                ty,
                flag: Some((index, b)),
                ..
            } = &f.role
            {
                if *index == flags_index && *b == bit {
                    if *ty == Ty::True {
                        group.trues.push(f);
                    } else {
                        group.values.push(f);
                    }
                }
            }
        }
        group
    }

    /// Whether the bit is written set. With values in the group, it is set
    /// exactly when all of them are present, so whatever is written can be
    /// read back; `true` flags alone set it when any of them is true.
    fn condition(&self) -> TokenStream {
        if self.values.is_empty() {
            let trues = self.trues.iter().map(|f| {
                let field = ident(&f.ident);
                quote!(self.#field)
            });
            quote!(#(#trues)||*)
        } else {
            let values = self.values.iter().map(|f| {
                let field = ident(&f.ident);
                quote!(self.#field.is_some())
            });
            quote!(#(#values)&&*)
        }
    }
}

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
