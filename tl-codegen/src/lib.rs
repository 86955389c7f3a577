//! tl-codegen
