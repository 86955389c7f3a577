//! The server role: answers `req_pq_multi`, `req_DH_params` and
//! `set_client_DH_params` with the same checks mirrored, so a test server,
//! a proxy or a test can run the whole exchange without Telegram.

use std::sync::Arc;

use mtproto_types::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use super::checks::{check_dh_prime, check_dh_value, check_g, new_nonce_hash, TELEGRAM_DH_PRIME};
use super::client::{encrypt_with_hash, minimal_be};
use super::error::Message;
use super::kdf::tmp_aes_key_iv;
use super::AuthError;
use crate::crypto::{
    aes_ige_decrypt, base64_decode, factorize, mod_pow, AuthKey, CryptoError, Der, RsaPublicKey,
};
use crate::msg_id::UnixTime;
use crate::random::RandomSource;
use crate::service::{enums, functions, types};

/// An RSA private key (2048-bit modulus) for the server role: decrypts the
/// RSA_PAD block of `req_DH_params`. The private exponent is wiped on drop
/// and never shown by `Debug`.
#[derive(Clone)]
pub struct RsaPrivateKey {
    public: RsaPublicKey,
    d: Zeroizing<[u8; 256]>,
}

impl std::fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaPrivateKey")
            .field("fingerprint", &self.public.fingerprint())
            .finish_non_exhaustive()
    }
}

fn der_error(error: CryptoError) -> AuthError {
    AuthError::InvalidPrivateKey(match error {
        CryptoError::InvalidDer(why) | CryptoError::InvalidPem(why) => why,
        CryptoError::UnsupportedRsaKey(why) => why,
        _ => "unreadable key",
    })
}

impl RsaPrivateKey {
    /// Parses a PKCS#1 `-----BEGIN RSA PRIVATE KEY-----` PEM block (as
    /// `openssl genrsa -traditional 2048` writes): `n`, `e` and `d` are
    /// used, the CRT values are read past and ignored.
    pub fn from_pem(pem: &str) -> Result<Self, AuthError> {
        const BEGIN: &str = "-----BEGIN RSA PRIVATE KEY-----";
        const END: &str = "-----END RSA PRIVATE KEY-----";
        let start = pem.find(BEGIN).ok_or(AuthError::InvalidPrivateKey(
            "no BEGIN RSA PRIVATE KEY line",
        ))?;
        let body = &pem[start + BEGIN.len()..];
        let stop = body.find(END).ok_or(AuthError::InvalidPrivateKey(
            "no END line after the BEGIN line",
        ))?;
        let der = Zeroizing::new(base64_decode(&body[..stop]).map_err(der_error)?);
        // RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dp, dq, qinv }
        let mut outer = Der(&der);
        let mut seq = Der(outer.read(0x30).map_err(der_error)?);
        outer.finish().map_err(der_error)?;
        if seq.read_unsigned().map_err(der_error)? != [0] {
            return Err(AuthError::InvalidPrivateKey(
                "not a two-prime (version 0) key",
            ));
        }
        let n = seq.read_unsigned().map_err(der_error)?;
        let e = seq.read_unsigned().map_err(der_error)?;
        let d = seq.read_unsigned().map_err(der_error)?;
        for _ in 0..5 {
            seq.read_unsigned().map_err(der_error)?;
        }
        seq.finish().map_err(der_error)?;
        Self::from_components(n, e, d)
    }

    /// Builds a key from big-endian `n`, `e` and `d` (leading zeros
    /// allowed). `n` must be an odd 2048-bit modulus.
    pub fn from_components(n: &[u8], e: &[u8], d: &[u8]) -> Result<Self, AuthError> {
        let public = RsaPublicKey::from_components(n, e).map_err(der_error)?;
        let d = super::checks::to_fixed_256(d)
            .ok_or(AuthError::InvalidPrivateKey("d is longer than 2048 bits"))?;
        Ok(Self {
            public,
            d: Zeroizing::new(d),
        })
    }

