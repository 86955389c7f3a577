//! `tl-codegen` turns TL schemas into zero-copy Rust types for
//! [`mtproto-types`](https://docs.rs/mtproto-types), from a build script (like
//! `prost-build`) or from the `tlc` command line.
//!
//! Each schema becomes one Rust file with three modules: `types` (a struct
//! per constructor), `enums` (an enum per boxed type) and `functions` (a
//! struct per function, knowing its return type), with TL namespaces as
//! submodules. Strings, bytes and `Object`s borrow from the input when
//! decoded; every value knows its exact serialized length.
//!
//! In `build.rs`:
//!
//! ```no_run
//! tl_codegen::Builder::new()
//!     .schema("schema/mtproto.tl")
//!     .out_file("service.rs")
//!     .generate()
//!     .expect("the schema compiles");
//! ```
//!
//! and in `lib.rs`:
//!
//! ```ignore
//! pub mod service {
//!     include!(concat!(env!("OUT_DIR"), "/service.rs"));
//! }
//! ```
//!
//! Features: `dynamic` (the `dynamic` module's codec: any schema's bytes decoded
//! and encoded at run time, values as JSON) and `cli` (the `tlc` binary,
//! implies `dynamic`), both on by default. A build script needs neither:
//! depend on this crate with `default-features = false` to leave clap,
//! serde_json and flate2 out of the build.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "dynamic")]
pub mod dynamic;
mod emit;
mod format;
mod model;

use std::fmt;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use tl_parser::Schema;

/// Why code generation failed.
#[derive(Debug)]
pub enum Error {
    /// A schema file could not be read or the output not written.
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A schema has errors; `rendered` holds the diagnostics, rustc style.
    Schema {
        /// The schema file.
        path: PathBuf,
        /// Every diagnostic, rendered with file, line, column and caret.
        rendered: String,
    },
    /// A definition uses something the generator cannot express in Rust.
    Unsupported {
        /// The definition's TL name.
        definition: String,
        /// What is wrong with it.
        message: String,
    },
    /// Two TL names map to the same Rust name in the same module.
    NameClash {
        /// `types`, `enums` or `functions`.
        module: String,
        /// The Rust name both would get.
        rust_name: String,
        /// The first TL name.
        first: String,
        /// The second TL name.
        second: String,
    },
    /// `OUT_DIR` is not set (the Builder is not running in a build script)
    /// and no output path was given.
    NoOutDir,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Schema { rendered, .. } => f.write_str(rendered.trim_end()),
            Error::Unsupported {
                definition,
                message,
            } => write!(f, "cannot generate `{definition}`: {message}"),
            Error::NameClash {
                module,
                rust_name,
                first,
                second,
            } => write!(
                f,
                "`{first}` and `{second}` both become `{module}::{rust_name}`"
            ),
            Error::NoOutDir => f.write_str("OUT_DIR is not set; call generate_to() with a path"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// How generated code refers to its surroundings.
#[derive(Clone, Debug)]
pub struct Options {
    /// Path of the TL core crate in the generated code: `::mtproto_types`
    /// (the default) or `crate` when generating into `mtproto-types` itself.
    pub runtime_crate: String,
    /// Derive `serde::Serialize` on every type, behind the including
    /// crate's `serde` feature (`#[cfg_attr(feature = "serde", …)]`).
    pub serde: bool,
    /// Mark the boxed types' decoders (`enums::X::deserialize_into`, which
    /// `deserialize` wraps) `#[inline]` too, so that they can be inlined
    /// into callers in other crates. Worth it for a small layer on a hot
    /// path (the service messages: decoding a container of 1000 of them
    /// got 1.5x faster); for a whole application layer it mostly lengthens
    /// the build.
    ///
    /// Everything else is `#[inline]` either way. The constructors' bare
    /// decoders are, so that each inlines into its boxed type's decoder
    /// and builds its value in place of the variant, instead of returning
    /// it to be moved there (for `messages.messages` that move of a
    /// 528-byte `Message` was a fifth of decoding; inlined, decoding got
    /// 1.2x faster at no cost in build time). The boxed types' decoders in
    /// turn build their value in the memory it is decoded into (a `Vec`'s
    /// next element, a `Box`: `Deserialize::deserialize_into`), which took
    /// the move of each `Message` into its `Vec` away as well (another
    /// 1.1x). Serialization functions, `IntoStatic` and the enum
    /// conversions are compiled only in crates that call them.
    pub inline: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            runtime_crate: "::mtproto_types".into(),
            serde: false,
            inline: false,
        }
    }
}

