//! The bodies of the fuzz targets, as plain functions.
//!
//! Both the libFuzzer targets in `fuzz/fuzz_targets/` (through
//! `#[path = "../../tests/fuzz_checks/mod.rs"]`) and the stable replay test
//! `tests/fuzz_corpus.rs` call these, so every corpus and regression input
//! is checked on stable Rust by `cargo test`, with no fuzzing toolchain.
//!
//! Each check panics when a property fails. Beyond "no panic" they check
//! what can be checked for any input:
//! - decoding then encoding gives back exactly the consumed bytes (our TL
//!   decoders only accept canonical encodings);
//! - the generated codecs and the dynamic codec agree: an input one accepts
//!   the other accepts too (except where the generated code is lazy, see
//!   [`Layer::lazy`]), and both re-encode it to the same bytes;
//! - no run allocates more than a fixed multiple of its input
//!   ([`Counting`], [`bounded`]).
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use mtproto::container::{self, ContainerLimits};
use mtproto::envelope::{EncryptedEnvelope, EncryptedPlaintext, Envelope, PlainMessage};
use mtproto::gzip;
use mtproto::msg_id::UnixTime;
use mtproto::session::{Session, SessionConfig};
use mtproto::transport::{
    abridged, full, intermediate, padded, Decode, Decoded, Encode, Frame, Side, StreamDecoder,
    TransportError,
};
use mtproto_types::{Deserialize, Serialize};
use tl_codegen::dynamic::{Options, Registry, BOOL_FALSE_ID, BOOL_TRUE_ID, VECTOR_ID};
use tl_parser::{Category, ParamType, Schema, Span, TypeKind, TypeRef};

pub const MTPROTO_TL: &str = include_str!("../../schema/mtproto.tl");
pub const API_TL: &str = include_str!("../../schema/api.tl");

// ---------------------------------------------------------------------------
// Allocation accounting

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// A global allocator that counts live bytes and their peak, so a check can
/// assert that decoding hostile input never allocates beyond what the input
/// backs. Each binary that uses [`bounded`] installs it with
/// `#[global_allocator] static A: Counting = Counting;`.
pub struct Counting;

// SAFETY: every method forwards to `System` unchanged; the counters are
// only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            add(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            add(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            // Counted as the old block and the new one both alive, which is
            // what a moving realloc costs at its peak.
            add(new_size);
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