    /// The public half, to give clients ([`super::ClientConfig::with_rsa_key`]).
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public
    }

    /// Undoes RSA_PAD: returns the 192-byte `data_with_padding` (the TL
    /// inner data followed by random padding) after checking the SHA256
    /// that RSA_PAD embeds.
    pub fn decrypt_pad(&self, encrypted: &[u8]) -> Result<Zeroizing<[u8; 192]>, AuthError> {
        let block: [u8; 256] = encrypted
            .try_into()
            .map_err(|_| AuthError::RsaPad("encrypted_data is not 256 bytes"))?;
        if block[..] >= self.public.modulus()[..] {
            return Err(AuthError::RsaPad("encrypted_data is not below the modulus"));
        }
        let mut key_aes_encrypted = Zeroizing::new(
            mod_pow(&block, &self.d, self.public.modulus()).expect("the modulus is odd"),
        );
        let (temp_key_xor, aes_encrypted) = key_aes_encrypted.split_at_mut(32);
        let mask = Sha256::digest(&*aes_encrypted);
        let mut temp_key = Zeroizing::new([0u8; 32]);
        for ((k, x), m) in temp_key.iter_mut().zip(temp_key_xor.iter()).zip(mask) {
            *k = x ^ m;
        }
        aes_ige_decrypt(aes_encrypted, &temp_key, &[0; 32]);
        let mut data = Zeroizing::new([0u8; 192]);
        for (dst, src) in data.iter_mut().zip(aes_encrypted[..192].iter().rev()) {
            *dst = *src;
        }
        let hash = Sha256::new()
            .chain_update(*temp_key)
            .chain_update(*data)
            .finalize();
        if hash[..] != aes_encrypted[192..] {
            return Err(AuthError::RsaPad("SHA256 inside does not match"));
        }
        Ok(data)
    }
}

/// What the server offers: its RSA key, the DH group, and (for tests of
/// the client's retry path) how many `dh_gen_retry` to answer first.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    rsa: Arc<RsaPrivateKey>,
    dh_prime: [u8; 256],
    g: i32,
    dc_id: Option<i32>,
    retries: u32,
}

impl ServerConfig {
    /// Serves with `rsa` and Telegram's DH group (its prime, `g = 3`),
    /// accepting any dc id.
    pub fn new(rsa: RsaPrivateKey) -> Self {
        Self {
            rsa: Arc::new(rsa),
            dh_prime: TELEGRAM_DH_PRIME,
            g: 3,
            dc_id: None,
            retries: 0,
        }
    }

    /// Uses another DH group; it must pass the same checks a client
    /// applies (2048-bit safe prime, `g` in 2..=7 with its residue rule).
    pub fn with_dh_group(mut self, dh_prime: [u8; 256], g: i32) -> Result<Self, AuthError> {
        check_dh_prime(&dh_prime)?;
        check_g(g, &dh_prime)?;
        self.dh_prime = dh_prime;
        self.g = g;
        Ok(self)
    }

    /// Rejects inner data naming another dc (`p_q_inner_data_dc.dc`).
    pub fn expect_dc(mut self, dc_id: i32) -> Self {
        self.dc_id = Some(dc_id);
        self
    }

    /// Answers the first `retries` valid `set_client_DH_params` with
    /// `dh_gen_retry` (as a real server does when a key id collides), to
    /// exercise a client's retry path.
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }
}

/// What [`Server::handle`] asks the caller to do.
// Like the client's `Step`: matched by value, one per round trip.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum ServerStep {
    /// Send this answer body and pass the client's next request in.
    Send(Vec<u8>),
    /// Send this last answer (`dh_gen_ok`); the key is established.
    Done {
        /// The `dh_gen_ok` body.
        body: Vec<u8>,
        /// The established key.
        accepted: Accepted,
    },
}

/// A key the server accepted.
#[derive(Debug)]
pub struct Accepted {
    /// The new authorization key.
    pub auth_key: AuthKey,
    /// The first server salt (`new_nonce[0..8] XOR server_nonce[0..8]`).
    pub server_salt: i64,
    /// The dc the client named (`None` for the legacy `p_q_inner_data`).
    pub dc_id: Option<i32>,
    /// `Some(expires_in)` for a temporary key.
    pub expires_in: Option<i32>,
}

/// The server side of one key exchange.
pub struct Server {
    config: ServerConfig,
    state: ServerState,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("fingerprint", &self.config.rsa.public.fingerprint())
            .finish_non_exhaustive()
    }
}

