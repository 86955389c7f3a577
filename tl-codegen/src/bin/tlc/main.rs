//! `tlc`, the TL schema compiler's command-line tool.
//!
//! Each subcommand lives in its own module next to this file; adding one is
//! a variant in [`Command`], its `mod`, and a line in `main`.

use std::fmt::Display;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod decode;
mod encode;
mod gen;

/// TL schema compiler: check Telegram TL schemas and generate Rust from them;
/// decode and encode TL values as JSON.
#[derive(Parser)]
#[command(name = "tlc", version, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Check(check::Args),
    Decode(decode::Args),
    Encode(encode::Args),
    Gen(gen::Args),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check(args) => check::run(&args),
        Command::Decode(args) => decode::run(&args),
        Command::Encode(args) => encode::run(&args),
        Command::Gen(args) => gen::run(&args),
    }
}

/// Reports a failure the way every subcommand does (`error: ...` on
/// standard error) and gives the exit code that goes with it.
fn fail(message: impl Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}
