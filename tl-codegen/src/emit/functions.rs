//! The structs of functions (RPC queries): a struct like a constructor's,
//! and `RemoteCall`, which names the type the server answers with.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ident, Emitter};
use crate::model::{Item, Ty};

impl Emitter<'_> {
    /// A function's struct and its `RemoteCall` impl.
    pub(super) fn function(&self, item: &Item) -> TokenStream {
        let body = self.item_struct(item, "Function");
        let name = ident(&item.rust.ident);
        let use_generics = self.generics(item, Some(&quote!('_)), &quote!());
        let returns = match &item.returns {
            // A generic function answers with what its query answers.
            Some(Ty::Generic(g)) => {
                let g = ident(g);
                quote!(#g::Return<'r>)
            }
            Some(other) => self.rust_ty(other, &quote!('r)),
            None => quote!(()),
        };
        let g = self.generics(item, None, &quote!(tl::RemoteCall));
        quote! {
            #body

            impl #g tl::RemoteCall for #name #use_generics {
                type Return<'r> = #returns;
            }
        }
    }
}
