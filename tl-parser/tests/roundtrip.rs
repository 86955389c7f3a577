//! Property tests: random valid schemas survive printing and parsing back;
//! random input never panics the parser.

use mtproto_test_support::schema::{check_parse, strip_spans};
use proptest::prelude::*;
use tl_parser::{
    Builtin, Category, Definition, Flag, GenericParam, Name, Param, ParamType, Schema, Span,
    TypeKind, TypeRef,
};

fn name(namespace: Option<&str>, name: String) -> Name {
    Name {
        namespace: namespace.map(|n| vec![n.into()]).unwrap_or_default(),
        name: name.into(),
    }
}

fn type_ref(name: Name, bare: bool, kind: TypeKind, args: Vec<TypeRef>) -> TypeRef {
    TypeRef {
        name,
        bare,
        generic_ref: false,
        args,
        kind,
        span: Span::default(),
    }
}

/// A boxed type of the schema: its name and how many constructors it has.
#[derive(Clone, Debug)]
struct Boxed {
    name: Name,
    constructors: Vec<Name>,
}

/// What a field's type may be, chosen before the schema's names are known.
#[derive(Clone, Debug)]
enum Shape {
    Primitive(usize),
    Bool,
    Vector(Box<Shape>, bool),
    Boxed(usize),
    BareConstructor(usize),
    Percent(usize),
}

const PRIMITIVES: [(&str, TypeKind); 7] = [
    ("int", TypeKind::Int),
    ("long", TypeKind::Long),
    ("double", TypeKind::Double),
    ("string", TypeKind::String),
    ("bytes", TypeKind::Bytes),
    ("int128", TypeKind::Int128),
    ("int256", TypeKind::Int256),
];

fn shape() -> impl Strategy<Value = Shape> {
    let leaf = prop_oneof![
        (0..PRIMITIVES.len()).prop_map(Shape::Primitive),
        Just(Shape::Bool),
        any::<usize>().prop_map(Shape::Boxed),
        any::<usize>().prop_map(Shape::BareConstructor),
        any::<usize>().prop_map(Shape::Percent),
    ];
    leaf.prop_recursive(2, 4, 1, |inner| {
        (inner, any::<bool>()).prop_map(|(s, bare)| Shape::Vector(Box::new(s), bare))
    })
}

fn build(shape: &Shape, types: &[Boxed]) -> TypeRef {
    match shape {
        Shape::Primitive(k) => {
            let (n, kind) = PRIMITIVES[*k];
            type_ref(name(None, n.to_owned()), true, kind, vec![])
        }
        Shape::Bool => type_ref(name(None, "Bool".to_owned()), false, TypeKind::Bool, vec![]),
        Shape::Vector(inner, bare) => type_ref(
            name(None, if *bare { "vector" } else { "Vector" }.to_owned()),
            *bare,
            TypeKind::Vector,
            vec![build(inner, types)],
        ),
        Shape::Boxed(k) => {
            let t = &types[k % types.len()];
            type_ref(t.name.clone(), false, TypeKind::Boxed, vec![])
        }
        Shape::BareConstructor(k) => {
            let t = &types[k % types.len()];
            let c = &t.constructors[k / types.len() % t.constructors.len()];
            type_ref(c.clone(), true, TypeKind::BareConstructor, vec![])
        }
        Shape::Percent(k) => match types
            .iter()
            .cycle()
            .skip(k % types.len())
            .take(types.len())
            .find(|t| t.constructors.len() == 1)
        {
            Some(t) => type_ref(t.name.clone(), true, TypeKind::BareConstructor, vec![]),
            None => build(&Shape::Boxed(*k), types),
        },
    }
}

/// One field: `Some(bit)` makes it conditional on the definition's `flags`
/// field (`None` bit with `true` type is not generated).
#[derive(Clone, Debug)]
struct FieldPlan {
    shape: Shape,
    flag: Option<u32>,
    is_true: bool,
}

fn field_plan() -> impl Strategy<Value = FieldPlan> {
    (shape(), proptest::option::of(0u32..32), any::<bool>()).prop_map(|(shape, flag, t)| {
        FieldPlan {
            shape,
            is_true: t && flag.is_some(),
            flag,
        }
    })
}

#[derive(Clone, Copy, Debug)]
enum ExplicitId {
    Missing,
    Computed,
    Other(u32),
}

#[derive(Clone, Debug)]
struct DefPlan {
    fields: Vec<FieldPlan>,
    /// No `#id`, the computed one written out, or some other one.
    explicit_id: ExplicitId,
    doc: Option<Vec<String>>,
    generic: bool,
    result: Shape,
}

