//! The client role: `req_pq_multi -> resPQ -> req_DH_params ->
//! server_DH_params_ok -> set_client_DH_params -> dh_gen_*`, with every
//! check of the protocol digest, as a state machine that takes answer
//! bodies, time and randomness and returns request bodies.

use mtproto_types::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use zeroize::{Zeroize, Zeroizing};

use super::checks::{check_dh_prime, check_dh_value, check_g, new_nonce_hash, params_fail_hash};
use super::error::Message;
use super::kdf::tmp_aes_key_iv;
use super::{AuthError, MAX_DH_RETRIES};
use crate::crypto::{
    aes_ige_decrypt, aes_ige_encrypt, factorize, mod_pow, rsa_pad_encrypt, AuthKey, RsaPublicKey,
};
use crate::msg_id::UnixTime;
use crate::random::RandomSource;
use crate::service::{enums, functions, types};

/// What the client needs to know before the exchange: the DC it talks to,
/// the RSA keys it trusts, and whether the key is temporary.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    dc_id: i32,
    expires_in: Option<i32>,
    rsa_keys: Vec<RsaPublicKey>,
}

impl ClientConfig {
    /// A permanent key for `dc_id`, trusting Telegram's production and test
    /// RSA keys. `dc_id` is sent as is in `p_q_inner_data_dc`: Telegram
    /// expects the DC number, +10000 for test DCs, negative for media DCs.
    pub fn new(dc_id: i32) -> Self {
        Self {
            dc_id,
            expires_in: None,
            rsa_keys: vec![RsaPublicKey::production(), RsaPublicKey::test()],
        }
    }

    /// Asks for a temporary key valid `expires_in` seconds (perfect forward
    /// secrecy): the request carries `p_q_inner_data_temp_dc`.
    pub fn temporary(mut self, expires_in: i32) -> Self {
        self.expires_in = Some(expires_in);
        self
    }

    /// Trusts one more RSA key (e.g. a test server's), tried after the keys
    /// already configured.
    pub fn with_rsa_key(mut self, key: RsaPublicKey) -> Self {
        self.rsa_keys.push(key);
        self
    }
}

/// What [`Client::handle`] asks the caller to do next.
// `Done` holds the 256-byte key inline so callers can match
// `Step::Done(Authorized { auth_key, .. })` directly (no box patterns); one
// `Step` per round trip makes the size difference irrelevant.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Step {
    /// Send this TL body (in a `PlainMessage`) and pass the answer to
    /// [`Client::handle`].
    Send(Vec<u8>),
    /// The exchange succeeded.
    Done(Authorized),
}

/// The result of a successful exchange.
#[derive(Debug)]
pub struct Authorized {
    /// The new authorization key (its `Debug` shows only the id).
    pub auth_key: AuthKey,
    /// The first server salt: `new_nonce[0..8] XOR server_nonce[0..8]`,
    /// read as a little-endian `i64`.
    pub server_salt: i64,
    /// `server_time - now` in seconds, for the message id generator.
    pub time_offset: i32,
}

/// The client side of one key exchange. Build it with [`Client::start`],
/// then feed each server answer to [`Client::handle`].
pub struct Client {
    config: ClientConfig,
    nonce: [u8; 16],
    state: State,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::AwaitResPq => "awaiting resPQ",
            State::AwaitDhParams(_) => "awaiting server_DH_params",
            State::AwaitDhGen(_) => "awaiting dh_gen",
            State::Finished => "finished",
        };
        f.debug_struct("Client")
            .field("dc_id", &self.config.dc_id)
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

enum State {
    AwaitResPq,
    AwaitDhParams(Box<Nonces>),
    AwaitDhGen(Box<DhState>),
    Finished,
}

/// `server_nonce` and the secret `new_nonce`.
struct Nonces {
    server_nonce: [u8; 16],
    new_nonce: Zeroizing<[u8; 32]>,
}

/// The checked DH parameters and the temporary AES key, kept for a
/// `dh_gen_retry`.
struct DhParams {
    nonces: Nonces,
    tmp_key: Zeroizing<[u8; 32]>,
    tmp_iv: Zeroizing<[u8; 32]>,
    dh_prime: [u8; 256],
    g: i32,
    g_a: [u8; 256],
}

/// Waiting for `dh_gen_*`: the parameters and the key just computed.
struct DhState {
    params: DhParams,
    auth_key: AuthKey,
    time_offset: i32,
    retries: u32,
}

