//! TL binary → JSON.

use std::cell::Cell;
use std::io::Read;

use serde_json::{Map, Value};

use super::json::{double_to_json, to_hex, TYPE_KEY};
use super::wire::Reader;
use super::{
    DecodeError, FieldKind, Item, Registry, Ty, BOOL_FALSE_ID, BOOL_TRUE_ID, GZIP_PACKED_ID,
    VECTOR_ID,
};

pub(super) fn decode_boxed(registry: &Registry, bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut r = Reader::new(bytes, 0);
    let decoder = Decoder {
        registry,
        inflated: Cell::new(0),
    };
    let value = decoder.boxed(&mut r, None, 0)?;
    trailing(&r, "after the value")?;
    Ok(value)
}

/// Bytes left in a buffer whose end the value must reach are an error: they
/// usually mean the wrong schema (a constructor with fewer fields).
fn trailing(r: &Reader<'_>, context: &str) -> Result<(), DecodeError> {
    match r.remaining() {
        0 => Ok(()),
        n => Err(r.error(r.offset(), format!("{n} trailing bytes {context}"))),
    }
}

struct Decoder<'r> {
    registry: &'r Registry,
    /// Bytes inflated so far by every gzip_packed of this input. The cap
    /// covers them together: nested gzip_packed values are all alive at
    /// once, so a per-value cap would let 64 levels hold 64 times the cap.
    inflated: Cell<usize>,
}

