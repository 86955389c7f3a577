//! The wire code of one value of a TL type: expressions for its length and
//! for reading it, statements for writing it. Item impls ([`super::codec`])
//! put these together field by field.

use proc_macro2::TokenStream;
use quote::quote;

use super::{count, Emitter};
use crate::model::Ty;

impl Emitter<'_> {
    /// Least number of bytes a value of `ty` takes on the wire.
    pub(super) fn min_len(&self, ty: &Ty) -> usize {
        ty.min_len(&mut |c| self.layer.constructors[c].min_bare_len)
    }

    /// Bytes of the value `v` (an expression of type `&T`).
    pub(super) fn len_of(&self, ty: &Ty, v: &TokenStream) -> TokenStream {
        if let Some(n) = fixed_len(ty) {
            let n = count(n);
            return quote!(#n);
        }
        match ty {
            Ty::True => quote!(0),
            Ty::Bare(_) => quote!(tl::Constructor::bare_len(#v)),
            Ty::Vector { boxed, element } => {
                // A boxed vector's id, then the count.
                let id_len = if *boxed { 4 } else { 0 };
                let header = count(id_len + 4);
                if let Some(n) = fixed_len(element) {
                    let n = count(n);
                    return quote!(#header + #v.len() * #n);
                }
                let id_len = count(id_len);
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
    pub(super) fn write_of(&self, ty: &Ty, v: &TokenStream) -> TokenStream {
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
    pub(super) fn read_of(&self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::Int => quote!(reader.read_i32()?),
            Ty::Long => quote!(reader.read_i64()?),
            Ty::Double => quote!(reader.read_f64()?),
            Ty::Int128 => quote!(reader.read_int128()?),
            Ty::Int256 => quote!(reader.read_int256()?),
            Ty::True => quote!(true),
            Ty::Bare(_) => quote!(tl::DeserializeBare::deserialize_bare(reader)?),
            Ty::Vector { boxed, element } => {
                let read = match VectorElements::of(element) {
                    VectorElements::Plain => quote!(tl::vector::deserialize_elements(reader)?),
                    VectorElements::Bare => quote!(tl::vector::deserialize_bare_elements(reader)?),
                    VectorElements::Other => {
                        let min = count(self.min_len(element));
                        let each = self.read_of(element);
                        quote!(tl::vector::deserialize_bare_with(reader, #min, |reader| Ok(#each))?)
                    }
                };
                // A block only for a boxed vector's id check: around a bare
                // read alone, the braces would draw `unused_braces`.
                if *boxed {
                    quote! {{
                        reader.expect_vector_id()?;
                        #read
                    }}
                } else {
                    read
                }
            }
            _ => quote!(tl::Deserialize::deserialize(reader)?),
        }
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

/// The length of a value of `ty` when every value has the same one: the
/// numbers, whose fields are then measured without looking at them.
pub(super) fn fixed_len(ty: &Ty) -> Option<usize> {
    match ty {
        Ty::Int | Ty::Bool => Some(4),
        Ty::Long | Ty::Double => Some(8),
        Ty::Int128 => Some(16),
        Ty::Int256 => Some(32),
        _ => None,
    }
}
