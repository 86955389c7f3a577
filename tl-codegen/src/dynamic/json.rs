//! The JSON side of the mapping that both directions share: hex strings,
//! doubles, and the key that names a constructor.

use serde_json::Value;

/// The key naming the constructor of a boxed value.
pub(super) const TYPE_KEY: &str = "_";

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex of `data`.
pub(super) fn to_hex(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len() * 2);
    for &b in data {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

/// Parses hex (either case, no separators); the error says what is wrong.
pub(super) fn from_hex(s: &str) -> Result<Vec<u8>, String> {
    let digits = s.as_bytes();
    if digits.len() % 2 != 0 {
        return Err(format!(
            "hex string has an odd number of digits ({})",
            digits.len()
        ));
    }
    digits
        .chunks_exact(2)
        .enumerate()
        .map(|(i, pair)| match (nibble(pair[0]), nibble(pair[1])) {
            (Some(h), Some(l)) => Ok(h << 4 | l),
            _ => Err(format!(
                "invalid hex digit at character {}",
                2 * i + usize::from(nibble(pair[0]).is_some())
            )),
        })
        .collect()
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// A `double` as JSON: a number, or for the values JSON cannot hold, a
/// string (`serde_json` would otherwise silently turn them into `null`).
pub(super) fn double_to_json(v: f64) -> Value {
    if v.is_nan() {
        // Only the usual NaN is "NaN"; any other keeps its bits, so that
        // decoding then encoding gives back the input bytes.
        if v.to_bits() == f64::NAN.to_bits() {
            Value::from("NaN")
        } else {
            Value::from(format!("NaN:0x{:016x}", v.to_bits()))
        }
    } else if v.is_infinite() {
        Value::from(if v > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        Value::from(v)
    }
}

/// The reverse of [`double_to_json`].
pub(super) fn double_from_json(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            other => other
                .strip_prefix("NaN:0x")
                .and_then(|hex| u64::from_str_radix(hex, 16).ok())
                .map(f64::from_bits)
                .filter(|v| v.is_nan()),
        },
        _ => None,
    }
}

/// A short description of a JSON value's kind, for "expected X, found Y".
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a fractional number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_garbage() {
        let data: Vec<u8> = (0..=255).collect();
        assert_eq!(from_hex(&to_hex(&data)).unwrap(), data);
        assert_eq!(from_hex("ABcd").unwrap(), vec![0xab, 0xcd]);
        assert!(from_hex("abc").unwrap_err().contains("odd"));
        assert!(from_hex("0g").unwrap_err().contains("character 1"));
    }

    #[test]
    fn non_finite_doubles_survive_json() {
        for v in [f64::INFINITY, f64::NEG_INFINITY, 1.5, -0.0] {
            let back = double_from_json(&double_to_json(v)).unwrap();
            assert_eq!(back.to_bits(), v.to_bits());
        }
        assert!(double_from_json(&double_to_json(f64::NAN))
            .unwrap()
            .is_nan());
    }
}
