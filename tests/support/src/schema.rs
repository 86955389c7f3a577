//! Comparing parsed schemas: the same tree whatever the source positions,
//! as printing a schema and parsing it again must give; and the check every
//! parse of arbitrary text must pass.

use tl_parser::{ParamType, Parsed, Schema, Span, TypeRef};

/// `schema` with every span reset, so two parses of differently laid out
/// text compare equal when their trees are.
pub fn strip_spans(mut schema: Schema) -> Schema {
    fn ty(t: &mut TypeRef) {
        t.span = Span::default();
        t.args.iter_mut().for_each(ty);
    }
    for b in &mut schema.builtins {
        b.span = Span::default();
    }
    for d in &mut schema.definitions {
        d.span = Span::default();
        ty(&mut d.result);
        d.generics.iter_mut().for_each(|g| g.span = Span::default());
        for p in &mut d.params {
            p.span = Span::default();
            if let ParamType::Normal { ty: t, .. } = &mut p.ty {
                ty(t);
            }
        }
    }
    schema
}

/// Parses arbitrary `src` and checks what holds for any input: a schema
/// that parses prints to text that parses to the same tree, and every
/// diagnostic points inside the source and renders with its file name.
/// Returns the parse for checks of its own (the fuzz target loads it into
/// the dynamic codec).
pub fn check_parse(src: &str) -> Option<Parsed> {
    let (parsed, diagnostics) = match tl_parser::parse(src) {
        Ok(parsed) => {
            let text = parsed.schema.to_string();
            let again = tl_parser::parse(&text)
                .unwrap_or_else(|e| panic!("printed schema does not parse: {e:?}\n{text}"));
            assert_eq!(
                strip_spans(again.schema),
                strip_spans(parsed.schema.clone()),
                "printed schema parses to another tree:\n{text}"
            );
            let warnings = parsed.warnings.clone();
            (Some(parsed), warnings)
        }
        Err(diagnostics) => {
            assert!(diagnostics.iter().any(|d| d.is_error()));
            (None, diagnostics)
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
    parsed
}
