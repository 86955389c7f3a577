//! Parser for Telegram's Type Language (TL) schemas: turns the text of a
//! `.tl` file into a typed, validated syntax tree with byte spans, computes
//! and checks constructor ids, and reports every problem it finds as a
//! rustc-style [`Diagnostic`].
//!
//! It reads the whole dialect that Telegram's published schemas use:
//! `//` and `/* */` comments, `---types---` / `---functions---` sections,
//! optional `#id`s, namespaces (`auth.sendCode`), `flags:#` fields and
//! `flags.N?T` conditional fields (several flag fields per definition),
//! generics (`{X:Type}`, `!X`), `Vector<T>` / `vector<T>` / `vector t`, bare
//! types (`%T`, lowercase constructor names), builtin lines
//! (`int ? = Int;`, `vector {t:Type} # [ t ] = Vector t;`), `// LAYER N`, and
//! doc comments directly above a definition.
//!
//! Doc comments are the consecutive comment lines right above a definition
//! (a blank line or a plain `//` comment ends them) written `/// text`,
//! `//@key text` or `/** … */`. [`Definition::doc`] holds their text with
//! the markers stripped, one line per line: `/// text` gives `text`, a bare
//! `///` an empty line (a paragraph break), `//@key text` gives `@key text`
//! (the `@` kept so TDLib-style keys stay recognizable), and a `/** */`
//! block loses its leading `*`s. Banner lines of four or more slashes are
//! not doc.
//!
//! [`parse`] is the whole pipeline; [`parse_syntax`] stops after the
//! grammar, for tools that handle schemas that do not validate on their own.
//!
//! ```
//! let src = "
//! // LAYER 1
//! /// A pong.
//! pong#347773c5 msg_id:long ping_id:long = Pong;
//! ---functions---
//! ping#7abe77ec ping_id:long = Pong;
//! ";
//! let parsed = tl_parser::parse(src).unwrap();
//! let schema = parsed.schema;
//! assert_eq!(schema.layer, Some(1));
//! assert_eq!(schema.constructors().count(), 1);
//! let ping = schema.functions().next().unwrap();
//! assert_eq!(ping.id, 0x7abe77ec);
//! assert_eq!(ping.result.kind, tl_parser::TypeKind::Boxed);
//! assert_eq!(schema.definitions[0].doc.as_deref(), Some("A pong."));
//! ```
//!
//! An empty file (or one with only comments) is a valid schema with no
//! definitions. Errors point at the source:
//!
//! ```
//! let src = "foo a:Bar = Foo;\n";
//! let errors = tl_parser::parse(src).unwrap_err();
//! assert_eq!(errors[0].message, "unknown type `Bar`");
//! assert!(errors[0].render("x.tl", src).starts_with("x.tl:1:7: error: unknown type `Bar`\n"));
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod ast;
pub mod diagnostic;
mod grammar;
mod id;
mod validate;

pub use ast::*;
pub use diagnostic::{line_col, Diagnostic, Severity};
pub use id::{compute_id, normalized_form};

/// A schema that parsed and validated without errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The schema, with every [`TypeRef::kind`] resolved and every id set.
    pub schema: Schema,
    /// Warnings, in source order (for example explicit ids that differ from
    /// the computed ones).
    pub warnings: Vec<Diagnostic>,
}

/// Parses and validates one schema file.
///
/// On success every type reference is resolved and every definition has its
/// wire id ([`Definition::id`]: the explicit `#id`, else the computed one).
/// On failure the `Err` holds every error found, not only the first,
/// together with the warnings, sorted by position. Parsing resumes after
/// each syntax error at the next `;` or line break. Never panics, and runs
/// in time linear in the input.
pub fn parse(source: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let mut prepared = validate::Prepared::new(grammar::expected_definitions(source));
    let grammar::RawFile {
        mut schema,
        mut diagnostics,
        recovered,
    } = grammar::parse_file(source, Some(&mut prepared));
    validate::validate(source, &mut schema, &prepared, &recovered, &mut diagnostics);
    diagnostics.sort_by_key(|d| d.span.start);

    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors == 0 {
        return Ok(Parsed {
            schema,
            warnings: diagnostics,
        });
    }
    if errors > grammar::MAX_ERRORS {
        // Keep the output (and the time to render it) bounded.
        let mut kept = 0;
        diagnostics.retain(|d| {
            kept += usize::from(d.is_error());
            kept <= grammar::MAX_ERRORS
        });
        let at = diagnostics.last().map_or(Span::default(), |d| d.span);
        diagnostics.push(Diagnostic::error(
            at,
            format!(
                "too many errors: {} more not shown",
                errors - grammar::MAX_ERRORS
            ),
        ));
    }
    Err(diagnostics)
}

/// Parses without validating: the syntax tree as written, and the syntax
/// errors, for tools that work on schemas that may not be valid (or that
/// refer to types from other files).
///
/// Definitions that failed to parse are left out. Ids are set (the explicit
/// `#id`, else the computed one) but not checked. [`TypeRef::kind`] is set
/// only for the names every schema knows (`int`, `string`, `Vector`,
/// `Bool`, `true`, `Object`, …) and is [`TypeKind::Unresolved`] for the
/// rest. Nothing is checked beyond the grammar.
///
/// ```
/// let (schema, errors) = tl_parser::parse_syntax("a x:Elsewhere = A;\nb#zz = B;");
/// assert_eq!(schema.definitions.len(), 1);
/// assert_eq!(schema.definitions[0].params[0].name, "x");
/// assert_eq!(errors.len(), 1);
/// ```
pub fn parse_syntax(source: &str) -> (Schema, Vec<Diagnostic>) {
    let grammar::RawFile {
        schema,
        diagnostics,
        ..
    } = grammar::parse_file(source, None);
    (schema, diagnostics)
}
