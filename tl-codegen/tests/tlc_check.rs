//! End-to-end tests of `tlc check`: the binary, its output and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tlc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tlc"))
        .args(args)
        .output()
        .expect("tlc runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// A scratch directory for this test, emptied first.
fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("tlc_check")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_owned()
}

fn corpus(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/corpus")
        .join(name);
    path.to_str().unwrap().to_owned()
}

#[test]
fn valid_files_print_one_summary_line_each() {
    let dir = scratch("valid");
    let plain = write(
        &dir,
        "plain.tl",
        "a = A;\nb x:A = A;\n---functions---\nf = A;\n",
    );
    let layered = write(
        &dir,
        "layered.tl",
        "// LAYER 7\nint ? = Int;\nx n:Int = X;\n",
    );
    let empty = write(&dir, "empty.tl", "");
    let out = tlc(&["check", &plain, &layered, &empty]);
    assert_eq!(text(&out.stderr), "");
    assert_eq!(
        text(&out.stdout),
        format!(
            "{plain}: 2 constructors, 1 functions, layer -\n\
             {layered}: 1 constructors, 0 functions, layer 7\n\
             {empty}: 0 constructors, 0 functions, layer -\n"
        )
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn the_corpus_checks() {
    let api = corpus("crates-grammers-tl-types-0.11.0-api.tl");
    let out = tlc(&["check", &api]);
    assert_eq!(
        text(&out.stdout),
        format!("{api}: 1703 constructors, 850 functions, layer 230\n")
    );
    assert_eq!(text(&out.stderr), "");
    assert!(out.status.success());
}

#[test]
fn warnings_go_to_stderr_and_pass_unless_denied() {
    let mtproto = corpus("tdlib-mtproto_api.tl");
    let out = tlc(&["check", &mtproto]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        format!("{mtproto}: 36 constructors, 10 functions, layer -\n")
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "{mtproto}:53:12: warning: explicit id #3072cfa1 of `gzip_packed` differs from its computed id #dfbc64b0\n   |\n\
             53 | gzip_packed#3072cfa1 packed_data:string = GzipPacked;\n   |            ^^^^^^^^^\n"
        )),
        "{stderr}"
    );

    let out = tlc(&["check", "--deny-warnings", &mtproto]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{mtproto}:53:12: error: explicit id #3072cfa1")),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 warning denied by --deny-warnings"),
        "{stderr}"
    );
}

#[test]
fn every_error_is_reported_with_a_caret_and_the_exit_code_is_1() {
    let dir = scratch("errors");
    let bad = write(
        &dir,
        "bad.tl",
        "ok = Ok;\nfoo#xyz = Foo;\nbar x:Nope = Bar;\nbaz flags:# y:flags.40?int = Baz;\n",
    );
    let good = write(&dir, "good.tl", "a = A;\n");
    let out = tlc(&["check", &bad, &good]);
    assert_eq!(out.status.code(), Some(1));
    // The good file still gets its line; the bad one does not.
    assert_eq!(
        text(&out.stdout),
        format!("{good}: 1 constructors, 0 functions, layer -\n")
    );
    let stderr = text(&out.stderr);
    let expected = format!(
        "{bad}:2:5: error: expected a hexadecimal id after `#`, found `xyz`\n  |\n\
         2 | foo#xyz = Foo;\n  |     ^^^\n\
         {bad}:3:7: error: unknown type `Nope`\n  |\n\
         3 | bar x:Nope = Bar;\n  |       ^^^^\n\
         \x20 = note: no constructor in this schema has the result type `Nope`\n\
         {bad}:4:21: error: flag bit 40 is out of range: `#` fields have bits 0 to 31\n  |\n\
         4 | baz flags:# y:flags.40?int = Baz;\n  |                     ^^\n\
         error: `{bad}`: 3 errors found\n\
         error: 1 of 2 files failed the check\n"
    );
    assert_eq!(stderr, expected);
}

#[test]
fn an_unreadable_file_is_an_error_naming_it() {
    let dir = scratch("unreadable");
    let missing = dir.join("missing.tl");
    let missing = missing.to_str().unwrap();
    let out = tlc(&["check", missing]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!("error: cannot read `{missing}`: ")),
        "{stderr}"
    );

    let binary = dir.join("binary.tl");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x80]).unwrap();
    let out = tlc(&["check", binary.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot read"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn help_explains_the_tool() {
    let out = tlc(&[]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Usage: tlc <COMMAND>"), "{stderr}");
    assert!(stderr.contains("check"), "{stderr}");

    let out = tlc(&["--help"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("check"));

    let out = tlc(&["check", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    assert!(help.contains("--deny-warnings"), "{help}");
    assert!(
        help.contains("constructors, F functions, layer L"),
        "{help}"
    );

    // `check` needs at least one file.
    let out = tlc(&["check"]);
    assert_eq!(out.status.code(), Some(2));
}
