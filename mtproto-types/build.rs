//! Under feature `api`, generates Telegram's application layer
//! (`mtproto_types::api`) from `schema/api.tl` at the workspace root.

fn main() {
    #[cfg(feature = "api")]
    {
        let generated = tl_codegen::Builder::new()
            .schema("../schema/api.tl")
            .out_file("api.rs")
            .runtime_crate("crate")
            .serde(true)
            .generate();
        if let Err(e) = generated {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
