//! `tlc gen FILE... [-o OUT]`: the Rust a build script would generate, for
//! reading it, diffing it across schema versions, or checking it in.

use std::path::PathBuf;
use std::process::ExitCode;

/// Generate Rust types from TL schemas.
///
/// The schemas are merged into one layer and turned into one formatted Rust
/// file with the modules `types`, `enums` and `functions`, the same file
/// `tl_codegen::Builder` writes from a build script. Include it with
/// `include!` in a crate that depends on mtproto-types.
#[derive(clap::Args)]
pub struct Args {
    /// The schema files, merged in order.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Write the Rust file here instead of to standard output.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// How the generated code names the TL core crate (`crate` when
    /// generating into mtproto-types itself).
    #[arg(long, value_name = "PATH", default_value = "::mtproto_types")]
    runtime_crate: String,
    /// Derive `serde::Serialize` behind the including crate's `serde` feature.
    #[arg(long)]
    serde: bool,
    /// Mark the codec functions `#[inline]` (for small, hot layers).
    #[arg(long)]
    inline: bool,
}

pub fn run(args: &Args) -> ExitCode {
    let options = tl_codegen::Options {
        runtime_crate: args.runtime_crate.clone(),
        serde: args.serde,
        inline: args.inline,
    };
    let (text, warnings) = match tl_codegen::generate_files(&args.files, &options) {
        Ok(generated) => generated,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    for warning in warnings {
        eprint!("{warning}");
    }
    let written = match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display())),
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(text.as_bytes())
                .map_err(|e| format!("standard output: {e}"))
        }
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => crate::fail(e),
    }
}
