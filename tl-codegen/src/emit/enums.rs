//! The enums of boxed types: one variant per constructor, holding the
//! constructor's struct; the constructor id of a value, accessors for the
//! fields every variant has, and `IntoStatic`. Their wire impls are in
//! [`super::codec`].

use proc_macro2::TokenStream;
use quote::quote;

use super::values::fixed_len;
use super::{already_static, doc_lines, hex_id, ident, lifetime_if, Emitter, Stored};
use crate::model::{BoxedType, Item, Ty};

impl Emitter<'_> {
    /// A boxed type's enum with its impls.
    pub(super) fn boxed_type(&self, ty: &BoxedType) -> TokenStream {
        let name = ident(&ty.rust.ident);
        let tl_name = ty.tl_name.full();
        let a = quote!('a);
        let lt = lifetime_if(ty.lifetime, &a);
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
        let variants = ty.constructors.iter().map(|&index| {
            let c = &self.layer.constructors[index];
            let variant = ident(&c.variant);
            let doc = format!(" `{}`", c.def.name.full());
            let rename = c.def.name.full();
            let serde = self
                .serde
                .then(|| quote!(#[cfg_attr(feature = "serde", serde(rename = #rename))]));
            if c.fields.is_empty() {
                quote!(#[doc = #doc] #serde #variant,)
            } else {
                let path = self.rust_ty(&Ty::Bare(index), &a);
                quote!(#[doc = #doc] #serde #variant(#path),)
            }
        });
        let serde = self.serde.then(|| {
            quote! {
                #[cfg_attr(feature = "serde", derive(serde::Serialize))]
                #[cfg_attr(feature = "serde", serde(tag = "_"))]
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
        let accessors = self.shared_accessors(ty, &ctors);
        let codec = self.enum_codec(ty, &ctors);
        let into_static = self.enum_into_static(ty, &ctors);
        quote! {
            #doc
            #[derive(Clone, Debug, PartialEq)]
            #serde
            pub enum #name #lt {
                #(#variants)*
            }

            impl #lt #name #lt {
                /// The constructor id of this value.
                pub fn constructor_id(&self) -> u32 {
                    match self {
                        #(#ids)*
                    }
                }
                #accessors
            }

            #codec
            #into_static
        }
    }

    /// `IntoStatic`: variant by variant when the enum borrows, the value
    /// itself when it does not.
    fn enum_into_static(&self, ty: &BoxedType, ctors: &[&Item]) -> TokenStream {
        let name = ident(&ty.rust.ident);
        if !ty.lifetime {
            return already_static(&name);
        }
        let statics = ctors.iter().map(|c| {
            let variant = ident(&c.variant);
            if c.fields.is_empty() {
                quote!(Self::#variant => #name::#variant,)
            } else {
                quote!(Self::#variant(x) => #name::#variant(tl::IntoStatic::into_static(x)),)
            }
        });
        quote! {
            impl tl::IntoStatic for #name<'_> {
                type Static = #name<'static>;

                #[inline]
                fn into_static(self) -> Self::Static {
                    match self {
                        #(#statics)*
                    }
                }
            }
        }
    }

    /// Accessors for fields that every variant has with the same type
    /// (`Chat::id()`), so callers need not match for common data.
    fn shared_accessors(&self, ty: &BoxedType, ctors: &[&Item]) -> TokenStream {
        if ctors.len() < 2 || ctors.iter().any(|c| c.fields.is_empty()) {
            return quote!();
        }
        let a = quote!('a);
        let same = |f: &Stored<'_>, g: &Stored<'_>| {
            g.field.ident == f.field.ident
                && g.ty == f.ty
                && g.optional == f.optional
                && g.boxed == f.boxed
        };
        let shared = self.stored_fields(ctors[0]).filter(|f| {
            ctors[1..]
                .iter()
                .all(|c| self.stored_fields(c).any(|g| same(f, &g)))
        });
        let methods = shared.map(|stored| {
            let field = ident(&stored.field.ident);
            let rust = self.field_ty(&stored, &a);
            // Plain numbers are returned by value, everything else by reference.
            let by_value = !stored.boxed && !stored.optional && fixed_len(stored.ty).is_some();
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
                stored.field.tl_name,
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
