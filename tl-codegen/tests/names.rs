//! TL names that have no direct Rust spelling: keywords that cannot be raw
//! identifiers, names that case conversion empties, names that become the
//! same Rust name, and field names the generated code uses for its own
//! locals. Generation never panics on them; it spells them or says why not.
//! (`tests/regenerate.rs` at the workspace root compiles such a constructor.)

use tl_codegen::{generate, Error, Options};

fn generated(schema: &str) -> Result<String, Error> {
    let parsed = tl_parser::parse(schema).unwrap_or_else(|d| panic!("schema parses: {d:?}"));
    generate(&parsed.schema, &Options::default())
}

#[test]
fn keywords_that_cannot_be_raw_get_an_underscore() {
    let code = generated(
        "self a:int = Self;\n\
         probe self:int super:int crate:int type:int = Probe;\n\
         ---functions---\n\
         self.crate x:int = Probe;",
    )
    .expect("generates");
    for spelled in [
        "pub struct Self_",
        "pub enum Self_",
        "pub self_: i32",
        "pub super_: i32",
        "pub crate_: i32",
        "pub r#type: i32",
        "pub mod self_",
        "pub struct Crate",
    ] {
        assert!(code.contains(spelled), "`{spelled}` missing from:\n{code}");
    }
}

#[test]
fn names_that_case_conversion_empties_are_spelled_from_the_original() {
    let code = generated("_ _:int __:long = Underscores;").expect("generates");
    assert!(code.contains("pub struct T_"), "{code}");
    assert!(code.contains("pub __: i32"), "{code}");
    assert!(code.contains("pub ___: i64"), "{code}");
}

#[test]
fn fields_with_one_rust_name_are_an_error_naming_both() {
    let error = generated("probe self:int Self:int = Probe;").expect_err("a clash");
    let message = error.to_string();
    assert!(message.contains("`probe`"), "{message}");
    assert!(
        message.contains("`self` and `Self`") && message.contains("`self_`"),
        "{message}"
    );
}

#[test]
fn fields_named_like_the_readers_locals_are_read_into_other_locals() {
    let code = generated(
        "probe flags:# reader:int value:long flags_0:int object_len:int x:flags.0?int = Probe;",
    )
    .expect("generates");
    assert!(code.contains("let reader_ = reader.read_i32()?;"), "{code}");
    assert!(code.contains("let value_ = reader.read_i64()?;"), "{code}");
    assert!(
        code.contains("let flags_0_ = reader.read_i32()?;"),
        "{code}"
    );
    assert!(
        code.contains("let object_len_ = reader.read_i32()?;"),
        "{code}"
    );
    assert!(code.contains("reader: reader_"), "{code}");
    // The flags word keeps its own local, which the fields no longer shadow.
    assert!(code.contains("let flags_0 = reader.read_u32()?;"), "{code}");
}

#[test]
fn a_hundred_thousand_fields_are_checked_in_linear_time() {
    let fields: String = (0..100_000).map(|k| format!(" f{k}:int")).collect();
    let schema = format!("probe{fields} aB:int a_b:int = Probe;");
    let error = generated(&schema).expect_err("both fields become `a_b`");
    assert!(error.to_string().contains("`aB` and `a_b`"), "{error}");
}
