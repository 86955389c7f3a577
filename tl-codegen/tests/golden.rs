//! Golden files: the generator's output for two schemas is checked in under
//! `tests/golden/`, so that every change to the emitted code shows in review
//! as a diff of the code itself. A test fails when generation no longer
//! gives the checked-in text; `UPDATE_GOLDEN=1 cargo test -p tl-codegen
//! --test golden` rewrites the files instead.
//!
//! - `service.tl`: the service layer (a copy of `schema/mtproto.tl`, checked
//!   to be identical while the workspace is there), generated as `build.rs`
//!   generates it (serde, inlined decoders).
//! - `features.tl`: a small schema with one of everything the generator
//!   treats differently, generated with the default options; its output is
//!   also compiled into this test and exercised.

use std::path::{Path, PathBuf};

use tl_codegen::{generate_files, Options};

/// The features schema's output, compiled as a crate including it would
/// (`clippy::all` allowed as the workspace allows it on its generated
/// layers). Most of it is used by no test here, hence `dead_code`.
#[allow(clippy::all, dead_code)]
mod features {
    include!("golden/features.rs");
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Generates `<name>.tl` and compares the result with `<name>.rs`, or
/// rewrites `<name>.rs` when `UPDATE_GOLDEN` is set.
fn check(name: &str, options: &Options) {
    let dir = golden_dir();
    let schema = dir.join(format!("{name}.tl"));
    let golden = dir.join(format!("{name}.rs"));
    let (generated, warnings) = generate_files(&[schema], options).expect("the schema generates");
    assert!(warnings.is_empty(), "schema warnings: {warnings:?}");
    syn::parse_file(&generated).expect("the generated code is valid Rust");

    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &generated).expect("the golden file is writable");
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    if generated == expected {
        return;
    }
    let (line, (want, got)) = expected
        .lines()
        .chain(std::iter::repeat("<end of file>"))
        .zip(generated.lines().chain(std::iter::repeat("<end of file>")))
        .enumerate()
        .find(|(_, (want, got))| want != got)
        .expect("texts that differ have a differing line");
    panic!(
        "{} is not what the generator now writes; first difference at line {}:\n\
         checked in: {want}\n\
         generated:  {got}\n\
         If the change is intended, refresh the file with \
         `UPDATE_GOLDEN=1 cargo test -p tl-codegen --test golden` and review its diff.",
        golden.display(),
        line + 1,
    );
}

#[test]
fn service_layer_matches_its_golden_file() {
    check(
        "service",
        &Options {
            serde: true,
            inline: true,
            ..Options::default()
        },
    );
}

#[test]
fn features_schema_matches_its_golden_file() {
    check("features", &Options::default());
}

#[test]
fn service_schema_copy_is_the_workspace_schema() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/mtproto.tl");
    // Outside the workspace (a packaged crate) there is nothing to drift from.
    let Ok(original) = std::fs::read(&workspace) else {
        return;
    };
    let copy = std::fs::read(golden_dir().join("service.tl")).expect("the copy is checked in");
    assert!(
        copy == original,
        "tests/golden/service.tl differs from schema/mtproto.tl: copy the schema over, \
         then refresh the golden files"
    );
}

#[test]
fn compiled_features_output_round_trips_flags_and_recursion() {
    use features::{enums, types};
    use mtproto_types::{Deserialize, Serialize};

    let user = enums::User::User(types::User {
        id: 7,
        bot: true,
        first_name: Some("Ann".into()),
        photo: None,
        views: Some(3),
        forwards: Some(4),
        bot_info_version: None,
        bot_nochats: false,
        verified: true,
        usernames: Some(vec!["ann".into(), "anne".into()]),
    });
    let bytes = user.to_bytes();
    assert_eq!(bytes.len(), user.serialized_len());
    assert_eq!(enums::User::from_bytes(&bytes).expect("decodes"), user);

    let text = enums::RichText::TextBold(types::TextBold {
        text: Box::new(enums::RichText::TextConcat(types::TextConcat {
            texts: vec![enums::RichText::TextPlain(types::TextPlain {
                text: "deep".into(),
            })],
        })),
    });
    let bytes = text.to_bytes();
    assert_eq!(enums::RichText::from_bytes(&bytes).expect("decodes"), text);
}