fn add(size: usize) {
    let now = CURRENT.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

/// Runs `f` and panics if the bytes it allocated at its peak (above what
/// was live when it started) exceed `limit`. Meaningful only in a binary
/// that installs [`Counting`] and runs one check at a time; elsewhere the
/// counters stay at zero and the assertion holds trivially.
pub fn bounded<T>(what: &str, limit: usize, f: impl FnOnce() -> T) -> T {
    let start = CURRENT.load(Ordering::Relaxed);
    // Nested calls measure their own part and leave the enclosing peak as
    // it would have been without them.
    let outer_peak = PEAK.swap(start, Ordering::Relaxed);
    let out = f();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(start);
    PEAK.fetch_max(outer_peak, Ordering::Relaxed);
    assert!(
        peak <= limit,
        "{what}: allocated {peak} bytes at the peak, more than the limit of {limit}"
    );
    out
}

/// The allocation bound of the generated TL decoders: 64 bytes per input
/// byte plus 64 KiB (decoded values hold pointers, `Vec`s and enums a few
/// times larger than their wire form).
fn tl_limit(input: usize) -> usize {
    64 * input + (64 << 10)
}

/// The bound of the dynamic codec, whose JSON is heavier: a 4-byte
/// constructor without fields becomes a map of one entry (a B-tree node of
/// about 640 bytes), so 256 bytes per input byte; plus what nested
/// gzip_packed values may inflate to, together at most the cap (read in a
/// buffer that may grow to twice what it holds).
fn dynamic_limit(input: usize) -> usize {
    // 1 MiB more for the inflaters' own state (about 350 KB each).
    256 * input + (1 << 20) + 2 * DYNAMIC_MAX_INFLATED
}

// ---------------------------------------------------------------------------
// Shared state built once: parsed schemas and registries.

pub struct Layer {
    pub schema: Schema,
    pub registry: Registry,
    /// Ids of constructors and functions whose generated decoder keeps part
    /// of the value raw (`Object`, `!X`, or `gzip_packed`, whose bytes the
    /// generated code does not inflate), directly or through the types of
    /// their fields. For those the generated decoder may accept what the
    /// dynamic one, which decodes everything, rejects.
    pub lazy: HashSet<u32>,
}

/// The inflation cap given to the dynamic codec in the checks, small so a
/// bomb is found quickly and the allocation bound stays meaningful.
pub const DYNAMIC_MAX_INFLATED: usize = 64 << 10;

/// Constructor id of `true#3fedd339 = True`.
const TRUE_ID: u32 = 0x3fed_d339;

impl Layer {
    fn new(sources: &[&str]) -> Self {
        let schemas: Vec<Schema> = sources
            .iter()
            .map(|s| {
                tl_parser::parse(s)
                    .expect("checked-in schema parses")
                    .schema
            })
            .collect();
        let registry = Registry::new(&schemas)
            .expect("schemas fit together")
            .with_options(Options {
                max_inflated: DYNAMIC_MAX_INFLATED,
                ..Options::default()
            });
        let schema = schemas.into_iter().next().expect("one schema");
        let lazy = lazy_ids(&schema);
        Layer {
            schema,
            registry,
            lazy,
        }
    }
}

/// The fixpoint behind [`Layer::lazy`].
fn lazy_ids(schema: &Schema) -> HashSet<u32> {
    fn refers(ty: &TypeRef, lazy_types: &HashSet<String>, lazy_names: &HashSet<String>) -> bool {
        match ty.kind {
            TypeKind::Object | TypeKind::Generic => true,
            TypeKind::Boxed => lazy_types.contains(&ty.name.full()),
            TypeKind::BareConstructor => {
                lazy_names.contains(&ty.name.full()) || lazy_types.contains(&ty.name.full())
            }
            _ => ty.args.iter().any(|a| refers(a, lazy_types, lazy_names)),
        }
    }
    let mut lazy_names: HashSet<String> = HashSet::from(["gzip_packed".to_owned()]);
    let mut lazy_types: HashSet<String> = HashSet::new();
    loop {
        let mut changed = false;
        for def in &schema.definitions {
            let name = def.name.full();
            let is_lazy = lazy_names.contains(&name)
                || def.params.iter().any(|p| match &p.ty {
                    ParamType::Normal { ty, .. } => refers(ty, &lazy_types, &lazy_names),
                    ParamType::Flags => false,
                });
            if is_lazy {
                changed |= lazy_names.insert(name);
                if def.category == Category::Type {
                    changed |= lazy_types.insert(def.result.name.full());
                }
            }
        }
        if !changed {
            break;
        }
    }
    schema
        .definitions
        .iter()
        .filter(|d| lazy_names.contains(&d.name.full()))
        .map(|d| d.id)
        .collect()
}

pub fn service_layer() -> &'static Layer {
    static LAYER: OnceLock<Layer> = OnceLock::new();
    LAYER.get_or_init(|| Layer::new(&[MTPROTO_TL]))
}

pub fn api_layer() -> &'static Layer {
    static LAYER: OnceLock<Layer> = OnceLock::new();
    LAYER.get_or_init(|| Layer::new(&[API_TL]))
}

/// Both schemas in one registry, as `tlc decode` uses them.
pub fn both_layers() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let service = tl_parser::parse(MTPROTO_TL).unwrap().schema;
        let api = tl_parser::parse(API_TL).unwrap().schema;
        Registry::new([&service, &api])
            .unwrap()
            .with_options(Options {
                max_inflated: DYNAMIC_MAX_INFLATED,
                ..Options::default()
            })
    })
}

/// Builds every shared table, so that a target's first run does not count
/// them against its allocation bound.
pub fn init() {
    service_layer();
    api_layer();
    both_layers();
}

