//! Rust names for TL names: UpperCamel types, snake_case fields and
//! modules, keywords spelled so that they compile, and enum variants
//! without their type's name; clashes the spelling causes are errors.

use std::collections::{HashMap, HashSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use tl_parser::Name;

use super::{Item, Layer, RustName};
use crate::Error;

impl RustName {
    pub(super) fn of(name: &Name) -> Self {
        RustName {
            module: module_of(name),
            ident: type_ident(&name.name),
        }
    }
}

/// A Rust spelling for a converted TL name (`converted`, from `tl_name`)
/// that `r#` cannot help with: the keywords that cannot be raw take an
/// underscore (`self_`), and a name that case conversion emptied (TL allows
/// `_` and `__` as names) is spelled from the original (`__`, `___`).
/// Other keywords are written raw by the emitter (`r#type`).
fn usable(converted: String, tl_name: &str) -> String {
    match converted.as_str() {
        "" => format!("{tl_name}_"),
        "self" | "super" | "crate" | "Self" | "_" => converted + "_",
        _ => converted,
    }
}

/// The Rust name of a field: snake_case.
pub(super) fn field_ident(tl_name: &str) -> String {
    usable(tl_name.to_snake_case(), tl_name)
}

fn module_of(name: &Name) -> Vec<String> {
    name.namespace
        .iter()
        .map(|ns| usable(ns.to_snake_case(), ns))
        .collect()
}

/// The Rust name of a TL name, starting with an uppercase letter.
pub(super) fn type_ident(name: &str) -> String {
    let ident = name.to_upper_camel_case();
    if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
        // `T_` for `_`, `T2fa` for `2fa`.
        format!("T{}", if ident.is_empty() { name } else { &ident })
    } else {
        usable(ident, name)
    }
}

/// One generated item, for the clash check: its Rust name and the TL name
/// it came from.
type Placed<'l> = (&'l RustName, String);

pub(super) fn check_unique_idents(layer: &Layer) -> Result<(), Error> {
    fn items(list: &[Item]) -> Vec<Placed<'_>> {
        list.iter().map(|c| (&c.rust, c.def.name.full())).collect()
    }
    let enums: Vec<Placed<'_>> = layer
        .types
        .iter()
        .map(|t| (&t.rust, t.tl_name.full()))
        .collect();
    let groups = [
        ("types", items(&layer.constructors)),
        ("enums", enums),
        ("functions", items(&layer.functions)),
    ];
    for (kind, placed) in groups {
        let mut seen: HashMap<&RustName, String> = HashMap::new();
        for (rust, tl) in placed {
            if let Some(other) = seen.insert(rust, tl.clone()) {
                return Err(Error::NameClash {
                    module: kind.to_string(),
                    rust_name: rust.ident.clone(),
                    first: other,
                    second: tl,
                });
            }
        }
    }
    Ok(())
}

/// Variants drop their type's name as a prefix (`InputPeer::Empty` for
/// `inputPeerEmpty`) unless that leaves nothing, no valid identifier, or a
/// clash, in which case the whole constructor name is used.
pub(super) fn name_variants(layer: &mut Layer) {
    for ty in &layer.types {
        let short: Vec<String> = ty
            .constructors
            .iter()
            .map(|&c| {
                let full = &layer.constructors[c].rust.ident;
                match full.strip_prefix(ty.rust.ident.as_str()) {
                    Some(rest) if rest.starts_with(|ch: char| ch.is_ascii_uppercase()) => {
                        rest.to_string()
                    }
                    _ => full.clone(),
                }
            })
            .collect();
        let unique: HashSet<&String> = short.iter().collect();
        let use_short = unique.len() == short.len() && !short.iter().any(|s| s == "Self");
        for (k, &c) in ty.constructors.iter().enumerate() {
            layer.constructors[c].variant = if use_short {
                short[k].clone()
            } else {
                layer.constructors[c].rust.ident.clone()
            };
        }
    }
}
