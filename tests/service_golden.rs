//! Golden bytes for every service message of the protocol documents
//! (`service-messages.md`, `wire-facts.md`).
//!
//! Each expected serialization is written out by hand from the wire rules:
//! ids and integers little-endian, strings/bytes with a length prefix and
//! zero padding to 4, bare vectors as a count, boxed ones after `1cb5c415`,
//! `message.bytes` equal to the body's length. None of them is produced by
//! our encoder, so each test checks both directions against an independent
//! source: our encoder writes exactly these bytes, and our decoder reads them
//! back to the same value.

use std::borrow::Cow;
use std::fmt::Debug;

use mtproto::service::{enums, functions, types};
use mtproto_test_support::hex::unhex_fields;
use mtproto_types::{Bytes, Constructor, Deserialize, DeserializeBare, RawObject, Serialize};

/// Both directions for a boxed value: encode == golden, exact length,
/// decode(golden) == value, and decoding consumes everything.
fn golden<'a, T>(value: &T, golden: &'a [u8])
where
    T: Serialize + Deserialize<'a> + PartialEq + Debug,
{
    assert_eq!(value.to_bytes(), golden, "encoding of {value:?}");
    assert_eq!(value.serialized_len(), golden.len(), "length of {value:?}");
    let back = T::from_bytes(golden).unwrap_or_else(|e| panic!("decoding {value:?}: {e}"));
    assert_eq!(&back, value);
}

/// The same for the bare form of a constructor (no id).
fn golden_bare<'a, T>(value: &T, golden: &'a [u8])
where
    T: Constructor + DeserializeBare<'a> + PartialEq + Debug,
{
    let mut out = Vec::new();
    value.serialize_bare_into(&mut out);
    assert_eq!(out, golden, "bare encoding of {value:?}");
    assert_eq!(value.bare_len(), golden.len());
    let mut reader = mtproto_types::Reader::new(golden);
    let back = T::deserialize_bare(&mut reader).unwrap();
    reader.finish().unwrap();
    assert_eq!(&back, value);
}

// Values shared by several messages; their LE bytes appear in the goldens.
const MSG_ID: i64 = 0x5e0b_8000_1234_5678; // 78563412 00800b5e
const MSG_ID_2: i64 = 0x5e0b_8000_1234_567c; // 7c563412 00800b5e
const PING_ID: i64 = 0x0123_4567_89ab_cdef; // efcdab89 67452301
const SESSION_ID: i64 = -2; // feffffff ffffffff

#[test]
fn rpc_result() {
    // result: boolTrue, kept raw (its type is the request's return type).
    let value = types::RpcResult {
        req_msg_id: MSG_ID,
        result: RawObject::new(&[0xb5, 0x75, 0x72, 0x99][..]),
    };
    let bytes = unhex_fields(&[
        "016d5cf3",          // rpc_result#f35c6d01
        "78563412 00800b5e", // req_msg_id
        "b5757299",          // result: boolTrue#997275b5, to the end
    ]);
    golden(&value, &bytes);
    golden(&enums::RpcResult::RpcResult(value), &bytes);
}

#[test]
fn rpc_error() {
    let value = types::RpcError {
        error_code: 420,
        error_message: Cow::Borrowed("FLOOD_WAIT_30"),
    };
    let bytes = unhex_fields(&[
        "19ca4421",                   // rpc_error#2144ca19
        "a4010000",                   // error_code 420
        "0d",                         // string length 13
        "464c4f4f445f574149545f3330", // FLOOD_WAIT_30
        "0000",                       // padding: 1 + 13 = 14 -> 16
    ]);
    golden(&value, &bytes);
}