/// Whether `data` may hold a `gzip_packed` anywhere: the dynamic codec
/// inflates it and compresses again on encode, so its bytes need not come
/// back the same.
fn may_hold_gzip(data: &[u8]) -> bool {
    data.windows(4)
        .any(|w| w == gzip::GZIP_PACKED_ID.to_le_bytes())
}

// ---------------------------------------------------------------------------
// Target: tl_parser::parse on arbitrary text.

pub fn parse(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    let src: &str = &src;
    let diagnostics = match tl_parser::parse(src) {
        Ok(parsed) => {
            // A valid schema prints to text that parses to the same tree.
            let text = parsed.schema.to_string();
            let again = tl_parser::parse(&text)
                .unwrap_or_else(|e| panic!("printed schema does not parse: {e:?}\n{text}"));
            assert_eq!(
                strip_spans(again.schema),
                strip_spans(parsed.schema.clone()),
                "printed schema parses to another tree:\n{text}"
            );
            // Whatever validates can be loaded by the dynamic codec or is
            // refused with an error, never a panic.
            let _ = Registry::new([&parsed.schema]);
            parsed.warnings
        }
        Err(diagnostics) => {
            assert!(diagnostics.iter().any(|d| d.is_error()));
            diagnostics
        }
    };
    for d in &diagnostics {
        assert!(
            d.span.start <= d.span.end && d.span.end <= src.len(),
            "span out of the source: {d:?}"
        );
        let rendered = d.render("fuzz.tl", src);
        assert!(rendered.starts_with("fuzz.tl:"), "{rendered}");
    }
}

fn strip_spans(mut s: Schema) -> Schema {
    fn ty(t: &mut TypeRef) {
        t.span = Span::default();
        t.args.iter_mut().for_each(ty);
    }
    for b in &mut s.builtins {
        b.span = Span::default();
    }
    for d in &mut s.definitions {
        d.span = Span::default();
        ty(&mut d.result);
        d.generics.iter_mut().for_each(|g| g.span = Span::default());
        for p in &mut d.params {
            p.span = Span::default();
            if let ParamType::Normal { ty: t, .. } = &mut p.ty {
                ty(t);
            }
        }
    }
    s
}

// ---------------------------------------------------------------------------
// Targets: generated decode_by_id of each layer, against the dynamic codec.

type DecodeById =
    for<'a> fn(&'a [u8]) -> Option<mtproto_types::Result<Box<dyn mtproto_types::Dynamic + 'a>>>;

pub fn service(data: &[u8]) {
    layer_check(
        "service",
        service_layer(),
        mtproto::service::decode_by_id,
        data,
    );
}

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

// ---------------------------------------------------------------------------
// Target: the dynamic codec with both layers, on its own.

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

// ---------------------------------------------------------------------------
// Target: every transport decoder, fed in random splits.

/// A transport and side chosen by the input's first byte.
fn transport_decoder(choice: u8) -> (Box<dyn Decode>, Option<Box<dyn Encode>>, &'static str) {
    let side = if choice & 1 == 0 {
        Side::Client
    } else {
        Side::Server
    };
    // The encoder of the other end, whose output the decoder reads.
    let peer = if side == Side::Client {
        Side::Server
    } else {
        Side::Client
    };
    // A small limit so that "too large" is reachable by the fuzzer.
    let max = 4096;
    match (choice >> 1) % 4 {
        0 => (
            Box::new(abridged::Decoder::new(side).with_max_packet_len(max)),
            Some(Box::new(abridged::Encoder::new(peer))),
            "abridged",
        ),
        1 => (
            Box::new(intermediate::Decoder::new(side).with_max_packet_len(max)),
            Some(Box::new(intermediate::Encoder::new(peer))),
            "intermediate",
        ),
        // The padded encoder adds random padding, so its frames cannot be
        // compared byte for byte.
        2 => (
            Box::new(padded::Decoder::new(side).with_max_packet_len(max)),
            None,
            "padded",
        ),
        _ => (
            Box::new(full::Decoder::new(side).with_max_packet_len(max)),
            Some(Box::new(full::Encoder::new(peer))),
            "full",
        ),
    }
}

