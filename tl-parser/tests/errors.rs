//! Malformed schemas: each mistake gives the expected message at the exact
//! line and column (1-based, in characters), and nothing else goes wrong.

use tl_parser::{line_col, Diagnostic, Severity};

/// `(what, source, line, column, message fragment, number of errors)`.
type Case = (
    &'static str,
    &'static str,
    usize,
    usize,
    &'static str,
    usize,
);

const CASES: &[Case] = &[
    (
        "only a name",
        "foo",
        1,
        4,
        "expected a field `name:type` or `=`, found end of file",
        1,
    ),
    (
        "truncated field",
        "foo a:",
        1,
        7,
        "expected a type after `:`, found end of file",
        1,
    ),
    (
        "truncated after =",
        "foo a:int =",
        1,
        12,
        "expected a result type after `=`, found end of file",
        1,
    ),
    (
        "missing result",
        "foo = ;",
        1,
        7,
        "expected a result type after `=`, found `;`",
        1,
    ),
    (
        "id not hex",
        "foo#xyz = Foo;",
        1,
        5,
        "expected a hexadecimal id after `#`, found `xyz`",
        1,
    ),
    (
        "id with a bad digit",
        "foo#12g4 = Foo;",
        1,
        7,
        "invalid character `g` in a hexadecimal id",
        1,
    ),
    (
        "id too long",
        "foo#123456789 = Foo;",
        1,
        5,
        "id `#123456789` is too long",
        1,
    ),
    (
        "unclosed generic",
        "foo {X:Type = X;",
        1,
        12,
        "expected `}` to close the generic parameter, found whitespace",
        1,
    ),
    (
        "generic of a kind other than Type",
        "---functions---\nfoo {X:Int} q:!X = X;",
        2,
        8,
        "expected `Type` (generic parameters are written `{X:Type}`), found `Int`",
        1,
    ),
    (
        "unclosed type arguments",
        "foo a:Vector<int = Foo;",
        1,
        17,
        "expected `>` to close the type arguments, found whitespace",
        1,
    ),
    (
        "extra `>`",
        "foo a:Vector<int>> = Foo;",
        1,
        18,
        "expected a field `name:type` or `=`, found `>`",
        1,
    ),
    (
        "field without `:`",
        "foo a = Foo;",
        1,
        5,
        "expected a field `name:type` or `=`, found `a`",
        1,
    ),
    (
        "two definitions on a line without `;`",
        "foo = Foo bar = Bar;",
        1,
        11,
        "expected `;` after the result type, found `bar`",
        1,
    ),
    (
        "unknown boxed type",
        "foo a:Bar = Foo;",
        1,
        7,
        "unknown type `Bar`",
        1,
    ),
    (
        "unknown bare type",
        "foo a:bar = Foo;",
        1,
        7,
        "unknown type `bar`",
        1,
    ),
    (
        "unknown namespaced type",
        "foo a:auth.Bar = Foo;",
        1,
        7,
        "unknown type `auth.Bar`",
        1,
    ),
    (
        "flag without flags field",
        "foo a:flags.0?int = Foo;",
        1,
        7,
        "no flags field `flags` in `foo`",
        1,
    ),
    (
        "flags field after its use",
        "foo a:flags.0?int flags:# = Foo;",
        1,
        7,
        "flags field `flags` is declared after `a`, which uses it",
        1,
    ),
    (
        "flag on a field that is not `#`",
        "foo flags:int a:flags.0?int = Foo;",
        1,
        17,
        "`flags` is not a `#` field",
        1,
    ),
    (
        "flag on itself",
        "foo a:a.0?int = Foo;",
        1,
        7,
        "field `a` cannot be conditional on itself",
        1,
    ),
    (
        "flag bit 32",
        "foo flags:# a:flags.32?int = Foo;",
        1,
        21,
        "flag bit 32 is out of range: `#` fields have bits 0 to 31",
        1,
    ),
    (
        "flag bit past u32",
        "foo flags:# a:flags.99999999999?int = Foo;",
        1,
        21,
        "flag bit `99999999999` is out of range",
        1,
    ),
    (
        "flag without `?`",
        "foo flags:# a:flags.1int = Foo;",
        1,
        22,
        "expected `?` after the flag bit, found `int`",
        1,
    ),
    (
        "`!X` without `{X:Type}`",
        "---functions---\nfoo q:!X = X;",
        2,
        7,
        "`!X` refers to no generic parameter",
        2,
    ),
    (
        "unused generic",
        "---functions---\nfoo {X:Type} a:int = Bool;",
        2,
        5,
        "generic parameter `X` of `foo` is never used",
        1,
    ),
    (
        "generic after the fields",
        "foo a:int {X:Type} = Foo;",
        1,
        11,
        "generic parameters `{X:Type}` must come before the fields",
        1,
    ),
    (
        "type arguments on a generic",
        "---functions---\nfoo {X:Type} q:!X = X<int>;",
        2,
        21,
        "generic parameter `X` takes no type arguments",
        1,
    ),
    (
        "constructor of a generic result",
        "foo {X:Type} q:!X = X;",
        1,
        21,
        "the result of constructor `foo` cannot be a generic parameter",
        1,
    ),
    (
        "`!` inside type arguments",
        "foo a:Vector<!X> = Foo;",
        1,
        14,
        "expected a type argument, found `!`",
        1,
    ),
    (
        "Vector without argument",
        "foo a:Vector = Foo;",
        1,
        7,
        "`Vector` takes exactly one type argument, found 0",
        1,
    ),
    (
        "Vector with two arguments",
        "foo a:Vector<int,long> = Foo;",
        1,
        7,
        "`Vector` takes exactly one type argument, found 2",
        1,
    ),
    (
        "type arguments on a plain type",
        "foo a:Foo<int> = Foo;",
        1,
        7,
        "`Foo` takes no type arguments",
        1,
    ),
    (
        "`true` outside a flag",
        "foo a:true = Foo;",
        1,
        7,
        "`true` can only be the type of a flag field",
        1,
    ),
    (
        "`%T` with two constructors",
        "a = T;\nb = T;\nc x:%T = C;",
        3,
        5,
        "`%T` needs a type with exactly one constructor, but `T` has 2",
        1,
    ),
    (
        "lowercase constructor result",
        "foo = bar;",
        1,
        7,
        "the result of constructor `foo` must be a boxed type name",
        1,
    ),
    (
        "duplicate definition",
        "foo = Foo;\nfoo x:int = Foo;",
        2,
        1,
        "duplicate definition `foo`",
        1,
    ),
    (
        "duplicate id",
        "foo#00000001 = Foo;\nbar#00000001 = Foo;",
        2,
        1,
        "duplicate id #00000001: `foo` has the same id",
        1,
    ),
    (
        "duplicate field",
        "foo a:int a:long = Foo;",
        1,
        11,
        "duplicate field `a` in `foo`",
        1,
    ),
    (
        "duplicate generic",
        "---functions---\nfoo {X:Type} {X:Type} q:!X = X;",
        2,
        14,
        "duplicate generic parameter `X` in `foo`",
        1,
    ),
    (
        "non-ASCII inside a name",
        "föo = Foo;",
        1,
        2,
        "non-ASCII character `ö` in a name",
        1,
    ),
    (
        "non-ASCII at the start of a name",
        "éfoo = Foo;",
        1,
        1,
        "non-ASCII character `é` in a name",
        1,
    ),
    (
        "non-ASCII field type",
        "foo a:Страна = Foo;",
        1,
        7,
        "non-ASCII character `С` in a name",
        1,
    ),
    (
        "binary garbage",
        "\u{0}\u{1}\u{2}\u{7f}",
        1,
        1,
        "expected a definition, found `\\0`",
        1,
    ),
    (
        "stray punctuation",
        "= Foo;",
        1,
        1,
        "expected a definition, found `=`",
        1,
    ),
    (
        "raw angle brackets",
        "foo a:<<<<< = Foo;",
        1,
        7,
        "expected a type after `:`, found `<`",
        1,
    ),
    (
        "unterminated block comment",
        "foo = Foo;\n/* never closed",
        2,
        1,
        "unterminated block comment",
        1,
    ),
    (
        "unterminated comment inside a definition",
        "foo a:int /* oops",
        1,
        11,
        "unterminated block comment",
        1,
    ),
    (
        "unknown section",
        "---foo---\n",
        1,
        4,
        "unknown section `---foo---`",
        1,
    ),
    (
        "builtin without `=`",
        "int ? Int;",
        1,
        10,
        "expected `=` in the builtin definition, found `;`",
        1,
    ),
    (
        "unknown builtin",
        "nat ? = Nat;",
        1,
        1,
        "unknown builtin type `nat`",
        1,
    ),
    (
        "layer out of range",
        "// LAYER 99999999999\n",
        1,
        1,
        "layer number out of range",
        1,
    ),
    (
        "truncated line before the next definition",
        "foo a:int\nbar = Bar;\nx a:Foo = Bar;",
        1,
        10,
        "expected a field `name:type` or `=`, found end of line",
        2,
    ),
    (
        "truncated line before a comment",
        "foo a:int   // note\nbar = Bar;",
        1,
        13,
        "expected a field `name:type` or `=`, found end of line",
        1,
    ),
];