fn doc_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        proptest::collection::vec("[a-zA-Z0-9`@.,]{1,8}", 1..5).prop_map(|w| w.join(" ")),
    ]
}

fn def_plan() -> impl Strategy<Value = DefPlan> {
    (
        proptest::collection::vec(field_plan(), 0..6),
        prop_oneof![
            Just(ExplicitId::Missing),
            Just(ExplicitId::Computed),
            any::<u32>().prop_map(ExplicitId::Other),
        ],
        proptest::option::of(proptest::collection::vec(doc_line(), 1..4)),
        any::<bool>(),
        shape(),
    )
        .prop_map(|(fields, explicit_id, doc, generic, result)| DefPlan {
            fields,
            explicit_id,
            doc,
            generic,
            result,
        })
}

fn definition(
    plan: &DefPlan,
    def_name: Name,
    category: Category,
    result: TypeRef,
    types: &[Boxed],
) -> Definition {
    let mut params = Vec::new();
    if plan.fields.iter().any(|f| f.flag.is_some()) {
        params.push(Param {
            name: "flags".into(),
            ty: ParamType::Flags,
            span: Span::default(),
        });
    }
    for (k, f) in plan.fields.iter().enumerate() {
        let ty = if f.is_true {
            type_ref(name(None, "true".to_owned()), true, TypeKind::True, vec![])
        } else {
            build(&f.shape, types)
        };
        params.push(Param {
            name: format!("f{k}").into(),
            ty: ParamType::Normal {
                ty,
                flag: f.flag.map(|bit| Flag {
                    field: "flags".into(),
                    bit,
                }),
            },
            span: Span::default(),
        });
    }
    let mut generics = Vec::new();
    let mut result = result;
    if plan.generic && category == Category::Function {
        generics.push(GenericParam {
            name: "X".into(),
            span: Span::default(),
        });
        params.push(Param {
            name: "query".into(),
            ty: ParamType::Normal {
                ty: TypeRef {
                    generic_ref: true,
                    ..type_ref(name(None, "X".to_owned()), false, TypeKind::Generic, vec![])
                },
                flag: None,
            },
            span: Span::default(),
        });
        result = type_ref(name(None, "X".to_owned()), false, TypeKind::Generic, vec![]);
    }
    let mut def = Definition {
        name: def_name,
        category,
        id: 0,
        explicit_id: None,
        computed_id: 0,
        generics,
        params,
        result,
        doc: plan.doc.as_ref().and_then(|lines| {
            let first = lines.iter().position(|l| !l.is_empty())?;
            let last = lines.iter().rposition(|l| !l.is_empty())?;
            Some(lines[first..=last].join("\n"))
        }),
        span: Span::default(),
    };
    def.computed_id = tl_parser::compute_id(&def);
    def.explicit_id = match plan.explicit_id {
        ExplicitId::Missing => None,
        ExplicitId::Computed => Some(def.computed_id),
        ExplicitId::Other(id) => Some(id),
    };
    def.id = def.explicit_id.unwrap_or(def.computed_id);
    def
}