/// Generates formatted Rust source for one parsed schema.
///
/// The file's top-level parts (the index functions, `types`, `enums`,
/// `functions`) are emitted and formatted on threads of their own:
/// formatting a whole application layer is most of a build script's run,
/// and build scripts run unoptimized.
pub fn generate(schema: &Schema, options: &Options) -> Result<String, Error> {
    let layer = model::lower(schema)?;
    let layer = &layer;
    let parts = std::thread::scope(|scope| {
        // Token streams cannot cross threads: each thread has its own
        // emitter over the shared model.
        let threads: Vec<_> = emit::Part::ALL
            .iter()
            .map(|&part| scope.spawn(move || format_part(layer, schema.layer, options, part)))
            .collect();
        threads
            .into_iter()
            .map(|thread| match thread.join() {
                Ok(part) => part,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect::<Result<Vec<String>, Error>>()
    })?;
    // Each part ends its last item; a blank line goes between them as
    // between the items inside each.
    let mut text = String::from("// @generated by tl-codegen from a TL schema. Do not edit.\n\n");
    text.push_str(&parts.join("\n"));
    Ok(text)
}

/// Emits and formats one part of the file.
fn format_part(
    layer: &model::Layer,
    layer_number: Option<u32>,
    options: &Options,
    part: emit::Part,
) -> Result<String, Error> {
    format::format(emitter(layer, layer_number, options)?.part(part))
}

/// The generated items as tokens, unformatted.
pub fn generate_tokens(schema: &Schema, options: &Options) -> Result<TokenStream, Error> {
    let layer = model::lower(schema)?;
    Ok(emitter(&layer, schema.layer, options)?.file())
}

fn emitter<'l>(
    layer: &'l model::Layer,
    layer_number: Option<u32>,
    options: &Options,
) -> Result<emit::Emitter<'l>, Error> {
    let runtime = &options.runtime_crate;
    Ok(emit::Emitter {
        layer,
        runtime: runtime.parse().map_err(|_| Error::Unsupported {
            definition: "(options)".into(),
            message: format!("`{runtime}` is not a crate path"),
        })?,
        serde: options.serde,
        layer_number,
        inline: options.inline,
    })
}

/// Parses a schema file, turning its diagnostics into an [`Error`].
/// Warnings (such as an explicit id that differs from the computed one)
/// are returned alongside, rendered.
pub fn parse_file(path: &Path) -> Result<(Schema, Vec<String>), Error> {
    let source = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let file = path.display().to_string();
    match tl_parser::parse(&source) {
        Ok(parsed) => {
            let warnings = parsed
                .warnings
                .iter()
                .map(|d| d.render(&file, &source))
                .collect();
            Ok((parsed.schema, warnings))
        }
        Err(diagnostics) => Err(Error::Schema {
            path: path.to_path_buf(),
            rendered: diagnostics
                .iter()
                .map(|d| d.render(&file, &source))
                .collect::<String>(),
        }),
    }
}

/// Generates formatted Rust from schema files merged into one layer (their
/// definitions concatenated in order); returns the source and the schemas'
/// rendered warnings.
pub fn generate_files(
    paths: &[PathBuf],
    options: &Options,
) -> Result<(String, Vec<String>), Error> {
    let mut merged = Schema::default();
    let mut all_warnings = Vec::new();
    for path in paths {
        let (schema, warnings) = parse_file(path)?;
        all_warnings.extend(warnings);
        merged.layer = merged.layer.or(schema.layer);
        merged.definitions.extend(schema.definitions);
        merged.builtins.extend(schema.builtins);
    }
    Ok((generate(&merged, options)?, all_warnings))
}

/// Generates Rust from schema files in a build script.
///
/// Several schemas are merged into one layer (their definitions
/// concatenated in order). Cargo is told to rerun the build script when any
/// of them changes.
#[derive(Clone, Debug, Default)]
pub struct Builder {
    schemas: Vec<PathBuf>,
    out_file: Option<String>,
    options: Options,
    quiet: bool,
}

impl Builder {
    /// A builder with no schemas and default [`Options`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a schema file.
    pub fn schema(mut self, path: impl AsRef<Path>) -> Self {
        self.schemas.push(path.as_ref().to_path_buf());
        self
    }

    /// Names the output file inside `OUT_DIR` (default: the first schema's
    /// file stem with `.rs`).
    pub fn out_file(mut self, name: impl Into<String>) -> Self {
        self.out_file = Some(name.into());
        self
    }

    /// Sets the path of the TL core crate (see [`Options::runtime_crate`]).
    pub fn runtime_crate(mut self, path: impl Into<String>) -> Self {
        self.options.runtime_crate = path.into();
        self
    }

    /// Derives `serde::Serialize` behind the `serde` feature (see [`Options::serde`]).
    pub fn serde(mut self, enabled: bool) -> Self {
        self.options.serde = enabled;
        self
    }

    /// Marks the boxed types' decoders `#[inline]` too (see
    /// [`Options::inline`]).
    pub fn inline(mut self, enabled: bool) -> Self {
        self.options.inline = enabled;
        self
    }

    /// Suppresses `cargo:warning` lines for schema warnings.
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    /// Generates the source text, without writing anything.
    pub fn generate_string(&self) -> Result<String, Error> {
        for path in &self.schemas {
            println!("cargo:rerun-if-changed={}", path.display());
        }
        let (text, warnings) = generate_files(&self.schemas, &self.options)?;
        if !self.quiet {
            for line in warnings.iter().flat_map(|w| w.lines()) {
                println!("cargo:warning={line}");
            }
        }
        Ok(text)
    }

    /// Writes the generated file to `path`, only if its content changed (so
    /// that an unchanged schema does not trigger a rebuild).
    pub fn generate_to(&self, path: impl AsRef<Path>) -> Result<PathBuf, Error> {
        let path = path.as_ref();
        let text = self.generate_string()?;
        if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(path, text).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
        }
        Ok(path.to_path_buf())
    }

    /// Writes the generated file into `OUT_DIR`; returns its path.
    pub fn generate(&self) -> Result<PathBuf, Error> {
        let out_dir = std::env::var_os("OUT_DIR").ok_or(Error::NoOutDir)?;
        let name = match &self.out_file {
            Some(name) => name.clone(),
            None => {
                let stem = self
                    .schemas
                    .first()
                    .and_then(|p| p.file_stem())
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "schema".into());
                format!("{stem}.rs")
            }
        };
        self.generate_to(Path::new(&out_dir).join(name))
    }
}