/// What a decoder made of a stream: its frames (owned) with the stream
/// offset where each ends, then how it stopped.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    frames: Vec<(Frame<Vec<u8>>, usize)>,
    end: Result<(), TransportError>,
}

pub fn transport(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Some((&split_seed, stream)) = rest.split_first() else {
        return;
    };
    // The decoders allocate nothing and `StreamDecoder` only what is fed;
    // the rest is this check's own copies of the frames (three runs of
    // them, a few dozen bytes per 5-byte frame at worst).
    bounded("transport", 64 * data.len() + (16 << 10), || {
        let (mut whole, encoder, name) = transport_decoder(choice);
        let reference = run_whole(&mut *whole, stream);

        // The same stream in pieces whose sizes come from the input, kept in
        // a caller-side buffer: the raw `Decode` API.
        let (mut split, _, _) = transport_decoder(choice);
        let cuts = split_sizes(split_seed, stream);
        let mut frames = Vec::new();
        let mut buf: Vec<u8> = Vec::new();
        let mut fed = 0;
        let mut base = 0;
        let mut end = Ok(());
        'feed: for cut in cuts {
            buf.extend_from_slice(&stream[fed..fed + cut]);
            fed += cut;
            loop {
                match split.decode(&buf) {
                    Ok(Decoded::Frame { frame, consumed }) => {
                        assert!(consumed > 0 && consumed <= buf.len(), "{name}: consumed");
                        base += consumed;
                        frames.push((frame.map(<[u8]>::to_vec), base));
                        buf.drain(..consumed);
                    }
                    Ok(Decoded::NeedMore(n)) => {
                        assert!(n > 0, "{name}: NeedMore(0)");
                        // A lower bound: the next frame, if the whole-buffer
                        // run found one, ends no earlier than this says.
                        if let Some((_, frame_end)) = reference.frames.get(frames.len()) {
                            assert!(
                                base + buf.len() + n <= *frame_end,
                                "{name}: NeedMore({n}) at {} overshoots the frame ending at {frame_end}",
                                base + buf.len()
                            );
                        }
                        break;
                    }
                    Err(e) => {
                        // Errors are sticky.
                        assert_eq!(split.decode(&buf), Err(e.clone()), "{name}: sticky");
                        end = Err(e);
                        break 'feed;
                    }
                }
            }
        }
        // All of the stream was fed in the end, so the pieces must come to
        // exactly what one buffer gave.
        assert_eq!(Run { frames, end }, reference, "{name}: split run differs");

        // The buffering wrapper, fed in other pieces.
        check_stream_decoder(choice, split_seed, stream, &reference, name);

        // Re-encoding the frames with the peer's encoder gives the stream.
        if let (Some(mut encoder), Ok(())) = (encoder, &reference.end) {
            let consumed = reference.frames.last().map_or(0, |f| f.1);
            let mut out = Vec::new();
            for (frame, _) in &reference.frames {
                match frame {
                    Frame::Packet { payload, quick_ack } => encoder
                        .encode_packet(payload, *quick_ack, &mut out)
                        .unwrap_or_else(|e| panic!("{name}: re-encoding a frame: {e}")),
                    Frame::QuickAck(token) => encoder
                        .encode_quick_ack(*token, &mut out)
                        .unwrap_or_else(|e| panic!("{name}: re-encoding a quick ack: {e}")),
                }
            }
            // Abridged accepts the 4-byte length form for short packets too;
            // only a stream in the short form comes back byte for byte.
            let (mut again, _, _) = transport_decoder(choice);
            let rerun = run_whole(&mut *again, &out);
            assert_eq!(rerun.end, Ok(()), "{name}: own output rejected");
            let frames = |r: &Run| r.frames.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
            assert_eq!(
                frames(&rerun),
                frames(&reference),
                "{name}: re-encoded frames"
            );
            if name != "abridged" || out.len() == consumed {
                assert_eq!(out, stream[..consumed], "{name}: re-encoded stream");
            }
        }

        // Every packet through the envelope decoders: what decodes
        // re-encodes to the same bytes.
        for (frame, _) in &reference.frames {
            if let Frame::Packet { payload, .. } = frame {
                envelopes(payload);
            }
        }
    });
}

