//! [`StreamDecoder`]: a decoder with its own receive buffer, for callers
//! that do not keep one.

use super::{Decode, Decoded, Frame, TransportError};

/// A decoder with its own receive buffer: push bytes in as they arrive,
/// pull frames out.
///
/// Bytes go in either by [`feed`](Self::feed), which copies them, or by
/// reading straight into the buffer: [`read_buf`](Self::read_buf) lends
/// room at its end and [`filled`](Self::filled) says how much of it a read
/// wrote, which saves a copy of every byte received.
///
/// ```
/// use mtproto::transport::{intermediate, Encode, Frame, StreamDecoder};
///
/// let mut wire = Vec::new();
/// let mut client = intermediate::Encoder::client();
/// client.encode_packet(&[1, 2, 3, 4], false, &mut wire).unwrap();
///
/// let mut server = StreamDecoder::new(intermediate::Decoder::server());
/// for byte in &wire {
///     // Bytes may arrive split anywhere, here one at a time.
///     server.feed(std::slice::from_ref(byte));
/// }
/// assert_eq!(server.next_frame().unwrap(), Some(Frame::packet(&[1u8, 2, 3, 4][..])));
/// assert_eq!(server.next_frame().unwrap(), None);
/// assert_eq!(server.needed(), 4, "the next length word");
///
/// // The same, read into the decoder's buffer (here from a slice; a
/// // socket's `read` works the same way).
/// let mut server = StreamDecoder::new(intermediate::Decoder::server());
/// let mut socket = &wire[..];
/// let n = std::io::Read::read(&mut socket, server.read_buf(4096)).unwrap();
/// server.filled(n);
/// assert_eq!(server.next_frame().unwrap(), Some(Frame::packet(&[1u8, 2, 3, 4][..])));
/// ```
#[derive(Debug, Clone)]
pub struct StreamDecoder<D> {
    decoder: D,
    /// Received bytes are `buf[start..end]`; `buf[end..]` is room lent out
    /// by `read_buf` (initialized, so that it can be lent safely, and kept
    /// between reads so that it is zeroed once, not per read).
    buf: Vec<u8>,
    start: usize,
    end: usize,
    needed: usize,
}

/// Above this much idle capacity the receive buffer is given back, so that
/// one large packet does not pin its size for the connection's lifetime.
const SHRINK_ABOVE: usize = 1 << 20;

impl<D: Decode> StreamDecoder<D> {
    /// Wraps a decoder with an empty buffer.
    pub fn new(decoder: D) -> Self {
        Self {
            decoder,
            buf: Vec::new(),
            start: 0,
            end: 0,
            needed: 1,
        }
    }

    /// Appends received bytes. The buffer grows with what is fed, never with
    /// what a header claims.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.compact(bytes.len());
        let end = self.end + bytes.len();
        if end <= self.buf.len() {
            self.buf[self.end..end].copy_from_slice(bytes);
        } else {
            self.buf.truncate(self.end);
            self.buf.extend_from_slice(bytes);
        }
        self.end = end;
        self.needed = self.needed.saturating_sub(bytes.len());
    }

    /// Room for at least `min` more bytes at the end of the buffer, for a
    /// read to write into directly; then call [`filled`](Self::filled)
    /// with the number of bytes it wrote. The room may be larger than
    /// `min` (what earlier reads left); its contents are unspecified.
    pub fn read_buf(&mut self, min: usize) -> &mut [u8] {
        self.compact(min);
        if self.buf.len() - self.end < min {
            self.buf.resize(self.end + min, 0);
        }
        &mut self.buf[self.end..]
    }

    /// Marks the first `n` bytes of the room from the last
    /// [`read_buf`](Self::read_buf) as received.
    ///
    /// # Panics
    /// If `n` is more than that room: no read can have written more.
    pub fn filled(&mut self, n: usize) {
        let room = self.buf.len() - self.end;
        assert!(
            n <= room,
            "StreamDecoder::filled({n}) after read_buf lent only {room} bytes"
        );
        self.end += n;
        self.needed = self.needed.saturating_sub(n);
    }

    /// The last `n` bytes received, for a layer below the framing (the
    /// obfuscation's keystream) to transform in place as they arrive.
    pub(crate) fn last_received_mut(&mut self, n: usize) -> &mut [u8] {
        &mut self.buf[self.end - n..self.end]
    }

    /// Drops the consumed frames before `additional` bytes arrive, and
    /// gives memory back after a large packet.
    fn compact(&mut self, additional: usize) {
        if self.start == 0 {
            return;
        }
        // Consumed frames are only dropped here, so frames handed out by
        // `next_frame` stay valid until the caller adds bytes again.
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        let wanted = self.end + additional;
        if self.buf.capacity() > SHRINK_ABOVE && wanted < SHRINK_ABOVE / 4 {
            self.buf.truncate(wanted);
            self.buf.shrink_to(SHRINK_ABOVE / 4);
        }
    }

    /// The next complete frame, or `None` until more bytes arrive.
    pub fn next_frame(&mut self) -> Result<Option<Frame<&[u8]>>, TransportError> {
        let input = &self.buf[self.start..self.end];
        match self.decoder.decode(input)? {
            Decoded::NeedMore(n) => {
                self.needed = n;
                Ok(None)
            }
            Decoded::Frame { frame, consumed } => {
                self.start += consumed;
                self.needed = 0;
                Ok(Some(frame))
            }
        }
    }

    /// How many more bytes the last `next_frame` that returned `None` asked
    /// for, minus what arrived since; 0 when a frame may be ready.
    pub fn needed(&self) -> usize {
        self.needed
    }

    /// Bytes received and not yet returned as frames.
    pub fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// The wrapped decoder.
    pub fn decoder(&self) -> &D {
        &self.decoder
    }

    /// Unwraps the decoder, dropping buffered bytes.
    pub fn into_inner(self) -> D {
        self.decoder
    }
}
