//! What a generated file offers about its layer as a whole: `LAYER`,
//! `decode_by_id` and `name_of`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{hex_id, Emitter};

impl Emitter<'_> {
    /// `LAYER`, `decode_by_id` and `name_of`.
    pub(super) fn index(&self) -> TokenStream {
        let layer_const = self.layer_number.map(|n| {
            let n = proc_macro2::Literal::u32_unsuffixed(n);
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
                (ids, self.path("enums", &t.rust))
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
            let path = self.path(kind, &item.rust);
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
}
