//! The TL grammar as nom parsers, one function per rule, and the file-level
//! loop that collects comments, sections and definitions and recovers after
//! errors.
//!
//! ```text
//! file       = { comment | section | definition | builtin } ;
//! section    = "---types---" | "---functions---" ;
//! definition = full-name [ "#" hex-id ] { generic } { param } "=" type [ ";" ] ;
//! builtin    = full-name [ "#" hex-id ] { generic } ( "?" | "#" | "[" | digit ) … "=" text [ ";" ] ;
//! generic    = "{" ident ":" "Type" "}" ;
//! param      = ident ":" ( "#" | [ ident "." digits "?" ] [ "!" ] type ) ;
//! type       = [ "%" ] full-name [ "<" type { "," type } ">" ] ;
//!            | ( "vector" | "Vector" ) " " type ;
//! full-name  = ident { "." ident } ;
//! ident      = ( letter | "_" ) { letter | digit | "_" } ;   ASCII only
//! ```
//!
//! Whitespace and comments may separate the tokens of a definition, which
//! may therefore span several lines; the pieces of a field (`name:flags.0?T`)
//! are written without spaces, as in every real schema. The final `;` may be
//! left out when the definition ends its line.

use std::collections::HashSet;

use nom::bytes::complete::{tag, take_while};
use nom::character::complete::{char, digit1, hex_digit1};
use nom::combinator::cut;
use nom::error::{context, ContextError, ErrorKind, ParseError};
use nom::{Err, IResult, Parser};

use crate::ast::{
    Builtin, Category, Definition, Flag, GenericParam, Ident, Name, Param, ParamType, Schema, Span,
    TypeKind, TypeRef,
};
use crate::diagnostic::Diagnostic;

/// How deeply type arguments may nest (`Vector<Vector<…>>`). Real schemas
/// use two levels; the limit keeps recursion (here, in validation and in
/// printing) far from the stack's end on hostile input.
pub(crate) const MAX_TYPE_DEPTH: usize = 32;

/// After this many errors the rest of the file is not parsed: the first
/// ones are what a user fixes, and the cap bounds the cost of rendering.
pub(crate) const MAX_ERRORS: usize = 500;

/// A syntax error: where it happened and what was wrong. Boxed, so that
/// the results every rule returns stay small: errors are rare, results are
/// not.
#[derive(Debug)]
pub(crate) struct PError<'a>(Box<ErrorInfo<'a>>);

#[derive(Debug)]
pub(crate) struct ErrorInfo<'a> {
    /// The input remaining at the error; its length gives the offset.
    at: &'a str,
    msg: Msg,
    /// Length of the offending text in bytes, when the message knows it
    /// better than "the next token".
    len: Option<usize>,
}

#[derive(Debug)]
enum Msg {
    /// A nom primitive failed and no rule has said what it wanted yet.
    Nom,
    /// `expected …, found <next token>`.
    Expected(&'static str),
    /// A complete message.
    Custom(String),
    /// A `/*` without `*/`: nothing after it can be parsed.
    Unterminated,
}

impl<'a> ParseError<&'a str> for PError<'a> {
    fn from_error_kind(at: &'a str, _: ErrorKind) -> Self {
        PError::new(at, Msg::Nom, None)
    }

    fn append(_: &'a str, _: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        // The alternative that got further knows more about what went wrong.
        if other.0.at.len() < self.0.at.len() {
            other
        } else {
            self
        }
    }
}

impl<'a> ContextError<&'a str> for PError<'a> {
    fn add_context(_: &'a str, ctx: &'static str, mut other: Self) -> Self {
        // The innermost rule knows best what it expected.
        if let Msg::Nom = other.0.msg {
            other.0.msg = Msg::Expected(ctx);
        }
        other
    }
}

impl<'a> PError<'a> {
    fn new(at: &'a str, msg: Msg, len: Option<usize>) -> Self {
        PError(Box::new(ErrorInfo { at, msg, len }))
    }
}

type PResult<'a, T> = IResult<&'a str, T, PError<'a>>;

fn expected<'a, T>(at: &'a str, what: &'static str) -> PResult<'a, T> {
    Err(Err::Failure(PError::new(at, Msg::Expected(what), None)))
}

