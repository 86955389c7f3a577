//! The typed syntax tree of a TL schema.
//!
//! Every node carries a [`Span`] (byte offsets into the source text) so that
//! diagnostics and tools can point at the exact place a definition came from.
//! Names are stored split into namespace and name (`auth.sendCode` is
//! namespace `["auth"]`, name `sendCode`).

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use compact_str::CompactString;

/// A half-open byte range `start..end` into the schema source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span covering `start..end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A name from the schema (`sendCode`, `flags`, `InputPeer`, `auth`).
///
/// Stored inline when it is at most 24 bytes long, which nearly every TL
/// name is, so parsing a schema does not allocate once per name; longer
/// names go to the heap. It reads as a `&str` through [`Deref`], compares
/// with `str`, and can key a map looked up by `&str` ([`Borrow<str>`]).
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ident(CompactString);

impl Ident {
    /// An identifier with the given text.
    pub fn new(text: &str) -> Self {
        Ident(CompactString::new(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Deref for Ident {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Ident {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl Borrow<str> for Ident {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

impl From<&str> for Ident {
    fn from(text: &str) -> Self {
        Ident::new(text)
    }
}

impl From<String> for Ident {
    fn from(text: String) -> Self {
        Ident(CompactString::from(text))
    }
}

impl From<Ident> for String {
    fn from(ident: Ident) -> Self {
        ident.0.into_string()
    }
}

impl PartialEq<str> for Ident {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Ident {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Ident {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Ident> for String {
    fn eq(&self, other: &Ident) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Ident> for str {
    fn eq(&self, other: &Ident) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Ident> for &str {
    fn eq(&self, other: &Ident) -> bool {
        *self == other.as_str()
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A parsed and validated schema file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    /// The number from a `// LAYER N` line, if the file has one.
    pub layer: Option<u32>,
    /// Constructors and functions, in source order. Builtin lines
    /// (`int ? = Int;`, `vector {t:Type} # [ t ] = Vector t;`,
    /// `int128 4*[ int ] = Int128;`) are not included; see [`Schema::builtins`].
    pub definitions: Vec<Definition>,
    /// Builtin lines, recorded so tools can show them, never generated.
    pub builtins: Vec<Builtin>,
}

impl Schema {
    /// Constructors (definitions in a `---types---` section).
    pub fn constructors(&self) -> impl Iterator<Item = &Definition> {
        self.definitions
            .iter()
            .filter(|d| d.category == Category::Type)
    }

    /// Functions (definitions in a `---functions---` section).
    pub fn functions(&self) -> impl Iterator<Item = &Definition> {
        self.definitions
            .iter()
            .filter(|d| d.category == Category::Function)
    }
}

/// A builtin line such as `int ? = Int;` or `vector {t:Type} # [ t ] = Vector t;`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Builtin {
    /// The name on the left (`int`, `vector`, `int128`).
    pub name: Ident,
    /// The type on the right (`Int`, `Vector t`, `Int128`), as written.
    pub result: String,
    /// The explicit id, if the line had one (`vector#1cb5c415 …`).
    pub explicit_id: Option<u32>,
    /// Where the line is.
    pub span: Span,
}

/// Whether a definition declares a constructor or a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// From a `---types---` section (the default at the top of a file).
    Type,
    /// From a `---functions---` section.
    Function,
}

/// A possibly namespaced identifier: `auth.sendCode`, `InputPeer`, `int`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name {
    /// Namespace components, outermost first (`["auth"]`), empty for none.
    pub namespace: Vec<Ident>,
    /// The last component (`sendCode`).
    pub name: Ident,
}

impl Name {
    /// The full dotted name, as written in the schema.
    pub fn full(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for ns in &self.namespace {
            f.write_str(ns)?;
            f.write_str(".")?;
        }
        f.write_str(&self.name)
    }
}

/// One constructor or function line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    /// The constructor or function name.
    pub name: Name,
    /// Constructor or function.
    pub category: Category,
    /// The id that travels on the wire: the explicit `#id` if written,
    /// otherwise the computed one.
    pub id: u32,
    /// The `#id` as written, if any.
    pub explicit_id: Option<u32>,
    /// CRC32 of the normalized line.
    pub computed_id: u32,
    /// Generic parameters: `{X:Type}`.
    pub generics: Vec<GenericParam>,
    /// The fields, in order.
    pub params: Vec<Param>,
    /// The type after `=`.
    pub result: TypeRef,
    /// Documentation from comments directly above the line (`///`, `//@`,
    /// `/** … */`), with the comment markers stripped; `None` when there is none.
    pub doc: Option<String>,
    /// The whole definition, from its first character to the `;` (or the end
    /// of its last token when the `;` is missing).
    pub span: Span,
}

/// A generic parameter `{X:Type}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenericParam {
    /// Its name (`X`).
    pub name: Ident,
    /// Where `{X:Type}` is.
    pub span: Span,
}

/// One field `name:type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The field name as written (`flags`, `req_msg_id`).
    pub name: Ident,
    /// Its type.
    pub ty: ParamType,
    /// Where `name:type` is.
    pub span: Span,
}

/// The type of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// `name:#`: a 32-bit flags word, computed from the flag fields on write.
    Flags,
    /// Any other field, possibly conditional on a flag bit.
    Normal {
        /// The field's type.
        ty: TypeRef,
        /// `flags.N?` when the field is conditional.
        flag: Option<Flag>,
    },
}

/// A `flags.N?` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// The name of the `#` field holding the bit (`flags`, `flags2`).
    pub field: Ident,
    /// The bit number, 0..=31.
    pub bit: u32,
}

/// A reference to a type: `int`, `InputPeer`, `Vector<long>`, `%Message`,
/// `vector future_salt`, `!X`, `X`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeRef {
    /// The type's name (`Vector`, `long`, `auth.SentCode`, `X`).
    pub name: Name,
    /// Bare: written with `%`, or the name starts with a lowercase letter.
    pub bare: bool,
    /// Written as `!X` (a generic parameter whose value is a serialized query).
    pub generic_ref: bool,
    /// Type arguments: `Vector<T>` / `Vector T` give one argument.
    pub args: Vec<TypeRef>,
    /// What the reference resolved to during validation.
    pub kind: TypeKind,
    /// Where the reference is written.
    pub span: Span,
}

/// What a [`TypeRef`] denotes, decided by validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// `int` (4 bytes).
    Int,
    /// `long` (8 bytes).
    Long,
    /// `double` (8 bytes).
    Double,
    /// `string`.
    String,
    /// `bytes`.
    Bytes,
    /// `int128`.
    Int128,
    /// `int256`.
    Int256,
    /// `Bool` (boolTrue / boolFalse).
    Bool,
    /// `true`, only meaningful as `flags.N?true`.
    True,
    /// `Vector<T>` (boxed, with id 0x1cb5c415) or `vector<T>` (bare); the
    /// element is `args[0]`.
    Vector,
    /// `Object`: any boxed value.
    Object,
    /// A generic parameter: `X` or `!X`.
    Generic,
    /// A boxed type declared by constructors of this schema (`InputPeer`).
    Boxed,
    /// A bare reference to a constructor of this schema (`future_salt`,
    /// `%Message`, `message`).
    BareConstructor,
    /// Not resolved yet (the parser's output before validation), or a type
    /// defined in another schema file that validation was told to accept.
    Unresolved,
}

// Printing. Everything below prints TL text that parses back to the same
// tree (apart from spans), so tools can rewrite schemas and tests can
// round-trip them.

impl TypeRef {
    /// Whether the reference was written with `%` (bare, but the name does
    /// not start with a lowercase letter).
    pub fn has_percent(&self) -> bool {
        self.bare && !self.name.name.starts_with(|c: char| c.is_ascii_lowercase())
    }
}

impl fmt::Display for TypeRef {
    /// `Vector<long>`, `%Message`, `!X`, `auth.SentCode`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.generic_ref {
            f.write_str("!")?;
        }
        if self.has_percent() {
            f.write_str("%")?;
        }
        write!(f, "{}", self.name)?;
        if let Some((first, rest)) = self.args.split_first() {
            write!(f, "<{first}")?;
            for arg in rest {
                write!(f, ",{arg}")?;
            }
            f.write_str(">")?;
        }
        Ok(())
    }
}

impl fmt::Display for Flag {
    /// `flags.0?`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}?", self.field, self.bit)
    }
}