fn errors_of(src: &str) -> Vec<Diagnostic> {
    match tl_parser::parse(src) {
        Ok(p) => panic!("parsed, with warnings {:?}", p.warnings),
        Err(diagnostics) => diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect(),
    }
}

#[test]
fn each_mistake_is_reported_where_it_is() {
    assert!(CASES.len() >= 30);
    let mut failures = Vec::new();
    for &(what, src, line, col, fragment, count) in CASES {
        let errors = errors_of(src);
        let shown: String = errors.iter().map(|e| e.render("case.tl", src)).collect();
        let found = errors
            .iter()
            .any(|e| line_col(src, e.span.start) == (line, col) && e.message.contains(fragment));
        if !found || errors.len() != count {
            failures.push(format!(
                "{what}: want {line}:{col} `{fragment}` ({count} errors), got:\n{shown}"
            ));
        }
        // The rendered header carries the same position.
        assert!(shown.contains(&format!("case.tl:{line}:{col}: error: ")) || !found);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn recovery_reports_every_error_and_keeps_the_good_definitions_quiet() {
    let src = "\
a#zz = A;
b x:int = B;
c x:Nope = C;
d x:flags.40?int = D;
e x:int y:Vector<int = E;
f = F;
g = g;
";
    let errors = errors_of(src);
    let at: Vec<(usize, usize)> = errors.iter().map(|e| line_col(src, e.span.start)).collect();
    assert_eq!(
        at,
        [(1, 3), (3, 5), (4, 5), (4, 11), (5, 21), (7, 5)],
        "{errors:#?}"
    );
}

#[test]
fn definitions_that_failed_to_parse_cause_no_unknown_type_noise() {
    // `A` and `b` are declared by broken lines; using them is not an error.
    let src = "a#zz = A;\nb x:int y:@ = B;\nc x:A y:b = C;\n";
    let errors = errors_of(src);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors.iter().all(|e| !e.message.contains("unknown type")));
}

#[test]
fn a_one_megabyte_line_is_reported_in_a_bounded_window_quickly() {
    let src = format!("foo a:int {}", "b".repeat(1 << 20));
    let start = std::time::Instant::now();
    let errors = errors_of(&src);
    assert_eq!(errors.len(), 1);
    assert_eq!(line_col(&src, errors[0].span.start), (1, 11));
    assert!(errors[0]
        .message
        .starts_with("expected a field `name:type` or `=`, found `bbb"));
    let shown = errors[0].render("big.tl", &src);
    assert!(shown.len() < 500, "{} bytes", shown.len());
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());

    // A valid 1 MB line parses.
    let long = format!("foo {} = Foo;", "a:int ".repeat(1 << 17).trim_end());
    assert!(tl_parser::parse(&long).is_err(), "duplicate fields");
    let fields: String = (0..100_000).map(|i| format!(" f{i}:int")).collect();
    let long = format!("foo{fields} = Foo;");
    assert!(long.len() > 900_000);
    let parsed = tl_parser::parse(&long).unwrap();
    assert_eq!(parsed.schema.definitions[0].params.len(), 100_000);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let src = format!("foo a:{}int = Foo;", "Vector<".repeat(100_000));
    let errors = errors_of(&src);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].message.contains("nested more than 32 levels"),
        "{}",
        errors[0].message
    );
    // The 33rd nested `Vector<` is where it stops: column 7 + 33 * 7.
    assert_eq!(line_col(&src, errors[0].span.start), (1, 7 + 33 * 7));

    let src = format!("foo a:{}int = Foo;", "vector ".repeat(100_000));
    assert!(tl_parser::parse(&src).is_err());
    let src = "<".repeat(1 << 20);
    assert_eq!(errors_of(&src).len(), 1);
}

