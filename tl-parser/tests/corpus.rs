//! Every schema of `tests/corpus/` (real Telegram schemas) parses, with the
//! counts an independent line-based count gives, and every explicit id is
//! the computed one except a known, pinned list.

use std::collections::BTreeSet;
use std::path::PathBuf;

use mtproto_test_support::schema::strip_spans;
use tl_parser::{Category, ParamType, Severity, TypeKind, TypeRef};

fn corpus() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("tests/corpus exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tl"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 9, "the corpus has 9 schemas");
    files
}

/// Counts constructors and functions the simplest way that works on these
/// files, sharing no code with the parser: drop `//` comments, split
/// statements at `;`, switch category at `---functions---` / `---types---`,
/// and skip builtin lines (`?` or `[` before the `=`).
fn count_by_lines(src: &str) -> (usize, usize, Option<u32>) {
    let (mut types, mut functions) = (0, 0);
    let mut in_functions = false;
    let mut statement = String::new();
    let mut layer = None;
    for line in src.lines() {
        if let Some(n) = line.strip_prefix("// LAYER ") {
            layer = n.trim().parse().ok();
        }
        let code = line.split("//").next().unwrap().trim();
        match code {
            "---functions---" => in_functions = true,
            "---types---" => in_functions = false,
            "" => {}
            _ => {
                statement.push(' ');
                statement.push_str(code);
                if code.ends_with(';') {
                    let left = statement.split('=').next().unwrap();
                    let builtin = left.contains(" ? ") || left.contains('[');
                    if !builtin {
                        if in_functions {
                            functions += 1;
                        } else {
                            types += 1;
                        }
                    }
                    statement.clear();
                }
            }
        }
    }
    assert!(statement.trim().is_empty(), "unterminated: {statement}");
    (types, functions, layer)
}

#[test]
fn every_corpus_schema_parses_with_independently_counted_definitions() {
    for (name, src) in corpus() {
        let parsed = match tl_parser::parse(&src) {
            Ok(p) => p,
            Err(errors) => {
                let shown: String = errors.iter().map(|e| e.render(&name, &src)).collect();
                panic!("{name} failed to parse:\n{shown}");
            }
        };
        assert!(parsed
            .warnings
            .iter()
            .all(|w| w.severity == Severity::Warning));
        let schema = &parsed.schema;
        let (types, functions, layer) = count_by_lines(&src);
        assert_eq!(schema.constructors().count(), types, "{name}: constructors");
        assert_eq!(schema.functions().count(), functions, "{name}: functions");
        assert_eq!(schema.layer, layer, "{name}: layer");
        assert!(types > 0 && functions > 0, "{name}");
    }
}

#[test]
fn corpus_counts_are_the_known_ones() {
    let expected = [
        (
            "crates-grammers-tl-types-0.11.0-api.tl",
            1703,
            850,
            Some(230),
        ),
        ("grammers-api.tl", 1540, 754, Some(222)),
        ("grammers-mtproto.tl", 49, 10, None),
        ("tdlib-mtproto_api.tl", 36, 10, None),
        ("telethon-2018-mtproto_api.tl", 32, 9, None),
        ("telethon-api.tl", 1362, 663, Some(190)),
        ("telethon-mtproto.tl", 48, 10, None),
        ("telethon-v2-api.tl", 1155, 544, Some(165)),
        ("telethon-v2-mtproto.tl", 44, 10, None),
    ];
    for ((name, src), (ename, c, f, layer)) in corpus().into_iter().zip(expected) {
        assert_eq!(name, ename);
        let schema = tl_parser::parse(&src).unwrap().schema;
        assert_eq!(
            (
                schema.constructors().count(),
                schema.functions().count(),
                schema.layer
            ),
            (c, f, layer),
            "{name}"
        );
    }
}

/// The explicit ids that are not the CRC32 of their normalized line.
const KNOWN_MISMATCHES: &[(&str, &str)] = &[
    ("grammers-mtproto.tl", "ipPortSecret"),
    ("grammers-mtproto.tl", "accessPointRule"),
    ("grammers-mtproto.tl", "help.configSimple"),
    ("telethon-mtproto.tl", "ipPortSecret"),
    ("telethon-mtproto.tl", "accessPointRule"),
    ("telethon-mtproto.tl", "help.configSimple"),
    ("telethon-v2-mtproto.tl", "ipPortSecret"),
    ("telethon-v2-mtproto.tl", "accessPointRule"),
    ("telethon-v2-mtproto.tl", "help.configSimple"),
    ("tdlib-mtproto_api.tl", "gzip_packed"),
];

