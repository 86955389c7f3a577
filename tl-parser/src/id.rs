//! Constructor ids: the CRC32 of a definition's normalized text.
//!
//! The normalized form is the one Telegram's own tools hash: the definition
//! without its `#id` and `;`, tokens separated by single spaces, `{X:Type}`
//! written `X:Type`, type arguments `Vector<long>` written `Vector long`,
//! a field of type `bytes` written as `string`, and `flags.N?true` fields
//! left out.

use crate::ast::{Definition, Name, ParamType, TypeRef};

/// The text whose CRC32 is the definition's id.
///
/// ```
/// let parsed = tl_parser::parse(
///     "true = True;\n---functions---\nfoo#12345678 flags:# a:flags.0?true b:Vector<bytes> c:bytes = True;",
/// ).unwrap();
/// let foo = &parsed.schema.definitions[1];
/// assert_eq!(
///     tl_parser::normalized_form(foo),
///     "foo flags:# b:Vector bytes c:string = True"
/// );
/// ```
pub fn normalized_form(def: &Definition) -> String {
    let mut out = String::with_capacity(64);
    write_normalized(def, &mut out);
    out
}

/// The CRC32 of [`normalized_form`]: the id a definition gets when its
/// `#id` is not written, and the id an explicit `#id` is checked against.
///
/// ```
/// let parsed = tl_parser::parse("ping#7abe77ec ping_id:long = Pong;").unwrap();
/// assert_eq!(tl_parser::compute_id(&parsed.schema.definitions[0]), 0x7abe77ec);
/// ```
pub fn compute_id(def: &Definition) -> u32 {
    let mut buf = String::with_capacity(64);
    compute_id_with(def, &mut buf)
}

/// [`compute_id`] reusing `buf`, so that a whole schema is hashed without an
/// allocation per definition.
pub(crate) fn compute_id_with(def: &Definition, buf: &mut String) -> u32 {
    buf.clear();
    write_normalized(def, buf);
    crc32fast::hash(buf.as_bytes())
}

fn write_normalized(def: &Definition, out: &mut String) {
    write_name(&def.name, out);
    for g in &def.generics {
        out.push(' ');
        out.push_str(&g.name);
        out.push_str(":Type");
    }
    for p in &def.params {
        match &p.ty {
            ParamType::Flags => {
                out.push(' ');
                out.push_str(&p.name);
                out.push_str(":#");
            }
            ParamType::Normal { ty, flag } => {
                if flag.is_some() && is_plain(ty, "true") {
                    continue;
                }
                out.push(' ');
                out.push_str(&p.name);
                out.push(':');
                if let Some(flag) = flag {
                    out.push_str(&flag.field);
                    out.push('.');
                    push_decimal(out, flag.bit);
                    out.push('?');
                }
                if is_plain(ty, "bytes") {
                    out.push_str("string");
                } else {
                    write_type(ty, out);
                }
            }
        }
    }
    out.push_str(" = ");
    write_type(&def.result, out);
}

/// `auth.sendCode`: as written, for definitions and type references alike.
fn write_name(name: &Name, out: &mut String) {
    for ns in &name.namespace {
        out.push_str(ns);
        out.push('.');
    }
    out.push_str(&name.name);
}

fn push_decimal(out: &mut String, n: u32) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

fn is_plain(ty: &TypeRef, name: &str) -> bool {
    ty.name.name == name
        && ty.name.namespace.is_empty()
        && ty.args.is_empty()
        && !ty.generic_ref
        && !ty.has_percent()
}

fn write_type(ty: &TypeRef, out: &mut String) {
    if ty.generic_ref {
        out.push('!');
    }
    if ty.has_percent() {
        out.push('%');
    }
    write_name(&ty.name, out);
    for arg in &ty.args {
        out.push(' ');
        write_type(arg, out);
    }
}

/// The normalized text of a builtin line (`vector#1cb5c415 {t:Type} # [ t ]
/// = Vector t;` becomes `vector t:Type # [ t ] = Vector t`), from its source.
pub(crate) fn normalized_builtin(text: &str) -> String {
    let text = text.trim_end().trim_end_matches(';');
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_id = false;
    while let Some(c) = chars.next() {
        if in_id {
            if c.is_ascii_hexdigit() {
                continue;
            }
            in_id = false;
        }
        match c {
            '#' if chars.peek().is_some_and(|c| c.is_ascii_hexdigit()) => in_id = true,
            '{' | '}' => {}
            c if c.is_whitespace() => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_vector_normalizes_to_its_known_id() {
        let n = normalized_builtin("vector#1cb5c415 {t:Type} # [ t ] = Vector t;");
        assert_eq!(n, "vector t:Type # [ t ] = Vector t");
        assert_eq!(crc32fast::hash(n.as_bytes()), 0x1cb5c415);
    }
}
