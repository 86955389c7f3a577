//! Inputs and loops shared by the runtime's benches (`framing`,
//! `container`, `runtime_interleaved`), so that the criterion and the
//! interleaved figures time the same work.

#![allow(dead_code)] // each bench uses its own part

use std::hint::black_box;

use mtproto::container::{ContainerLimits, Numbering, Outbox, OutgoingMessage, MAX_MESSAGES};
use mtproto::msg_id::UnixTime;
use mtproto::random::{RandomSource, SplitMix64};
use mtproto::service::functions;
use mtproto::transport::{Decode, Decoded, Encode, Frame};
use mtproto_types::Serialize;

/// The clock the container benches pack at.
pub const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

/// A full outbox: 1020 pings, numbered.
pub fn full_outbox(numbering: &mut Numbering) -> Outbox {
    let mut outbox = Outbox::new(ContainerLimits::default());
    for ping_id in 0..MAX_MESSAGES as i64 {
        let (msg_id, seq_no) = numbering.next(NOW, true);
        outbox.push(OutgoingMessage {
            msg_id,
            seq_no,
            body: functions::Ping { ping_id }.to_bytes(),
        });
    }
    outbox
}

/// About 1 MiB per iteration, as many small or a few large packets.
pub fn packets(size: usize) -> Vec<Vec<u8>> {
    let mut rng = SplitMix64::new(size as u64);
    (0..(1 << 20) / size)
        .map(|_| {
            let mut p = vec![0u8; size];
            rng.fill_bytes(&mut p);
            p
        })
        .collect()
}

/// Encodes every packet into `out`, then decodes the frames borrowed from
/// it, with the transport's concrete types (static dispatch, as a caller
/// that picked its transport at compile time gets).
pub fn encode_decode<E: Encode, D: Decode>(
    packets: &[Vec<u8>],
    out: &mut Vec<u8>,
    (mut enc, mut dec): (E, D),
) {
    out.clear();
    for p in packets {
        enc.encode_packet(p, false, out).unwrap();
    }
    let mut at = 0;
    while let Decoded::Frame { frame, consumed } = dec.decode(&out[at..]).unwrap() {
        if let Frame::Packet { payload, .. } = frame {
            black_box(payload);
        }
        at += consumed;
    }
    assert_eq!(at, out.len());
}
