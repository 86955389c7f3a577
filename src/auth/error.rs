//! [`AuthError`]: every way the key exchange can fail, one variant per
//! check, so a caller (and the hostile-input tests) can tell exactly which
//! rule an answer broke.

/// Which key-exchange message a check or a decode failure concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// `req_pq_multi` (server side).
    ReqPqMulti,
    /// `resPQ`.
    ResPq,
    /// `p_q_inner_data_dc` / `p_q_inner_data_temp_dc` inside RSA_PAD
    /// (server side).
    PqInnerData,
    /// `req_DH_params` (server side).
    ReqDhParams,
    /// `server_DH_params_ok` / `server_DH_params_fail`.
    ServerDhParams,
    /// `server_DH_inner_data`, the decrypted answer.
    ServerDhInnerData,
    /// `set_client_DH_params` (server side).
    SetClientDhParams,
    /// `client_DH_inner_data`, its decrypted payload (server side).
    ClientDhInnerData,
    /// `dh_gen_ok` / `dh_gen_retry` / `dh_gen_fail`.
    DhGen,
    /// `bind_auth_key_inner` inside `auth.bindTempAuthKey`.
    BindAuthKeyInner,
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ReqPqMulti => "req_pq_multi",
            Self::ResPq => "resPQ",
            Self::PqInnerData => "p_q_inner_data",
            Self::ReqDhParams => "req_DH_params",
            Self::ServerDhParams => "server_DH_params",
            Self::ServerDhInnerData => "server_DH_inner_data",
            Self::SetClientDhParams => "set_client_DH_params",
            Self::ClientDhInnerData => "client_DH_inner_data",
            Self::DhGen => "dh_gen_*",
            Self::BindAuthKeyInner => "bind_auth_key_inner",
        })
    }
}

