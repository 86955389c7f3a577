//! The authorization-key exchange, both roles, sans-IO.
//!
//! The client runs `req_pq_multi -> resPQ -> req_DH_params
//! (p_q_inner_data_dc, or p_q_inner_data_temp_dc for a temporary key;
//! RSA_PAD) -> server_DH_params_ok -> set_client_DH_params -> dh_gen_ok /
//! retry / fail` and checks everything the protocol lets it check: nonces
//! echoed, the answer's SHA1 and padding, `dh_prime` a 2048-bit safe prime
//! (Telegram's accepted by equality, any other proven once and
//! remembered), `g` in 2..=7 with its residue rule, `g_a` and `g_b` inside
//! `(2^(2048-64), dh_prime - 2^(2048-64))`, `new_nonce_hash1/2/3`, and a
//! bounded number of `dh_gen_retry` answered with `retry_id = aux_hash` of
//! the previous key. Every failure is its own [`AuthError`] variant.
//! Numbers are fixed-width big-endian arrays throughout, so no leading zero
//! is lost.
//!
//! Randomness and time come in; message bodies (TL, without the
//! `PlainMessage` envelope, which the caller adds with ids from its
//! generator) come in and go out. The client draws, in order: `nonce` (16
//! bytes), `new_nonce` (32), the RSA_PAD padding and 32 bytes per RSA_PAD
//! try, `b` (256), then the padding of the encrypted
//! `client_DH_inner_data` (and on `dh_gen_retry`, a new `b` and padding).
//!
//! The [`Server`] role answers the same messages, so a whole exchange runs
//! in memory:
//!
//! ```
//! use mtproto::auth::{self, RsaPrivateKey, ServerConfig, ServerStep};
//! use mtproto::msg_id::UnixTime;
//! use mtproto::random::SplitMix64;
//!
//! let private = RsaPrivateKey::from_pem(include_str!(
//!     "../../tests/data/auth/test_server_key.pem"
//! ))?;
//! let key = private.public_key().clone();
//! let mut server = auth::Server::new(ServerConfig::new(private));
//! let (mut rng, mut server_rng) = (SplitMix64::new(1), SplitMix64::new(2));
//! let now = UnixTime::from_secs(1_700_000_000);
//! let dc_id = 2;
//!
//! let config = auth::ClientConfig::new(dc_id)   // production and test RSA keys built in
//!     .with_rsa_key(key);                       // optional: more keys
//! let (mut client, first_body) = auth::Client::start(config, &mut rng)?; // req_pq_multi
//! let mut request = first_body;
//! let (client_result, server_result) = loop {
//!     let answer = match server.handle(&request, now, &mut server_rng)? {
//!         ServerStep::Send(body) => body,
//!         ServerStep::Done { body, accepted } => {
//!             let auth::Step::Done(done) = client.handle(&body, now, &mut rng)? else {
//!                 panic!("dh_gen_ok ends the exchange");
//!             };
//!             break (done, accepted);
//!         }
//!     };
//!     match client.handle(&answer, now, &mut rng)? {
//!         auth::Step::Send(body) => request = body,
//!         auth::Step::Done(_) => unreachable!("only dh_gen_ok ends it"),
//!     }
//! };
//! let auth::Authorized { auth_key, server_salt, time_offset } = client_result;
//! assert_eq!(auth_key.to_bytes(), server_result.auth_key.to_bytes());
//! assert_eq!(server_salt, server_result.server_salt);
//! assert_eq!(time_offset, 0);
//! assert_eq!(server_result.dc_id, Some(2));
//! # Ok::<(), auth::AuthError>(())
//! ```
//!
//! Temporary keys (`ClientConfig::temporary`) are then bound with
//! `auth.bindTempAuthKey`, whose `encrypted_message` is
//! [`encrypt_bind_message`] and is checked by [`verify_bind_message`].

mod bind;
mod checks;
mod client;
mod error;
mod kdf;
mod server;

pub use bind::{encrypt_bind_message, verify_bind_message, BindParams};
pub use checks::{
    check_dh_prime, check_dh_value, check_g, new_nonce_hash, params_fail_hash, PrimeCheck,
    MILLER_RABIN_ROUNDS, TELEGRAM_DH_PRIME,
};
pub use client::{Authorized, Client, ClientConfig, Step};
pub use error::{AuthError, Message};
pub use kdf::{kdf_v1, tmp_aes_key_iv};
pub use server::{Accepted, RsaPrivateKey, Server, ServerConfig, ServerStep};

/// How many `dh_gen_retry` answers a client accepts before giving up with
/// [`AuthError::TooManyRetries`]; each costs two 2048-bit exponentiations,
/// so a hostile server must not loop the client.
pub const MAX_DH_RETRIES: u32 = 5;