fn custom<'a, T>(at: &'a str, len: usize, msg: String) -> PResult<'a, T> {
    Err(Err::Failure(PError::new(at, Msg::Custom(msg), Some(len))))
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `IDENT[b]`: whether byte `b` may appear in a name. A table, because
/// this is the innermost loop of the parser.
static IDENT: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

/// `ident = ( letter | "_" ) { letter | digit | "_" }`, ASCII only.
fn ident(i: &str) -> PResult<'_, &str> {
    let bytes = i.as_bytes();
    let mut len = 0;
    while len < bytes.len() && IDENT[usize::from(bytes[len])] {
        len += 1;
    }
    if len == 0 || bytes[0].is_ascii_digit() {
        return Err(Err::Error(PError::from_error_kind(i, ErrorKind::Alpha)));
    }
    let (word, rest) = i.split_at(len);
    if bytes.get(len).is_some_and(|&b| b >= 0x80) {
        if let Some(c) = rest.chars().next().filter(|c| c.is_alphanumeric()) {
            return custom(rest, c.len_utf8(), non_ascii_message(c));
        }
    }
    Ok((rest, word))
}

/// What `cut(context(what, …))` does, for the hot rules: a soft failure of
/// a rule that must match here becomes a hard one saying what was expected.
fn must<'a, T>(what: &'static str, result: PResult<'a, T>) -> PResult<'a, T> {
    match result {
        Err(Err::Error(e)) => Err(Err::Failure(PError::add_context(e.0.at, what, e))),
        Err(Err::Failure(e)) => Err(Err::Failure(PError::add_context(e.0.at, what, e))),
        ok => ok,
    }
}

fn non_ascii_message(c: char) -> String {
    format!("non-ASCII character `{c}` in a name: TL names use ASCII letters, digits and `_`")
}

/// `full-name = ident { "." ident }`: `auth.sendCode`, `storage.FileType`.
fn full_name(i: &str) -> PResult<'_, Name> {
    let (rest, first) = ident(i)?;
    full_name_from(first, rest)
}

/// [`full_name`] once its first `ident` has been read.
fn full_name_from<'a>(first: &'a str, mut i: &'a str) -> PResult<'a, Name> {
    let mut namespace = Vec::new();
    let mut last = first;
    while let Some(r) = i.strip_prefix('.') {
        let (r, next) = must("a name after `.`", ident(r))?;
        if namespace.is_empty() {
            // Nearly always one level (`auth.`): allocate just that.
            namespace.reserve_exact(1);
        }
        namespace.push(Ident::new(last));
        last = next;
        i = r;
    }
    Ok((
        i,
        Name {
            namespace,
            name: Ident::new(last),
        },
    ))
}

/// Horizontal whitespace.
fn hws(i: &str) -> PResult<'_, &str> {
    take_while(|c| c == ' ' || c == '\t').parse(i)
}

/// Whitespace and comments between the tokens of a definition. Returns
/// whether a line break was crossed, which tells a definition that ends
/// without `;` from one that goes on.
fn ws(i: &str) -> PResult<'_, bool> {
    let mut i = i;
    let mut crossed = false;
    loop {
        let b = i.as_bytes();
        match b.first() {
            Some(b' ' | b'\t' | b'\r') => i = &i[1..],
            Some(b'\n') => {
                crossed = true;
                i = &i[1..];
            }
            Some(b'/') if b.get(1) == Some(&b'/') => {
                i = &i[i.find('\n').unwrap_or(i.len())..];
            }
            Some(b'/') if b.get(1) == Some(&b'*') => match i[2..].find("*/") {
                Some(k) => {
                    crossed |= i[2..2 + k].contains('\n');
                    i = &i[2 + k + 2..];
                }
                None => return Err(Err::Failure(PError::new(i, Msg::Unterminated, Some(2)))),
            },
            _ => return Ok((i, crossed)),
        }
    }
}