impl fmt::Display for Param {
    /// `flags:#`, `id:long`, `peer:flags.2?InputPeer`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.name)?;
        match &self.ty {
            ParamType::Flags => f.write_str("#"),
            ParamType::Normal { ty, flag: None } => write!(f, "{ty}"),
            ParamType::Normal {
                ty,
                flag: Some(flag),
            } => write!(f, "{flag}{ty}"),
        }
    }
}

impl fmt::Display for GenericParam {
    /// `{X:Type}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}:Type}}", self.name)
    }
}

impl fmt::Display for Definition {
    /// The definition on one line, with its explicit id if it had one and
    /// without its doc comment: `ping#7abe77ec ping_id:long = Pong;`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(id) = self.explicit_id {
            write!(f, "#{id:08x}")?;
        }
        for g in &self.generics {
            write!(f, " {g}")?;
        }
        for p in &self.params {
            write!(f, " {p}")?;
        }
        write!(f, " = {};", self.result)
    }
}

impl fmt::Display for Builtin {
    /// The builtin line in its canonical form: `int ? = Int;`,
    /// `vector#1cb5c415 {t:Type} # [ t ] = Vector t;`, `int128 4*[ int ] = Int128;`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(id) = self.explicit_id {
            write!(f, "#{id:08x}")?;
        }
        let body = if self.result.starts_with("Vector") {
            "{t:Type} # [ t ]"
        } else if self.name == "int128" {
            "4*[ int ]"
        } else if self.name == "int256" {
            "8*[ int ]"
        } else {
            "?"
        };
        write!(f, " {body} = {};", self.result)
    }
}

impl fmt::Display for Schema {
    /// The whole schema: the layer line, the builtins, then the definitions
    /// with `---functions---` / `---types---` where the category changes, each
    /// preceded by its doc comment as `///` lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(layer) = self.layer {
            writeln!(f, "// LAYER {layer}\n")?;
        }
        for b in &self.builtins {
            writeln!(f, "{b}")?;
        }
        if !self.builtins.is_empty() {
            writeln!(f)?;
        }
        let mut category = Category::Type;
        for d in &self.definitions {
            if d.category != category {
                category = d.category;
                match category {
                    Category::Type => writeln!(f, "\n---types---\n")?,
                    Category::Function => writeln!(f, "\n---functions---\n")?,
                }
            }
            if let Some(doc) = &d.doc {
                for line in doc.lines() {
                    if line.is_empty() {
                        writeln!(f, "///")?;
                    } else {
                        writeln!(f, "/// {line}")?;
                    }
                }
            }
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}