/// The stream through [`StreamDecoder`], in pieces: the same frames and
/// the same error as the whole-buffer run.
fn check_stream_decoder(choice: u8, seed: u8, stream: &[u8], reference: &Run, name: &str) {
    let (decoder, _, _) = transport_decoder(choice);
    let mut sd = StreamDecoder::new(decoder);
    let mut frames = Vec::new();
    let mut fed = 0;
    let mut end = Ok(());
    'feed: for (i, cut) in split_sizes(seed.rotate_left(3), stream)
        .into_iter()
        .enumerate()
    {
        let piece = &stream[fed..fed + cut];
        // Every other piece is read into the decoder's own buffer.
        if (usize::from(seed) + i) % 2 == 0 {
            sd.feed(piece);
        } else {
            sd.read_buf(cut)[..cut].copy_from_slice(piece);
            sd.filled(cut);
        }
        fed += cut;
        loop {
            match sd.next_frame() {
                Ok(Some(frame)) => frames.push(frame.map(<[u8]>::to_vec)),
                Ok(None) => break,
                Err(e) => {
                    end = Err(e);
                    break 'feed;
                }
            }
        }
    }
    let want: Vec<_> = reference.frames.iter().map(|f| f.0.clone()).collect();
    assert_eq!(frames, want, "{name}: StreamDecoder frames");
    assert_eq!(end, reference.end, "{name}: StreamDecoder end");
}

/// Decodes `stream` in one buffer until it needs more or fails.
fn run_whole(decoder: &mut dyn Decode, stream: &[u8]) -> Run {
    let mut frames = Vec::new();
    let mut at = 0;
    loop {
        match decoder.decode(&stream[at..]) {
            Ok(Decoded::Frame { frame, consumed }) => {
                assert!(consumed > 0, "a frame of 0 bytes");
                at += consumed;
                frames.push((frame.map(<[u8]>::to_vec), at));
            }
            Ok(Decoded::NeedMore(n)) => {
                assert!(n > 0, "NeedMore(0)");
                return Run {
                    frames,
                    end: Ok(()),
                };
            }
            Err(e) => {
                return Run {
                    frames,
                    end: Err(e),
                }
            }
        }
    }
}

/// Piece sizes that add up to `stream.len()`, derived from the input so the
/// fuzzer can steer them: `seed` picks the style (one byte at a time, fixed
/// steps, or sizes read from the stream itself).
fn split_sizes(seed: u8, stream: &[u8]) -> Vec<usize> {
    let len = stream.len();
    let mut cuts = Vec::new();
    let mut at = 0;
    let mut i = 0usize;
    while at < len {
        let step = match seed % 4 {
            0 => 1,
            1 => usize::from(seed >> 2) + 1,
            2 => usize::from(stream[i % len] % 17) + 1,
            _ => usize::from(stream[(i * 7 + usize::from(seed)) % len] % 64) + 1,
        };
        let step = step.min(len - at);
        cuts.push(step);
        at += step;
        i += 1;
    }
    cuts
}

/// The envelope decoders on one packet; what decodes re-encodes exactly.
pub fn envelopes(packet: &[u8]) {
    if let Ok(msg) = PlainMessage::decode(packet) {
        let mut out = Vec::new();
        msg.encode(&mut out).expect("a decoded message encodes");
        assert_eq!(out, packet, "PlainMessage re-encoding");
    }
    if let Ok(env) = EncryptedEnvelope::decode(packet) {
        let mut out = Vec::new();
        env.encode(&mut out).expect("a decoded envelope encodes");
        assert_eq!(out, packet, "EncryptedEnvelope re-encoding");
    }
    if let Ok(env) = EncryptedEnvelope::decode_padded(packet) {
        assert!(env.encrypted_data.len() % 16 == 0);
        assert_eq!(
            env.encrypted_data,
            &packet[24..24 + env.encrypted_data.len()]
        );
    }
    if let Ok(env) = Envelope::decode(packet) {
        assert_eq!(env, Envelope::decode(packet).unwrap());
    }
    if let Ok(msg) = EncryptedPlaintext::decode(packet) {
        let padding = &packet[EncryptedPlaintext::HEADER_LEN + msg.body.len()..];
        let mut out = Vec::new();
        msg.encode_with_padding(padding, &mut out)
            .expect("a decoded plaintext encodes with its own padding");
        assert_eq!(out, packet, "EncryptedPlaintext re-encoding");
    }
}

