//! Target `parse`: `tl_parser::parse` on arbitrary text.

use tl_codegen::dynamic::Registry;

use crate::schema::check_parse;

/// [`check_parse`], and whatever validates loads into the dynamic codec or
/// is refused with an error, never a panic.
pub fn parse(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    if let Some(parsed) = check_parse(&src) {
        let _ = Registry::new([&parsed.schema]);
    }
}
