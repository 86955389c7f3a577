//! Which constructor fields the generator boxes: a field whose type would
//! take over 128 bytes inline, and a field behind a flag from 64 bytes
//! (absent from most values, it would be empty space every move copies).

use tl_codegen::{generate, Options};

fn generated(schema: &str) -> String {
    let parsed = tl_parser::parse(schema).unwrap_or_else(|d| panic!("schema parses: {d:?}"));
    generate(&parsed.schema, &Options::default()).expect("generates")
}

/// The field declaration of `name` in the generated code, on one line.
fn field(code: &str, name: &str) -> String {
    let flat: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
    let start = flat
        .find(&format!("pub {name}:"))
        .unwrap_or_else(|| panic!("field {name} missing from:\n{code}"));
    let end = flat[start..].find(',').expect("a field ends with a comma") + start;
    flat[start..end].to_string()
}

#[test]
fn optional_fields_are_boxed_from_a_lower_size_than_required_ones() {
    // `Mid` is 9 longs (about 80 bytes as an enum), `Big` 20 (about 170),
    // `Small` one.
    let code = generated(
        "mid a:long b:long c:long d:long e:long f:long g:long h:long i:long = Mid;\n\
         big a:long b:long c:long d:long e:long f:long g:long h:long i:long j:long \
             k:long l:long m:long n:long o:long p:long q:long r:long s:long t:long = Big;\n\
         small a:long = Small;\n\
         holder flags:# mid_opt:flags.0?Mid mid_req:Mid big_req:Big small_opt:flags.1?Small \
             = Holder;",
    );
    assert!(
        field(&code, "mid_opt").contains("Box<enums::Mid>"),
        "{code}"
    );
    assert!(!field(&code, "mid_req").contains("Box"), "{code}");
    assert!(
        field(&code, "big_req").contains("Box<enums::Big>"),
        "{code}"
    );
    assert!(!field(&code, "small_opt").contains("Box"), "{code}");
}