enum ServerState {
    AwaitReqPq,
    AwaitReqDh(Box<PqState>),
    AwaitClientDh(Box<DhState>),
    Finished,
}

struct PqState {
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    pq: u64,
    p: u64,
    q: u64,
}

struct DhState {
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    new_nonce: Zeroizing<[u8; 32]>,
    tmp_key: Zeroizing<[u8; 32]>,
    tmp_iv: Zeroizing<[u8; 32]>,
    a: Zeroizing<[u8; 256]>,
    retry_id: i64,
    retries_left: u32,
    dc_id: Option<i32>,
    expires_in: Option<i32>,
}

impl Server {
    /// A server waiting for `req_pq_multi`.
    pub fn new(config: ServerConfig) -> Self {
        Self {
            config,
            state: ServerState::AwaitReqPq,
        }
    }

    /// Handles one client request. Draws, in order: `server_nonce` (16)
    /// and 4 bytes each for `p` and `q` on `req_pq_multi`; `a` (256) and
    /// the answer padding on `req_DH_params`. Any error ends the exchange.
    pub fn handle(
        &mut self,
        request: &[u8],
        now: UnixTime,
        rng: &mut impl RandomSource,
    ) -> Result<ServerStep, AuthError> {
        let state = std::mem::replace(&mut self.state, ServerState::Finished);
        let (step, next) = match state {
            ServerState::AwaitReqPq => self.on_req_pq(request, rng)?,
            ServerState::AwaitReqDh(pq) => self.on_req_dh(*pq, request, now, rng)?,
            ServerState::AwaitClientDh(dh) => self.on_client_dh(*dh, request)?,
            ServerState::Finished => return Err(AuthError::Finished),
        };
        self.state = next;
        Ok(step)
    }

    fn on_req_pq(
        &self,
        request: &[u8],
        rng: &mut impl RandomSource,
    ) -> Result<(ServerStep, ServerState), AuthError> {
        let req =
            functions::ReqPqMulti::from_bytes(request).map_err(|error| AuthError::Malformed {
                message: Message::ReqPqMulti,
                error,
            })?;
        let mut server_nonce = [0u8; 16];
        rng.fill_bytes(&mut server_nonce);
        let p = random_prime(rng, 0);
        let q = random_prime(rng, p);
        let (p, q) = (p.min(q), p.max(q));
        let pq = p * q;
        let body = enums::ResPq::from(types::ResPq {
            nonce: req.nonce,
            server_nonce,
            pq: pq.to_be_bytes().to_vec().into(),
            server_public_key_fingerprints: vec![self.config.rsa.public.fingerprint()],
        })
        .to_bytes();
        let state = PqState {
            nonce: req.nonce,
            server_nonce,
            pq,
            p,
            q,
        };
        Ok((
            ServerStep::Send(body),
            ServerState::AwaitReqDh(Box::new(state)),
        ))
    }

