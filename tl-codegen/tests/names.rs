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

mod any_schema {
    //! Random schemas whose names come from a pool of troublemakers:
    //! keywords (strict, reserved, weak, not raw-able), prelude names, the
    //! generated code's own locals and aliases, names that case conversion
    //! empties or merges. Whatever the parser accepts, the generator must
    //! turn into Rust or refuse with an error, never panic.

    use proptest::prelude::*;

    const NAMES: &[&str] = &[
        "self",
        "Self",
        "super",
        "crate",
        "_",
        "__",
        "type",
        "fn",
        "match",
        "async",
        "await",
        "dyn",
        "try",
        "union",
        "static",
        "abstract",
        "gen",
        "r",
        "reader",
        "value",
        "flags_0",
        "flags_1",
        "object_len",
        "out",
        "x",
        "tl",
        "bytes",
        "Some",
        "None",
        "Ok",
        "Err",
        "Box",
        "Vec",
        "String",
        "Option",
        "Result",
        "a_b",
        "aB",
        "A_B",
        "ab",
        "int",
        "long",
        "Object",
        "T",
        "X",
        "id",
        "enums",
        "types",
        "functions",
        "LAYER",
        "decode_by_id",
    ];
    const TYPES: &[&str] = &[
        "int",
        "long",
        "double",
        "string",
        "bytes",
        "int128",
        "int256",
        "Bool",
        "Vector<int>",
        "vector<long>",
        "Vector<Bytes>",
        "Probe",
        "%Bytes",
        "Self",
        "Ok",
        "Type",
        "Vector<Self>",
        "types.Ok",
    ];

    fn name() -> impl Strategy<Value = String> {
        (
            proptest::option::of(prop::sample::select(NAMES)),
            prop::sample::select(NAMES),
        )
            .prop_map(|(namespace, name)| match namespace {
                Some(ns) => format!("{ns}.{name}"),
                None => name.to_string(),
            })
    }

    fn definition(name: String) -> impl Strategy<Value = String> {
        (
            Just(name),
            // Distinct field names: duplicates are the parser's to refuse.
            prop::sample::subsequence(NAMES, 0..6).prop_flat_map(|names| {
                let n = names.len();
                (
                    Just(names),
                    prop::collection::vec((prop::sample::select(TYPES), any::<bool>()), n),
                )
            }),
            prop::sample::select(&["Probe", "Self", "Ok", "Type", "T", "None"][..]),
        )
            .prop_map(|(name, (names, types), result)| {
                let mut line = format!("{name} flags:#");
                let fields = names.iter().zip(&types).map(|(n, (t, f))| (n, t, f));
                for (k, (field, ty, flagged)) in fields.enumerate() {
                    let ty = if *flagged {
                        format!("flags.{k}?{ty}")
                    } else {
                        ty.to_string()
                    };
                    line.push_str(&format!(" {field}:{ty}"));
                }
                format!("{line} = {result};\n")
            })
    }

    /// Distinct definition names (duplicates are the parser's to refuse),
    /// the first few constructors, the rest functions.
    fn definitions() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
        prop::collection::btree_set(name(), 1..12).prop_flat_map(|names| {
            let names: Vec<String> = names.into_iter().collect();
            let split = names.len().div_ceil(2);
            let types: Vec<_> = names[..split].iter().cloned().map(definition).collect();
            let functions: Vec<_> = names[split..].iter().cloned().map(definition).collect();
            (types, functions)
        })
    }

    fn schema() -> impl Strategy<Value = String> {
        definitions()
            .prop_map(|(types, functions)| {
                let mut text = String::from(
                    "probe = Probe;\nbytes_ b:bytes = Bytes;\ntype_ = Type;\nok = Ok;\nself_ = Self;\nt = T;\nnone = None;\ntypes.ok = types.Ok;\n",
                );
                text.extend(types);
                text.push_str("---functions---\n");
                text.extend(functions);
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn generation_never_panics(schema in schema()) {
            if let Ok(parsed) = tl_parser::parse(&schema) {
                let _ = tl_codegen::generate(&parsed.schema, &tl_codegen::Options::default());
            }
        }
    }
}
