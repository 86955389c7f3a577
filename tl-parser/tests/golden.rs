//! Golden trees for the tricky parts of the dialect: every field of the
//! AST, spans included, written out by hand.

use tl_parser::{
    Builtin, Category, Definition, Flag, GenericParam, Ident, Name, Param, ParamType, Schema, Span,
    TypeKind, TypeRef,
};

/// The span of the `nth` occurrence of `needle` in `src`.
fn at(src: &str, needle: &str, nth: usize) -> Span {
    let start = src
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} not in source"))
        .0;
    Span::new(start, start + needle.len())
}

fn name(full: &str) -> Name {
    let mut parts: Vec<Ident> = full.split('.').map(Ident::new).collect();
    let name = parts.pop().unwrap();
    Name {
        namespace: parts,
        name,
    }
}

fn ty(full: &str, kind: TypeKind, span: Span) -> TypeRef {
    let n = name(full);
    TypeRef {
        bare: n.name.starts_with(|c: char| c.is_ascii_lowercase()),
        name: n,
        generic_ref: false,
        args: vec![],
        kind,
        span,
    }
}

fn field(src: &str, text: &str, nth: usize, ty: TypeRef, flag: Option<(&str, u32)>) -> Param {
    Param {
        name: text.split(':').next().unwrap().into(),
        ty: ParamType::Normal {
            ty,
            flag: flag.map(|(field, bit)| Flag {
                field: field.into(),
                bit,
            }),
        },
        span: at(src, text, nth),
    }
}

fn flags(src: &str, text: &str) -> Param {
    Param {
        name: text.trim_end_matches(":#").into(),
        ty: ParamType::Flags,
        span: at(src, text, 0),
    }
}

fn parse(src: &str) -> Schema {
    match tl_parser::parse(src) {
        Ok(p) => {
            assert!(p.warnings.is_empty(), "{:?}", p.warnings);
            p.schema
        }
        Err(e) => panic!(
            "{}",
            e.iter()
                .map(|d| d.render("golden", src))
                .collect::<String>()
        ),
    }
}

#[test]
fn flags_and_flags2() {
    let src = "true#3fedd339 = True;\n\
               peer#f2390eb6 flags:# out:flags.1?true id:flags.0?long flags2:# \
               tags:flags2.31?Vector<string> = Peer;\n";
    let schema = parse(src);
    let def = &schema.definitions[1];
    let expected = Definition {
        name: name("peer"),
        category: Category::Type,
        id: 0xf2390eb6,
        explicit_id: Some(0xf2390eb6),
        computed_id: 0xf2390eb6,
        generics: vec![],
        params: vec![
            flags(src, "flags:#"),
            field(
                src,
                "out:flags.1?true",
                0,
                ty("true", TypeKind::True, at(src, "true", 1)),
                Some(("flags", 1)),
            ),
            field(
                src,
                "id:flags.0?long",
                0,
                ty("long", TypeKind::Long, at(src, "long", 0)),
                Some(("flags", 0)),
            ),
            flags(src, "flags2:#"),
            field(
                src,
                "tags:flags2.31?Vector<string>",
                0,
                TypeRef {
                    args: vec![ty("string", TypeKind::String, at(src, "string", 0))],
                    ..ty("Vector", TypeKind::Vector, at(src, "Vector<string>", 0))
                },
                Some(("flags2", 31)),
            ),
        ],
        result: ty("Peer", TypeKind::Boxed, at(src, "Peer;", 0).with_len(4)),
        doc: None,
        span: at(src, &src[src.find("peer#").unwrap()..src.len() - 1], 0),
    };
    assert_eq!(def, &expected);
    // `flags.N?true` fields are left out of the normalized form.
    assert_eq!(
        tl_parser::normalized_form(def),
        "peer flags:# id:flags.0?long flags2:# tags:flags2.31?Vector string = Peer"
    );
}

trait WithLen {
    fn with_len(self, len: usize) -> Span;
}

impl WithLen for Span {
    fn with_len(self, len: usize) -> Span {
        Span::new(self.start, self.start + len)
    }
}

