//! Targets `auth_client` and `auth_server`: each role of the key exchange,
//! driven by an honest peer to the step the first input byte names, then
//! handed the rest of the input as the peer's next message.
//!
//! Neither `auth::Client` nor `auth::Server` is `Clone` (they hold the
//! exchange's secrets), so each input drives a fresh one from the start:
//! the honest messages are computed once, and replaying them costs at most
//! two 2048-bit exponentiations (step 2 of either role).

use std::sync::OnceLock;

use mtproto::auth::{
    AuthError, Client, ClientConfig, RsaPrivateKey, Server, ServerConfig, ServerStep, Step,
};
use mtproto::msg_id::UnixTime;
use mtproto::random::SplitMix64;

use crate::counting::bounded;

/// The committed test server key (`tests/data/auth/test_server_key.pem`).
const PEM: &str = include_str!("../../../data/auth/test_server_key.pem");
const NOW: u64 = 1_700_000_000;
const CLIENT_SEED: u64 = 1;
const SERVER_SEED: u64 = 2;

/// How many steps each role can be fuzzed at: the first input byte, modulo
/// this, is the number of honest messages the role gets first.
pub const AUTH_STEPS: u8 = 3;

/// One honest exchange between the fixed-seed client and server.
#[derive(Debug, Clone)]
pub struct AuthTranscript {
    /// The client's messages: `req_pq_multi`, `req_DH_params`,
    /// `set_client_DH_params`.
    pub requests: [Vec<u8>; 3],
    /// The server's answers: `resPQ`, `server_DH_params_ok`, `dh_gen_ok`.
    pub answers: [Vec<u8>; 3],
    /// The id of the key both sides agree on.
    pub key_id: i64,
}

struct Script {
    client: ClientConfig,
    server: ServerConfig,
    transcript: AuthTranscript,
}

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

fn script() -> &'static Script {
    static SCRIPT: OnceLock<Script> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        let private = RsaPrivateKey::from_pem(PEM).expect("the committed test key parses");
        let client = ClientConfig::new(2).with_rsa_key(private.public_key().clone());
        let server = ServerConfig::new(private);
        let (mut rng, mut server_rng) =
            (SplitMix64::new(CLIENT_SEED), SplitMix64::new(SERVER_SEED));
        let mut peer = Server::new(server.clone());
        let (mut me, first) = Client::start(client.clone(), &mut rng).expect("start");
        let mut requests = vec![first];
        let mut answers = Vec::new();
        let key_id = loop {
            let last = requests.last().expect("one request");
            match peer
                .handle(last, now(), &mut server_rng)
                .expect("honest request")
            {
                ServerStep::Send(answer) => {
                    match me.handle(&answer, now(), &mut rng).expect("honest answer") {
                        Step::Send(next) => requests.push(next),
                        Step::Done(_) => panic!("client done before dh_gen_ok"),
                    }
                    answers.push(answer);
                }
                ServerStep::Done { body, accepted } => {
                    let Step::Done(done) = me.handle(&body, now(), &mut rng).expect("dh_gen_ok")
                    else {
                        panic!("dh_gen_ok ends the exchange");
                    };
                    assert_eq!(done.auth_key.id(), accepted.auth_key.id());
                    answers.push(body);
                    break done.auth_key.id();
                }
            }
        };
        Script {
            client,
            server,
            transcript: AuthTranscript {
                requests: requests.try_into().expect("three requests"),
                answers: answers.try_into().expect("three answers"),
                key_id,
            },
        }
    })
}

/// The honest exchange the targets replay, for the seeds.
pub fn auth_transcript() -> &'static AuthTranscript {
    &script().transcript
}

/// What the role under test may allocate for one message beyond a
/// multiple of it: the decoded TL, the RSA and AES buffers, the big
/// integers of the DH checks.
const AUTH_SLACK: usize = 64 << 10;

/// A client that got the first `step` honest answers, handed the input as
/// the next. It never panics; it refuses with a typed error after which it
/// stays finished, and it accepts the honest answer, with the honest key at
/// the end.
pub fn auth_client(data: &[u8]) {
    let Some((&choice, answer)) = data.split_first() else {
        return;
    };
    let step = usize::from(choice % AUTH_STEPS);
    let script = script();
    let honest = &script.transcript;
    let mut rng = SplitMix64::new(CLIENT_SEED);
    let (mut client, _) = Client::start(script.client.clone(), &mut rng).expect("start");
    for earlier in &honest.answers[..step] {
        let step = client
            .handle(earlier, now(), &mut rng)
            .expect("honest answer");
        assert!(matches!(step, Step::Send(_)), "finished early");
    }
    let result = bounded("auth_client", 16 * answer.len() + AUTH_SLACK, || {
        client.handle(answer, now(), &mut rng)
    });
    let is_honest = answer == honest.answers[step];
    match result {
        Err(err) => {
            assert!(
                !is_honest,
                "the honest answer at step {step} refused: {err}"
            );
            refused_for_good(err, || client.handle(answer, now(), &mut rng));
        }
        Ok(Step::Send(body)) => {
            if is_honest {
                assert_eq!(body, honest.requests[step + 1], "not the honest request");
            }
        }
        Ok(Step::Done(done)) => {
            // Only dh_gen ends it, and only with the key both computed:
            // the client's `b` and the server's `g_a` are fixed.
            assert_eq!(step, 2, "done after step {step}");
            assert_eq!(done.auth_key.id(), honest.key_id, "another key");
        }
    }
}

/// A server that got the first `step` honest requests, handed the input as
/// the next. It never panics, refuses with a typed error after which it
/// stays finished, and answers the honest request as it did before.
pub fn auth_server(data: &[u8]) {
    let Some((&choice, request)) = data.split_first() else {
        return;
    };
    let step = usize::from(choice % AUTH_STEPS);
    let script = script();
    let honest = &script.transcript;
    let mut rng = SplitMix64::new(SERVER_SEED);
    let mut server = Server::new(script.server.clone());
    for earlier in &honest.requests[..step] {
        let step = server
            .handle(earlier, now(), &mut rng)
            .expect("honest request");
        assert!(matches!(step, ServerStep::Send(_)), "finished early");
    }
    let result = bounded("auth_server", 16 * request.len() + AUTH_SLACK, || {
        server.handle(request, now(), &mut rng)
    });
    let is_honest = request == honest.requests[step];
    match result {
        Err(err) => {
            assert!(
                !is_honest,
                "the honest request at step {step} refused: {err}"
            );
            refused_for_good(err, || server.handle(request, now(), &mut rng));
        }
        Ok(ServerStep::Send(body)) => {
            assert!(
                step < 2,
                "set_client_DH_params answered with {body:?} but no key"
            );
            if is_honest {
                assert_eq!(body, honest.answers[step], "not the honest answer");
            }
        }
        Ok(ServerStep::Done { body, accepted }) => {
            assert_eq!(step, 2, "done after step {step}");
            if is_honest {
                assert_eq!(body, honest.answers[2], "not the honest dh_gen_ok");
                assert_eq!(accepted.auth_key.id(), honest.key_id, "another key");
            }
        }
    }
}

/// An error says what it is, and the role it ended answers nothing more.
fn refused_for_good<T: std::fmt::Debug>(
    err: AuthError,
    again: impl FnOnce() -> Result<T, AuthError>,
) {
    assert!(!err.to_string().is_empty(), "{err:?} says nothing");
    assert_eq!(again().unwrap_err(), AuthError::Finished, "after {err:?}");
}