impl Client {
    /// Starts an exchange: draws the 16-byte `nonce` and returns the
    /// `req_pq_multi` body to send.
    pub fn start(
        config: ClientConfig,
        rng: &mut impl RandomSource,
    ) -> Result<(Self, Vec<u8>), AuthError> {
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        let body = functions::ReqPqMulti { nonce }.to_bytes();
        Ok((
            Self {
                config,
                nonce,
                state: State::AwaitResPq,
            },
            body,
        ))
    }

    /// Handles the server's answer to the last request. `now` is the local
    /// clock (for the time offset). Any error ends the exchange: later
    /// calls return [`AuthError::Finished`].
    pub fn handle(
        &mut self,
        answer: &[u8],
        now: UnixTime,
        rng: &mut impl RandomSource,
    ) -> Result<Step, AuthError> {
        let state = std::mem::replace(&mut self.state, State::Finished);
        let (step, next) = match state {
            State::AwaitResPq => self.on_res_pq(answer, rng)?,
            State::AwaitDhParams(nonces) => self.on_dh_params(*nonces, answer, now, rng)?,
            State::AwaitDhGen(dh) => self.on_dh_gen(*dh, answer, rng)?,
            State::Finished => return Err(AuthError::Finished),
        };
        self.state = next;
        Ok(step)
    }

