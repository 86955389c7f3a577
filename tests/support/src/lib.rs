//! What the workspace's tests, benches and fuzz targets share, in one place
//! instead of files included across crates.
//!
//! Without features this crate depends on std alone ([`counting`],
//! [`hex`], [`interleaved`]); feature `schema` adds comparing parsed
//! schemas, feature `tlgen` the random TL value
//! generator and the round-trip checks over it, feature `fuzz` the fuzz
//! targets' checks, which pull the runtime and the API layer.
#![warn(missing_docs)]

pub mod counting;
#[cfg(feature = "fuzz")]
pub mod fuzz;
pub mod hex;
pub mod interleaved;
#[cfg(feature = "tlgen")]
pub mod roundtrip;
#[cfg(feature = "schema")]
pub mod schema;
#[cfg(feature = "tlgen")]
pub mod tlgen;