prop_compose! {
    fn schema()(
        type_plans in proptest::collection::vec((any::<bool>(), proptest::collection::vec(def_plan(), 1..4)), 1..5),
        function_plans in proptest::collection::vec(def_plan(), 0..5),
        functions_in_the_middle in any::<bool>(),
        layer in proptest::option::of(any::<u32>()),
        builtins in any::<bool>(),
    ) -> Schema {
        let types: Vec<Boxed> = type_plans
            .iter()
            .enumerate()
            .map(|(t, (namespaced, plans))| Boxed {
                name: name(namespaced.then_some("ns"), format!("Type{t}")),
                constructors: (0..plans.len())
                    .map(|c| name(namespaced.then_some("ns"), format!("type{t}_{c}")))
                    .collect(),
            })
            .collect();
        let mut constructors = Vec::new();
        for ((_, plans), t) in type_plans.iter().zip(&types) {
            for (plan, c) in plans.iter().zip(&t.constructors) {
                let result = type_ref(t.name.clone(), false, TypeKind::Boxed, vec![]);
                constructors.push(definition(plan, c.clone(), Category::Type, result, &types));
            }
        }
        let functions: Vec<Definition> = function_plans
            .iter()
            .enumerate()
            .map(|(k, plan)| {
                let result = build(&plan.result, &types);
                definition(plan, name((k % 2 == 0).then_some("fns"), format!("call{k}")), Category::Function, result, &types)
            })
            .collect();
        let mut definitions = constructors;
        if functions_in_the_middle {
            let tail = definitions.split_off(definitions.len() / 2);
            definitions.extend(functions);
            definitions.extend(tail);
        } else {
            definitions.extend(functions);
        }
        let builtins = if builtins {
            vec![
                Builtin { name: "int".into(), result: "Int".into(), explicit_id: None, span: Span::default() },
                Builtin { name: "vector".into(), result: "Vector t".into(), explicit_id: Some(0x1cb5c415), span: Span::default() },
                Builtin { name: "int128".into(), result: "Int128".into(), explicit_id: None, span: Span::default() },
            ]
        } else {
            vec![]
        };
        Schema { layer, definitions, builtins }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn printed_schemas_parse_back_to_the_same_tree(schema in schema()) {
        let text = schema.to_string();
        let parsed = match tl_parser::parse(&text) {
            Ok(p) => p,
            Err(e) => {
                let shown: String = e.iter().map(|d| d.render("printed.tl", &text)).collect();
                return Err(TestCaseError::fail(format!("{text}\n{shown}")));
            }
        };
        // Only explicit ids that differ from the computed ones warn.
        let mismatches = schema.definitions.iter().filter(|d| d.id != d.computed_id).count();
        prop_assert_eq!(parsed.warnings.len(), mismatches);
        prop_assert_eq!(strip_spans(parsed.schema), schema, "{}", text);
    }

    #[test]
    fn any_string_parses_or_fails_without_panicking(src in any::<String>()) {
        check_parse(&src);
    }

    #[test]
    fn tl_token_soup_parses_or_fails_without_panicking(
        tokens in proptest::collection::vec(
            prop_oneof![
                Just("foo"), Just("Foo"), Just("auth.Bar"), Just("#"), Just("#1cb5c415"), Just(":"),
                Just("="), Just(";"), Just("{X:Type}"), Just("!X"), Just("%"), Just("<"), Just(">"),
                Just(","), Just("flags.0?"), Just("flags:#"), Just("Vector"), Just("vector"), Just("int"),
                Just("true"), Just("?"), Just("["), Just("]"), Just("---types---"), Just("---functions---"),
                Just("// c"), Just("/// d"), Just("/*"), Just("*/"), Just("\n"), Just(" "), Just("é"),
                Just("// LAYER 5"), Just("4*"), Just("."), Just("0"), Just("\u{0}"),
            ],
            0..60,
        )
    ) {
        let src: String = tokens.concat();
        check_parse(&src);
    }
}

const MTPROTO: &str = include_str!("../../tests/corpus/grammers-mtproto.tl");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Real text with random damage: cut, duplicated or replaced pieces.
    #[test]
    fn damaged_real_schemas_parse_or_fail_without_panicking(
        edits in proptest::collection::vec(
            (any::<proptest::sample::Index>(), 0usize..40, prop_oneof![
                Just(""), Just(";"), Just("\n"), Just("<"), Just("}"), Just("#"), Just("/*"),
                Just("?"), Just(":"), Just("é"), Just("flags.99?"), Just("%"), Just("!"),
            ]),
            1..8,
        )
    ) {
        let mut src = MTPROTO.to_owned();
        for (at, cut, insert) in edits {
            let mut start = at.index(src.len());
            while !src.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + cut).min(src.len());
            while !src.is_char_boundary(end) {
                end -= 1;
            }
            src.replace_range(start..end, insert);
        }
        check_parse(&src);
    }
}

#[test]
fn service_messages_from_the_protocol_documentation_parse() {
    let src = include_str!("fixtures/service-messages.tl");
    let parsed = tl_parser::parse(src).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(|d| d.render("service-messages.tl", src))
                .collect::<String>()
        )
    });
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let schema = parsed.schema;
    assert_eq!(schema.definitions.len(), 21);
    let by_name = |n: &str| {
        schema
            .definitions
            .iter()
            .find(|d| d.name.full() == n)
            .unwrap()
    };
    let salts = by_name("future_salts");
    let ParamType::Normal { ty, .. } = &salts.params[2].ty else {
        panic!()
    };
    assert_eq!(
        (ty.kind, ty.args[0].kind),
        (TypeKind::Vector, TypeKind::BareConstructor)
    );
    assert_eq!(by_name("new_session_created").id, 0x9ec20908);
    assert_eq!(by_name("message").explicit_id, None);
    let container = by_name("msg_container");
    assert_eq!(container.id, 0x73f1f8dc);
    let ParamType::Normal { ty, .. } = &container.params[0].ty else {
        panic!()
    };
    assert_eq!(ty.to_string(), "vector<message>");
    assert_eq!(by_name("gzip_packed").result.kind, TypeKind::Object);
}
