//! End-to-end tests of `tlc decode` and `tlc encode`: the real binary, on
//! files, stdin and arguments, checking stdout, stderr and exit codes for
//! every rule of the JSON mapping and every error case.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use mtproto_test_support::hex::{hex, unhex};
use serde_json::{json, Value};

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn tlc_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tlc"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tlc runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin)
        .expect("stdin takes the input");
    let out = child.wait_with_output().expect("tlc finishes");
    let output = Output {
        code: out
            .status
            .code()
            .expect("tlc exits rather than being killed"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    };
    // A panic would print this and exit with 101: never acceptable.
    assert!(
        !output.stderr.contains("panicked"),
        "tlc panicked: {}",
        output.stderr
    );
    output
}

fn tlc(args: &[&str]) -> Output {
    tlc_with_stdin(args, b"")
}

/// Runs `tlc` expecting success; returns stdout.
fn ok(args: &[&str]) -> String {
    let out = tlc(args);
    assert_eq!(out.code, 0, "tlc {args:?} failed: {}", out.stderr);
    assert!(out.stderr.is_empty(), "unexpected stderr: {}", out.stderr);
    out.stdout
}

/// Runs `tlc` expecting exit 1 and nothing on stdout; returns stderr.
fn fails(args: &[&str]) -> String {
    let out = tlc(args);
    assert_eq!(out.code, 1, "tlc {args:?} should fail: {}", out.stdout);
    assert!(out.stdout.is_empty(), "stdout on failure: {}", out.stdout);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    out.stderr
}

fn decode_hex(hex: &str) -> Value {
    serde_json::from_str(&ok(&["decode", "--hex", hex])).expect("stdout is JSON")
}

fn encode(json: &Value) -> String {
    ok(&["encode", "--json", &json.to_string()])
        .trim_end()
        .to_owned()
}