/// `"#" hex-id`, after the `#`: up to 8 hexadecimal digits.
fn hex_id(i: &str) -> PResult<'_, u32> {
    let (r, digits) = cut(context("a hexadecimal id after `#`", hex_digit1)).parse(i)?;
    if digits.len() > 8 {
        return custom(
            i,
            digits.len(),
            format!(
                "id `#{}` is too long: ids are 32 bits, at most 8 hex digits",
                truncate(digits)
            ),
        );
    }
    if let Some(c) = r.chars().next().filter(|&c| is_ident_char(c)) {
        return custom(
            r,
            c.len_utf8(),
            format!("invalid character `{c}` in a hexadecimal id"),
        );
    }
    let id = digits.bytes().fold(0u32, |acc, b| {
        (acc << 4) | (b as char).to_digit(16).unwrap_or(0)
    });
    Ok((r, id))
}

fn truncate(s: &str) -> &str {
    let mut end = s.len().min(40);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// What the file-level loop hands each definition: the state around it,
/// and scratch space reused from one definition to the next.
struct Context<'p> {
    /// The section the definition is in.
    category: Category,
    /// Doc comment lines read since the last definition.
    doc: Vec<String>,
    /// The fields of the definition being parsed; each definition's field
    /// vector is then allocated once, at its size.
    fields: Vec<Param>,
    /// The normalized text whose CRC32 is the id.
    normalized: String,
    /// What validation will index, taken from each definition as it is
    /// completed; `None` when the caller will not validate.
    prepared: Option<&'p mut crate::validate::Prepared>,
}

impl<'p> Context<'p> {
    fn new(prepared: Option<&'p mut crate::validate::Prepared>) -> Self {
        Context {
            category: Category::Type,
            doc: Vec::new(),
            fields: Vec::new(),
            normalized: String::new(),
            prepared,
        }
    }
}

/// The parsers that need to turn positions into byte offsets. Every rule
/// receives the rest of the input; its offset is the length of the whole
/// source minus the length of that rest.
#[derive(Clone, Copy)]
struct Grammar {
    len: usize,
}

impl Grammar {
    fn pos(self, rest: &str) -> usize {
        self.len - rest.len()
    }

    fn span(self, from: &str, to: &str) -> Span {
        Span::new(self.pos(from), self.pos(to))
    }

    /// `definition | builtin`, added to `schema` complete: id computed and
    /// checked, well-known names resolved, doc comment attached. Done here,
    /// while the definition is in the cache, and pushed once: a definition
    /// is a few hundred bytes, and returning it up to the loop cost a copy
    /// per level.
    fn item<'a>(self, i: &'a str, cx: &mut Context<'_>, schema: &mut Schema) -> PResult<'a, ()> {
        let fields = &mut cx.fields;
        fields.clear();
        let start = i;
        let (i, name) = context("a definition", full_name).parse(i)?;
        // The id is glued to the name (`vector#1cb5c415`); a `#` after a
        // space starts a builtin's body instead (`vector {t:Type} # [ t ]`).
        let (i, explicit_id) = match i.strip_prefix('#') {
            Some(r) => {
                let (r, id) = hex_id(r)?;
                (r, Some(id))
            }
            None => (i, None),
        };
        // `prev_end` is where the last token ended, `r` where the next one
        // starts, `crossed` whether a line break lies between them.
        let mut prev_end = i;
        let (mut r, mut crossed) = ws(i)?;
        let mut generics = Vec::new();
        while r.starts_with('{') {
            let (after, g) = self.generic(r)?;
            generics.push(g);
            prev_end = after;
            (r, crossed) = ws(after)?;
        }
        if starts_builtin_body(r) {
            let (rest, builtin) = self.builtin(start, name, explicit_id, r)?;
            cx.doc.clear();
            schema.builtins.push(builtin);
            return Ok((rest, ()));
        }

        let after_eq = loop {
            if let Some(after) = r.strip_prefix('=') {
                break after;
            }
            if r.starts_with('{') {
                return custom(
                    r,
                    1,
                    "generic parameters `{X:Type}` must come before the fields".to_owned(),
                );
            }
            match self.param(r) {
                Ok((after, p)) => {
                    fields.push(p);
                    prev_end = after;
                    (r, crossed) = ws(after)?;
                }
                Err(Err::Error(_)) => {
                    // What follows is not a field. On a new line it is most
                    // likely the next definition, so the one we are in was
                    // cut short: say so at the end of its last token.
                    let at = if crossed { hws(prev_end)?.0 } else { r };
                    return expected(at, "a field `name:type` or `=`");
                }
                Err(e) => return Err(e),
            }
        };

        let (r, _) = ws(after_eq)?;
        let (r, result) = must("a result type after `=`", self.type_ref(r, false, 0))?;
        let (rest, end) = terminator(r)?;
        let mut d = Definition {
            name,
            category: cx.category,
            id: 0,
            explicit_id,
            computed_id: 0,
            generics,
            params: exact_copy(fields),
            result,
            doc: None,
            span: self.span(start, end),
        };
        d.computed_id = crate::id::compute_id_with(&d, &mut cx.normalized);
        d.id = d.explicit_id.unwrap_or(d.computed_id);
        crate::validate::presolve(&mut d);
        if let Some(prepared) = cx.prepared.as_deref_mut() {
            prepared.record(&d);
        }
        d.doc = take_doc(&mut cx.doc);
        schema.definitions.push(d);
        Ok((rest, ()))
    }