    fn on_res_pq(
        &self,
        answer: &[u8],
        rng: &mut impl RandomSource,
    ) -> Result<(Step, State), AuthError> {
        let enums::ResPq::ResPq(res_pq) =
            enums::ResPq::from_bytes(answer).map_err(|error| AuthError::Malformed {
                message: Message::ResPq,
                error,
            })?;
        if res_pq.nonce != self.nonce {
            return Err(AuthError::NonceMismatch {
                message: Message::ResPq,
            });
        }
        let pq_bytes: [u8; 8] =
            res_pq
                .pq
                .as_slice()
                .try_into()
                .map_err(|_| AuthError::PqLength {
                    len: res_pq.pq.len(),
                })?;
        let pq = u64::from_be_bytes(pq_bytes);
        let (p, q) = factorize(pq);
        if p == 1 {
            return Err(AuthError::PqNotComposite { pq });
        }
        // The first fingerprint the server offers that we trust.
        let key = res_pq
            .server_public_key_fingerprints
            .iter()
            .find_map(|fp| {
                self.config
                    .rsa_keys
                    .iter()
                    .find(|key| key.fingerprint() == *fp)
            })
            .ok_or_else(|| AuthError::UnknownFingerprints {
                fingerprints: res_pq.server_public_key_fingerprints.clone(),
            })?;

        let mut new_nonce = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *new_nonce);
        // Telegram answers -404 unless p and q are minimal big-endian.
        let p_bytes = minimal_be(p);
        let q_bytes = minimal_be(q);
        let inner: Zeroizing<Vec<u8>> = Zeroizing::new(match self.config.expires_in {
            None => enums::PQInnerData::from(types::PQInnerDataDc {
                pq: pq_bytes.to_vec().into(),
                p: p_bytes.clone().into(),
                q: q_bytes.clone().into(),
                nonce: self.nonce,
                server_nonce: res_pq.server_nonce,
                new_nonce: *new_nonce,
                dc: self.config.dc_id,
            })
            .to_bytes(),
            Some(expires_in) => enums::PQInnerData::from(types::PQInnerDataTempDc {
                pq: pq_bytes.to_vec().into(),
                p: p_bytes.clone().into(),
                q: q_bytes.clone().into(),
                nonce: self.nonce,
                server_nonce: res_pq.server_nonce,
                new_nonce: *new_nonce,
                dc: self.config.dc_id,
                expires_in,
            })
            .to_bytes(),
        });
        // At most 4 + 12 + 8 + 8 + 16 + 16 + 32 + 4 + 4 = 104 bytes, well
        // under RSA_PAD's 144.
        let encrypted = rsa_pad_encrypt(key, &inner, rng);
        let body = functions::ReqDhParams {
            nonce: self.nonce,
            server_nonce: res_pq.server_nonce,
            p: p_bytes.into(),
            q: q_bytes.into(),
            public_key_fingerprint: key.fingerprint(),
            encrypted_data: encrypted.to_vec().into(),
        }
        .to_bytes();
        Ok((
            Step::Send(body),
            State::AwaitDhParams(Box::new(Nonces {
                server_nonce: res_pq.server_nonce,
                new_nonce,
            })),
        ))
    }

    fn on_dh_params(
        &self,
        nonces: Nonces,
        answer: &[u8],
        now: UnixTime,
        rng: &mut impl RandomSource,
    ) -> Result<(Step, State), AuthError> {
        let params =
            enums::ServerDhParams::from_bytes(answer).map_err(|error| AuthError::Malformed {
                message: Message::ServerDhParams,
                error,
            })?;
        let ok = match params {
            enums::ServerDhParams::Fail(fail) => {
                self.check_nonces(
                    &fail.nonce,
                    &fail.server_nonce,
                    &nonces,
                    Message::ServerDhParams,
                )?;
                if fail.new_nonce_hash != params_fail_hash(&nonces.new_nonce) {
                    return Err(AuthError::DhParamsFailHash);
                }
                return Err(AuthError::DhParamsFail);
            }
            enums::ServerDhParams::Ok(ok) => ok,
        };
        self.check_nonces(
            &ok.nonce,
            &ok.server_nonce,
            &nonces,
            Message::ServerDhParams,
        )?;
        let len = ok.encrypted_answer.len();
        // SHA1 (20) + the inner data (at least 4+16+16+4+4+4+4 = 52) needs
        // more than one block; 1024 is far above any honest answer (about
        // 600 bytes) and bounds the copy below.
        if len % 16 != 0 || !(80..=1024).contains(&len) {
            return Err(AuthError::EncryptedAnswerLength { len });
        }
        let (tmp_key, tmp_iv) = tmp_aes_key_iv(&nonces.server_nonce, &nonces.new_nonce);
        let mut plain = Zeroizing::new(ok.encrypted_answer.to_vec());
        aes_ige_decrypt(&mut plain, &tmp_key, &tmp_iv);

        let mut reader = mtproto_types::Reader::new(&plain[20..]);
        let enums::ServerDhInnerData::ServerDhInnerData(inner) =
            enums::ServerDhInnerData::deserialize(&mut reader).map_err(|error| {
                AuthError::Malformed {
                    message: Message::ServerDhInnerData,
                    error,
                }
            })?;
        let inner_len = reader.offset();
        if Sha1::digest(&plain[20..20 + inner_len])[..] != plain[..20] {
            return Err(AuthError::AnswerHash);
        }
        let padding = plain.len() - 20 - inner_len;
        if padding >= 16 {
            return Err(AuthError::AnswerPadding { padding });
        }
        self.check_nonces(
            &inner.nonce,
            &inner.server_nonce,
            &nonces,
            Message::ServerDhInnerData,
        )?;
        check_dh_prime(&inner.dh_prime)?;
        let dh_prime: [u8; 256] = inner.dh_prime.as_slice().try_into().expect("2048 bits");
        check_g(inner.g, &dh_prime)?;
        let g_a = check_dh_value("g_a", &inner.g_a, &dh_prime)?;
        let time_offset = inner
            .server_time
            .wrapping_sub(now.as_duration().as_secs() as i32);

        let params = DhParams {
            nonces,
            tmp_key,
            tmp_iv,
            dh_prime,
            g: inner.g,
            g_a,
        };
        let (body, auth_key) = self.client_dh_params(&params, 0, rng)?;
        let dh = DhState {
            params,
            auth_key,
            time_offset,
            retries: 0,
        };
        Ok((Step::Send(body), State::AwaitDhGen(Box::new(dh))))
    }

    /// Draws `b`, computes `g_b` and the key, and builds
    /// `set_client_DH_params`; returns it with the key.
    fn client_dh_params(
        &self,
        dh: &DhParams,
        retry_id: i64,
        rng: &mut impl RandomSource,
    ) -> Result<(Vec<u8>, AuthKey), AuthError> {
        let mut b = Zeroizing::new([0u8; 256]);
        rng.fill_bytes(&mut *b);
        let mut g = [0u8; 256];
        g[255] = dh.g as u8;
        let g_b = mod_pow(&g, &b, &dh.dh_prime).expect("dh_prime is odd");
        // Our own g_b must pass the same range rule we demand of g_a; with
        // a proven safe prime failing is a 2^-62 event or a broken RNG.
        check_dh_value("g_b", &g_b, &dh.dh_prime)?;
        let mut g_ab = mod_pow(&dh.g_a, &b, &dh.dh_prime).expect("dh_prime is odd");
        let auth_key = AuthKey::from_bytes(g_ab);
        g_ab.zeroize();

        let inner = enums::ClientDhInnerData::from(types::ClientDhInnerData {
            nonce: self.nonce,
            server_nonce: dh.nonces.server_nonce,
            retry_id,
            g_b: g_b.to_vec().into(),
        })
        .to_bytes();
        let encrypted = encrypt_with_hash(&inner, &dh.tmp_key, &dh.tmp_iv, rng);
        let body = functions::SetClientDhParams {
            nonce: self.nonce,
            server_nonce: dh.nonces.server_nonce,
            encrypted_data: encrypted.into(),
        }
        .to_bytes();
        Ok((body, auth_key))
    }

    fn on_dh_gen(
        &self,
        mut dh: DhState,
        answer: &[u8],
        rng: &mut impl RandomSource,
    ) -> Result<(Step, State), AuthError> {
        let gen = enums::SetClientDhParamsAnswer::from_bytes(answer).map_err(|error| {
            AuthError::Malformed {
                message: Message::DhGen,
                error,
            }
        })?;
        let (nonce, server_nonce, hash, n) = match &gen {
            enums::SetClientDhParamsAnswer::DhGenOk(x) => {
                (x.nonce, x.server_nonce, x.new_nonce_hash1, 1)
            }
            enums::SetClientDhParamsAnswer::DhGenRetry(x) => {
                (x.nonce, x.server_nonce, x.new_nonce_hash2, 2)
            }
            enums::SetClientDhParamsAnswer::DhGenFail(x) => {
                (x.nonce, x.server_nonce, x.new_nonce_hash3, 3)
            }
        };
        let nonces = &dh.params.nonces;
        self.check_nonces(&nonce, &server_nonce, nonces, Message::DhGen)?;
        let aux_hash = dh.auth_key.aux_hash();
        if hash != new_nonce_hash(&nonces.new_nonce, n, aux_hash) {
            return Err(AuthError::NewNonceHash { n });
        }
        match n {
            1 => {
                let mut salt = [0u8; 8];
                for (i, byte) in salt.iter_mut().enumerate() {
                    *byte = nonces.new_nonce[i] ^ nonces.server_nonce[i];
                }
                let authorized = Authorized {
                    auth_key: dh.auth_key,
                    server_salt: i64::from_le_bytes(salt),
                    time_offset: dh.time_offset,
                };
                Ok((Step::Done(authorized), State::Finished))
            }
            2 => {
                if dh.retries >= MAX_DH_RETRIES {
                    return Err(AuthError::TooManyRetries {
                        max: MAX_DH_RETRIES,
                    });
                }
                dh.retries += 1;
                // retry_id is the aux_hash of the key the server just
                // refused; the new key replaces it.
                let (body, auth_key) = self.client_dh_params(&dh.params, aux_hash, rng)?;
                dh.auth_key = auth_key;
                Ok((Step::Send(body), State::AwaitDhGen(Box::new(dh))))
            }
            _ => Err(AuthError::DhGenFail),
        }
    }

    fn check_nonces(
        &self,
        nonce: &[u8; 16],
        server_nonce: &[u8; 16],
        nonces: &Nonces,
        message: Message,
    ) -> Result<(), AuthError> {
        if *nonce != self.nonce {
            return Err(AuthError::NonceMismatch { message });
        }
        if *server_nonce != nonces.server_nonce {
            return Err(AuthError::ServerNonceMismatch { message });
        }
        Ok(())
    }
}

/// `value` big-endian without leading zero bytes.
pub(crate) fn minimal_be(value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(7);
    bytes[first..].to_vec()
}

/// `AES-IGE(SHA1(data) || data || padding to 16)`, the padding (0..=15
/// bytes) drawn from `rng`: the wrapping of both `server_DH_inner_data`
/// and `client_DH_inner_data`.
pub(crate) fn encrypt_with_hash(
    data: &[u8],
    key: &[u8; 32],
    iv: &[u8; 32],
    rng: &mut impl RandomSource,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(20 + data.len() + 15);
    out.extend_from_slice(&Sha1::digest(data));
    out.extend_from_slice(data);
    let pad = (16 - out.len() % 16) % 16;
    let start = out.len();
    out.resize(start + pad, 0);
    rng.fill_bytes(&mut out[start..]);
    aes_ige_encrypt(&mut out, key, iv);
    out
}
