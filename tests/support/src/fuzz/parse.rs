//! Target `parse`: `tl_parser::parse` on arbitrary text.

use tl_codegen::dynamic::Registry;

use crate::schema::strip_spans;

/// A schema that parses prints to text that parses to the same tree and
/// loads into the dynamic codec or is refused; every diagnostic points
/// inside the source.
pub fn parse(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    let src: &str = &src;
    let diagnostics = match tl_parser::parse(src) {
        Ok(parsed) => {
            // A valid schema prints to text that parses to the same tree.
            let text = parsed.schema.to_string();
            let again = tl_parser::parse(&text)
                .unwrap_or_else(|e| panic!("printed schema does not parse: {e:?}\n{text}"));
            assert_eq!(
                strip_spans(again.schema),
                strip_spans(parsed.schema.clone()),
                "printed schema parses to another tree:\n{text}"
            );
            // Whatever validates can be loaded by the dynamic codec or is
            // refused with an error, never a panic.
            let _ = Registry::new([&parsed.schema]);
            parsed.warnings
        }
        Err(diagnostics) => {
            assert!(diagnostics.iter().any(|d| d.is_error()));
            diagnostics
        }
    };
    for d in &diagnostics {
        assert!(
            d.span.start <= d.span.end && d.span.end <= src.len(),
            "span out of the source: {d:?}"
        );
        let rendered = d.render("fuzz.tl", src);
        assert!(rendered.starts_with("fuzz.tl:"), "{rendered}");
    }
}
