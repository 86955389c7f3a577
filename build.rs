//! Generates the service-message types (`mtproto::service`) from
//! `schema/mtproto.tl`: edit the schema, run `cargo build`, get new types.

fn main() {
    if let Err(e) = tl_codegen::Builder::new()
        .schema("schema/mtproto.tl")
        .out_file("service.rs")
        .serde(true)
        .inline(true)
        .generate()
    {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