#[test]
fn generics_and_generic_references() {
    let src = "---functions---\ninvokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;";
    let schema = parse(src);
    let expected = Definition {
        name: name("invokeWithLayer"),
        category: Category::Function,
        id: 0xda9b0d0d,
        explicit_id: Some(0xda9b0d0d),
        computed_id: 0xda9b0d0d,
        generics: vec![GenericParam {
            name: "X".into(),
            span: at(src, "{X:Type}", 0),
        }],
        params: vec![
            field(
                src,
                "layer:int",
                0,
                ty("int", TypeKind::Int, at(src, "int", 0)),
                None,
            ),
            field(
                src,
                "query:!X",
                0,
                TypeRef {
                    generic_ref: true,
                    ..ty("X", TypeKind::Generic, at(src, "!X", 0))
                },
                None,
            ),
        ],
        result: ty("X", TypeKind::Generic, at(src, "X;", 0).with_len(1)),
        doc: None,
        span: Span::new(16, src.len()),
    };
    assert_eq!(schema.definitions, vec![expected]);
}

#[test]
fn bare_vectors_and_bare_constructors() {
    let src = "future_salt#0949d9dc valid_since:int valid_until:int salt:long = FutureSalt;\n\
               future_salts#ae500895 req_msg_id:long now:int salts:vector future_salt = FutureSalts;\n\
               message msg_id:long seqno:int bytes:int body:Object = Message;\n\
               msg_container#29c1636d messages:vector<%Message> = MessageContainer;\n";
    let schema = parse(src);
    let salts = &schema.definitions[1];
    assert_eq!(
        salts.params[2],
        field(
            src,
            "salts:vector future_salt",
            0,
            TypeRef {
                args: vec![ty(
                    "future_salt",
                    TypeKind::BareConstructor,
                    at(src, "future_salt", 2)
                )],
                ..ty("vector", TypeKind::Vector, at(src, "vector future_salt", 0))
            },
            None
        )
    );
    let message = &schema.definitions[2];
    assert_eq!(
        (message.explicit_id, message.id, message.computed_id),
        (None, 0x5bb8e511, 0x5bb8e511)
    );
    assert_eq!(
        message.params[3],
        field(
            src,
            "body:Object",
            0,
            ty("Object", TypeKind::Object, at(src, "Object", 0)),
            None
        )
    );
    let container = &schema.definitions[3];
    assert_eq!(
        container.params[0],
        field(
            src,
            "messages:vector<%Message>",
            0,
            TypeRef {
                args: vec![TypeRef {
                    bare: true,
                    ..ty("Message", TypeKind::BareConstructor, at(src, "%Message", 0))
                }],
                ..ty("vector", TypeKind::Vector, at(src, "vector<%Message>", 0))
            },
            None
        )
    );
    assert_eq!(container.params[0].to_string(), "messages:vector<%Message>");
    assert_eq!(container.result.kind, TypeKind::Boxed);
}

#[test]
fn namespaces() {
    let src = "auth.sentCodeTypeApp#3dbb5986 length:int = auth.SentCodeType;\n\
               auth.sentCode#0ecac5a7 type:auth.SentCodeType phone_code_hash:string = auth.SentCode;\n\
               ---functions---\n\
               auth.sendCode#e244de1a phone_number:string = auth.SentCode;\n";
    let schema = parse(src);
    let sent = &schema.definitions[1];
    assert_eq!(sent.name, name("auth.sentCode"));
    assert_eq!(sent.name.namespace, ["auth"]);
    assert_eq!(sent.id, 0x0ecac5a7);
    assert_eq!(
        sent.params[0],
        field(
            src,
            "type:auth.SentCodeType",
            0,
            TypeRef {
                bare: false,
                ..ty(
                    "auth.SentCodeType",
                    TypeKind::Boxed,
                    at(src, "auth.SentCodeType", 1)
                )
            },
            None
        )
    );
    assert_eq!(
        sent.result,
        ty(
            "auth.SentCode",
            TypeKind::Boxed,
            at(src, "auth.SentCode;", 0).with_len(13)
        )
    );
    let send = &schema.definitions[2];
    assert_eq!(
        (send.category, send.name.full(), send.result.kind),
        (
            Category::Function,
            "auth.sendCode".to_owned(),
            TypeKind::Boxed
        )
    );
}