// ---------------------------------------------------------------------------
// Target: the container unpacker.

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

// ---------------------------------------------------------------------------
// Target: gzip_packed inflation.

/// The cap used by the gzip target: small, so bombs hit it fast.
pub const GZIP_CAP: usize = 256 << 10;

pub fn gzip(data: &[u8]) {
    // Only the output (at most cap + 1 bytes), the inflater's own state
    // (tens of KiB) and nothing proportional to a claimed size.
    let limit = GZIP_CAP + 1 + (128 << 10);
    let result = bounded("gzip", limit, || gzip::inflate(data, GZIP_CAP));
    match result {
        Ok(out) => {
            assert!(out.len() <= GZIP_CAP);
            // What inflates, compressed again, inflates to the same bytes.
            if let Some(packed) = gzip::compress_if_smaller(&out, 0) {
                assert_eq!(gzip::inflate(&packed, GZIP_CAP).unwrap(), out);
            }
            // And a cap just below the size is hit, exactly at the cap.
            if let Some(below) = out.len().checked_sub(1) {
                assert!(matches!(
                    gzip::inflate(data, below),
                    Err(gzip::GzipError::TooLarge { max, .. }) if max == below
                ));
            }
        }
        Err(gzip::GzipError::TooLarge { max, inflated, .. }) => {
            assert_eq!(max, GZIP_CAP);
            assert!(inflated <= GZIP_CAP + 1, "inflated {inflated} past the cap");
        }
        Err(_) => {}
    }
}

// ---------------------------------------------------------------------------
// Target: the session fed arbitrary incoming messages.

const T0: u64 = 1_700_000_000;

/// Reads the input as a script of operations on one session:
/// - `0`: a message from a well-behaved server clock (msg_id fresh, 1 mod 4)
///   with a body taken from the input;
/// - `1`: the same with a raw msg_id and seq_no from the input;
/// - `2`: an `rpc_result` for a pending request with a body from the input;
/// - `3`: a whole plaintext (envelope) from the input;
/// - `4`: enqueue a request; `5`: cancel one; `6`: time passes;
/// - `7`: the same msg_id again (a duplicate).
///
/// After each step pending transmissions and events are drained and
/// checked: what the session sends decodes, and containers unpack.
pub fn session(data: &[u8]) {
    let config = SessionConfig {
        max_inflated: DYNAMIC_MAX_INFLATED,
        ..SessionConfig::default()
    };
    let limit = 64 * data.len() + (256 << 10) + 2 * DYNAMIC_MAX_INFLATED;
    bounded("session", limit, || {
        let mut now_secs = 0u64;
        let now = |s: u64| UnixTime::from_secs(T0 + s);
        let session_id = 0x5e55_1011;
        let mut session = Session::new(config, session_id, 0x5a17, now(0));
        let mut requests = Vec::new();
        let mut counter: i64 = 0;
        let mut last_msg_id = 0i64;
        let mut input = Bytes(data);
        while let Some(op) = input.u8() {
            let t = now(now_secs);
            let server_id = |counter: &mut i64, secs: u64| {
                *counter += 1;
                (((T0 + secs) as i64) << 32) | (*counter << 2) | 1
            };
            match op % 8 {
                0 => {
                    let body = input.chunk();
                    let msg_id = server_id(&mut counter, now_secs);
                    last_msg_id = msg_id;
                    let _ = session.handle_message(t, msg_id, (counter as i32) * 2 + 1, body);
                }
                1 => {
                    let msg_id = input.i64();
                    let seq_no = input.i64() as i32;
                    let body = input.chunk();
                    let _ = session.handle_message(t, msg_id, seq_no, body);
                }
                2 => {
                    let which = input.u8().unwrap_or(0);
                    let body = input.chunk();
                    let pending: Vec<i64> = requests
                        .iter()
                        .filter_map(|r| session.msg_id_of(*r))
                        .collect();
                    let req_msg_id = match pending.len() {
                        0 => input.i64(),
                        n => pending[usize::from(which) % n],
                    };
                    let mut result = Vec::with_capacity(12 + body.len());
                    result.extend_from_slice(&0xf35c_6d01u32.to_le_bytes());
                    result.extend_from_slice(&req_msg_id.to_le_bytes());
                    result.extend_from_slice(body);
                    let msg_id = server_id(&mut counter, now_secs);
                    last_msg_id = msg_id;
                    let _ = session.handle_message(t, msg_id, 1, &result);
                }
                3 => {
                    let plaintext = input.chunk();
                    let _ = session.handle_plaintext(t, plaintext);
                }
                4 => {
                    let ping_id = input.i64();
                    requests
                        .push(session.enqueue(&mtproto::service::functions::Ping { ping_id }, t));
                }
                5 => {
                    if let Some(&r) = requests.get(usize::from(input.u8().unwrap_or(0))) {
                        session.cancel(r, t);
                    }
                }
                6 => {
                    now_secs += u64::from(input.u8().unwrap_or(1));
                    session.handle_timeout(now(now_secs));
                }
                _ => {
                    let body = input.chunk();
                    let _ = session.handle_message(t, last_msg_id, 1, body);
                }
            }
            drain(&mut session, now(now_secs));
        }
    });
}