#[test]
fn every_explicit_id_is_the_computed_one_except_the_known_mismatches() {
    let known: BTreeSet<(String, String)> = KNOWN_MISMATCHES
        .iter()
        .map(|&(f, n)| (f.to_owned(), n.to_owned()))
        .collect();
    let mut mismatched = BTreeSet::new();
    let mut warned = BTreeSet::new();
    let mut explicit = 0;
    for (name, src) in corpus() {
        let parsed = tl_parser::parse(&src).unwrap();
        for def in &parsed.schema.definitions {
            assert_eq!(def.computed_id, tl_parser::compute_id(def));
            assert_eq!(def.id, def.explicit_id.unwrap_or(def.computed_id));
            if let Some(id) = def.explicit_id {
                explicit += 1;
                if id != def.computed_id {
                    mismatched.insert((name.clone(), def.name.full()));
                }
            }
        }
        for w in &parsed.warnings {
            let def = parsed
                .schema
                .definitions
                .iter()
                .find(|d| d.span.start <= w.span.start && w.span.end <= d.span.end)
                .expect("an id warning points into its definition");
            assert!(
                w.message.starts_with(&format!(
                    "explicit id #{:08x} of `{}` differs from its computed id #{:08x}",
                    def.explicit_id.unwrap(),
                    def.name,
                    def.computed_id
                )),
                "{}",
                w.message
            );
            // The span is the `#id` right after the name.
            assert_eq!(&src[w.span.start..w.span.end], format!("#{:08x}", def.id));
            warned.insert((name.clone(), def.name.full()));
        }
    }
    assert_eq!(explicit, 8808, "explicit ids checked");
    assert_eq!(mismatched, known);
    assert_eq!(warned, known);
}

#[test]
fn builtin_lines_are_recorded_not_counted() {
    for (name, src) in corpus() {
        let schema = tl_parser::parse(&src).unwrap().schema;
        for b in &schema.builtins {
            assert!(
                ["int", "long", "double", "string", "vector", "int128", "int256"]
                    .contains(&b.name.as_str()),
                "{name}: {b:?}"
            );
            assert!(schema
                .definitions
                .iter()
                .all(|d| d.name.full() != b.name.as_str()));
        }
        if name.contains("api") && !name.contains("mtproto") {
            let vector = &schema.builtins[0];
            assert_eq!(
                (
                    vector.name.as_str(),
                    vector.result.as_str(),
                    vector.explicit_id
                ),
                ("vector", "Vector t", Some(0x1cb5c415))
            );
            // Bool's constructors and `true` are ordinary definitions.
            for n in ["boolFalse", "boolTrue", "true"] {
                assert!(schema.definitions.iter().any(|d| d.name.full() == n), "{n}");
            }
        }
    }
}

fn all_refs(ty: &TypeRef, out: &mut Vec<TypeRef>) {
    out.push(ty.clone());
    for a in &ty.args {
        all_refs(a, out);
    }
}

#[test]
fn every_type_reference_in_the_corpus_is_resolved() {
    for (name, src) in corpus() {
        let schema = tl_parser::parse(&src).unwrap().schema;
        let mut refs = Vec::new();
        for d in &schema.definitions {
            for p in &d.params {
                if let ParamType::Normal { ty, .. } = &p.ty {
                    all_refs(ty, &mut refs);
                }
            }
            all_refs(&d.result, &mut refs);
            if d.category == Category::Type {
                assert!(
                    matches!(
                        d.result.kind,
                        TypeKind::Boxed | TypeKind::Bool | TypeKind::Object
                    ),
                    "{name}: {d}"
                );
            }
        }
        for r in &refs {
            assert_ne!(r.kind, TypeKind::Unresolved, "{name}: {r}");
            assert_eq!(
                &src[r.span.start..r.span.end],
                r.to_string(),
                "{name}: span"
            );
        }
    }
}

#[test]
fn corpus_schemas_print_back_to_the_same_tree() {
    for (name, src) in corpus() {
        let schema = tl_parser::parse(&src).unwrap().schema;
        let printed = schema.to_string();
        let again = tl_parser::parse(&printed)
            .unwrap_or_else(|e| panic!("{name}: {}", e[0].render("printed", &printed)))
            .schema;
        assert_eq!(strip_spans(schema), strip_spans(again), "{name}");
    }
}

#[test]
fn parse_syntax_gives_the_same_tree_without_kinds() {
    fn unresolve(t: &mut TypeRef) {
        t.kind = TypeKind::Unresolved;
        t.args.iter_mut().for_each(unresolve);
    }
    fn unresolve_all(schema: &mut tl_parser::Schema) {
        for d in &mut schema.definitions {
            unresolve(&mut d.result);
            for p in &mut d.params {
                if let ParamType::Normal { ty, .. } = &mut p.ty {
                    unresolve(ty);
                }
            }
        }
    }
    for (name, src) in corpus() {
        let mut full = tl_parser::parse(&src).unwrap().schema;
        let (mut syntax, errors) = tl_parser::parse_syntax(&src);
        assert!(errors.is_empty(), "{name}");
        // The well-known names are resolved by the parser already.
        let known = syntax
            .definitions
            .iter()
            .flat_map(|d| &d.params)
            .filter_map(|p| match &p.ty {
                ParamType::Normal { ty, .. } => Some(ty.kind),
                ParamType::Flags => None,
            })
            .filter(|k| matches!(k, TypeKind::Int | TypeKind::Long | TypeKind::Vector))
            .count();
        assert!(known > 0, "{name}");
        unresolve_all(&mut full);
        unresolve_all(&mut syntax);
        assert_eq!(syntax, full, "{name}");
    }
}
