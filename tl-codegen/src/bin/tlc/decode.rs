//! `tlc decode`: a boxed TL value from hex, a file or stdin, printed as JSON.
//! Also home to what `tlc encode` shares with it: loading the schemas.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;
use tl_codegen::dynamic::{Options, Registry, DEFAULT_MAX_DEPTH, DEFAULT_MAX_INFLATED};

/// The repository's schemas, built in so that `tlc decode` works anywhere.
const DEFAULT_SCHEMAS: [(&str, &str); 2] = [
    (
        "schema/mtproto.tl",
        include_str!("../../../../schema/mtproto.tl"),
    ),
    ("schema/api.tl", include_str!("../../../../schema/api.tl")),
];

/// The schemas to decode or encode with.
#[derive(clap::Args)]
pub struct SchemaArgs {
    /// A TL schema to take constructors from; repeat for several (types may
    /// refer across them). Default: the built-in MTProto service layer
    /// (schema/mtproto.tl) and Telegram API layer (schema/api.tl).
    #[arg(long = "schema", value_name = "FILE")]
    schemas: Vec<PathBuf>,
    /// The most bytes one gzip_packed value may inflate to; more is reported
    /// as a gzip bomb.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_INFLATED)]
    max_inflated: usize,
    /// The deepest nesting of objects and vectors accepted.
    #[arg(long, value_name = "LEVELS", default_value_t = DEFAULT_MAX_DEPTH)]
    max_depth: usize,
}

impl SchemaArgs {
    /// Parses the schemas into a registry; on failure the error is already
    /// printed to stderr.
    pub fn registry(&self) -> Result<Registry, ()> {
        let sources: Vec<(String, String)> = if self.schemas.is_empty() {
            DEFAULT_SCHEMAS
                .iter()
                .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
                .collect()
        } else {
            let mut sources = Vec::new();
            for path in &self.schemas {
                let name = path.display().to_string();
                match std::fs::read_to_string(path) {
                    Ok(text) => sources.push((name, text)),
                    Err(e) => {
                        eprintln!("error: cannot read schema `{name}`: {e}");
                        return Err(());
                    }
                }
            }
            sources
        };
        let mut schemas = Vec::new();
        for (name, text) in &sources {
            match tl_parser::parse(text) {
                // Warnings (an explicit id that differs from the computed
                // one) do not matter here: the explicit id is on the wire.
                Ok(parsed) => schemas.push(parsed.schema),
                Err(diagnostics) => {
                    for d in &diagnostics {
                        eprint!("{}", d.render(name, text));
                    }
                    eprintln!("error: schema `{name}` has errors; run `tlc check {name}`");
                    return Err(());
                }
            }
        }
        match Registry::new(&schemas) {
            Ok(registry) => Ok(registry.with_options(Options {
                max_inflated: self.max_inflated,
                max_depth: self.max_depth,
            })),
            Err(e) => {
                eprintln!("error: the schemas do not fit together: {e}");
                Err(())
            }
        }
    }
}

/// Decode one boxed TL value and print it as JSON.
///
/// The value is decoded by its constructor id from the given schemas (by
/// default the built-in MTProto service and Telegram API layers), with no
/// generated code. With no input at all, a built-in sample is decoded: a
/// msg_container holding an rpc_result whose result is gzip_packed, and a
/// pong.
#[derive(clap::Args)]
#[command(
    long_about = "Decode one boxed TL value and print it as JSON.

The value is decoded by its constructor id from the given schemas (by default \
the built-in MTProto service layer and Telegram API layer 230), with no \
generated code: objects are {\"_\": \"<TL name>\", <fields in schema order>}, \
int and long are exact JSON integers, bytes/int128/int256 are lowercase hex, \
optional fields are present only when their flag is set, gzip_packed is \
inflated and msg_container shows each message with its msg_id, seqno, bytes \
and body.

With no input argument, decodes a built-in sample (a msg_container holding an \
rpc_result whose result is gzip_packed, and a pong).

Errors (truncated input, unknown constructor, trailing bytes, bad hex, a gzip \
bomb) go to stderr with the byte offset, and the exit code is 1.",
    after_help = "Examples:
  tlc decode
  tlc decode --hex c573773401000000000000000200000000000000
  tlc decode --file captured.bin --schema my.tl
  xxd -r -p dump.hex | tlc decode -"
)]
pub struct Args {
    #[command(flatten)]
    schema: SchemaArgs,
    /// The value as hex (spaces, newlines and colons between digits are
    /// ignored, as is a leading 0x).
    #[arg(long, value_name = "HEX", conflicts_with_all = ["file", "stdin", "sample"])]
    hex: Option<String>,
    /// Read the value's raw bytes from a file.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["stdin", "sample"])]
    file: Option<PathBuf>,
    /// `-`: read the value's raw bytes from standard input.
    #[arg(value_name = "-", value_parser = ["-"], conflicts_with = "sample")]
    stdin: Option<String>,
    /// Decode the built-in sample (also what happens with no input at all).
    #[arg(long)]
    sample: bool,
    /// Print the JSON on one line instead of indented.
    #[arg(long)]
    compact: bool,
}

