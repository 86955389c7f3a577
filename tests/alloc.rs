//! Zero-copy decoding, measured: a container of 1000 `rpc_result`s with
//! 100-byte payloads is decoded with a single allocation (the `Vec` of
//! messages), and each result body is then decoded lazily, from its raw
//! object, with none at all.

use mtproto::service::types;
use mtproto_test_support::counting::{self, Counting};
use mtproto_types::Deserialize;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `msg_container` of `n` messages, each an `rpc_result` whose result is a
/// 100-byte boxed value (an id and 96 bytes), written by hand.
fn container(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0x73f1f8dcu32.to_le_bytes()); // msg_container
    out.extend_from_slice(&(n as u32).to_le_bytes()); // bare vector count
    for i in 0..n {
        let msg_id = 0x5e0b_8000_0000_0001i64 + 4 * i as i64;
        out.extend_from_slice(&msg_id.to_le_bytes());
        out.extend_from_slice(&(2 * i as i32 + 1).to_le_bytes()); // seqno
        out.extend_from_slice(&(4 + 8 + 100i32).to_le_bytes()); // bytes
        out.extend_from_slice(&0xf35c6d01u32.to_le_bytes()); // rpc_result
        out.extend_from_slice(&(msg_id - 1).to_le_bytes()); // req_msg_id
        out.extend_from_slice(&0x2144ca19u32.to_le_bytes()); // result's id
        out.extend((0..96).map(|b| (b + i) as u8));
    }
    out
}

#[test]
fn container_of_1000_rpc_results_allocates_once() {
    let bytes = container(1000);
    let (allocations, allocated, decoded) =
        counting::count(|| types::MsgContainer::from_bytes(&bytes).unwrap());
    assert_eq!(decoded.messages.len(), 1000);
    assert_eq!(allocations, 1, "only the Vec of messages may allocate");
    // And that one allocation is the Vec itself, sized from the count.
    assert_eq!(
        allocated,
        1000 * std::mem::size_of::<types::Message>(),
        "the Vec is allocated once, at its final size"
    );

    let (allocations, allocated, total) = counting::count(|| {
        let mut total = 0;
        for message in &decoded.messages {
            let result: types::RpcResult = message.body.decode().unwrap();
            assert_eq!(result.req_msg_id, message.msg_id - 1);
            total += result.result.as_bytes().len();
        }
        total
    });
    assert_eq!(total, 1000 * 100);
    assert_eq!((allocations, allocated), (0, 0), "lazy bodies borrow");
}

#[test]
fn counting_allocator_sees_allocations() {
    // Guards the two tests above against a counter that never counts.
    let (allocations, allocated, v) = counting::count(|| vec![0u8; 100]);
    assert_eq!((allocations, allocated, v.len()), (1, 100, 100));
}