fn drain(session: &mut Session, now: UnixTime) {
    let limits = ContainerLimits::default();
    let mut sends = 0;
    while let Some(transmit) = session.poll_transmit(now) {
        sends += 1;
        assert!(sends < 10_000, "the session keeps sending");
        let body = &transmit.body;
        if body.get(..4) == Some(&container::MSG_CONTAINER_ID.to_le_bytes()[..]) {
            let inner = container::unpack(transmit.msg_id, body, &limits)
                .unwrap_or_else(|e| panic!("the session sent a container unpack rejects: {e}"));
            for m in inner {
                sent_message_decodes(m.body.as_bytes());
            }
        } else {
            sent_message_decodes(body);
        }
    }
    let mut events = 0;
    while session.poll_event().is_some() {
        events += 1;
        assert!(events < 100_000, "the session keeps reporting");
    }
}

/// Everything the session sends itself is a service message: it decodes
/// with the generated service layer and encodes back to the same bytes.
fn sent_message_decodes(body: &[u8]) {
    match mtproto::service::decode_by_id(body) {
        Some(Ok(value)) => assert_eq!(value.to_bytes(), body, "sent {value:?}"),
        Some(Err(e)) => panic!("the session sent a message that does not decode: {e}"),
        None => panic!("the session sent an unknown constructor: {body:02x?}"),
    }
}

/// A cursor over the fuzz input that never fails: past the end it yields
/// zeros and empty chunks.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn i64(&mut self) -> i64 {
        let mut word = [0u8; 8];
        let n = self.0.len().min(8);
        word[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        i64::from_le_bytes(word)
    }
    /// A length byte (in 4-byte words), then that many bytes.
    fn chunk(&mut self) -> &'a [u8] {
        let words = usize::from(self.u8().unwrap_or(0));
        let n = (words * 4).min(self.0.len());
        let (chunk, rest) = self.0.split_at(n);
        self.0 = rest;
        chunk
    }
}

/// A fuzz target's check: panics when the input breaks a rule.
pub type Check = fn(&[u8]);

/// Every target, by the name of its corpus directory.
pub const TARGETS: &[(&str, Check)] = &[
    ("parse", parse),
    ("service", service),
    ("api", api),
    ("dynamic", dynamic),
    ("transport", transport),
    ("container", container),
    ("gzip", gzip),
    ("session", session),
];