impl Decoder<'_> {
    fn check_depth(&self, r: &Reader<'_>, depth: usize) -> Result<(), DecodeError> {
        let max = self.registry.options.max_depth;
        if depth > max {
            return Err(r.error(
                r.offset(),
                format!("nesting deeper than {max} levels of objects and vectors"),
            ));
        }
        Ok(())
    }

    /// A boxed value: its id, then its fields. `expected` is the boxed type
    /// the schema wants here (`None` for `Object`, `!X` and the top level,
    /// which take anything, gzip_packed included).
    fn boxed(
        &self,
        r: &mut Reader<'_>,
        expected: Option<usize>,
        depth: usize,
    ) -> Result<Value, DecodeError> {
        self.check_depth(r, depth)?;
        let at = r.offset();
        let id = r.u32("a constructor id")?;
        if id == GZIP_PACKED_ID && expected.is_none() {
            return self.gzip_packed(r, depth);
        }
        let Some(&index) = self.registry.by_id.get(&id) else {
            let expectation = match expected {
                Some(t) => format!(" (expected a `{}`)", self.registry.types[t].name),
                None => String::new(),
            };
            return Err(r.error(
                at,
                format!("unknown constructor id 0x{id:08x}{expectation}"),
            ));
        };
        let item = &self.registry.items[index];
        if let Some(t) = expected {
            if item.type_index != Some(t) {
                return Err(r.error(
                    at,
                    format!(
                        "constructor `{}` (0x{id:08x}) is not a `{}`",
                        item.name, self.registry.types[t].name
                    ),
                ));
            }
        }
        self.fields(r, item, true, depth)
    }

    /// The fields of a constructor or function, as an object; `boxed` adds
    /// the `"_"` key (bare values have no id on the wire, and no name here).
    fn fields(
        &self,
        r: &mut Reader<'_>,
        item: &Item,
        boxed: bool,
        depth: usize,
    ) -> Result<Value, DecodeError> {
        let mut map = Map::new();
        if boxed {
            map.insert(TYPE_KEY.to_owned(), Value::from(item.name.as_str()));
        }
        // The values of the `#` fields read so far, by field index. Few
        // constructors have more than one, so a linear list is enough.
        let mut flags: Vec<(usize, u32)> = Vec::new();
        let mut body_len: Option<usize> = None;
        for (index, field) in item.fields.iter().enumerate() {
            let (ty, flag) = match &field.kind {
                FieldKind::Flags => {
                    let at = r.offset();
                    let word = r.u32(&field.name)?;
                    // Encoding computes flags from the fields, so bits no
                    // field uses would not survive a round trip: refused,
                    // as the generated decoders refuse them.
                    let used = item.fields.iter().fold(0u32, |mask, f| match f.kind {
                        FieldKind::Value {
                            flag: Some((i, bit)),
                            ..
                        } if i == index => mask | 1u32.checked_shl(bit).unwrap_or(0),
                        _ => mask,
                    });
                    if word & !used != 0 {
                        return Err(r.error(
                            at,
                            format!(
                                "`{}` = 0x{word:08x} sets bits no field uses (0x{:08x})",
                                field.name,
                                word & !used
                            ),
                        ));
                    }
                    flags.push((index, word));
                    continue;
                }
                FieldKind::Value { ty, flag } => (ty, flag),
            };
            if let Some((flags_index, bit)) = *flag {
                let word = flags
                    .iter()
                    .find(|(i, _)| *i == flags_index)
                    .map_or(0, |(_, w)| *w);
                if word & 1u32.checked_shl(bit).unwrap_or(0) == 0 {
                    continue;
                }
            }
            let value = if item.length_field == Some(index) {
                let at = r.offset();
                let len = r.i32(&field.name)?;
                let fits = usize::try_from(len).ok().filter(|&l| l <= r.remaining());
                let Some(len) = fits else {
                    return Err(r.error(
                        at,
                        format!(
                            "`{}.{}` = {len} does not fit the {} bytes left",
                            item.name,
                            field.name,
                            r.remaining()
                        ),
                    ));
                };
                body_len = Some(len);
                Value::from(len)
            } else if let (Some(len), Ty::Object) = (body_len, ty) {
                let mut body = r.sub(len, &field.name)?;
                let value = self.boxed(&mut body, None, depth + 1)?;
                trailing(
                    &body,
                    &format!("after the body, within its `bytes` = {len}"),
                )?;
                value
            } else {
                self.value(r, ty, &field.name, depth + 1)?
            };
            map.insert(field.name.clone(), value);
        }
        Ok(Value::Object(map))
    }

    fn value(
        &self,
        r: &mut Reader<'_>,
        ty: &Ty,
        name: &str,
        depth: usize,
    ) -> Result<Value, DecodeError> {
        Ok(match ty {
            Ty::Int => Value::from(r.i32(name)?),
            Ty::Long => Value::from(r.i64(name)?),
            Ty::Double => double_to_json(f64::from_bits(r.i64(name)? as u64)),
            Ty::Str => {
                let (at, data) = r.tl_bytes(name)?;
                match std::str::from_utf8(data) {
                    Ok(s) => Value::from(s),
                    Err(e) => {
                        return Err(
                            r.error(at + e.valid_up_to(), format!("`{name}` is not valid UTF-8"))
                        )
                    }
                }
            }
            Ty::Bytes => Value::from(to_hex(r.tl_bytes(name)?.1)),
            Ty::Int128 => Value::from(to_hex(r.take(16, name)?)),
            Ty::Int256 => Value::from(to_hex(r.take(32, name)?)),
            Ty::Bool => {
                let at = r.offset();
                match r.u32(name)? {
                    BOOL_TRUE_ID => Value::Bool(true),
                    BOOL_FALSE_ID => Value::Bool(false),
                    other => {
                        return Err(r.error(
                            at,
                            format!(
                                "`{name}` is a Bool, but 0x{other:08x} is neither boolTrue nor boolFalse"
                            ),
                        ))
                    }
                }
            }
            // Only meaningful under a flag, where the bit is the value.
            Ty::True => Value::Bool(true),
            Ty::Vector { boxed, element } => self.vector(r, *boxed, element, name, depth)?,
            Ty::Object => self.boxed(r, None, depth)?,
            Ty::Boxed(t) => self.boxed(r, Some(*t), depth)?,
            Ty::Bare(i) => {
                self.check_depth(r, depth)?;
                self.fields(r, &self.registry.items[*i], false, depth)?
            }
        })
    }

    fn vector(
        &self,
        r: &mut Reader<'_>,
        boxed: bool,
        element: &Ty,
        name: &str,
        depth: usize,
    ) -> Result<Value, DecodeError> {
        self.check_depth(r, depth)?;
        if boxed {
            let at = r.offset();
            let id = r.u32(name)?;
            if id != VECTOR_ID {
                return Err(r.error(
                    at,
                    format!(
                        "`{name}` is a Vector, but its id is 0x{id:08x}, not 0x{VECTOR_ID:08x}"
                    ),
                ));
            }
        }
        let at = r.offset();
        let raw = r.i32(name)?;
        // Check the count against what the input can back before
        // allocating: a hostile count must not reserve gigabytes.
        let min = self.registry.min_size(element).max(1);
        let count = usize::try_from(raw)
            .ok()
            .filter(|&c| c <= r.remaining() / min);
        let Some(count) = count else {
            return Err(r.error(
                at,
                format!(
                    "`{name}` claims {} elements, more than the {} bytes left can hold",
                    raw,
                    r.remaining()
                ),
            ));
        };
        let mut items = Vec::with_capacity(count);
        for _ in 0..count {
            items.push(self.value(r, element, name, depth + 1)?);
        }
        Ok(Value::Array(items))
    }

    fn gzip_packed(&self, r: &mut Reader<'_>, depth: usize) -> Result<Value, DecodeError> {
        let (at, packed) = r.tl_bytes("gzip_packed.packed_data")?;
        let max = self.registry.options.max_inflated;
        let budget = max.saturating_sub(self.inflated.get());
        let mut inflated = Vec::new();
        // Read one byte past what is left of the cap: getting it proves the
        // data inflates to more, without inflating the rest of a bomb.
        let limit = u64::try_from(budget).unwrap_or(u64::MAX).saturating_add(1);
        flate2::read::GzDecoder::new(packed)
            .take(limit)
            .read_to_end(&mut inflated)
            .map_err(|e| r.error(at, format!("gzip_packed: cannot inflate: {e}")))?;
        self.inflated.set(self.inflated.get() + inflated.len());
        if inflated.len() > budget {
            return Err(r.error(
                at,
                format!(
                    "gzip_packed values inflate to more than {max} bytes in all (a gzip bomb?); \
                     raise the cap to decode it"
                ),
            ));
        }
        let mut inner = Reader::new(&inflated, 0);
        let value = self
            .boxed(&mut inner, None, depth + 1)
            .and_then(|v| trailing(&inner, "after the inflated value").map(|()| v))
            .map_err(|e| {
                r.error(
                    at,
                    format!(
                        "in gzip_packed data (inflated to {} bytes), at inflated offset {}: {}",
                        inflated.len(),
                        e.offset,
                        e.message
                    ),
                )
            })?;
        let mut map = Map::new();
        map.insert(TYPE_KEY.to_owned(), Value::from("gzip_packed"));
        map.insert("packed_data".to_owned(), value);
        Ok(Value::Object(map))
    }
}

impl Registry {
    /// A lower bound on the serialized size of a value of `ty`, used to
    /// reject vector counts the input cannot back.
    pub(super) fn min_size(&self, ty: &Ty) -> usize {
        match ty {
            Ty::Int | Ty::Str | Ty::Bytes | Ty::Bool | Ty::Object | Ty::Boxed(_) => 4,
            Ty::Long | Ty::Double => 8,
            Ty::Int128 => 16,
            Ty::Int256 => 32,
            Ty::True => 0,
            Ty::Vector { boxed: true, .. } => 8,
            Ty::Vector { boxed: false, .. } => 4,
            // One level only: a bare constructor's own unconditional
            // fields. Going deeper could loop on recursive schemas, and a
            // lower bound is all the check needs.
            Ty::Bare(i) => self.items[*i]
                .fields
                .iter()
                .map(|f| match &f.kind {
                    FieldKind::Flags => 4,
                    FieldKind::Value { flag: Some(_), .. } => 0,
                    FieldKind::Value {
                        ty: Ty::Bare(_), ..
                    } => 0,
                    FieldKind::Value { ty, flag: None } => self.min_size(ty),
                })
                .sum(),
        }
    }
}