/// A file in a fresh directory for this test.
fn temp_file(test: &str, name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tlc-codec-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// A schema exercising every primitive of the mapping.
const ALL_TYPES: &str = "
int ? = Int; long ? = Long; double ? = Double; string ? = String;
vector {t:Type} # [ t ] = Vector t;
int128 4*[ int ] = Int128; int256 8*[ int ] = Int256;
boolFalse#bc799737 = Bool; boolTrue#997275b5 = Bool; true#3fedd339 = True;
point x:int y:int = Point;
test.all#11223344 flags:# big:flags.0?true note:flags.1?string n:int l:long d:double b:Bool s:string raw:bytes k:int128 h:int256 ids:Vector<long> pts:vector point inner:Object = test.All;
";

fn all_types_schema(test: &str) -> String {
    temp_file(test, "all.tl", ALL_TYPES.as_bytes())
        .display()
        .to_string()
}

fn all_types_value() -> Value {
    json!({
        "_": "test.all",
        "big": true,
        "n": i32::MIN,
        "l": i64::MIN,
        "d": 0.1,
        "b": false,
        "s": "héllo",
        "raw": "00ff10",
        "k": "000102030405060708090a0b0c0d0e0f",
        "h": "ff".repeat(32),
        "ids": [i64::MAX, -1],
        "pts": [{"x": 1, "y": 2}],
        "inner": {"_": "boolTrue"}
    })
}

#[test]
fn no_input_decodes_the_sample_as_pretty_json() {
    let stdout = ok(&["decode"]);
    assert!(
        stdout.contains("\n  \"messages\": ["),
        "not pretty: {stdout}"
    );
    let value: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value["_"], "msg_container");
    let messages = value["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    let rpc = &messages[0]["body"];
    assert_eq!(rpc["_"], "rpc_result");
    assert_eq!(rpc["result"]["_"], "gzip_packed");
    assert_eq!(rpc["result"]["packed_data"]["_"], "help.termsOfService");
    assert_eq!(messages[1]["body"]["_"], "pong");
    // `--sample` says the same thing explicitly.
    assert_eq!(ok(&["decode", "--sample"]), stdout);
}

#[test]
fn help_explains_the_subcommands() {
    let help = ok(&["--help"]);
    assert!(help.contains("decode"), "{help}");
    assert!(help.contains("encode"), "{help}");
    let decode = ok(&["decode", "--help"]);
    assert!(decode.contains("--schema"), "{decode}");
    assert!(decode.contains("built-in sample"), "{decode}");
    let encode = ok(&["encode", "--help"]);
    assert!(encode.contains("JSON path"), "{encode}");
    // No arguments at all: clap prints the help and exits 2.
    let bare = tlc(&[]);
    assert_eq!(bare.code, 2);
    assert!(bare.stderr.contains("decode"), "{}", bare.stderr);
}

#[test]
fn objects_name_their_constructor_and_keep_schema_order() {
    let stdout = ok(&["decode", "--compact"]);
    // Field order follows the schema, with `_` first; `flags` is omitted.
    let terms = stdout.find("\"packed_data\":{").unwrap();
    let tail = &stdout[terms..];
    let order: Vec<usize> = [
        "\"_\":\"help.termsOfService\"",
        "\"popup\"",
        "\"id\"",
        "\"text\"",
        "\"entities\"",
        "\"min_age_confirm\"",
    ]
    .iter()
    .map(|k| {
        tail.find(k)
            .unwrap_or_else(|| panic!("{k} missing in {tail}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{tail}");
    assert!(!stdout.contains("\"flags\""), "{stdout}");
}

#[test]
fn optional_and_true_flags_appear_only_when_set() {
    let schema = all_types_schema("flags");
    let mut value = all_types_value();
    value["note"] = json!("hi");
    let hex_all = ok(&["encode", "--schema", &schema, "--json", &value.to_string()]);
    let bytes = unhex(hex_all.trim());
    // flags word right after the id: bit 0 (big) and bit 1 (note).
    assert_eq!(&bytes[4..8], &3u32.to_le_bytes());
    let back: Value = serde_json::from_str(&ok(&[
        "decode",
        "--schema",
        &schema,
        "--hex",
        hex_all.trim(),
    ]))
    .unwrap();
    assert_eq!(back, value);

    let mut bare = all_types_value();
    bare.as_object_mut().unwrap().remove("big");
    let hex_none = ok(&["encode", "--schema", &schema, "--json", &bare.to_string()]);
    assert_eq!(&unhex(hex_none.trim())[4..8], &0u32.to_le_bytes());
    let back: Value = serde_json::from_str(&ok(&[
        "decode",
        "--schema",
        &schema,
        "--hex",
        hex_none.trim(),
    ]))
    .unwrap();
    assert!(back.get("big").is_none() && back.get("note").is_none());
    assert!(back.get("flags").is_none());
    assert_eq!(back, bare);
}

#[test]
fn primitives_map_exactly() {
    let schema = all_types_schema("primitives");
    let value = all_types_value();
    let hex_out = ok(&["encode", "--schema", &schema, "--json", &value.to_string()]);
    let hex_out = hex_out.trim();
    assert_eq!(hex_out, hex_out.to_lowercase());
    let bytes = unhex(hex_out);
    let mut expected = Vec::new();
    expected.extend_from_slice(&0x1122_3344u32.to_le_bytes());
    expected.extend_from_slice(&1u32.to_le_bytes()); // flags: big
    expected.extend_from_slice(&i32::MIN.to_le_bytes());
    expected.extend_from_slice(&i64::MIN.to_le_bytes());
    expected.extend_from_slice(&0.1f64.to_le_bytes());
    expected.extend_from_slice(&0xbc79_9737u32.to_le_bytes());
    expected.extend_from_slice(b"\x06h\xc3\xa9llo\0"); // 1 + 6 bytes, padded to 8
    expected.extend_from_slice(b"\x03\x00\xff\x10");
    expected.extend((0u8..16).collect::<Vec<u8>>());
    expected.extend([0xffu8; 32]);
    expected.extend_from_slice(&0x1cb5_c415u32.to_le_bytes());
    expected.extend_from_slice(&2u32.to_le_bytes());
    expected.extend_from_slice(&i64::MAX.to_le_bytes());
    expected.extend_from_slice(&(-1i64).to_le_bytes());
    expected.extend_from_slice(&1u32.to_le_bytes()); // bare vector: no id
    expected.extend_from_slice(&1u32.to_le_bytes());
    expected.extend_from_slice(&2u32.to_le_bytes());
    expected.extend_from_slice(&0x9972_75b5u32.to_le_bytes());
    assert_eq!(hex(&bytes), hex(&expected));

    let stdout = ok(&["decode", "--schema", &schema, "--hex", hex_out]);
    // 64-bit integers print exactly, not through a double.
    assert!(stdout.contains("-9223372036854775808"), "{stdout}");
    assert!(stdout.contains("9223372036854775807"), "{stdout}");
    assert!(stdout.contains("0.1"), "{stdout}");
    assert_eq!(serde_json::from_str::<Value>(&stdout).unwrap(), value);
}

#[test]
fn bare_message_has_no_name_and_shows_bytes() {
    let value: Value = serde_json::from_str(&ok(&["decode"])).unwrap();
    let message = &value["messages"][1];
    assert!(message.get("_").is_none(), "{message}");
    let keys: Vec<&str> = message
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["msg_id", "seqno", "bytes", "body"]);
    assert_eq!(message["bytes"], 20); // pong: id + two longs
}

#[test]
fn message_bytes_is_recomputed_on_encode_and_checked_on_decode() {
    let with = |bytes: Value| {
        json!({"_": "msg_container", "messages": [
            {"msg_id": 4, "seqno": 1, "bytes": bytes, "body": {"_": "ping", "ping_id": 7}}
        ]})
    };
    let right = encode(&with(json!(12)));
    assert_eq!(encode(&with(json!(999))), right);
    let mut no_bytes = with(json!(0));
    no_bytes["messages"][0]
        .as_object_mut()
        .unwrap()
        .remove("bytes");
    assert_eq!(encode(&no_bytes), right);
    assert_eq!(decode_hex(&right), with(json!(12)));

    // A `bytes` larger than what is left is an error at that field.
    let mut bytes = unhex(&right);
    bytes[20..24].copy_from_slice(&13u32.to_le_bytes());
    let err = fails(&["decode", "--hex", &hex(&bytes)]);
    assert!(err.contains("offset 20"), "{err}");
    assert!(err.contains("does not fit"), "{err}");
    // A body shorter than `bytes` leaves trailing bytes inside the message.
    let mut padded = unhex(&right);
    padded[20..24].copy_from_slice(&16u32.to_le_bytes());
    padded.extend_from_slice(&[0; 4]);
    let err = fails(&["decode", "--hex", &hex(&padded)]);
    assert!(
        err.contains("offset 36") && err.contains("trailing"),
        "{err}"
    );
}

#[test]
fn object_fields_nest_any_boxed_value() {
    let value = json!({"_": "invokeAfterMsg", "msg_id": 5,
        "query": {"_": "help.getConfig"}});
    let out = encode(&value);
    assert_eq!(decode_hex(&out), value);
    let rpc = json!({"_": "rpc_result", "req_msg_id": 5,
        "result": {"_": "rpc_error", "error_code": 420, "error_message": "FLOOD_WAIT_30"}});
    assert_eq!(decode_hex(&encode(&rpc)), rpc);
}

#[test]
fn gzip_packed_inflates_and_encodes_from_either_form() {
    let inner = json!({"_": "rpc_error", "error_code": 400, "error_message": "PEER_ID_INVALID"});
    let packed = json!({"_": "gzip_packed", "packed_data": inner});
    let from_object = encode(&packed);
    assert_eq!(decode_hex(&from_object), packed);

    // The raw form: packed_data as the hex of the gzip bytes.
    let bytes = unhex(&from_object);
    let len = usize::from(bytes[4]);
    let raw = hex(&bytes[5..5 + len]);
    let from_hex = encode(&json!({"_": "gzip_packed", "packed_data": raw}));
    assert_eq!(from_hex, from_object);

    // Compressed by someone else (another level): still decodes.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&unhex(&encode(&inner))).unwrap();
    let other = encode(&json!({"_": "gzip_packed", "packed_data": hex(&gz.finish().unwrap())}));
    assert_eq!(decode_hex(&other), packed);
}

fn gzip_zeros(n: usize) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // A msgs_ack whose vector of zeros is huge: valid TL if inflated.
    let mut plain = Vec::with_capacity(n);
    plain.extend_from_slice(&0x62d6_b459u32.to_le_bytes());
    plain.extend_from_slice(&0x1cb5_c415u32.to_le_bytes());
    let count = (n - 12) / 8;
    plain.extend_from_slice(&(count as u32).to_le_bytes());
    plain.resize(12 + 8 * count, 0);
    gz.write_all(&plain).unwrap();
    gz.finish().unwrap()
}

#[test]
fn a_gzip_bomb_is_an_error() {
    let bomb = encode(&json!({"_": "gzip_packed", "packed_data": hex(&gzip_zeros(20 << 20))}));
    assert!(bomb.len() < 200_000, "the bomb is small: {}", bomb.len());
    let path = temp_file("bomb", "bomb.bin", &unhex(&bomb));
    let path = path.to_str().unwrap();
    let err = fails(&["decode", "--file", path]);
    assert!(err.contains("gzip bomb"), "{err}");
    assert!(err.contains("16777216"), "{err}");
    // Under a raised cap the same bytes decode.
    let stdout = ok(&[
        "decode",
        "--file",
        path,
        "--max-inflated",
        "25000000",
        "--compact",
    ]);
    assert!(stdout.starts_with("{\"_\":\"gzip_packed\",\"packed_data\":{\"_\":\"msgs_ack\""));
    // And a small cap catches a small one.
    let small = encode(&json!({"_": "gzip_packed", "packed_data": hex(&gzip_zeros(4096))}));
    let err = fails(&["decode", "--hex", &small, "--max-inflated", "1000"]);
    assert!(err.contains("more than 1000 bytes"), "{err}");
}

#[test]
fn corrupt_gzip_and_errors_inside_it_point_at_packed_data() {
    let err = fails(&["decode", "--hex", "a1cf72300401020304000000"]);
    assert!(
        err.contains("offset 5") && err.contains("cannot inflate"),
        "{err}"
    );
    // An unknown id inside the inflated data.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&[0xde, 0xad, 0xbe, 0xef]).unwrap();
    let bad = encode(&json!({"_": "gzip_packed", "packed_data": hex(&gz.finish().unwrap())}));
    let err = fails(&["decode", "--hex", &bad]);
    assert!(err.contains("offset 5"), "{err}");
    assert!(
        err.contains("inflated offset 0") && err.contains("0xefbeadde"),
        "{err}"
    );
}

#[test]
fn truncated_input_is_an_error_with_the_offset() {
    let err = fails(&["decode", "--hex", "c5737734010000000000000002"]);
    assert!(err.contains("offset 12"), "{err}");
    assert!(err.contains("truncated"), "{err}");
    let err = fails(&["decode", "--hex", "c57377"]);
    assert!(
        err.contains("offset 0") && err.contains("truncated"),
        "{err}"
    );
}

#[test]
fn unknown_constructor_is_an_error_with_the_offset() {
    // A container whose second message body has an unknown id.
    let mut bytes = unhex(&encode(&json!({"_": "msg_container", "messages": [
        {"msg_id": 4, "seqno": 1, "body": {"_": "ping", "ping_id": 7}},
        {"msg_id": 8, "seqno": 3, "body": {"_": "ping", "ping_id": 9}}
    ]})));
    // container id + count + (msg_id, seqno, bytes, 12-byte body) + header.
    let body = 8 + 28 + 16;
    bytes[body..body + 4].copy_from_slice(&0xdead_beefu32.to_le_bytes());
    let err = fails(&["decode", "--hex", &hex(&bytes)]);
    assert!(err.contains(&format!("offset {body}")), "{err}");
    assert!(err.contains("unknown constructor id 0xdeadbeef"), "{err}");
}

#[test]
fn trailing_bytes_are_an_error() {
    let err = fails(&[
        "decode",
        "--hex",
        "c57377340100000000000000020000000000000000",
    ]);
    assert!(
        err.contains("offset 20") && err.contains("1 trailing bytes"),
        "{err}"
    );
}

#[test]
fn bad_hex_is_an_error() {
    let err = fails(&["decode", "--hex", "c57g"]);
    assert!(
        err.contains("bad hex") && err.contains("character 3"),
        "{err}"
    );
    let err = fails(&["decode", "--hex", "c57"]);
    assert!(err.contains("odd number"), "{err}");
    // Separators and a 0x prefix are fine.
    let spaced = decode_hex("0xc5 73 77 34:01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00");
    assert_eq!(spaced, json!({"_": "pong", "msg_id": 1, "ping_id": 2}));
}

#[test]
fn invalid_utf8_in_a_string_is_an_error_at_its_offset() {
    // rpc_error: id, error_code, then a 2-byte string with a bad byte.
    let err = fails(&["decode", "--hex", "19ca44219001000002ff2800"]);
    assert!(
        err.contains("offset 9") && err.contains("not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn hostile_vector_counts_and_deep_nesting_are_errors() {
    // msgs_ack claiming 2^31 - 1 longs in 4 bytes.
    let err = fails(&["decode", "--hex", "59b4d66215c4b51cffffff7f00000000"]);
    assert!(
        err.contains("offset 8") && err.contains("claims 2147483647"),
        "{err}"
    );
    // invokeAfterMsg nested 10 000 deep: an error, not a stack overflow.
    let mut deep = Vec::new();
    for _ in 0..10_000 {
        deep.extend_from_slice(&0xcb9f_372du32.to_le_bytes());
        deep.extend_from_slice(&[0; 8]);
    }
    deep.extend_from_slice(&0xc4f9_186bu32.to_le_bytes());
    let path = temp_file("deep", "deep.bin", &deep);
    let err = fails(&["decode", "--file", path.to_str().unwrap()]);
    assert!(err.contains("nesting deeper than 64"), "{err}");
    // The same on encode.
    let mut value = json!({"_": "help.getConfig"});
    for _ in 0..100 {
        value = json!({"_": "invokeAfterMsg", "msg_id": 0, "query": value});
    }
    let err = fails(&["encode", "--json", &value.to_string()]);
    assert!(err.contains("nesting deeper than 64"), "{err}");
}

#[test]
fn file_and_stdin_inputs() {
    let bytes = unhex("c573773401000000000000000200000000000000");
    let path = temp_file("inputs", "pong.bin", &bytes);
    let expected = json!({"_": "pong", "msg_id": 1, "ping_id": 2});
    let from_file: Value =
        serde_json::from_str(&ok(&["decode", "--file", path.to_str().unwrap()])).unwrap();
    assert_eq!(from_file, expected);
    let out = tlc_with_stdin(&["decode", "-"], &bytes);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        serde_json::from_str::<Value>(&out.stdout).unwrap(),
        expected
    );
    let err = fails(&["decode", "--file", "/nonexistent/x.bin"]);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn encode_reads_stdin_and_round_trips_the_sample() {
    let compact = ok(&["decode", "--compact"]);
    let out = tlc_with_stdin(&["encode", "--json", "-"], compact.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let again = ok(&["decode", "--compact", "--hex", out.stdout.trim()]);
    assert_eq!(again, compact);
}

#[test]
fn encode_errors_name_the_field() {
    let container = |body: Value| {
        json!({"_": "msg_container", "messages": [
            {"msg_id": 4, "seqno": 1, "body": {"_": "ping", "ping_id": 7}},
            {"msg_id": 8, "seqno": 3, "body": {"_": "ping", "ping_id": 9}},
            {"msg_id": 12, "seqno": 5, "body": body}
        ]})
    };
    // Wrong type.
    let err = fails(&[
        "encode",
        "--json",
        &container(json!({"_": "rpc_error", "error_code": "400", "error_message": "X"}))
            .to_string(),
    ]);
    assert!(err.contains(".messages[2].body.error_code"), "{err}");
    assert!(err.contains("expected an int"), "{err}");
    // Missing field.
    let err = fails(&[
        "encode",
        "--json",
        &container(json!({"_": "rpc_error", "error_code": 400})).to_string(),
    ]);
    assert!(err.contains(".messages[2].body.error_message"), "{err}");
    assert!(err.contains("missing field"), "{err}");
    // Unknown `_`.
    let err = fails(&[
        "encode",
        "--json",
        &container(json!({"_": "no_such_thing"})).to_string(),
    ]);
    assert!(
        err.contains(".messages[2].body._") && err.contains("unknown constructor `no_such_thing`"),
        "{err}"
    );
    // An int out of range, a long given as a fraction, an unknown field.
    let err = fails(&[
        "encode",
        "--json",
        r#"{"_": "rpc_error", "error_code": 4294967296, "error_message": ""}"#,
    ]);
    assert!(
        err.contains(".error_code") && err.contains("does not fit"),
        "{err}"
    );
    let err = fails(&["encode", "--json", r#"{"_": "ping", "ping_id": 1.5}"#]);
    assert!(err.contains(".ping_id"), "{err}");
    let err = fails(&[
        "encode",
        "--json",
        r#"{"_": "ping", "ping_id": 1, "pong": 2}"#,
    ]);
    assert!(err.contains(".pong") && err.contains("no field"), "{err}");
    // A constructor of the wrong type for a typed field.
    let err = fails(&[
        "encode",
        "--json",
        r#"{"_": "inputPeerUserFromMessage", "peer": {"_": "pong", "msg_id": 1, "ping_id": 2}, "msg_id": 1, "user_id": 1}"#,
    ]);
    assert!(
        err.contains(".peer._") && err.contains("not a `InputPeer`"),
        "{err}"
    );
    // Not JSON at all.
    let err = fails(&["encode", "--json", "{"]);
    assert!(err.contains("invalid JSON"), "{err}");
}

#[test]
fn a_broken_schema_file_is_reported() {
    let path = temp_file("broken", "broken.tl", b"ping#zz ping_id:long = Pong");
    let out = tlc(&[
        "decode",
        "--schema",
        path.to_str().unwrap(),
        "--hex",
        "00000000",
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    // The parser's diagnostic with a caret, then the summary.
    assert!(out.stderr.contains("^^"), "{}", out.stderr);
    assert!(
        out.stderr.contains("error: schema `") && out.stderr.contains("broken.tl` has errors"),
        "{}",
        out.stderr
    );
}