#[test]
fn many_errors_are_capped() {
    let src = "x;".repeat(100_000);
    let errors = errors_of(&src);
    assert!(errors.len() <= 502, "{}", errors.len());
    assert!(errors.last().unwrap().message.contains("too many errors"));
}

#[test]
fn an_empty_file_is_a_valid_empty_schema() {
    let parsed = tl_parser::parse("").unwrap();
    assert_eq!(parsed.schema.definitions.len(), 0);
    assert_eq!(parsed.schema.layer, None);
}

#[test]
fn id_mismatch_is_a_warning_with_the_normalized_form() {
    let src = "ping#00000001 ping_id:long = Pong;";
    let parsed = tl_parser::parse(src).unwrap();
    assert_eq!(parsed.schema.definitions[0].id, 1);
    assert_eq!(parsed.schema.definitions[0].computed_id, 0x7abe77ec);
    let w = &parsed.warnings[0];
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(line_col(src, w.span.start), (1, 5));
    assert_eq!(
        w.render("w.tl", src),
        "w.tl:1:5: warning: explicit id #00000001 of `ping` differs from its computed id #7abe77ec\n  |\n\
         1 | ping#00000001 ping_id:long = Pong;\n  |     ^^^^^^^^^\n  = note: the id is computed from \
         `ping ping_id:long = Pong`; the explicit id is the one used on the wire\n"
    );
}

#[test]
fn hostile_repetition_stays_fast() {
    let start = std::time::Instant::now();
    // 100 000 generic parameters of the same name.
    let src = format!(
        "---functions---\nfoo{} q:!X = X;",
        " {X:Type}".repeat(100_000)
    );
    let errors = errors_of(&src);
    assert!(errors[0]
        .message
        .contains("duplicate generic parameter `X`"));
    // 50 000 definitions of the same name, each referring to a type with
    // two constructors through `%`.
    let src = "a = T;\nb = T;\n".to_owned() + &"c x:%T = C;\n".repeat(50_000);
    let errors = errors_of(&src);
    assert!(errors
        .iter()
        .any(|e| e.message.contains("duplicate definition `c`")));
    assert!(errors.iter().any(|e| e
        .message
        .contains("`%T` needs a type with exactly one constructor")));
    // 100 000 flag fields pointing at a flags field declared last.
    let fields: String = (0..100_000).map(|i| format!(" f{i}:flags.0?int")).collect();
    let src = format!("foo{fields} flags:# = Foo;");
    assert!(errors_of(&src)[0].message.contains("is declared after"));
    // Quadratic behaviour would take hours here; the bound leaves room for slow machines.
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
}
