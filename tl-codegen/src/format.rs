//! Layout of the generated text: `prettyplease` formats the tokens, then a
//! blank line goes between items, which `prettyplease` does not write and
//! which a reader of the generated file (or of a diff of it) looks for.

use proc_macro2::TokenStream;

use crate::Error;

/// Formats emitted tokens as a Rust file.
pub(crate) fn format(tokens: TokenStream) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Unsupported {
        definition: "(generated code)".into(),
        message: format!("the generator produced invalid Rust, a bug: {e}"),
    })?;
    Ok(space_items(&prettyplease::unparse(&file)))
}

/// Puts a blank line between consecutive items of the file, of a module
/// and of an impl, in `prettyplease` output.
///
/// That output indents each block by four spaces and puts nothing but the
/// block's closing brace at the indentation of the line that opened it. So
/// in a list of items (the file, or a module's or impl's body) a line at
/// the list's own indentation that closes a block or ends with `;` ends an
/// item, and the next line at that indentation starts the next one, its
/// comments and attributes first. Comment and attribute lines open and
/// close nothing, whatever text they hold.
fn space_items(formatted: &str) -> String {
    let mut spaced = String::with_capacity(formatted.len() + formatted.len() / 16);
    // The indentation of each open list of items, innermost last.
    let mut lists = vec![0];
    // An item that opens a list (`mod`, `impl`) has begun at this
    // indentation, and its `{` may come on a later line.
    let mut list_header: Option<usize> = None;
    let mut item_ended = false;
    for line in formatted.lines() {
        let code = line.trim_start();
        let indent = line.len() - code.len();
        let list = *lists.last().expect("the file's list is never closed");
        if item_ended && indent == list && !code.is_empty() {
            spaced.push('\n');
        }
        spaced.push_str(line);
        spaced.push('\n');
        item_ended = false;
        if code.starts_with("//") || code.starts_with("#[") || code.starts_with("#![") {
            continue;
        }
        if lists.len() > 1 && indent + 4 == list && code.starts_with('}') {
            lists.pop();
            item_ended = true;
        } else if indent == list {
            if opens_item_list(code) {
                list_header = Some(indent);
            }
            if list_header == Some(indent) && code.ends_with('{') {
                lists.push(indent + 4);
                list_header = None;
            } else if code.ends_with('}') || code.ends_with(';') {
                list_header = None;
                item_ended = true;
            }
        }
    }
    spaced
}

/// Whether an item's first code line starts a module or an impl, whose
/// body is itself a list of items.
fn opens_item_list(code: &str) -> bool {
    let code = code
        .strip_prefix("pub ")
        .or_else(|| code.strip_prefix("pub(crate) "))
        .unwrap_or(code);
    let code = code.strip_prefix("unsafe ").unwrap_or(code);
    code.starts_with("mod ") || code.starts_with("impl ") || code.starts_with("impl<")
}

#[cfg(test)]
mod tests {
    use super::space_items;

    #[test]
    fn items_of_files_modules_and_impls_are_spaced_and_bodies_are_not() {
        let expected = "\
/// A module.
pub mod types {
    use super::enums;

    /// `pair`: with `{braces}` and a `;` in a comment
    #[derive(Clone)]
    pub struct Pair {
        pub a: i32,
    }

    impl Pair {
        const ID: u32 = 1;

        fn len(&self) -> usize {
            let x = 4;
            x
        }

        fn empty(&self) {}
    }

    impl<'a, X: Clone> Very<'a>
    for Long<X> {
        fn f(&self) {}
    }
}

pub fn f() -> i32 {
    0
}
";
        // The same text as prettyplease writes it, without blank lines.
        let formatted = expected.replace("\n\n", "\n");
        assert_eq!(space_items(&formatted), expected);
    }
}
