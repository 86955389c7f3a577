//! The TL core that generated MTProto types stand on.
