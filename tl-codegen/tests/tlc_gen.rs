//! `tlc gen`: the generated file is valid Rust, stable, and errors exit 1.

use std::path::PathBuf;
use std::process::Command;

fn tlc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tlc"))
        .args(args)
        .output()
        .expect("tlc runs")
}

fn service_schema() -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    root.join("schema/mtproto.tl").display().to_string()
}

#[test]
fn generates_the_service_layer_as_valid_stable_rust() {
    let first = tlc(&["gen", &service_schema()]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let text = String::from_utf8(first.stdout).unwrap();
    let file: syn::File = syn::parse_str(&text).expect("tlc gen writes valid Rust");
    assert!(text.starts_with("// @generated"));
    for item in [
        "pub struct RpcResult<'a>",
        "pub struct MsgContainer<'a>",
        "pub struct GzipPacked<'a>",
        "pub enum BadMsgNotification",
        "pub struct InvokeAfterMsg<X>",
    ] {
        assert!(text.contains(item), "missing `{item}`");
    }
    assert_eq!(
        file.items.len(),
        5,
        "decode_by_id, name_of, types, enums, functions"
    );

    // Same schema, same bytes out.
    let second = tlc(&["gen", &service_schema()]);
    assert_eq!(text.as_bytes(), &second.stdout[..]);
}

#[test]
fn writes_to_a_file_with_the_runtime_path_asked_for() {
    let out = std::env::temp_dir().join(format!("tlc-gen-{}.rs", std::process::id()));
    let output = tlc(&[
        "gen",
        &service_schema(),
        "-o",
        &out.display().to_string(),
        "--runtime-crate",
        "crate",
    ]);
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).ok();
    assert!(text.contains("use crate as tl;"));
    assert!(!text.contains("mtproto_types"));
}

#[test]
fn a_schema_error_is_reported_and_exits_1() {
    let bad = std::env::temp_dir().join(format!("tlc-gen-bad-{}.tl", std::process::id()));
    std::fs::write(&bad, "foo x:Bar = Foo;\n").unwrap();
    let output = tlc(&["gen", &bad.display().to_string()]);
    std::fs::remove_file(&bad).ok();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(":1:7: error: unknown type `Bar`"),
        "{stderr}"
    );
}