#[test]
fn rpc_drop_answer_and_its_answers() {
    golden(
        &functions::RpcDropAnswer { req_msg_id: MSG_ID },
        &unhex_fields(&[
            "40a7e458",          // rpc_drop_answer#58e4a740
            "78563412 00800b5e", // req_msg_id
        ]),
    );
    golden(
        &enums::RpcDropAnswer::RpcAnswerUnknown,
        &unhex_fields(&["6ed32a5e"]), // rpc_answer_unknown#5e2ad36e, no fields
    );
    golden(
        &enums::RpcDropAnswer::RpcAnswerDroppedRunning,
        &unhex_fields(&["86e578cd"]), // rpc_answer_dropped_running#cd78e586
    );
    golden(
        &enums::RpcDropAnswer::RpcAnswerDropped(types::RpcAnswerDropped {
            msg_id: MSG_ID_2,
            seq_no: 7,
            bytes: 128,
        }),
        &unhex_fields(&[
            "b7d83aa4",          // rpc_answer_dropped#a43ad8b7
            "7c563412 00800b5e", // msg_id
            "07000000",          // seq_no 7
            "80000000",          // bytes 128 (a plain int here, not a length)
        ]),
    );
}

#[test]
fn future_salts() {
    golden(
        &functions::GetFutureSalts { num: 64 },
        &unhex_fields(&["04bd21b9", "40000000"]), // get_future_salts#b921bd04 num 64
    );
    let salt1 = types::FutureSalt {
        valid_since: 1_700_000_000, // 0x6553f100
        valid_until: 1_700_003_600, // 0x6553ff10
        salt: SESSION_ID,
    };
    golden(
        &salt1,
        &unhex_fields(&[
            "dcd94909",          // future_salt#0949d9dc
            "00f15365",          // valid_since
            "10ff5365",          // valid_until
            "feffffff ffffffff", // salt -2
        ]),
    );
    let salt2 = types::FutureSalt {
        valid_since: 1_700_003_600,
        valid_until: 1_700_007_200, // 0x65540d20
        salt: 0x1122_3344_5566_7788,
    };
    let value = types::FutureSalts {
        req_msg_id: MSG_ID,
        now: 1_700_000_000,
        salts: vec![salt1, salt2],
    };
    golden(
        &value,
        &unhex_fields(&[
            "950850ae",          // future_salts#ae500895
            "78563412 00800b5e", // req_msg_id
            "00f15365",          // now
            // salts: `vector future_salt`, bare: a count, no vector id, and
            // bare elements without the future_salt id.
            "02000000",
            "00f15365 10ff5365 feffffff ffffffff",
            "10ff5365 200d5465 88776655 44332211",
        ]),
    );
}

#[test]
fn ping_pong() {
    golden(
        &functions::Ping { ping_id: PING_ID },
        &unhex_fields(&["ec77be7a", "efcdab89 67452301"]), // ping#7abe77ec ping_id
    );
    golden(
        &types::Pong {
            msg_id: MSG_ID,
            ping_id: PING_ID,
        },
        &unhex_fields(&[
            "c5737734",          // pong#347773c5
            "78563412 00800b5e", // msg_id
            "efcdab89 67452301", // ping_id
        ]),
    );
    golden(
        &functions::PingDelayDisconnect {
            ping_id: PING_ID,
            disconnect_delay: 75,
        },
        &unhex_fields(&[
            "8c7b42f3",          // ping_delay_disconnect#f3427b8c
            "efcdab89 67452301", // ping_id
            "4b000000",          // disconnect_delay 75
        ]),
    );
}

#[test]
fn destroy_session_and_its_answers() {
    golden(
        &functions::DestroySession {
            session_id: SESSION_ID,
        },
        &unhex_fields(&["262151e7", "feffffff ffffffff"]), // destroy_session#e7512126
    );
    golden(
        &enums::DestroySessionRes::DestroySessionOk(types::DestroySessionOk {
            session_id: SESSION_ID,
        }),
        &unhex_fields(&["fc4520e2", "feffffff ffffffff"]), // destroy_session_ok#e22045fc
    );
    golden(
        &enums::DestroySessionRes::DestroySessionNone(types::DestroySessionNone {
            session_id: SESSION_ID,
        }),
        &unhex_fields(&["c950d362", "feffffff ffffffff"]), // destroy_session_none#62d350c9
    );
}

#[test]
fn new_session_created() {
    golden(
        &types::NewSessionCreated {
            first_msg_id: MSG_ID,
            unique_id: PING_ID,
            server_salt: 0x1122_3344_5566_7788,
        },
        &unhex_fields(&[
            "0809c29e",          // new_session_created#9ec20908
            "78563412 00800b5e", // first_msg_id
            "efcdab89 67452301", // unique_id
            "88776655 44332211", // server_salt
        ]),
    );
}

