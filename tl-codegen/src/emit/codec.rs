//! The wire impls of generated items: `Constructor`, `Serialize`,
//! `DeserializeBare` and `Deserialize` for structs, `Serialize` and
//! `Deserialize` for enums. Fields travel in schema order; flags words and
//! object lengths are computed on write and checked on read.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::values::fixed_len;
use super::{count, hex_id, ident, lifetime_if, Emitter};
use crate::model::{BoxedType, Field, FlagBit, FlagsWord, Item, Role, Ty};

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

/// Whether a flag bit is written set. With values in the group, it is set
/// exactly when all of them are present, so whatever is written can be read
/// back; `true` flags alone set it when any of them is true.
fn bit_condition(item: &Item, group: &FlagBit) -> TokenStream {
    let field = |&i: &usize| ident(&item.fields[i].ident);
    if group.values.is_empty() {
        let trues = group.trues.iter().map(field);
        quote!(#(self.#trues)||*)
    } else {
        let values = group.values.iter().map(field);
        quote!(#(self.#values.is_some())&&*)
    }
}

impl Emitter<'_> {
    /// The wire impls of a constructor's or function's struct.
    pub(super) fn struct_codec(&self, item: &Item) -> TokenStream {
        let name = ident(&item.rust.ident);
        let a = quote!('a);
        let id = hex_id(item.def.id);
        let tl_name = item.def.name.full();
        let min = count(item.min_bare_len);
        let min_boxed = count(4 + item.min_bare_len);
        // A constructor without fields reads and writes nothing.
        let (out, reader) = if item.fields.is_empty() {
            (format_ident!("_out"), format_ident!("_reader"))
        } else {
            (format_ident!("out"), format_ident!("reader"))
        };
        let use_generics = self.generics(item, Some(&quote!('_)), &quote!());
        let use_generics_a = self.generics(item, Some(&a), &quote!());
        let write_impl = {
            let g = self.generics(item, None, &quote!(tl::Serialize));
            quote!(impl #g)
        };
        let read_impl = {
            let params = item.generics.iter().map(|g| {
                let g = ident(g);
                quote!(#g: tl::Deserialize<'a>)
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
        let writes = item
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| self.field_write(item, i, f));
        let reads = self.field_reads(item);
        let recursive_enter = item.recursive.then(|| quote!(reader.enter()?;));
        let recursive_leave = item.recursive.then(|| quote!(reader.leave();));
        quote! {
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
                    out.put_u32(#id);
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
        }
    }

    /// The bytes one field takes, as a term of `bare_len`.
    fn field_len(&self, item: &Item, f: &Field) -> TokenStream {
        match &f.role {
            Role::Flags(_) | Role::ObjectLength => quote!(4),
            Role::Value { ty: Ty::True, .. } => quote!(0),
            Role::Value {
                ty,
                flag: Some(flag),
                ..
            } => {
                let field = ident(&f.ident);
                let len = match fixed_len(ty) {
                    Some(n) => {
                        let n = count(n);
                        quote!(if self.#field.is_some() { #n } else { 0 })
                    }
                    None => {
                        // A `match` rather than `map_or` and a closure: one
                        // closure type per field was a thousand instances.
                        let each = self.len_of(ty, &quote!(x));
                        quote!(match &self.#field { Some(x) => #each, None => 0 })
                    }
                };
                let group = item.flag_bit(*flag);
                if group.values.len() > 1 {
                    let present = bit_condition(item, group);
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

    /// Statements writing field `index` of `item`.
    fn field_write(&self, item: &Item, index: usize, f: &Field) -> TokenStream {
        match &f.role {
            Role::Flags(FlagsWord { bits, .. }) => {
                let bits = bits.iter().map(|group| {
                    let set = bit_condition(item, group);
                    let mask = hex_id(1 << group.bit);
                    quote!(| if #set { #mask } else { 0 })
                });
                quote! {
                    let flags: u32 = 0 #(#bits)*;
                    out.put_u32(flags);
                }
            }
            Role::ObjectLength => {
                let body = ident(&item.fields[index + 1].ident);
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
                let Some(flag) = flag else {
                    return self.write_of(ty, &quote!(&self.#field));
                };
                let write = self.write_of(ty, &quote!(x));
                let group = item.flag_bit(*flag);
                if group.values.len() > 1 {
                    // Fields sharing a bit travel together: all or none.
                    let present = bit_condition(item, group);
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
                Role::Flags(FlagsWord { used, .. }) => {
                    // Bits no field uses cannot be stored (flags words are
                    // computed on write), so accepting them would decode a
                    // value that encodes to other bytes: they are refused
                    // like every other non-canonical encoding.
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
        let name = ident(&item.rust.ident);
        quote! {
            #(#stmts)*
            let value = #name { #(#fields),* };
        }
    }

    /// The wire impls of a boxed type's enum: the constructor id, then the
    /// variant's bare form.
    pub(super) fn enum_codec(&self, ty: &BoxedType, ctors: &[&Item]) -> TokenStream {
        let name = ident(&ty.rust.ident);
        let tl_name = ty.tl_name.full();
        let anon = lifetime_if(ty.lifetime, &quote!('_));
        let read_lt = lifetime_if(ty.lifetime, &quote!('a));
        let inline = self.inline_attr();
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
            let id = hex_id(c.def.id);
            if c.fields.is_empty() {
                quote!(Self::#variant => out.put_u32(#id),)
            } else {
                quote! {
                    Self::#variant(x) => {
                        out.put_u32(#id);
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
        quote! {
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
        }
    }
}
