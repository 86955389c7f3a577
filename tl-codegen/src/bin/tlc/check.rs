//! `tlc check FILE...`: parse and validate schemas, print a summary line per
//! valid file and rustc-style diagnostics for the rest.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tl_parser::{Diagnostic, Severity};

/// Parse and validate TL schema files.
///
/// For each valid file prints `FILE: C constructors, F functions, layer L`
/// (L is `-` when the file has no `// LAYER` line; builtin lines are not
/// counted). Errors and warnings go to stderr with the offending line and a
/// caret under the problem. Exits with 1 if any file has an error (or, with
/// `--deny-warnings`, a warning), 0 otherwise.
#[derive(clap::Args)]
pub struct Args {
    /// The schema files to check.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Treat warnings (such as an explicit id that differs from the computed
    /// one) as errors.
    #[arg(long)]
    deny_warnings: bool,
}

pub fn run(args: &Args) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = 0usize;
    for path in &args.files {
        let name = path.display().to_string();
        if !check_file(&name, path, args.deny_warnings, &mut out) {
            failed += 1;
        }
    }
    let _ = out.flush();
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        if args.files.len() > 1 {
            eprintln!(
                "error: {failed} of {} files failed the check",
                args.files.len()
            );
        }
        ExitCode::FAILURE
    }
}

/// Checks one file; returns whether it passed.
fn check_file(name: &str, path: &Path, deny_warnings: bool, out: &mut impl Write) -> bool {
    let source = match std::fs::read_to_string(path) {
        Ok(source) => source,
        Err(e) => {
            eprintln!("error: cannot read `{name}`: {e}");
            return false;
        }
    };
    match tl_parser::parse(&source) {
        Ok(parsed) => {
            let warnings = parsed.warnings.len();
            let shown_as = if deny_warnings {
                Severity::Error
            } else {
                Severity::Warning
            };
            for w in &parsed.warnings {
                eprint!("{}", w.render_as(shown_as, name, &source));
            }
            if deny_warnings && warnings > 0 {
                eprintln!(
                    "error: `{name}`: {warnings} warning{} denied by --deny-warnings",
                    plural(warnings)
                );
                return false;
            }
            let schema = &parsed.schema;
            let layer = schema
                .layer
                .map_or_else(|| "-".to_owned(), |l| l.to_string());
            let _ = writeln!(
                out,
                "{name}: {} constructors, {} functions, layer {layer}",
                schema.constructors().count(),
                schema.functions().count()
            );
            true
        }
        Err(diagnostics) => {
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            for d in &diagnostics {
                eprint!("{}", render(d, name, &source, deny_warnings));
            }
            eprintln!("error: `{name}`: {errors} error{} found", plural(errors));
            false
        }
    }
}

fn render(d: &Diagnostic, name: &str, source: &str, deny_warnings: bool) -> String {
    if deny_warnings {
        d.render_as(Severity::Error, name, source)
    } else {
        d.render(name, source)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
