//! Target `container`: the checked unpacking of `msg_container`.

use std::collections::HashSet;

use mtproto::container::{self, ContainerLimits};
use mtproto_types::Deserialize;

use super::layers::tl_limit;
use crate::counting::bounded;

/// The input is a container's msg_id then its body: what unpacks keeps
/// every rule the unpacker claims, re-encodes to the body and agrees with
/// the generated decoder.
pub fn container(data: &[u8]) {
    let Some((msg_id, body)) = data.split_first_chunk::<8>() else {
        return;
    };
    let container_msg_id = i64::from_le_bytes(*msg_id);
    let limits = ContainerLimits::default();
    bounded("container", tl_limit(data.len()), || {
        let Ok(messages) = container::unpack(container_msg_id, body, &limits) else {
            return;
        };
        // Every rule the unpacker claims to check holds.
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(body.len());
        out.extend_from_slice(&container::MSG_CONTAINER_ID.to_le_bytes());
        out.extend_from_slice(&(messages.len() as i32).to_le_bytes());
        let mut counted = 0;
        for m in &messages {
            assert!(m.msg_id < container_msg_id, "inner id not lower");
            assert!(seen.insert(m.msg_id), "duplicate inner id");
            let inner = m.body.as_bytes();
            assert!(inner.len() % 4 == 0, "unaligned body");
            assert_ne!(
                inner.get(..4),
                Some(&container::MSG_CONTAINER_ID.to_le_bytes()[..])
            );
            if !container::is_exempt_from_count(inner) {
                counted += 1;
            }
            mtproto_types::Constructor::serialize_bare_into(m, &mut out);
        }
        assert!(counted <= limits.max_messages);
        assert!(body.len() - container::CONTAINER_HEADER_LEN <= limits.max_payload);
        // Zero-copy and exact: the entries re-encode to the body.
        assert_eq!(out, body, "container re-encoding");
        // And the generated decoder of msg_container agrees.
        let generated = mtproto::service::types::MsgContainer::from_bytes(body)
            .expect("the generated msg_container decodes what unpack accepts");
        assert_eq!(generated.messages, messages);
    });
}