#[test]
fn msg_container_with_two_messages() {
    let ping = unhex_fields(&["ec77be7a", "efcdab89 67452301"]); // 12 bytes
    let ack = unhex_fields(&[
        "59b4d662", // msgs_ack#62d6b459
        "15c4b51c", // Vector#1cb5c415
        "01000000", // 1 id
        "78563412 00800b5e",
    ]); // 20 bytes
    let value = types::MsgContainer {
        messages: vec![
            types::Message {
                msg_id: MSG_ID,
                seqno: 1,
                body: RawObject::new(&ping[..]),
            },
            types::Message {
                msg_id: MSG_ID_2,
                seqno: 2,
                body: RawObject::new(&ack[..]),
            },
        ],
    };
    let bytes = unhex_fields(&[
        "dcf8f173", // msg_container#73f1f8dc
        "02000000", // messages: bare `vector message`, count 2
        // message 1, bare (no id): msg_id, seqno, bytes = 12, body
        "78563412 00800b5e",
        "01000000",
        "0c000000",
        "ec77be7a efcdab89 67452301",
        // message 2: bytes = 20
        "7c563412 00800b5e",
        "02000000",
        "14000000",
        "59b4d662 15c4b51c 01000000 78563412 00800b5e",
    ]);
    golden(&value, &bytes);
}

#[test]
fn message_bare_and_boxed() {
    let value = types::Message {
        msg_id: MSG_ID,
        seqno: 3,
        body: RawObject::new(unhex_fields(&["6ed32a5e"])), // rpc_answer_unknown
    };
    let bare = unhex_fields(&[
        "78563412 00800b5e", // msg_id
        "03000000",          // seqno
        "04000000",          // bytes: the body's length, computed
        "6ed32a5e",          // body
    ]);
    golden_bare(&value, &bare);
    // `message` has no explicit id; its boxed form uses the CRC32 of its
    // line, 0x5bb8e511 (TDLib and Telethon write the same).
    assert_eq!(types::Message::CONSTRUCTOR_ID, 0x5bb8e511);
    let mut boxed = unhex_fields(&["11e5b85b"]);
    boxed.extend_from_slice(&bare);
    golden(&value, &boxed);
}

#[test]
fn msg_copy() {
    let value = types::MsgCopy {
        orig_message: enums::Message::Message(types::Message {
            msg_id: MSG_ID,
            seqno: 5,
            body: RawObject::new(unhex_fields(&["ec77be7a", "efcdab89 67452301"])),
        }),
    };
    let bytes = unhex_fields(&[
        "b24660e0",                   // msg_copy#e06046b2
        "11e5b85b",                   // orig_message:Message is boxed: message#5bb8e511
        "78563412 00800b5e",          // msg_id
        "05000000",                   // seqno
        "0c000000",                   // bytes 12
        "ec77be7a efcdab89 67452301", // body: ping
    ]);
    golden(&value, &bytes);
}

#[test]
fn gzip_packed() {
    let short = types::GzipPacked {
        packed_data: Bytes::from(&[0x1f, 0x8b, 0x08, 0x00, 0x00][..]),
    };
    golden(
        &short,
        &unhex_fields(&[
            "a1cf7230",   // gzip_packed#3072cfa1
            "05",         // length 5
            "1f8b080000", // data
            "0000",       // padding: 1 + 5 = 6 -> 8
        ]),
    );
    // 300 bytes take the long form: 0xfe and a 3-byte length; 4 + 300 is a
    // multiple of 4, so no padding.
    let data: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
    let mut bytes = unhex_fields(&["a1cf7230", "fe2c0100"]);
    bytes.extend_from_slice(&data);
    golden(
        &types::GzipPacked {
            packed_data: Bytes::from(data.clone()),
        },
        &bytes,
    );
    // 254 bytes: the first length that needs the long form; 4 + 254 = 258,
    // padded to 260.
    let mut bytes = unhex_fields(&["a1cf7230", "fefe0000"]);
    bytes.extend_from_slice(&data[..254]);
    bytes.extend_from_slice(&[0, 0]);
    golden(
        &types::GzipPacked {
            packed_data: Bytes::from(&data[..254]),
        },
        &bytes,
    );
    // 253 bytes: still the short form, 1 + 253 = 254 padded to 256.
    let mut bytes = unhex_fields(&["a1cf7230", "fd"]);
    bytes.extend_from_slice(&data[..253]);
    bytes.extend_from_slice(&[0, 0]);
    golden(
        &types::GzipPacked {
            packed_data: Bytes::from(&data[..253]),
        },
        &bytes,
    );
}

