//! Several fields may share one flag bit (`messageReplies.comments` and
//! `channel_id`; `inputGroupCallStream.video_channel` and `video_quality`).
//! On the wire they are all present or all absent, so whatever a user
//! builds must serialize to bytes that decode again.
#![cfg(feature = "api")]

use mtproto_types::api::{enums, types};
use mtproto_types::{Deserialize, Serialize};

fn replies(comments: bool, channel_id: Option<i64>) -> types::MessageReplies {
    types::MessageReplies {
        comments,
        replies: 3,
        replies_pts: 4,
        recent_repliers: None,
        channel_id,
        max_id: None,
        read_max_id: None,
    }
}

#[test]
fn a_true_flag_sharing_its_bit_follows_the_value() {
    // The bool alone cannot set the bit: a set bit promises a channel_id.
    let bytes = replies(true, None).to_bytes();
    assert_eq!(&bytes[4..8], &0u32.to_le_bytes(), "flags word");
    let back = types::MessageReplies::from_bytes(&bytes).unwrap();
    assert_eq!(back, replies(false, None));

    // The value sets the bit, and decoding reports the bool as set.
    let bytes = replies(false, Some(77)).to_bytes();
    assert_eq!(&bytes[4..8], &1u32.to_le_bytes(), "flags word");
    let back = types::MessageReplies::from_bytes(&bytes).unwrap();
    assert_eq!(back, replies(true, Some(77)));
    assert_eq!(back.serialized_len(), bytes.len());
}

fn stream(
    video_channel: Option<i32>,
    video_quality: Option<i32>,
) -> types::InputGroupCallStream<'static> {
    types::InputGroupCallStream {
        call: enums::InputGroupCall::InputGroupCall(types::InputGroupCall {
            id: 1,
            access_hash: 2,
        }),
        time_ms: 5,
        scale: 0,
        video_channel,
        video_quality,
    }
}

#[test]
fn values_sharing_a_bit_travel_together() {
    let full = stream(Some(1), Some(2));
    let bytes = full.to_bytes();
    assert_eq!(bytes.len(), full.serialized_len());
    assert_eq!(
        types::InputGroupCallStream::from_bytes(&bytes).unwrap(),
        full
    );

    // Half a group is not written at all, rather than written as bytes
    // that no decoder can read.
    for half in [stream(Some(1), None), stream(None, Some(2))] {
        let bytes = half.to_bytes();
        assert_eq!(bytes.len(), half.serialized_len());
        let back = types::InputGroupCallStream::from_bytes(&bytes).unwrap();
        assert_eq!(back, stream(None, None));
    }
}