    /// The body of a builtin line, from the `?`, `#`, `[` or count on:
    /// `? = Int;`, `# [ t ] = Vector t;`, `4*[ int ] = Int128;`. TL gives it
    /// more structure, but nothing a Telegram schema uses needs it.
    fn builtin<'a>(
        self,
        start: &'a str,
        name: Name,
        explicit_id: Option<u32>,
        body: &'a str,
    ) -> PResult<'a, Builtin> {
        let stop = body.find(['=', ';', '\n']).unwrap_or(body.len());
        let Some(r) = body[stop..].strip_prefix('=') else {
            return expected(&body[stop..], "`=` in the builtin definition");
        };
        let (r, _) = hws(r)?;
        let text_len = r.find([';', '\n']).unwrap_or(r.len());
        let result = r[..text_len].trim_end();
        if result.is_empty() {
            return expected(r, "a result type after `=`");
        }
        let (rest, end) = terminator(&r[result.len()..])?;
        Ok((
            rest,
            Builtin {
                name: Ident::from(name.full()),
                result: result.to_owned(),
                explicit_id,
                span: self.span(start, end),
            },
        ))
    }

    /// `generic = "{" ident ":" "Type" "}"`.
    fn generic(self, i: &str) -> PResult<'_, GenericParam> {
        let start = i;
        let (i, _) = char('{').parse(i)?;
        let (i, name) = cut(context("a generic parameter name after `{`", ident)).parse(i)?;
        let (i, _) = cut(context("`:` after the generic parameter name", char(':'))).parse(i)?;
        const TYPE: &str = "`Type` (generic parameters are written `{X:Type}`)";
        let (r, kind) = cut(context(TYPE, ident)).parse(i)?;
        if kind != "Type" {
            return expected(i, TYPE);
        }
        let (r, _) = cut(context("`}` to close the generic parameter", char('}'))).parse(r)?;
        Ok((
            r,
            GenericParam {
                name: Ident::new(name),
                span: self.span(start, r),
            },
        ))
    }

    /// `param = ident ":" ( "#" | [ flag ] [ "!" ] type )`. Fails softly
    /// (`Err::Error`) when the input does not start with `name:`, so that the
    /// caller can say it expected a field or `=`.
    fn param(self, i: &str) -> PResult<'_, Param> {
        let start = i;
        let (i, name) = ident(i)?;
        let Some(i) = i.strip_prefix(':') else {
            return Err(Err::Error(PError::from_error_kind(i, ErrorKind::Char)));
        };
        if let Some(r) = i.strip_prefix('#') {
            return Ok((
                r,
                Param {
                    name: Ident::new(name),
                    ty: ParamType::Flags,
                    span: self.span(start, r),
                },
            ));
        }
        // `flags.0?T` and a plain type both start with a name: read it once.
        let (r, ty, flag) = match ident(i) {
            Ok((after, word)) => match after.strip_prefix('.') {
                Some(bit) if bit.starts_with(|c: char| c.is_ascii_digit()) => {
                    let (after, flag) = flag_bit(word, bit)?;
                    let (r, ty) = must("a type after `?`", self.type_ref(after, true, 0))?;
                    (r, ty, Some(flag))
                }
                _ => {
                    let (r, ty) = self.named_type(i, word, after, false, false, 0)?;
                    (r, ty, None)
                }
            },
            Err(Err::Error(_)) => {
                let (r, ty) = must("a type after `:`", self.type_ref(i, true, 0))?;
                (r, ty, None)
            }
            Err(e) => return Err(e),
        };
        Ok((
            r,
            Param {
                name: Ident::new(name),
                ty: ParamType::Normal { ty, flag },
                span: self.span(start, r),
            },
        ))
    }

    /// `type = [ "!" ] [ "%" ] full-name [ "<" type { "," type } ">" ]`, or
    /// `vector t` with the argument after a space.
    fn type_ref(self, i: &str, allow_bang: bool, depth: usize) -> PResult<'_, TypeRef> {
        if depth > MAX_TYPE_DEPTH {
            return custom(
                i,
                1,
                format!("type arguments nested more than {MAX_TYPE_DEPTH} levels deep"),
            );
        }
        let start = i;
        let (i, bang) = match i.strip_prefix('!') {
            Some(r) if allow_bang => (r, true),
            _ => (i, false),
        };
        let (i, percent) = match i.strip_prefix('%') {
            Some(r) => (r, true),
            None => (i, false),
        };
        let (rest, first) = if bang || percent {
            must("a type name", ident(i))?
        } else {
            ident(i)?
        };
        self.named_type(start, first, rest, bang, percent, depth)
    }

    /// The rest of [`Grammar::type_ref`] once the first `ident` of the name
    /// (`first`, followed by `rest`) has been read.
    fn named_type<'a>(
        self,
        start: &'a str,
        first: &'a str,
        rest: &'a str,
        bang: bool,
        percent: bool,
        depth: usize,
    ) -> PResult<'a, TypeRef> {
        let (mut i, name) = full_name_from(first, rest)?;
        let mut args = Vec::new();
        if let Some(mut r) = i.strip_prefix('<') {
            loop {
                let (r2, arg) = must("a type argument", self.type_ref(r, false, depth + 1))?;
                if args.is_empty() {
                    // `Vector<T>` has one argument: allocate just that.
                    args.reserve_exact(1);
                }
                args.push(arg);
                if let Some(r3) = r2.strip_prefix(',') {
                    r = r3;
                } else if let Some(r3) = r2.strip_prefix('>') {
                    i = r3;
                    break;
                } else {
                    return expected(r2, "`>` to close the type arguments");
                }
            }
        } else if name.namespace.is_empty()
            && (name.name == "vector" || name.name == "Vector")
            && i.starts_with([' ', '\t'])
        {
            // `vector future_salt`: the argument follows after a space,
            // unless what follows is the next field (`name:`).
            let (r, _) = hws(i)?;
            if let Ok((r2, arg)) = self.type_ref(r, false, depth + 1) {
                if !r2.starts_with(':') {
                    args = vec![arg];
                    i = r2;
                }
            }
        }

        let bare = percent || name.name.starts_with(|c: char| c.is_ascii_lowercase());
        Ok((
            i,
            TypeRef {
                name,
                bare,
                generic_ref: bang,
                args,
                kind: TypeKind::Unresolved,
                span: self.span(start, i),
            },
        ))
    }

    /// `"---types---" | "---functions---"`, alone on its line.
    fn section(self, i: &str) -> PResult<'_, Category> {
        let (i, _) = tag("---").parse(i)?;
        let (r, name) = cut(context("`types` or `functions` after `---`", ident)).parse(i)?;
        let (r, _) = cut(context("`---` to close the section marker", tag("---"))).parse(r)?;
        let category = match name {
            "types" => Category::Type,
            "functions" => Category::Function,
            _ => {
                return custom(
                    i,
                    name.len(),
                    format!(
                        "unknown section `---{}---`: expected `---types---` or `---functions---`",
                        truncate(name)
                    ),
                )
            }
        };
        let (r, _) = hws(r)?;
        if !(r.is_empty() || r.starts_with(['\n', '\r']) || r.starts_with("//")) {
            return expected(r, "the end of the line after the section marker");
        }
        Ok((r, category))
    }

    fn diagnostic(self, e: &PError<'_>) -> Diagnostic {
        let e = &e.0;
        let start = self.pos(e.at);
        let (found, found_len) = describe(e.at);
        let (message, len) = match &e.msg {
            Msg::Custom(m) => (m.clone(), e.len.unwrap_or(found_len)),
            Msg::Unterminated => (
                "unterminated block comment: `/*` without `*/`".to_owned(),
                2,
            ),
            Msg::Expected(_) | Msg::Nom => match e.at.chars().next() {
                Some(c) if !c.is_ascii() && c.is_alphanumeric() => {
                    (non_ascii_message(c), c.len_utf8())
                }
                _ => {
                    let what = match &e.msg {
                        Msg::Expected(w) => w,
                        _ => "valid TL syntax",
                    };
                    (format!("expected {what}, found {found}"), found_len)
                }
            },
        };
        Diagnostic::error(Span::new(start, start + len), message)
    }
}