pub fn run(args: &Args) -> ExitCode {
    let Ok(registry) = args.schema.registry() else {
        return ExitCode::FAILURE;
    };
    let input = match read_input(args, &registry) {
        Ok(input) => input,
        Err(message) => return crate::fail(message),
    };
    match registry.decode_boxed(&input) {
        Ok(value) => {
            let text = if args.compact {
                serde_json::to_string(&value)
            } else {
                serde_json::to_string_pretty(&value)
            };
            match text {
                Ok(text) => {
                    println!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => crate::fail(format_args!("cannot print the JSON: {e}")),
            }
        }
        Err(e) => crate::fail(format_args!("{e} (input is {} bytes)", input.len())),
    }
}

fn read_input(args: &Args, registry: &Registry) -> Result<Vec<u8>, String> {
    if let Some(hex) = &args.hex {
        parse_hex(hex)
    } else if let Some(path) = &args.file {
        std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
    } else if args.stdin.is_some() {
        let mut input = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut input)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(input)
    } else {
        sample(registry)
    }
}

/// Hex as people paste it: with or without `0x`, spaces, newlines or colons
/// between bytes. The error names the character position in the argument.
fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let body = text.trim_start();
    let skipped = text.len() - body.len();
    let (body, skipped) = match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(rest) => (rest, skipped + 2),
        None => (body, skipped),
    };
    let mut out = Vec::with_capacity(body.len() / 2);
    let mut high: Option<u8> = None;
    for (i, c) in body.char_indices() {
        if c.is_ascii_whitespace() || c == ':' {
            if high.is_some() {
                return Err(format!(
                    "bad hex: separator inside a byte at character {}",
                    skipped + i
                ));
            }
            continue;
        }
        let Some(digit) = c.to_digit(16) else {
            return Err(format!(
                "bad hex: `{c}` is not a hex digit (character {})",
                skipped + i
            ));
        };
        let digit = digit as u8;
        match high.take() {
            None => high = Some(digit),
            Some(h) => out.push(h << 4 | digit),
        }
    }
    if high.is_some() {
        return Err("bad hex: odd number of hex digits".to_owned());
    }
    if out.is_empty() {
        return Err("bad hex: no bytes given".to_owned());
    }
    Ok(out)
}

/// The built-in sample, as JSON: a container with a gzip-packed rpc_result
/// (Telegram's terms of service, which show flags, a `true` flag, a nested
/// object, a string and a vector) and a pong.
pub fn sample_json() -> serde_json::Value {
    json!({
        "_": "msg_container",
        "messages": [
            {
                "msg_id": 7_308_001_234_567_890_945_i64,
                "seqno": 3,
                "body": {
                    "_": "rpc_result",
                    "req_msg_id": 7_308_001_230_000_000_000_i64,
                    "result": {
                        "_": "gzip_packed",
                        "packed_data": {
                            "_": "help.termsOfService",
                            "popup": true,
                            "id": {"_": "dataJSON", "data": "{\"terms\":\"2026-11\"}"},
                            "text": "By signing up for Telegram, you accept our Terms of Service and Privacy Policy.",
                            "entities": [
                                {"_": "messageEntityBold", "offset": 44, "length": 16},
                                {"_": "messageEntityTextUrl", "offset": 65, "length": 14, "url": "https://telegram.org/privacy"}
                            ],
                            "min_age_confirm": 16
                        }
                    }
                }
            },
            {
                "msg_id": 7_308_001_234_567_890_949_i64,
                "seqno": 4,
                "body": {"_": "pong", "msg_id": 7_308_001_230_000_000_004_i64, "ping_id": -8_526_115_230_963_470_093_i64}
            }
        ]
    })
}

/// The sample's bytes, built with the dynamic encoder from [`sample_json`].
fn sample(registry: &Registry) -> Result<Vec<u8>, String> {
    registry.encode_boxed(&sample_json()).map_err(|e| {
        format!("the built-in sample needs the default schemas (or ones declaring msg_container, rpc_result, pong and help.termsOfService): {e}")
    })
}
