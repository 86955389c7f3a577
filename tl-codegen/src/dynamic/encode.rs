//! JSON → TL binary.

use std::io::Write;

use serde_json::{Map, Value};

use super::json::{double_from_json, from_hex, kind, TYPE_KEY};
use super::wire::{put_bytes, put_i64, put_u32};
use super::{
    EncodeError, FieldKind, Item, Registry, Ty, BOOL_FALSE_ID, BOOL_TRUE_ID, GZIP_PACKED_ID,
    VECTOR_ID,
};

pub(super) fn encode_boxed(
    registry: &Registry,
    value: &Value,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    Encoder { registry }.boxed(value, None, &Path::Root, 0, out)
}

/// Where a value is in the JSON document, as a linked list up the stack:
/// building it costs nothing, and it is only rendered for an error.
enum Path<'p> {
    Root,
    Field(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Field(parent, name) => format!("{}.{name}", parent.render()),
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }

    fn error(&self, message: impl Into<String>) -> EncodeError {
        EncodeError {
            path: self.render(),
            message: message.into(),
        }
    }
}

struct Encoder<'r> {
    registry: &'r Registry,
}

impl Encoder<'_> {
    fn check_depth(&self, path: &Path<'_>, depth: usize) -> Result<(), EncodeError> {
        let max = self.registry.options.max_depth;
        if depth > max {
            return Err(path.error(format!(
                "nesting deeper than {max} levels of objects and vectors"
            )));
        }
        Ok(())
    }

    /// A boxed value: `{"_": name, …}`. `expected` is the boxed type the
    /// schema wants here, `None` where any object goes.
    fn boxed(
        &self,
        value: &Value,
        expected: Option<usize>,
        path: &Path<'_>,
        depth: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        self.check_depth(path, depth)?;
        let wanted = || match expected {
            Some(t) => format!("a `{}`", self.registry.types[t].name),
            None => "a boxed value".to_owned(),
        };
        let Value::Object(map) = value else {
            return Err(path.error(format!(
                "expected {} (an object with a \"_\" key), found {}",
                wanted(),
                kind(value)
            )));
        };
        let name = match map.get(TYPE_KEY) {
            Some(Value::String(name)) => name.as_str(),
            Some(other) => {
                return Err(Path::Field(path, TYPE_KEY).error(format!(
                    "expected a constructor name, found {}",
                    kind(other)
                )))
            }
            None => {
                return Err(path.error(format!(
                    "missing \"_\": expected {} naming its constructor",
                    wanted()
                )))
            }
        };
        if name == "gzip_packed" && expected.is_none() {
            return self.gzip_packed(map, path, depth, out);
        }
        let Some(index) = self.registry.lookup(name, expected, Some(map)) else {
            return Err(Path::Field(path, TYPE_KEY).error(format!(
                "unknown constructor `{name}` (no schema declares it)"
            )));
        };
        let item = &self.registry.items[index];
        if let Some(t) = expected {
            if item.type_index != Some(t) {
                return Err(Path::Field(path, TYPE_KEY)
                    .error(format!("constructor `{name}` is not {}", wanted())));
            }
        }
        put_u32(out, item.id);
        self.fields(map, item, true, path, depth, out)
    }

    fn fields(
        &self,
        map: &Map<String, Value>,
        item: &Item,
        boxed: bool,
        path: &Path<'_>,
        depth: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        for key in map.keys() {
            if key == TYPE_KEY {
                // A bare value may still name itself, if it names itself right.
                if !boxed && map[key].as_str() != Some(item.name.as_str()) {
                    return Err(Path::Field(path, key).error(format!(
                        "this is a bare `{}`; \"_\" may only repeat that name",
                        item.name
                    )));
                }
                continue;
            }
            match item.fields.iter().find(|f| &f.name == key) {
                None => {
                    return Err(Path::Field(path, key)
                        .error(format!("`{}` has no field `{key}`", item.name)))
                }
                Some(f) if matches!(f.kind, FieldKind::Flags) => {
                    return Err(Path::Field(path, key).error(format!(
                        "`{key}` is a `#` field, computed from the fields that use it: leave it out"
                    )))
                }
                Some(_) => {}
            }
        }
        // The flags words come before the fields that set their bits, so
        // compute them all first. A present optional field sets its bit;
        // `flags.N?true` sets it when `true`.
        let mut words: Vec<(usize, u32)> = Vec::new();
        for field in &item.fields {
            let FieldKind::Value {
                ty,
                flag: Some((flags_index, bit)),
            } = &field.kind
            else {
                continue;
            };
            let present = match (map.get(&field.name), ty) {
                (None | Some(Value::Null), _) => false,
                (Some(Value::Bool(b)), Ty::True) => *b,
                (Some(other), Ty::True) => {
                    return Err(Path::Field(path, &field.name).error(format!(
                        "expected `true` for a flag (or leave it out), found {}",
                        kind(other)
                    )))
                }
                (Some(_), _) => true,
            };
            if present {
                let mask = 1u32.checked_shl(*bit).unwrap_or(0);
                match words.iter_mut().find(|(i, _)| i == flags_index) {
                    Some((_, w)) => *w |= mask,
                    None => words.push((*flags_index, mask)),
                }
            }
        }
        let mut length_at: Option<usize> = None;
        for (index, field) in item.fields.iter().enumerate() {
            let here = Path::Field(path, &field.name);
            let (ty, flag) = match &field.kind {
                FieldKind::Flags => {
                    let word = words
                        .iter()
                        .find(|(i, _)| *i == index)
                        .map_or(0, |(_, w)| *w);
                    put_u32(out, word);
                    continue;
                }
                FieldKind::Value { ty, flag } => (ty, flag),
            };
            let value = map.get(&field.name).filter(|v| !v.is_null());
            if let Some((flags_index, bit)) = *flag {
                let word = words
                    .iter()
                    .find(|(i, _)| *i == flags_index)
                    .map_or(0, |(_, w)| *w);
                if word & 1u32.checked_shl(bit).unwrap_or(0) == 0 || *ty == Ty::True {
                    continue;
                }
            }
            if item.length_field == Some(index) {
                // `bytes` of `message`: whatever the JSON says, the length
                // is that of the body we are about to write.
                length_at = Some(out.len());
                put_u32(out, 0);
                continue;
            }
            let Some(value) = value else {
                return Err(
                    here.error(format!("missing field `{}` of `{}`", field.name, item.name))
                );
            };
            let start = out.len();
            self.value(value, ty, &here, depth + 1, out)?;
            if let (Some(at), Ty::Object) = (length_at, ty) {
                let len = u32::try_from(out.len() - start)
                    .map_err(|_| here.error("body longer than 4 GiB"))?;
                out[at..at + 4].copy_from_slice(&len.to_le_bytes());
            }
        }
        Ok(())
    }

    fn value(
        &self,
        value: &Value,
        ty: &Ty,
        path: &Path<'_>,
        depth: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let expected = |what: &str| path.error(format!("expected {what}, found {}", kind(value)));
        match ty {
            Ty::Int => {
                let n = value
                    .as_i64()
                    .ok_or_else(|| expected("an int (a 32-bit integer)"))?;
                let n = i32::try_from(n)
                    .map_err(|_| path.error(format!("{n} does not fit an int (32 bits)")))?;
                put_u32(out, n as u32);
            }
            Ty::Long => {
                let n = match value {
                    Value::Number(n) => n.as_i64().ok_or_else(|| {
                        path.error(format!("{n} is not a long (a signed 64-bit integer)"))
                    })?,
                    _ => return Err(expected("a long (a 64-bit integer)")),
                };
                put_i64(out, n);
            }
            Ty::Double => {
                let v = double_from_json(value)
                    .ok_or_else(|| expected("a double (a number, \"NaN\" or \"Infinity\")"))?;
                put_i64(out, v.to_bits() as i64);
            }
            Ty::Str => {
                let s = value.as_str().ok_or_else(|| expected("a string"))?;
                put_bytes(out, s.as_bytes())
                    .ok_or_else(|| path.error("string longer than 16 MiB - 1"))?;
            }
            Ty::Bytes => {
                let data = self.hex(value, path)?;
                put_bytes(out, &data).ok_or_else(|| path.error("bytes longer than 16 MiB - 1"))?;
            }
            Ty::Int128 | Ty::Int256 => {
                let data = self.hex(value, path)?;
                let len = if *ty == Ty::Int128 { 16 } else { 32 };
                if data.len() != len {
                    return Err(path.error(format!(
                        "expected {len} bytes ({} hex digits), found {}",
                        2 * len,
                        data.len()
                    )));
                }
                out.extend_from_slice(&data);
            }
            Ty::Bool => match value {
                Value::Bool(true) => put_u32(out, BOOL_TRUE_ID),
                Value::Bool(false) => put_u32(out, BOOL_FALSE_ID),
                _ => return Err(expected("a Bool (true or false)")),
            },
            Ty::True => {
                if value != &Value::Bool(true) {
                    return Err(expected("true"));
                }
            }
            Ty::Vector { boxed, element } => {
                self.check_depth(path, depth)?;
                let Value::Array(items) = value else {
                    return Err(expected("an array"));
                };
                let count = i32::try_from(items.len())
                    .map_err(|_| path.error("more than 2^31 - 1 elements"))?;
                if *boxed {
                    put_u32(out, VECTOR_ID);
                }
                put_u32(out, count as u32);
                for (i, item) in items.iter().enumerate() {
                    self.value(item, element, &Path::Index(path, i), depth + 1, out)?;
                }
            }
            Ty::Object => self.boxed(value, None, path, depth, out)?,
            Ty::Boxed(t) => self.boxed(value, Some(*t), path, depth, out)?,
            Ty::Bare(i) => {
                self.check_depth(path, depth)?;
                let item = &self.registry.items[*i];
                let Value::Object(map) = value else {
                    return Err(expected(&format!("a bare `{}` object", item.name)));
                };
                self.fields(map, item, false, path, depth, out)?;
            }
        }
        Ok(())
    }

    fn hex(&self, value: &Value, path: &Path<'_>) -> Result<Vec<u8>, EncodeError> {
        let s = value
            .as_str()
            .ok_or_else(|| path.error(format!("expected a hex string, found {}", kind(value))))?;
        from_hex(s).map_err(|e| path.error(e))
    }

    /// `{"_": "gzip_packed", "packed_data": …}` where `packed_data` is either
    /// the value to compress or the hex of the compressed bytes themselves.
    fn gzip_packed(
        &self,
        map: &Map<String, Value>,
        path: &Path<'_>,
        depth: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        if let Some(key) = map.keys().find(|k| *k != TYPE_KEY && *k != "packed_data") {
            return Err(Path::Field(path, key).error(format!("`gzip_packed` has no field `{key}`")));
        }
        let here = Path::Field(path, "packed_data");
        let packed = match map.get("packed_data") {
            None => return Err(here.error("missing field `packed_data` of `gzip_packed`")),
            Some(Value::String(_)) => self.hex(&map["packed_data"], &here)?,
            Some(inner @ Value::Object(_)) => {
                let mut plain = Vec::new();
                self.boxed(inner, None, &here, depth + 1, &mut plain)?;
                // The default level and a zero mtime in the header (flate2's
                // default) make the output a function of the input alone, so
                // decode → encode reproduces the bytes we wrote.
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                encoder
                    .write_all(&plain)
                    .and_then(|()| encoder.finish())
                    .map_err(|e| here.error(format!("cannot compress: {e}")))?
            }
            Some(other) => {
                return Err(here.error(format!(
                    "expected the packed object or the hex of the packed bytes, found {}",
                    kind(other)
                )))
            }
        };
        put_u32(out, GZIP_PACKED_ID);
        put_bytes(out, &packed)
            .ok_or_else(|| here.error("compressed data longer than 16 MiB - 1"))?;
        Ok(())
    }
}
