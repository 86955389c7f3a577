//! tl-parser