    fn on_req_dh(
        &self,
        pq: PqState,
        request: &[u8],
        now: UnixTime,
        rng: &mut impl RandomSource,
    ) -> Result<(ServerStep, ServerState), AuthError> {
        let req =
            functions::ReqDhParams::from_bytes(request).map_err(|error| AuthError::Malformed {
                message: Message::ReqDhParams,
                error,
            })?;
        check_echo(
            &req.nonce,
            &req.server_nonce,
            &pq.nonce,
            &pq.server_nonce,
            Message::ReqDhParams,
        )?;
        if req.p.as_slice() != minimal_be(pq.p) || req.q.as_slice() != minimal_be(pq.q) {
            return Err(AuthError::PqMismatch {
                message: Message::ReqDhParams,
            });
        }
        if req.public_key_fingerprint != self.config.rsa.public.fingerprint() {
            return Err(AuthError::UnknownFingerprint {
                fingerprint: req.public_key_fingerprint,
            });
        }
        let data = self.config.rsa.decrypt_pad(&req.encrypted_data)?;
        // The inner data is followed by RSA_PAD's random padding: read one
        // value and ignore the rest.
        let mut reader = mtproto_types::Reader::new(&data[..]);
        let inner =
            enums::PQInnerData::deserialize(&mut reader).map_err(|error| AuthError::Malformed {
                message: Message::PqInnerData,
                error,
            })?;
        let (fields, dc_id, expires_in) = match &inner {
            enums::PQInnerData::PQInnerData(x) => (
                (&x.pq, &x.p, &x.q, x.nonce, x.server_nonce, x.new_nonce),
                None,
                None,
            ),
            enums::PQInnerData::Dc(x) => (
                (&x.pq, &x.p, &x.q, x.nonce, x.server_nonce, x.new_nonce),
                Some(x.dc),
                None,
            ),
            enums::PQInnerData::Temp(x) => (
                (&x.pq, &x.p, &x.q, x.nonce, x.server_nonce, x.new_nonce),
                None,
                Some(x.expires_in),
            ),
            enums::PQInnerData::TempDc(x) => (
                (&x.pq, &x.p, &x.q, x.nonce, x.server_nonce, x.new_nonce),
                Some(x.dc),
                Some(x.expires_in),
            ),
        };
        let (in_pq, in_p, in_q, nonce, server_nonce, new_nonce) = fields;
        check_echo(
            &nonce,
            &server_nonce,
            &pq.nonce,
            &pq.server_nonce,
            Message::PqInnerData,
        )?;
        if in_pq.as_slice() != pq.pq.to_be_bytes()
            || in_p.as_slice() != minimal_be(pq.p)
            || in_q.as_slice() != minimal_be(pq.q)
        {
            return Err(AuthError::PqMismatch {
                message: Message::PqInnerData,
            });
        }
        if let (Some(want), Some(got)) = (self.config.dc_id, dc_id) {
            if want != got {
                return Err(AuthError::InnerDataRejected("dc is not the one served"));
            }
        }
        if expires_in.is_some_and(|e| e <= 0) {
            return Err(AuthError::InnerDataRejected(
                "expires_in of a temporary key is not positive",
            ));
        }
        let new_nonce = Zeroizing::new(new_nonce);
        drop(inner);

        let mut a = Zeroizing::new([0u8; 256]);
        let mut g = [0u8; 256];
        g[255] = self.config.g as u8;
        // Redraw `a` until g_a is in the range a client demands; each try
        // fails with probability about 2^-62, so this ends at once.
        let g_a = loop {
            rng.fill_bytes(&mut *a);
            let g_a = mod_pow(&g, &a, &self.config.dh_prime).expect("dh_prime is odd");
            if check_dh_value("g_a", &g_a, &self.config.dh_prime).is_ok() {
                break g_a;
            }
        };
        let (tmp_key, tmp_iv) = tmp_aes_key_iv(&pq.server_nonce, &new_nonce);
        let answer = enums::ServerDhInnerData::from(types::ServerDhInnerData {
            nonce: pq.nonce,
            server_nonce: pq.server_nonce,
            g: self.config.g,
            dh_prime: self.config.dh_prime.to_vec().into(),
            g_a: g_a.to_vec().into(),
            server_time: now.as_duration().as_secs() as i32,
        })
        .to_bytes();
        let encrypted_answer = encrypt_with_hash(&answer, &tmp_key, &tmp_iv, rng);
        let body = enums::ServerDhParams::from(types::ServerDhParamsOk {
            nonce: pq.nonce,
            server_nonce: pq.server_nonce,
            encrypted_answer: encrypted_answer.into(),
        })
        .to_bytes();
        let state = DhState {
            nonce: pq.nonce,
            server_nonce: pq.server_nonce,
            new_nonce,
            tmp_key,
            tmp_iv,
            a,
            retry_id: 0,
            retries_left: self.config.retries,
            dc_id,
            expires_in,
        };
        Ok((
            ServerStep::Send(body),
            ServerState::AwaitClientDh(Box::new(state)),
        ))
    }

