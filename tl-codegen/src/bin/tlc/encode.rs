//! `tlc encode`: a JSON value (as `tlc decode` prints it) serialized as a
//! boxed TL value, printed as lowercase hex.

use std::io::Read;
use std::process::ExitCode;

use crate::decode::SchemaArgs;

/// Encode a JSON value as a boxed TL value and print it as lowercase hex.
#[derive(clap::Args)]
#[command(
    long_about = "Encode a JSON value as a boxed TL value and print it as lowercase hex.

The JSON mapping is the one `tlc decode` prints: {\"_\": \"<TL name>\", <fields>}, \
with `#` fields left out (they are computed from the optional fields present), \
`flags.N?true` fields true or absent, bytes/int128/int256 as hex, and \
gzip_packed's packed_data either a value (serialized and compressed) or the hex \
of the packed bytes. A message's `bytes` is recomputed.

A value that does not fit the schema is an error naming the field by its JSON \
path (such as .messages[2].body.error_code), and the exit code is 1.",
    after_help = "Examples:
  tlc encode --json '{\"_\": \"ping\", \"ping_id\": 42}'
  tlc decode --hex 2a... --compact | tlc encode --json -"
)]
pub struct Args {
    #[command(flatten)]
    schema: SchemaArgs,
    /// The value as JSON text, or `-` to read it from standard input.
    #[arg(long, value_name = "JSON")]
    json: String,
}

pub fn run(args: &Args) -> ExitCode {
    let Ok(registry) = args.schema.registry() else {
        return ExitCode::FAILURE;
    };
    let text = if args.json == "-" {
        let mut text = String::new();
        if let Err(e) = std::io::stdin().lock().read_to_string(&mut text) {
            return crate::fail(format_args!("cannot read standard input: {e}"));
        }
        text
    } else {
        args.json.clone()
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(e) => return crate::fail(format_args!("invalid JSON: {e}")),
    };
    match registry.encode_boxed(&value) {
        Ok(bytes) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            println!("{hex}");
            ExitCode::SUCCESS
        }
        Err(e) => crate::fail(e),
    }
}
