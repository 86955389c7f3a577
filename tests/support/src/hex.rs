//! Test inputs written by hand: hex text, so golden bytes can be written
//! one wire field per string with its comment, and little-endian pieces
//! put together for hostile inputs.

/// `bytes` as lowercase hex, two digits per byte.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes that hex `text` spells; whitespace is ignored. Panics on an
/// odd number of digits or a character that is not one, since test inputs
/// are written by hand and a typo must not pass as other bytes.
pub fn unhex(text: &str) -> Vec<u8> {
    let digits: String = text.split_whitespace().collect();
    assert!(digits.len() % 2 == 0, "odd number of hex digits");
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).expect("hex digits"))
        .collect()
}

/// [`unhex`] of the fragments one after the other: one fragment per wire
/// field, so each can carry a comment.
pub fn unhex_fields(fields: &[&str]) -> Vec<u8> {
    unhex(&fields.concat())
}

/// The little-endian bytes of a TL `int` or constructor id.
pub fn le32(value: u32) -> [u8; 4] {
    value.to_le_bytes()
}

/// The pieces one after the other.
pub fn cat(pieces: &[&[u8]]) -> Vec<u8> {
    pieces.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_unhex_are_inverse() {
        let bytes = [0x00, 0x0f, 0xa5, 0xff];
        assert_eq!(hex(&bytes), "000fa5ff");
        assert_eq!(unhex("00 0f\na5ff"), bytes);
        assert_eq!(unhex_fields(&["000f", " a5 ", "ff"]), bytes);
        assert_eq!(cat(&[&le32(0x0f00)[..2], &[0xa5, 0xff]]), bytes);
    }

    #[test]
    #[should_panic(expected = "odd number of hex digits")]
    fn an_odd_digit_count_is_refused() {
        unhex("abc");
    }
}