    fn on_client_dh(
        &self,
        mut dh: DhState,
        request: &[u8],
    ) -> Result<(ServerStep, ServerState), AuthError> {
        let req = functions::SetClientDhParams::from_bytes(request).map_err(|error| {
            AuthError::Malformed {
                message: Message::SetClientDhParams,
                error,
            }
        })?;
        check_echo(
            &req.nonce,
            &req.server_nonce,
            &dh.nonce,
            &dh.server_nonce,
            Message::SetClientDhParams,
        )?;
        let len = req.encrypted_data.len();
        if len % 16 != 0 || !(48..=1024).contains(&len) {
            return Err(AuthError::ClientDataHash);
        }
        let mut plain = Zeroizing::new(req.encrypted_data.to_vec());
        aes_ige_decrypt(&mut plain, &dh.tmp_key, &dh.tmp_iv);
        let mut reader = mtproto_types::Reader::new(&plain[20..]);
        let enums::ClientDhInnerData::ClientDhInnerData(inner) =
            enums::ClientDhInnerData::deserialize(&mut reader).map_err(|error| {
                AuthError::Malformed {
                    message: Message::ClientDhInnerData,
                    error,
                }
            })?;
        let inner_len = reader.offset();
        if Sha1::digest(&plain[20..20 + inner_len])[..] != plain[..20]
            || plain.len() - 20 - inner_len >= 16
        {
            return Err(AuthError::ClientDataHash);
        }
        check_echo(
            &inner.nonce,
            &inner.server_nonce,
            &dh.nonce,
            &dh.server_nonce,
            Message::ClientDhInnerData,
        )?;
        if inner.retry_id != dh.retry_id {
            return Err(AuthError::RetryId {
                expected: dh.retry_id,
                got: inner.retry_id,
            });
        }
        let g_b = check_dh_value("g_b", &inner.g_b, &self.config.dh_prime)?;
        let mut g_ab = mod_pow(&g_b, &dh.a, &self.config.dh_prime).expect("dh_prime is odd");
        let auth_key = AuthKey::from_bytes(g_ab);
        g_ab.zeroize();

        if dh.retries_left > 0 {
            dh.retries_left -= 1;
            dh.retry_id = auth_key.aux_hash();
            let body = enums::SetClientDhParamsAnswer::from(types::DhGenRetry {
                nonce: dh.nonce,
                server_nonce: dh.server_nonce,
                new_nonce_hash2: new_nonce_hash(&dh.new_nonce, 2, auth_key.aux_hash()),
            })
            .to_bytes();
            return Ok((
                ServerStep::Send(body),
                ServerState::AwaitClientDh(Box::new(dh)),
            ));
        }
        let body = enums::SetClientDhParamsAnswer::from(types::DhGenOk {
            nonce: dh.nonce,
            server_nonce: dh.server_nonce,
            new_nonce_hash1: new_nonce_hash(&dh.new_nonce, 1, auth_key.aux_hash()),
        })
        .to_bytes();
        let mut salt = [0u8; 8];
        for (i, byte) in salt.iter_mut().enumerate() {
            *byte = dh.new_nonce[i] ^ dh.server_nonce[i];
        }
        let accepted = Accepted {
            auth_key,
            server_salt: i64::from_le_bytes(salt),
            dc_id: dh.dc_id,
            expires_in: dh.expires_in,
        };
        Ok((ServerStep::Done { body, accepted }, ServerState::Finished))
    }
}

fn check_echo(
    nonce: &[u8; 16],
    server_nonce: &[u8; 16],
    want_nonce: &[u8; 16],
    want_server_nonce: &[u8; 16],
    message: Message,
) -> Result<(), AuthError> {
    if nonce != want_nonce {
        return Err(AuthError::NonceMismatch { message });
    }
    if server_nonce != want_server_nonce {
        return Err(AuthError::ServerNonceMismatch { message });
    }
    Ok(())
}

/// A 31-bit prime other than `other`: 4 random bytes, then the next prime
/// upward (prime gaps below 2^31 are under 300, so the search is short and
/// ends even with a constant RNG).
fn random_prime(rng: &mut impl RandomSource, other: u64) -> u64 {
    let mut bytes = [0u8; 4];
    rng.fill_bytes(&mut bytes);
    // Top bit of 31 set (so pq is a full 61..62-bit number), odd.
    let mut candidate = u64::from(u32::from_be_bytes(bytes) & 0x3fff_ffff | 0x4000_0001);
    while candidate == other || factorize(candidate).0 != 1 {
        candidate += 2;
    }
    candidate
}