/// Moves the fields out into a vector of exactly their number, leaving the
/// scratch vector empty but with its capacity.
fn exact_copy(fields: &mut Vec<Param>) -> Vec<Param> {
    let mut params = Vec::with_capacity(fields.len());
    params.append(fields);
    params
}

/// Whether the text after a builtin's name starts its body (`?`, `#` on its
/// own, `[` or a repeat count) rather than a field.
fn starts_builtin_body(r: &str) -> bool {
    let b = r.as_bytes();
    match b.first() {
        Some(b'?' | b'[') => true,
        Some(c) if c.is_ascii_digit() => true,
        Some(b'#') => matches!(b.get(1), None | Some(b' ' | b'\t' | b'\r' | b'\n' | b'[')),
        _ => false,
    }
}

/// `flag = ident "." digits "?"`: the `flags.0?` before a conditional
/// type, from the digits on (`field` is the name before the `.`).
fn flag_bit<'a>(field: &str, digits_start: &'a str) -> PResult<'a, Flag> {
    let (after, digits) = digit1(digits_start)?;
    let Ok(bit) = digits.parse::<u32>() else {
        return custom(
            digits_start,
            digits.len(),
            format!(
                "flag bit `{}` is out of range: `#` fields have bits 0 to 31",
                truncate(digits)
            ),
        );
    };
    let (after, _) = must("`?` after the flag bit", char('?').parse(after))?;
    Ok((
        after,
        Flag {
            field: Ident::new(field),
            bit,
        },
    ))
}

