//! Comparing parsed schemas: the same tree whatever the source positions,
//! as printing a schema and parsing it again must give.

use tl_parser::{ParamType, Schema, Span, TypeRef};

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
