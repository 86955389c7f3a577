//! Hostile input for the schema parser: each malformed schema is refused
//! with the documented message at the right line and column.

// ---------------------------------------------------------------------------
// The schema parser

#[test]
fn schema_parser() {
    // (source, line, column, message fragment)
    let cases: &[(&str, usize, usize, &str)] = &[
        ("foo a:Bar = Foo;\n", 1, 7, "unknown type `Bar`"),
        ("foo", 1, 4, "expected a field `name:type` or `=`"),
        (
            "ok = Ok;\nfoo#xyz = Foo;\n",
            2,
            5,
            "expected a hexadecimal id",
        ),
        (
            "foo flags:# a:flags2.0?int = Foo;\n",
            1,
            15,
            "no flags field `flags2`",
        ),
        ("foo#1 = Foo;\nbar#1 = Bar;\n", 2, 1, "duplicate"),
    ];
    for (src, line, col, fragment) in cases {
        let errors = tl_parser::parse(src).expect_err(src);
        // Warnings (an explicit id that differs from the computed one) are
        // sorted in among the errors; the first error is the one meant.
        let first = errors.iter().find(|d| d.is_error()).unwrap();
        let (l, c) = tl_parser::line_col(src, first.span.start);
        assert!(
            first.message.contains(fragment),
            "{src:?}: {:?} lacks {fragment:?}",
            first.message
        );
        assert_eq!((l, c), (*line, *col), "{src:?}: {}", first.message);
    }
    // `Vector<…>` 33 deep, one more than the parser allows.
    let src = format!("a x:{}int{} = A;\n", "Vector<".repeat(33), ">".repeat(33));
    let errors = tl_parser::parse(&src).expect_err("too deep");
    assert!(
        errors[0]
            .message
            .contains("nested more than 32 levels deep"),
        "{}",
        errors[0].message
    );
}