/// The end of a definition: `;`, or the end of the line (or file) when the
/// `;` was left out. Returns the rest and the point where the span ends.
fn terminator(i: &str) -> PResult<'_, &str> {
    let (r, crossed) = ws(i)?;
    if let Some(r) = r.strip_prefix(';') {
        return Ok((r, r));
    }
    if crossed || r.is_empty() {
        return Ok((i, i));
    }
    expected(r, "`;` after the result type")
}

/// What the next token is, for `found …`, and its length in bytes.
fn describe(at: &str) -> (String, usize) {
    match at.chars().next() {
        None => ("end of file".to_owned(), 0),
        Some('\n' | '\r') => ("end of line".to_owned(), 0),
        Some('/') if at.starts_with("//") => ("end of line".to_owned(), 0),
        Some(c) if is_ident_char(c) => {
            let word_len = at.find(|c| !is_ident_char(c)).unwrap_or(at.len());
            let word = truncate(&at[..word_len]);
            (format!("`{word}`"), word.len())
        }
        Some(c) if c.is_whitespace() => ("whitespace".to_owned(), c.len_utf8()),
        Some(c) => (format!("`{}`", c.escape_debug()), c.len_utf8()),
    }
}

/// The result of the syntactic pass.
pub(crate) struct RawFile {
    /// Definitions with their ids, and kinds set only for the names every
    /// schema knows (see [`crate::validate::presolve`]).
    pub schema: Schema,
    pub diagnostics: Vec<Diagnostic>,
    /// Names written in definitions that failed to parse. Validation does not
    /// call references to them unknown: the real error is already reported.
    pub recovered: HashSet<String>,
}

/// How many definitions a source of this size likely holds, for reserving
/// once instead of regrowing large vectors: real schemas have a definition
/// per 100 to 120 bytes.
pub(crate) fn expected_definitions(src: &str) -> usize {
    src.len() / 96
}

/// What a `//` comment line means.
#[derive(Debug, PartialEq, Eq)]
enum LineComment<'a> {
    Layer(Option<u32>),
    Doc(&'a str),
    Plain,
}

