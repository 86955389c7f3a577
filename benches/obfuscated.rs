//! Obfuscated intermediate framing, encode + decode of one packet at a
//! time (client encoder to server decoder), against the `ctr` crate's bare
//! AES-256-CTR keystream over the same bytes (one pass per direction, the
//! least any obfuscated codec must do) and against grammers-mtproto
//! 0.11.0's obfuscated transport.
//!
//! Each side receives the frame as a socket read would deliver it, copied
//! into its receive buffer: ours through `feed`, which decrypts while it
//! copies; grammers' into a `Vec`, then decrypted in place.
//!
//! Run: `cargo bench --bench obfuscated -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use aes::cipher::{KeyIvInit, StreamCipher};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use grammers_crypto::{DequeBuffer, ObfuscatedCipher};
use grammers_mtproto::transport::{self as gt, Transport};
use mtproto::random::{RandomSource, SplitMix64};
use mtproto::transport::obfuscated::Obfuscation;
use mtproto::transport::{intermediate, Kind};

type Ctr = ctr::Ctr128BE<aes::Aes256>;

/// Packets of `size` bytes adding up to about 256 KiB, with random
/// contents.
fn packets(size: usize) -> Vec<Vec<u8>> {
    let mut rng = SplitMix64::new(size as u64);
    (0..(256 * 1024 / size))
        .map(|_| {
            let mut p = vec![0u8; size];
            rng.fill_bytes(&mut p);
            p
        })
        .collect()
}

/// Reads as a socket delivers them.
const READ: usize = 64 * 1024;

fn obfuscated(c: &mut Criterion) {
    for size in [128usize, 4096] {
        let packets = packets(size);
        let total: usize = packets.iter().map(Vec::len).sum();
        let wire_total = total + 4 * packets.len();
        let mut group = c.benchmark_group(format!("obfuscated/{size}B-packets"));
        group.throughput(Throughput::Bytes(total as u64));

        // What any obfuscated codec must do: the keystream over every
        // frame's bytes as it is sent, and over every read as it arrives.
        {
            let mut up = Ctr::new(&[1; 32].into(), &[2; 16].into());
            let mut down = Ctr::new(&[1; 32].into(), &[2; 16].into());
            let mut wire = Vec::with_capacity(wire_total);
            for p in &packets {
                wire.extend_from_slice(&(p.len() as u32).to_le_bytes());
                wire.extend_from_slice(p);
            }
            let frame = size + 4;
            group.bench_function("ctr-keystream-both-ways", |b| {
                b.iter(|| {
                    for chunk in wire.chunks_mut(frame) {
                        up.apply_keystream(chunk);
                    }
                    for read in wire.chunks_mut(READ) {
                        down.apply_keystream(read);
                    }
                    black_box(&wire);
                })
            });
        }

        {
            let mut rng = SplitMix64::new(1);
            let (client, header) = Obfuscation::client(&mut rng, Kind::Intermediate, Some(2), None);
            let (mut tx, _) = client
                .into_client(
                    header,
                    intermediate::Encoder::client(),
                    intermediate::Decoder::client(),
                )
                .unwrap();
            let (server, _, _) = Obfuscation::server(&header, None).unwrap();
            let (_, mut rx) = server
                .into_server(
                    intermediate::Encoder::server(),
                    intermediate::Decoder::server(),
                )
                .unwrap();
            let mut out = Vec::with_capacity(64 + wire_total);
            // The header goes out with the first packet; keep it out of
            // the loop.
            tx.encode_packet(&packets[0], false, &mut out).unwrap();
            rx.feed(&out[64..]);
            assert!(rx.next_frame().unwrap().is_some());
            group.bench_function("mtproto", |b| {
                b.iter(|| {
                    out.clear();
                    for p in &packets {
                        tx.encode_packet(black_box(p), false, &mut out).unwrap();
                    }
                    let mut frames = 0;
                    for read in out.chunks(READ) {
                        rx.feed(read);
                        while let Some(frame) = rx.next_frame().unwrap() {
                            black_box(frame);
                            frames += 1;
                        }
                    }
                    assert_eq!(frames, packets.len());
                })
            });
        }

        {
            let mut client = gt::Obfuscated::new(gt::Intermediate::new());
            let mut buf = DequeBuffer::with_capacity(size + 4, 64 + 8);
            buf.extend(&packets[0]);
            client.pack(&mut buf);
            // The receiving end: grammers has no server role, so its own
            // pieces stand in for one: the cipher whose incoming stream is
            // the client's outgoing one (the reversed init), and the
            // intermediate unpacker without the tag.
            let init = recover_init(buf.as_ref());
            let mut reversed = init;
            reversed.reverse();
            let mut cipher = ObfuscatedCipher::new(&reversed);
            // The client's stream passed over the header first.
            cipher.decrypt(&mut [0u8; 64]);
            let mut inner = gt::Intermediate::new();
            let mut recv = buf.as_ref()[64..].to_vec();
            cipher.decrypt(&mut recv);
            assert_eq!(inner.unpack(&mut recv).unwrap().data_range, 4..4 + size);
            let mut wire = Vec::with_capacity(wire_total);
            recv.clear();
            group.bench_function("grammers", |b| {
                b.iter(|| {
                    wire.clear();
                    for p in &packets {
                        buf.clear();
                        buf.extend(black_box(p));
                        client.pack(&mut buf);
                        wire.extend_from_slice(buf.as_ref());
                    }
                    // grammers decrypts only what its caller hands in
                    // since the last call, as here: each read once.
                    let mut frames = 0;
                    for read in wire.chunks(READ) {
                        let old = recv.len();
                        recv.extend_from_slice(read);
                        cipher.decrypt(&mut recv[old..]);
                        let mut at = 0;
                        // grammers compares the length with the buffer
                        // without the 4-byte header; check it whole here.
                        while recv.len() - at >= 4 {
                            let len = u32::from_le_bytes(recv[at..at + 4].try_into().unwrap());
                            if recv.len() - at < 4 + len as usize {
                                break;
                            }
                            let offset = inner.unpack(&mut recv[at..]).unwrap();
                            black_box(
                                &recv[at + offset.data_range.start..at + offset.data_range.end],
                            );
                            at += offset.next_offset;
                            frames += 1;
                        }
                        recv.drain(..at);
                    }
                    assert_eq!(frames, packets.len());
                })
            });
        }
        group.finish();
    }
}

/// The 64 random bytes grammers drew, from its header: bytes 56..64 travel
/// encrypted by the stream keyed with bytes 8..56.
fn recover_init(header: &[u8]) -> [u8; 64] {
    let mut init: [u8; 64] = header[..64].try_into().unwrap();
    let mut ctr = Ctr::new(header[8..40].into(), header[40..56].into());
    let mut tail = [0u8; 64];
    tail[56..].copy_from_slice(&header[56..64]);
    ctr.apply_keystream(&mut tail);
    init[56..].copy_from_slice(&tail[56..]);
    init
}

criterion_group!(benches, obfuscated);
criterion_main!(benches);
