//! Editing `schema/mtproto.tl` and running `cargo build` regenerates the
//! service types: the promise of the design ("edit the `.tl`, run `cargo
//! build`, get new types").
//!
//! The workspace is copied (without `target/`) into a temporary directory,
//! built once, the schema gains a constructor and a function, and a second
//! `cargo build -p mtproto --offline` must rerun the build script and write
//! them into `service.rs`. The builds share the target directory this test
//! runs from, so only the copied crates are compiled, never the registry
//! dependencies again.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Top-level entries not copied: version control, build output, and the
/// fuzz workspace (excluded from this one). Everything else is, so that
/// whatever targets the manifests declare (benches, examples, tests) exist.
const SKIPPED: &[&str] = &[".git", "target", "fuzz"];

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name();
            // Never a build directory.
            if name == "target" {
                continue;
            }
            copy_tree(&entry.path(), &to.join(name));
        }
    } else {
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("copying {}: {e}", from.display()));
    }
}

/// The target directory of this very test binary: the nearest ancestor of
/// the executable holding cargo's `CACHEDIR.TAG`.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .unwrap_or_else(|| panic!("no cargo target directory above {}", exe.display()))
        .to_path_buf()
}

/// Runs `cargo build -p mtproto --offline` in `workspace` and returns the
/// generated `service.rs`, found through the build script's `out_dir` that
/// cargo reports in its JSON messages.
fn build(workspace: &Path, target: &Path) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(&cargo)
        .args([
            "build",
            "-p",
            "mtproto",
            "--offline",
            "--message-format=json",
        ])
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target)
        // The outer `cargo test` may have set these for itself.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{cargo}` (is cargo installed and on PATH?): {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "cargo build failed in {}:\n{}\n{}",
        workspace.display(),
        String::from_utf8_lossy(&output.stderr),
        stdout
            .lines()
            .filter(|l| l.contains("\"level\":\"error\""))
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The copy's root package is `path+file://<workspace>#mtproto@…`.
    let package = format!("{}#mtproto@", workspace.display());
    let out_dir = stdout
        .lines()
        .filter(|l| l.contains("\"reason\":\"build-script-executed\"") && l.contains(&package))
        .find_map(|l| {
            let rest = &l[l.find("\"out_dir\":\"")? + "\"out_dir\":\"".len()..];
            Some(rest[..rest.find('"')?].to_string())
        })
        .unwrap_or_else(|| panic!("no build script output for mtproto in:\n{stdout}"));
    let file = Path::new(&out_dir).join("service.rs");
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

#[test]
fn editing_the_schema_and_building_regenerates_the_types() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = target_dir();
    let workspace = std::env::temp_dir().join(format!("mtproto-regenerate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&workspace);
    std::fs::create_dir_all(&workspace).unwrap();
    for entry in std::fs::read_dir(root).unwrap() {
        let name = entry.unwrap().file_name();
        if !SKIPPED.iter().any(|s| name == *s) {
            copy_tree(&root.join(&name), &workspace.join(&name));
        }
    }

    let before = build(&workspace, &target);
    assert!(
        before.contains("pub struct Pong"),
        "the copy builds the service layer"
    );
    assert!(!before.contains("RegenProbe"));

    // A new constructor of a new type, and a new function returning it.
    // New items only, so the runtime's code over existing types still builds.
    let schema_file = workspace.join("schema/mtproto.tl");
    let schema = std::fs::read_to_string(&schema_file).unwrap();
    let edited = schema.replace(
        "---functions---\n\n/// Asks the server to forget",
        "/// Added by the regenerate test.\n\
             regen_probe#1a2b3c4d probe_id:long note:string = RegenProbe;\n\n\
             /// Field names the generated reader uses for its own locals,\n\
             /// and keywords: the build below compiles them.\n\
             regen_awkward flags:# reader:int value:long flags_0:int self:flags.0?int \
             type:flags.1?string object_len:int = RegenAwkward;\n\n\
             ---functions---\n\n\
             /// Added by the regenerate test.\n\
             get_regen_probe#2b3c4d5e probe_id:long = RegenProbe;\n\n\
             /// Asks the server to forget",
    );
    assert_ne!(
        edited, schema,
        "the anchor in schema/mtproto.tl moved; update this test"
    );
    std::fs::write(&schema_file, edited).unwrap();

    let after = build(&workspace, &target);
    assert!(
        after.contains("pub struct RegenProbe<'a>"),
        "new constructor"
    );
    assert!(after.contains("pub probe_id: i64"));
    assert!(after.contains("pub note: ::std::borrow::Cow<'a, str>"));
    assert!(after.contains("pub struct GetRegenProbe"), "new function");
    assert!(after.contains("let reader_ = reader.read_i32()?;"));
    assert!(after.contains("pub self_: ::std::option::Option<i32>"));
    assert!(after.contains("0x1a2b3c4d"));
    assert!(
        after.contains("Added by the regenerate test."),
        "docs follow the schema"
    );

    let _ = std::fs::remove_dir_all(&workspace);
}