fn classify_line_comment(line: &str) -> LineComment<'_> {
    let body = &line[2..];
    if let Some(rest) = body.trim_start().strip_prefix("LAYER") {
        let n = rest.trim();
        if rest.starts_with([' ', '\t']) && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            return LineComment::Layer(n.parse().ok());
        }
    }
    if let Some(rest) = body.strip_prefix('/') {
        // `///` but not `////…` banners.
        if !rest.starts_with('/') {
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            return LineComment::Doc(rest.trim_end());
        }
        return LineComment::Plain;
    }
    if body.starts_with('@') {
        return LineComment::Doc(body.trim_end());
    }
    LineComment::Plain
}

/// The lines of a `/** … */` comment's body (after `/**`, before `*/`).
fn block_doc_lines(body: &str, doc: &mut Vec<String>) {
    for line in body.lines() {
        let line = line.trim();
        let line = line.strip_prefix('*').unwrap_or(line);
        let line = line.strip_prefix(' ').unwrap_or(line);
        doc.push(line.trim_end().to_owned());
    }
}

/// Joins doc lines, dropping empty lines at either end.
fn take_doc(lines: &mut Vec<String>) -> Option<String> {
    let first = lines.iter().position(|l| !l.is_empty());
    let doc = first.map(|first| {
        let last = lines.iter().rposition(|l| !l.is_empty()).unwrap_or(first);
        lines[first..=last].join("\n")
    });
    lines.clear();
    doc
}

/// Parses a whole file: comments, layer, sections, definitions, builtins.
/// Never fails: errors are collected, and parsing resumes after the next
/// `;` or line break. With `prepared`, each definition is also recorded
/// there for validation's index.
pub(crate) fn parse_file(src: &str, prepared: Option<&mut crate::validate::Prepared>) -> RawFile {
    let g = Grammar { len: src.len() };
    let mut schema = Schema::default();
    let mut diagnostics = Vec::new();
    let mut recovered = HashSet::new();
    schema.definitions.reserve(expected_definitions(src));
    let mut errors = 0;
    let mut cx = Context::new(prepared);
    // Editors on some systems start UTF-8 files with a byte order mark.
    let mut rest = src.strip_prefix('\u{feff}').unwrap_or(src);
    // A comment after code on the same line documents nothing below it.
    let mut line_has_code = false;

    loop {
        let mut skipped = 0;
        let mut newlines = 0;
        for &b in rest.as_bytes() {
            match b {
                b'\n' => newlines += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => break,
            }
            skipped += 1;
        }
        let trimmed = &rest[skipped..];
        if newlines > 0 {
            line_has_code = false;
        }
        if newlines > 1 {
            cx.doc.clear();
        }
        rest = trimmed;
        if rest.is_empty() {
            break;
        }

        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            let line = rest[..end].trim_end_matches('\r');
            match classify_line_comment(line) {
                LineComment::Layer(n) => {
                    let span = g.span(rest, &rest[end..]);
                    match (n, schema.layer) {
                        (None, _) => diagnostics.push(Diagnostic::error(
                            span,
                            "layer number out of range: at most 4294967295",
                        )),
                        (Some(n), None) => schema.layer = Some(n),
                        (Some(n), Some(first)) => diagnostics.push(
                            Diagnostic::warning(span, format!("second `// LAYER` line ({n})"))
                                .with_note(format!("the first one, layer {first}, is used")),
                        ),
                    }
                    cx.doc.clear();
                }
                LineComment::Doc(text) if !line_has_code => cx.doc.push(text.to_owned()),
                _ => cx.doc.clear(),
            }
            rest = &rest[end..];
            continue;
        }

        if rest.starts_with("/*") {
            let Some(k) = rest[2..].find("*/") else {
                diagnostics.push(Diagnostic::error(
                    g.span(rest, &rest[2..]),
                    "unterminated block comment: `/*` without `*/`",
                ));
                break;
            };
            let body = &rest[2..2 + k];
            match body.strip_prefix('*') {
                Some(inner) if !line_has_code && !inner.starts_with('*') => {
                    block_doc_lines(inner, &mut cx.doc)
                }
                _ => cx.doc.clear(),
            }
            rest = &rest[2 + k + 2..];
            continue;
        }

        let result = if rest.starts_with("---") {
            g.section(rest).map(|(r, c)| {
                cx.category = c;
                cx.doc.clear();
                r
            })
        } else {
            g.item(rest, &mut cx, &mut schema).map(|(r, ())| r)
        };
        match result {
            Ok(r) => {
                rest = r;
                line_has_code = true;
            }
            Err(Err::Error(e) | Err::Failure(e)) => {
                errors += 1;
                diagnostics.push(g.diagnostic(&e));
                cx.doc.clear();
                if matches!(e.0.msg, Msg::Unterminated) {
                    break;
                }
                if errors >= MAX_ERRORS {
                    diagnostics.push(Diagnostic::error(
                        g.span(e.0.at, e.0.at),
                        format!(
                            "too many errors ({MAX_ERRORS}): the rest of the file is not checked"
                        ),
                    ));
                    break;
                }
                // Resume after the next `;` or line break.
                let at = e.0.at;
                let stop = at.find([';', '\n']).map_or(at.len(), |k| k + 1);
                let skipped = &rest[..rest.len() - at.len() + stop];
                remember_names(skipped, &mut recovered);
                line_has_code = at[..stop].ends_with(';');
                rest = &at[stop..];
            }
            Err(Err::Incomplete(_)) => {
                // Only complete parsers are used; treat it as the end.
                diagnostics.push(Diagnostic::error(
                    g.span(rest, rest),
                    "unexpected end of input",
                ));
                break;
            }
        }
    }
    RawFile {
        schema,
        diagnostics,
        recovered,
    }
}

