//! Targets `service`, `api` and `dynamic`: the generated decoders of each
//! layer against the dynamic codec, and the dynamic codec on its own.

use mtproto_types::Serialize;
use tl_codegen::dynamic::{BOOL_FALSE_ID, BOOL_TRUE_ID, VECTOR_ID};

use super::layers::{
    api_layer, both_layers, dynamic_limit, may_hold_gzip, service_layer, tl_limit, Layer, TRUE_ID,
};
use crate::counting::bounded;

type DecodeById =
    for<'a> fn(&'a [u8]) -> Option<mtproto_types::Result<Box<dyn mtproto_types::Dynamic + 'a>>>;

/// The generated service layer's `decode_by_id` against the dynamic codec.
pub fn service(data: &[u8]) {
    layer_check(
        "service",
        service_layer(),
        mtproto::service::decode_by_id,
        data,
    );
}

/// The generated API layer's `decode_by_id` against the dynamic codec.
pub fn api(data: &[u8]) {
    layer_check("api", api_layer(), mtproto_types::api::decode_by_id, data);
}

fn layer_check(what: &str, layer: &Layer, decode_by_id: DecodeById, data: &[u8]) {
    {
        let generated = bounded(what, tl_limit(data.len()), || decode_by_id(data));
        if let Some(Ok(value)) = &generated {
            // Only canonical encodings decode, so encoding gives the input.
            assert_eq!(value.serialized_len(), data.len(), "{what}: serialized_len");
            assert_eq!(value.to_bytes(), data, "{what}: re-encoding of {value:?}");
        }
        let dynamic = bounded(what, dynamic_limit(data.len()), || {
            layer.registry.decode_boxed(data)
        });
        let id = u32::from_le_bytes(match data.get(..4) {
            Some(id) => id.try_into().unwrap(),
            None => [0; 4],
        });
        match (&generated, &dynamic) {
            (Some(Ok(value)), Ok(json)) => {
                let bytes = layer
                    .registry
                    .encode_boxed(json)
                    .unwrap_or_else(|e| panic!("{what}: dynamic re-encoding of {json}: {e}"));
                if !may_hold_gzip(data) {
                    assert_eq!(
                        bytes,
                        value.to_bytes(),
                        "{what}: dynamic and generated re-encodings differ for {json}"
                    );
                }
            }
            (Some(Ok(value)), Err(e)) => assert!(
                layer.lazy.contains(&id) || e.message.contains("nesting deeper"),
                "{what}: generated accepts {value:?}, dynamic rejects: {e}"
            ),
            // `Bool`, `True` and `Vector` are Rust types in the generated
            // layers, not values `decode_by_id` knows by id.
            (None, Ok(_)) if [BOOL_TRUE_ID, BOOL_FALSE_ID, VECTOR_ID, TRUE_ID].contains(&id) => {}
            (_, Ok(json)) => panic!("{what}: dynamic accepts {json}, generated rejects"),
            (_, Err(_)) => {}
        }
    }
}

/// The dynamic codec with both layers: what decodes encodes back to the
/// input, or to the same value where gzip_packed is re-compressed.
pub fn dynamic(data: &[u8]) {
    let registry = both_layers();
    bounded("dynamic", dynamic_limit(data.len()), || {
        let Ok(json) = registry.decode_boxed(data) else {
            return;
        };
        let bytes = registry
            .encode_boxed(&json)
            .unwrap_or_else(|e| panic!("dynamic: re-encoding {json}: {e}"));
        if may_hold_gzip(data) {
            // Compression is not canonical; the value must survive.
            let again = registry
                .decode_boxed(&bytes)
                .unwrap_or_else(|e| panic!("dynamic: decoding its own {json}: {e}"));
            assert_eq!(again, json, "dynamic: value changed through gzip");
        } else {
            assert_eq!(bytes, data, "dynamic: re-encoding of {json}");
        }
    });
}