#[test]
fn http_wait() {
    golden(
        &types::HttpWait {
            max_delay: 0,
            wait_after: 0,
            max_wait: 25_000,
        },
        &unhex_fields(&[
            "9f359992", // http_wait#9299359f
            "00000000", // max_delay
            "00000000", // wait_after
            "a8610000", // max_wait 25000
        ]),
    );
}

#[test]
fn msgs_ack() {
    golden(
        &types::MsgsAck {
            msg_ids: vec![MSG_ID, MSG_ID_2],
        },
        &unhex_fields(&[
            "59b4d662", // msgs_ack#62d6b459
            "15c4b51c", // Vector<long> is boxed: vector#1cb5c415
            "02000000", // count
            "78563412 00800b5e",
            "7c563412 00800b5e",
        ]),
    );
    golden(
        &types::MsgsAck { msg_ids: vec![] },
        &unhex_fields(&["59b4d662", "15c4b51c", "00000000"]),
    );
}

#[test]
fn bad_msg_notification_and_bad_server_salt() {
    golden(
        &enums::BadMsgNotification::BadMsgNotification(types::BadMsgNotification {
            bad_msg_id: MSG_ID,
            bad_msg_seqno: 5,
            error_code: 16,
        }),
        &unhex_fields(&[
            "11f8efa7",          // bad_msg_notification#a7eff811
            "78563412 00800b5e", // bad_msg_id
            "05000000",          // bad_msg_seqno
            "10000000",          // error_code 16: msg_id too low
        ]),
    );
    golden(
        &enums::BadMsgNotification::BadServerSalt(types::BadServerSalt {
            bad_msg_id: MSG_ID,
            bad_msg_seqno: 6,
            error_code: 48,
            new_server_salt: 0x1122_3344_5566_7788,
        }),
        &unhex_fields(&[
            "7b44abed",          // bad_server_salt#edab447b
            "78563412 00800b5e", // bad_msg_id
            "06000000",          // bad_msg_seqno
            "30000000",          // error_code 48
            "88776655 44332211", // new_server_salt
        ]),
    );
}

#[test]
fn msgs_state_req_info_and_all_info() {
    golden(
        &types::MsgsStateReq {
            msg_ids: vec![MSG_ID],
        },
        &unhex_fields(&[
            "52fb69da", // msgs_state_req#da69fb52
            "15c4b51c 01000000 78563412 00800b5e",
        ]),
    );
    golden(
        &types::MsgsStateInfo {
            req_msg_id: MSG_ID_2,
            info: Bytes::from(&[1u8, 2, 4][..]),
        },
        &unhex_fields(&[
            "7db5de04",          // msgs_state_info#04deb57d
            "7c563412 00800b5e", // req_msg_id
            "03 010204",         // info: 3 bytes, 1 + 3 = 4, no padding
        ]),
    );
    golden(
        &types::MsgsAllInfo {
            msg_ids: vec![MSG_ID, MSG_ID_2],
            info: Bytes::from(&[0x0c, 0x24][..]),
        },
        &unhex_fields(&[
            "31d1c08c", // msgs_all_info#8cc0d131
            "15c4b51c 02000000 78563412 00800b5e 7c563412 00800b5e",
            "02 0c24 00", // info: 2 bytes, padded 3 -> 4
        ]),
    );
}

