//! The structs of constructors and functions: the declaration with its
//! documentation, `IntoStatic`, and a constructor's conversion into its
//! boxed type's enum. Their wire impls are in [`super::codec`].

use proc_macro2::TokenStream;
use quote::quote;

use super::{already_static, doc_lines, ident, lifetime_if, Emitter, Stored};
use crate::model::{Item, Ty};

impl Emitter<'_> {
    /// A constructor: its struct, and `From` it for its boxed type's enum.
    pub(super) fn constructor(&self, item: &Item) -> TokenStream {
        let body = self.item_struct(item, "Constructor");
        let conversion = item.boxed_type.map(|t| {
            let ty = &self.layer.types[t];
            let name = ident(&item.rust.ident);
            let enum_path = self.path("enums", &ty.rust);
            let variant = ident(&item.variant);
            let a = quote!('a);
            let lt_item = lifetime_if(item.lifetime, &a);
            let lt_enum = lifetime_if(ty.lifetime, &a);
            // A constructor without fields is a unit variant: nothing to move.
            let (param, build) = if item.fields.is_empty() {
                (quote!(_), quote!(#enum_path::#variant))
            } else {
                (quote!(value), quote!(#enum_path::#variant(value)))
            };
            quote! {
                impl #lt_enum From<#name #lt_item> for #enum_path #lt_enum {
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

    /// The struct of a constructor or function, with its wire impls.
    pub(super) fn item_struct(&self, item: &Item, what: &str) -> TokenStream {
        let name = ident(&item.rust.ident);
        let a = quote!('a);
        let decl_generics = self.generics(item, Some(&a), &quote!());
        let doc = self.item_doc(item, what);
        let serde = self.serde.then(|| {
            let tl_name = item.def.name.full();
            quote! {
                #[cfg_attr(feature = "serde", derive(serde::Serialize))]
                #[cfg_attr(feature = "serde", serde(tag = "_", rename = #tl_name))]
            }
        });
        let fields = self.stored_fields(item).map(|stored| {
            let field = ident(&stored.field.ident);
            let rust = self.field_ty(&stored, &a);
            let doc = field_doc(item, &stored);
            quote! {
                #doc
                pub #field: #rust,
            }
        });
        let codec = self.struct_codec(item);
        let into_static = self.struct_into_static(item);
        quote! {
            #doc
            #[derive(Clone, Debug, PartialEq)]
            #serde
            pub struct #name #decl_generics {
                #(#fields)*
            }

            #codec
            #into_static
        }
    }

    /// `IntoStatic`: field by field for a struct that borrows or has type
    /// parameters, converting the fields that borrow and moving the rest.
    fn struct_into_static(&self, item: &Item) -> TokenStream {
        let name = ident(&item.rust.ident);
        if !item.lifetime && item.generics.is_empty() {
            return already_static(&name);
        }
        let use_generics = self.generics(item, Some(&quote!('_)), &quote!());
        let static_generics = {
            let params = item.generics.iter().map(|g| {
                let g = ident(g);
                quote!(#g: tl::IntoStatic)
            });
            quote!(impl<#(#params),*>)
        };
        let static_ty = {
            let lt = item.lifetime.then(|| quote!('static));
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
        let conversions = self.stored_fields(item).map(|Stored { field, ty, .. }| {
            let field = ident(&field.ident);
            if self.borrows(ty) {
                quote!(#field: tl::IntoStatic::into_static(self.#field),)
            } else {
                // Already `'static`: moved, with no call to resolve.
                quote!(#field: self.#field,)
            }
        });
        quote! {
            #static_generics tl::IntoStatic for #name #use_generics {
                type Static = #static_ty;

                #[inline]
                fn into_static(self) -> Self::Static {
                    #name { #(#conversions)* }
                }
            }
        }
    }

    /// The schema's comment on the item, then its TL name, id and line.
    fn item_doc(&self, item: &Item, what: &str) -> TokenStream {
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
}

/// A field's TL name and, for a field behind a flag, which bit carries it
/// and what it shares that bit with.
fn field_doc(item: &Item, stored: &Stored<'_>) -> TokenStream {
    let f = stored.field;
    let mut text = format!("`{}`", f.tl_name);
    if let crate::model::Role::Value {
        flag: Some(flag @ (index, bit)),
        ..
    } = &f.role
    {
        let flags = &item.fields[*index].tl_name;
        let group = item.flag_bit(*flag);
        let others: Vec<String> = group
            .values
            .iter()
            .chain(&group.trues)
            .map(|&o| &item.fields[o].tl_name)
            .filter(|&o| *o != f.tl_name)
            .map(|o| format!("`{o}`"))
            .collect();
        let is_true = *stored.ty == Ty::True;
        if is_true {
            text.push_str(&format!(": bit {bit} of `{flags}`"));
        } else {
            text.push_str(&format!(": present when bit {bit} of `{flags}` is set"));
        }
        if !others.is_empty() {
            let shared = others.join(", ");
            if group.values.is_empty() {
                text.push_str(&format!(" (shared with {shared})"));
            } else if is_true {
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