/// Collects the definition name and the result type names written in text
/// that failed to parse.
fn remember_names(text: &str, names: &mut HashSet<String>) {
    let name_of = |s: &str| -> Option<String> {
        let s = s.trim_start_matches([' ', '\t', '\r', '\n', '%']);
        let len = s
            .find(|c: char| !(is_ident_char(c) || c == '.'))
            .unwrap_or(s.len());
        (len > 0).then(|| s[..len].to_owned())
    };
    names.extend(name_of(text));
    for (k, _) in text.match_indices('=') {
        names.extend(name_of(&text[k + 1..]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(src: &str) -> Definition {
        let g = Grammar { len: src.len() };
        let mut cx = Context::new(None);
        let mut schema = Schema::default();
        match g.item(src, &mut cx, &mut schema) {
            Ok(_) => schema
                .definitions
                .pop()
                .expect("a definition, not a builtin"),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn flag_condition_is_not_a_namespace() {
        let d = def("a x:flags.3?storage.FileType y:storage.FileType = A;");
        assert_eq!(d.params.len(), 2);
        let ParamType::Normal { ty, flag } = &d.params[0].ty else {
            panic!()
        };
        assert_eq!(flag.as_ref().unwrap().bit, 3);
        assert_eq!(ty.name.namespace, ["storage"]);
        let ParamType::Normal { flag, .. } = &d.params[1].ty else {
            panic!()
        };
        assert!(flag.is_none());
    }

    #[test]
    fn space_vector_argument_stops_before_next_field() {
        let d = def("a x:vector b:int = A;");
        assert_eq!(d.params.len(), 2);
        let d = def("a x:vector long b:int = A;");
        let ParamType::Normal { ty, .. } = &d.params[0].ty else {
            panic!()
        };
        assert_eq!(ty.args[0].name.name, "long");
    }

    #[test]
    fn builtin_body_detection() {
        assert!(starts_builtin_body("? = Int;"));
        assert!(starts_builtin_body("# [ t ]"));
        assert!(starts_builtin_body("4*[ int ]"));
        assert!(!starts_builtin_body("#1234"));
        assert!(!starts_builtin_body("flags:#"));
    }

    #[test]
    fn line_comment_classes() {
        let cases = [
            ("// LAYER 12", LineComment::Layer(Some(12))),
            ("//LAYER 12 ", LineComment::Layer(Some(12))),
            ("// LAYERS 12", LineComment::Plain),
            ("/// x ", LineComment::Doc("x")),
            ("///", LineComment::Doc("")),
            ("////////", LineComment::Plain),
            ("//@description d", LineComment::Doc("@description d")),
            ("// plain", LineComment::Plain),
        ];
        for (line, class) in cases {
            assert_eq!(classify_line_comment(line), class, "{line:?}");
        }
    }
}