#[test]
fn msg_detailed_info_and_new_detailed_info() {
    golden(
        &enums::MsgDetailedInfo::MsgDetailedInfo(types::MsgDetailedInfo {
            msg_id: MSG_ID,
            answer_msg_id: MSG_ID_2,
            bytes: 1000,
            status: 0,
        }),
        &unhex_fields(&[
            "c63e6d27",          // msg_detailed_info#276d3ec6
            "78563412 00800b5e", // msg_id
            "7c563412 00800b5e", // answer_msg_id
            "e8030000",          // bytes 1000
            "00000000",          // status
        ]),
    );
    golden(
        &enums::MsgDetailedInfo::MsgNewDetailedInfo(types::MsgNewDetailedInfo {
            answer_msg_id: MSG_ID_2,
            bytes: 20,
            status: 0,
        }),
        &unhex_fields(&[
            "dfb69d80",          // msg_new_detailed_info#809db6df
            "7c563412 00800b5e", // answer_msg_id
            "14000000",          // bytes 20
            "00000000",          // status
        ]),
    );
}

#[test]
fn msg_resend_req() {
    golden(
        &enums::MsgResendReq::MsgResendReq(types::MsgResendReq {
            msg_ids: vec![MSG_ID],
        }),
        &unhex_fields(&["081a867d", "15c4b51c 01000000 78563412 00800b5e"]), // msg_resend_req#7d861a08
    );
    golden(
        &enums::MsgResendReq::MsgResendAnsReq(types::MsgResendAnsReq {
            msg_ids: vec![MSG_ID],
        }),
        &unhex_fields(&["ebba1086", "15c4b51c 01000000 78563412 00800b5e"]), // msg_resend_ans_req#8610baeb
    );
}

#[test]
fn invoke_after_msg() {
    // A typed query is written inline, boxed.
    let typed = functions::InvokeAfterMsg {
        msg_id: MSG_ID,
        query: functions::Ping { ping_id: PING_ID },
    };
    let bytes = unhex_fields(&[
        "2d379fcb",                   // invokeAfterMsg#cb9f372d
        "78563412 00800b5e",          // msg_id
        "ec77be7a efcdab89 67452301", // query: !X, a boxed ping, to the end
    ]);
    assert_eq!(typed.to_bytes(), bytes);
    assert_eq!(typed.serialized_len(), bytes.len());
    // Decoded (as a server would) with the query left raw.
    let raw = functions::InvokeAfterMsg {
        msg_id: MSG_ID,
        query: RawObject::new(unhex_fields(&["ec77be7a efcdab89 67452301"])),
    };
    golden(&raw, &bytes);
    // And the query itself decodes as the ping it was.
    let back = functions::InvokeAfterMsg::<RawObject>::from_bytes(&bytes).unwrap();
    assert_eq!(
        back.query.decode::<functions::Ping>().unwrap(),
        functions::Ping { ping_id: PING_ID }
    );

    golden(
        &functions::InvokeAfterMsgs {
            msg_ids: vec![MSG_ID, MSG_ID_2],
            query: RawObject::new(unhex_fields(&["ec77be7a efcdab89 67452301"])),
        },
        &unhex_fields(&[
            "f0b4c43d", // invokeAfterMsgs#3dc4b4f0
            "15c4b51c 02000000 78563412 00800b5e 7c563412 00800b5e",
            "ec77be7a efcdab89 67452301",
        ]),
    );
}

#[test]
fn decode_by_id_and_name_of_know_every_service_message() {
    // Spot checks that the layer's dynamic decoder dispatches by these ids.
    let pong = unhex_fields(&["c5737734", "78563412 00800b5e", "efcdab89 67452301"]);
    let value = mtproto::service::decode_by_id(&pong).unwrap().unwrap();
    assert_eq!(value.to_bytes(), pong);
    for (id, name) in [
        (0xf35c6d01, "rpc_result"),
        (0x2144ca19, "rpc_error"),
        (0x73f1f8dc, "msg_container"),
        (0x5bb8e511, "message"),
        (0xe06046b2, "msg_copy"),
        (0x3072cfa1, "gzip_packed"),
        (0xcb9f372d, "invokeAfterMsg"),
    ] {
        assert_eq!(mtproto::service::name_of(id), Some(name));
    }
    assert!(mtproto::service::decode_by_id(&unhex_fields(&["00000000"])).is_none());
}