/// Why the key exchange (either role) or a bind message was rejected.
///
/// Every variant is one check; the message names the rule and, where it is
/// not secret, the offending value. No variant holds key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A message could not be decoded as the TL type expected at this step
    /// (truncated, unknown constructor, trailing bytes).
    #[error("malformed {message}: {error}")]
    Malformed {
        /// The message being decoded.
        message: Message,
        /// The TL decoder's error (kind and byte offset).
        error: mtproto_types::Error,
    },
    /// The exchange is over (done or failed); no further message is
    /// accepted.
    #[error("the key exchange is already finished")]
    Finished,
    /// `nonce` differs from the one we sent in `req_pq_multi`.
    #[error("{message}: nonce does not echo ours")]
    NonceMismatch {
        /// Where the wrong nonce was.
        message: Message,
    },
    /// `server_nonce` differs from the one in `resPQ`.
    #[error("{message}: server_nonce does not echo the one from resPQ")]
    ServerNonceMismatch {
        /// Where the wrong server_nonce was.
        message: Message,
    },
    /// `resPQ.pq` is not 8 big-endian bytes (Telegram always sends 8).
    #[error("resPQ: pq is {len} bytes, expected 8")]
    PqLength {
        /// The length received.
        len: usize,
    },
    /// `resPQ.pq` is prime (or below 4), so it has no `p * q` split.
    #[error("resPQ: pq {pq} is not a product of two factors")]
    PqNotComposite {
        /// The value received.
        pq: u64,
    },
    /// None of the fingerprints in `resPQ` names an RSA key we hold.
    #[error("resPQ: no offered RSA key fingerprint is known: {fingerprints:?}")]
    UnknownFingerprints {
        /// The fingerprints offered (bounded by the message size).
        fingerprints: Vec<i64>,
    },
    /// `server_DH_params_fail` with the correct `new_nonce_hash`: the
    /// server refused our `req_DH_params`.
    #[error("server_DH_params_fail: the server refused req_DH_params")]
    DhParamsFail,
    /// `server_DH_params_fail` whose `new_nonce_hash` is not
    /// `SHA1(new_nonce)[4..20]`: not from the server that read our request.
    #[error("server_DH_params_fail: new_nonce_hash is not SHA1(new_nonce)[4..20]")]
    DhParamsFailHash,
    /// `encrypted_answer` is not whole AES blocks, or too short for a
    /// SHA1 and a `server_DH_inner_data`, or longer than any valid answer.
    #[error(
        "server_DH_params_ok: encrypted_answer of {len} bytes is not a multiple of 16 in 16..=1024"
    )]
    EncryptedAnswerLength {
        /// The length received.
        len: usize,
    },
    /// The first 20 bytes of the decrypted answer are not the SHA1 of the
    /// `server_DH_inner_data` that follows.
    #[error("server_DH_params_ok: SHA1 at the start of the decrypted answer does not match server_DH_inner_data")]
    AnswerHash,
    /// More than 15 bytes follow `server_DH_inner_data` in the decrypted
    /// answer (padding is only ever to the next AES block).
    #[error("server_DH_params_ok: {padding} bytes of padding after server_DH_inner_data, at most 15 allowed")]
    AnswerPadding {
        /// The padding length found.
        padding: usize,
    },
    /// `dh_prime` is not exactly 2048 bits (256 bytes, top bit set).
    #[error("dh_prime is not a 2048-bit number ({bits} bits)")]
    DhPrimeSize {
        /// Its bit length (after leading zero bytes are dropped).
        bits: usize,
    },
    /// `dh_prime` is composite.
    #[error("dh_prime is not prime")]
    DhPrimeComposite,
    /// `dh_prime` is prime but `(dh_prime - 1) / 2` is not: not a safe
    /// prime, so the group has small subgroups.
    #[error("dh_prime is prime but (dh_prime - 1) / 2 is not: not a safe prime")]
    DhPrimeNotSafe,
    /// `g` is outside 2..=7.
    #[error("g = {g} is outside 2..=7")]
    GOutOfRange {
        /// The value received.
        g: i32,
    },
    /// `g` does not generate the subgroup of order `(p-1)/2`: the residue
    /// rule for this `g` fails (2: p mod 8 = 7; 3: p mod 3 = 2; 5: p mod 5
    /// in {1,4}; 6: p mod 24 in {19,23}; 7: p mod 7 in {3,5,6}).
    #[error("g = {g} breaks its residue rule for dh_prime (p mod {modulus} = {residue})")]
    GResidue {
        /// The generator.
        g: i32,
        /// The modulus of the rule.
        modulus: u32,
        /// `dh_prime` modulo it.
        residue: u32,
    },
    /// `g_a` (or, server side, `g_b`) is longer than 256 bytes.
    #[error("{value} is longer than 256 bytes ({len})")]
    DhValueLength {
        /// `"g_a"` or `"g_b"`.
        value: &'static str,
        /// The length received.
        len: usize,
    },
    /// `g_a` / `g_b` is `<= 2^(2048-64)`: too small (this includes 0 and 1).
    #[error("{value} is not above 2^(2048-64)")]
    DhValueTooSmall {
        /// `"g_a"` or `"g_b"`.
        value: &'static str,
    },
    /// `g_a` / `g_b` is `>= dh_prime - 2^(2048-64)` (this includes
    /// `dh_prime - 1` and anything at or above `dh_prime`).
    #[error("{value} is not below dh_prime - 2^(2048-64)")]
    DhValueTooLarge {
        /// `"g_a"` or `"g_b"`.
        value: &'static str,
    },
    /// `new_nonce_hash1/2/3` of `dh_gen_*` is not
    /// `SHA1(new_nonce || N || aux_hash)[4..20]` for our key.
    #[error("dh_gen: new_nonce_hash{n} does not match our key")]
    NewNonceHash {
        /// 1 (`dh_gen_ok`), 2 (`dh_gen_retry`) or 3 (`dh_gen_fail`).
        n: u8,
    },
    /// `dh_gen_fail` (with a correct hash): the server rejected the key.
    #[error("dh_gen_fail: the server rejected the key")]
    DhGenFail,
    /// `dh_gen_retry` more times than [`MAX_DH_RETRIES`](super::MAX_DH_RETRIES).
    #[error("dh_gen_retry more than {max} times")]
    TooManyRetries {
        /// The bound.
        max: u32,
    },
    /// Server side: `req_DH_params` names a key fingerprint we do not hold.
    #[error("req_DH_params: unknown RSA key fingerprint {fingerprint}")]
    UnknownFingerprint {
        /// The fingerprint received.
        fingerprint: i64,
    },
    /// Server side: `encrypted_data` of `req_DH_params` is not a valid
    /// RSA_PAD block for our key (wrong size, not below the modulus, or
    /// the SHA256 inside does not match).
    #[error("req_DH_params: encrypted_data is not a valid RSA_PAD block ({0})")]
    RsaPad(&'static str),
    /// Server side: `p`, `q` or `pq` in the request differ from what we
    /// sent in `resPQ`.
    #[error("{message}: p, q or pq differ from resPQ")]
    PqMismatch {
        /// Where.
        message: Message,
    },
    /// Server side: the inner data asks for something other than we
    /// serve (another dc, or a temporary key with `expires_in <= 0`).
    #[error("p_q_inner_data: {0}")]
    InnerDataRejected(&'static str),
    /// Server side: the SHA1 in front of `client_DH_inner_data` does not
    /// match, or the padding after it is 16 bytes or more.
    #[error("set_client_DH_params: SHA1 or padding of the decrypted data is wrong")]
    ClientDataHash,
    /// Server side: `retry_id` is not 0 (first try) or the previous key's
    /// `aux_hash` (after `dh_gen_retry`).
    #[error("client_DH_inner_data: retry_id {got} is not {expected}")]
    RetryId {
        /// Expected value.
        expected: i64,
        /// The value received.
        got: i64,
    },
    /// The RSA private key could not be read.
    #[error("invalid RSA private key: {0}")]
    InvalidPrivateKey(&'static str),
    /// The bind message is not `auth_key_id || msg_key || blocks` of the
    /// permanent key, or too short.
    #[error("bind message: {0}")]
    BindFraming(&'static str),
    /// The bind message's `msg_key` is not `SHA1(data)[4..20]` of its
    /// decrypted data (wrong key or altered).
    #[error("bind message: msg_key does not match the decrypted data")]
    BindMsgKey,
    /// A field of `bind_auth_key_inner` (or the message's `msg_id`)
    /// differs from the outer `auth.bindTempAuthKey` or the temporary key.
    #[error("bind message: {0} does not match")]
    BindField(&'static str),
}