#[test]
fn comments_between_and_inside_definitions_and_docs() {
    let src = "\
// LAYER 7
///////////////////////////////
/// Banner text, then a blank line: documents nothing.
///////////////////////////////

/// A pong.
///
/// Sent in reply to `ping`.
pong#347773c5 msg_id:long ping_id:long = Pong; // trailing, not doc
// plain comment, not doc
a = A;
//@description Info about b @x the x
b x:int = B;
/** Block doc
 * second line
 */
c = C;
/* plain block */
d /* inside */ y:int // to the end of the line
  z:long = D;
/// not directly above: a blank line follows

e = E;
";
    let schema = parse(src);
    assert_eq!(schema.layer, Some(7));
    let docs: Vec<(String, Option<&str>)> = schema
        .definitions
        .iter()
        .map(|d| (d.name.full(), d.doc.as_deref()))
        .collect();
    assert_eq!(
        docs,
        [
            (
                "pong".to_owned(),
                Some("A pong.\n\nSent in reply to `ping`.")
            ),
            ("a".to_owned(), None),
            ("b".to_owned(), Some("@description Info about b @x the x")),
            ("c".to_owned(), Some("Block doc\nsecond line")),
            ("d".to_owned(), None),
            ("e".to_owned(), None),
        ]
    );
    let d = &schema.definitions[4];
    assert_eq!(d.params.len(), 2);
    assert_eq!(
        d.span,
        Span::new(src.find("d /*").unwrap(), src.find("= D;").unwrap() + 4)
    );
    assert_eq!(d.params[1].span, at(src, "z:long", 0));
    // Comments do not change the id.
    assert_eq!(tl_parser::normalized_form(d), "d y:int z:long = D");
}

#[test]
fn builtin_lines() {
    let src = "int ? = Int;\nvector {t:Type} # [ t ] = Vector t;\nint128 4*[ int ] = Int128;\n\
               x a:Int b:Int128 c:Vector<Int> = X;\n";
    let schema = parse(src);
    assert_eq!(
        schema.builtins,
        vec![
            Builtin {
                name: "int".into(),
                result: "Int".to_owned(),
                explicit_id: None,
                span: at(src, "int ? = Int;", 0),
            },
            Builtin {
                name: "vector".into(),
                result: "Vector t".to_owned(),
                explicit_id: None,
                span: at(src, "vector {t:Type} # [ t ] = Vector t;", 0),
            },
            Builtin {
                name: "int128".into(),
                result: "Int128".to_owned(),
                explicit_id: None,
                span: at(src, "int128 4*[ int ] = Int128;", 0),
            },
        ]
    );
    assert_eq!(schema.definitions.len(), 1);
    let kinds: Vec<TypeKind> = schema.definitions[0]
        .params
        .iter()
        .map(|p| match &p.ty {
            ParamType::Normal { ty, .. } => ty.kind,
            ParamType::Flags => unreachable!(),
        })
        .collect();
    assert_eq!(kinds, [TypeKind::Int, TypeKind::Int128, TypeKind::Vector]);
    let ParamType::Normal { ty: c, .. } = &schema.definitions[0].params[2].ty else {
        unreachable!()
    };
    assert_eq!(c.args[0].kind, TypeKind::Int);
    assert_eq!(
        schema.builtins[1].to_string(),
        "vector {t:Type} # [ t ] = Vector t;"
    );
}

#[test]
fn split_lines_missing_semicolon_crlf_and_layer_at_the_end() {
    let src = "bind_auth_key_inner#75a3f765 nonce:long temp_auth_key_id:long perm_auth_key_id:long \
               temp_session_id:long expires_at:int\r\n= BindAuthKeyInner;\r\n\
               new_session_created#9ec20908 first_msg_id:long unique_id:long server_salt:long = NewSession\r\n\
               \r\n\
               pong#347773c5 msg_id:long ping_id:long = Pong\r\n// LAYER 12\r\n";
    let schema = parse(src);
    assert_eq!(schema.layer, Some(12));
    let names: Vec<String> = schema.definitions.iter().map(|d| d.name.full()).collect();
    assert_eq!(
        names,
        ["bind_auth_key_inner", "new_session_created", "pong"]
    );
    let bind = &schema.definitions[0];
    assert_eq!(bind.params.len(), 5);
    assert_eq!(bind.span.end, src.find("Inner;").unwrap() + 6);
    let created = &schema.definitions[1];
    // Without `;` the span ends with the result type.
    assert_eq!(
        &src[created.span.start..created.span.end],
        "new_session_created#9ec20908 first_msg_id:long unique_id:long server_salt:long = NewSession"
    );
    assert!(schema
        .definitions
        .iter()
        .all(|d| d.explicit_id == Some(d.computed_id)));
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let src = "\u{feff}pong#347773c5 msg_id:long ping_id:long = Pong;";
    let schema = parse(src);
    assert_eq!(schema.definitions[0].span, Span::new(3, src.len()));
}

#[test]
fn empty_and_comment_only_files_are_valid_and_empty() {
    for src in ["", "\n\n", "// nothing\n/* at all */", "---functions---\n"] {
        let parsed = tl_parser::parse(src).unwrap();
        assert_eq!(parsed.schema, Schema::default(), "{src:?}");
        assert!(parsed.warnings.is_empty());
    }
}
