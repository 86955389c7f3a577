//! msg_id generation, clock correction, seq_no, and validation of incoming
//! ids at the exact edges of every rule.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use mtproto::msg_id::{
    check_seq_no_parity, BadMsgCode, MsgIdError, MsgIdGenerator, MsgIdValidator, SeqNoGenerator,
    UnixTime, MAX_FUTURE, MAX_PAST,
};
use proptest::prelude::*;

const T: u64 = 1_700_000_000;

fn at(secs: u64) -> i64 {
    (secs as i64) << 32
}

#[test]
fn ids_are_unix_time_times_2_pow_32() {
    let mut ids = MsgIdGenerator::new();
    let id = ids.next(UnixTime::new(T, 250_000_000));
    assert_eq!(id >> 32, T as i64);
    // A quarter second is 2^30 in the low half.
    assert_eq!(id & 0xffff_ffff, 0x4000_0000);
    assert_eq!(id % 4, 0);
    let from_system = MsgIdGenerator::new().next(UnixTime::from(
        SystemTime::UNIX_EPOCH + Duration::from_secs(T),
    ));
    assert_eq!(from_system, at(T));
}

#[test]
fn a_thousand_ids_in_the_same_nanosecond() {
    let mut ids = MsgIdGenerator::new();
    let now = UnixTime::new(T, 123_456_789);
    let all: Vec<i64> = (0..1000).map(|_| ids.next(now)).collect();
    for pair in all.windows(2) {
        assert!(pair[1] > pair[0]);
        assert_eq!(
            pair[1] - pair[0],
            4,
            "steps of 4 keep them close to the clock"
        );
    }
    assert!(all.iter().all(|id| id % 4 == 0));
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 1000);
}

#[test]
fn ids_keep_increasing_when_the_clock_goes_backwards() {
    let mut ids = MsgIdGenerator::new();
    let mut last = 0;
    let times = [
        UnixTime::new(T, 500),
        UnixTime::new(T, 499),
        UnixTime::new(T - 3600, 0),
        UnixTime::new(T, 500),
        UnixTime::new(T + 1, 0),
        UnixTime::new(T, 0),
    ];
    for now in times {
        let id = ids.next(now);
        assert!(id > last, "{id:#x} after {last:#x}");
        assert_eq!(id % 4, 0);
        last = id;
    }
    // Once the clock is past the last id, ids follow it again.
    assert_eq!(ids.next(UnixTime::from_secs(T + 2)), at(T + 2));
}

#[test]
fn offset_learned_from_a_server_msg_id() {
    let mut ids = MsgIdGenerator::new();
    let now = UnixTime::from_secs(T);
    ids.correct_from_server_msg_id(at(T + 100) | 1, now);
    assert_eq!(ids.time_offset() >> 32, 100);
    assert_eq!(ids.next(now) >> 32, (T + 100) as i64);
    assert_eq!(ids.server_now(now).as_duration().as_secs(), T + 100);
    // Ten seconds later locally is ten seconds later on the server.
    assert_eq!(ids.next(UnixTime::from_secs(T + 10)), at(T + 110));
}

#[test]
fn a_shrinking_offset_never_makes_ids_go_down() {
    let mut ids = MsgIdGenerator::new();
    let now = UnixTime::from_secs(T);
    let before = ids.next(now);
    ids.correct_from_server_msg_id(at(T - 5) | 1, now);
    let after = ids.next(now);
    assert_eq!(after, before + 4);
    assert_eq!(ids.next(UnixTime::from_secs(T + 6)), at(T + 1));
}

#[test]
fn bad_msg_notification_16_and_17_correct_the_clock() {
    let now = UnixTime::from_secs(T);

    // 16: our clock is behind; ids jump forward.
    let mut ids = MsgIdGenerator::new();
    ids.next(now);
    assert!(ids.correct_from_bad_msg(16, at(T + 400) | 1, now));
    assert_eq!(ids.next(now), at(T + 400));

    // 17: our clock is an hour ahead; every id so far was rejected, so the
    // next follows the server's clock, below them.
    let mut ids = MsgIdGenerator::new();
    let rejected = ids.next(UnixTime::from_secs(T + 3600));
    assert!(ids.correct_from_bad_msg(17, at(T) | 1, UnixTime::from_secs(T + 3600)));
    let next = ids.next(UnixTime::from_secs(T + 3600));
    assert_eq!(next, at(T));
    assert!(next < rejected);
    assert!(
        ids.next(UnixTime::from_secs(T + 3600)) > next,
        "increasing from there"
    );

    // Other codes are not about the clock.
    let mut ids = MsgIdGenerator::new();
    for code in [18, 19, 20, 32, 33, 34, 35, 48, 64] {
        assert!(
            !ids.correct_from_bad_msg(code, at(T + 999) | 1, now),
            "{code}"
        );
    }
    assert_eq!(ids.time_offset(), 0);
}

#[test]
fn seq_no_is_twice_the_content_related_count_plus_one_if_content_related() {
    let kinds = [true, false, false, true, true, false, true, false];
    let mut seq = SeqNoGenerator::new();
    let mut sent = 0;
    for content_related in kinds {
        let expected = 2 * sent + i32::from(content_related);
        assert_eq!(seq.peek(content_related), expected);
        assert_eq!(seq.next(content_related), expected);
        assert_eq!(check_seq_no_parity(expected, content_related), Ok(()));
        if content_related {
            sent += 1;
        }
    }
    assert_eq!(seq.content_related_sent(), 4);
    assert_eq!(
        check_seq_no_parity(2, true),
        Err(BadMsgCode::OddSeqNoExpected)
    );
    assert_eq!(
        check_seq_no_parity(1, false),
        Err(BadMsgCode::EvenSeqNoExpected)
    );
}

#[test]
fn low_bits_by_sender() {
    let now = UnixTime::from_secs(T);
    let server_ids = MsgIdValidator::for_server_ids();
    for (low, ok) in [(0, false), (1, true), (2, false), (3, true)] {
        let result = server_ids.check(at(T) | low, now);
        assert_eq!(result.is_ok(), ok, "server id {low} mod 4");
        if let Err(e) = result {
            assert_eq!(e.bad_msg_code(), Some(BadMsgCode::BadMsgIdBits));
        }
    }
    let client_ids = MsgIdValidator::for_client_ids();
    for (low, ok) in [(0, true), (1, false), (2, false), (3, false)] {
        assert_eq!(
            client_ids.check(at(T) | low, now).is_ok(),
            ok,
            "client id {low} mod 4"
        );
    }
}

#[test]
fn time_window_edges_are_exact() {
    assert_eq!(MAX_PAST, Duration::from_secs(300));
    assert_eq!(MAX_FUTURE, Duration::from_secs(30));
    let now = UnixTime::from_secs(T);
    let low = at(T - 300);
    let high = at(T + 30);

    // Client ids (0 mod 4) can sit exactly on the edges.
    let v = MsgIdValidator::for_client_ids();
    assert_eq!(v.check(low, now), Ok(()));
    assert_eq!(v.check(high, now), Ok(()));
    let too_low = v.check(low - 4, now).unwrap_err();
    assert!(matches!(too_low, MsgIdError::TooLow { .. }));
    assert_eq!(too_low.bad_msg_code(), Some(BadMsgCode::MsgIdTooLow));
    assert!(too_low.to_string().contains("300 s"), "{too_low}");
    let too_high = v.check(high + 4, now).unwrap_err();
    assert!(matches!(too_high, MsgIdError::TooHigh { .. }));
    assert_eq!(too_high.bad_msg_code(), Some(BadMsgCode::MsgIdTooHigh));
    assert!(too_high.to_string().contains("30 s"), "{too_high}");

    // Server ids (odd) one tick inside and outside.
    let v = MsgIdValidator::for_server_ids();
    assert_eq!(v.check(low + 1, now), Ok(()));
    assert!(matches!(
        v.check(low - 1, now),
        Err(MsgIdError::TooLow { .. })
    ));
    assert_eq!(v.check(high - 1, now), Ok(()));
    assert!(matches!(
        v.check(high + 1, now),
        Err(MsgIdError::TooHigh { .. })
    ));

    // A custom window moves the edges.
    let v = MsgIdValidator::for_client_ids()
        .with_window(Duration::from_secs(10), Duration::from_secs(1));
    assert_eq!(v.check(at(T - 10), now), Ok(()));
    assert!(v.check(at(T - 10) - 4, now).is_err());
    assert_eq!(v.check(at(T + 1), now), Ok(()));
    assert!(v.check(at(T + 1) + 4, now).is_err());
}

#[test]
fn duplicates_are_rejected_and_check_does_not_remember() {
    let now = UnixTime::from_secs(T);
    let mut v = MsgIdValidator::for_server_ids();
    let id = at(T) | 1;
    assert_eq!(v.check(id, now), Ok(()));
    assert_eq!(v.check(id, now), Ok(()), "check alone records nothing");
    assert_eq!(v.accept(id, now), Ok(()));
    let dup = v.accept(id, now).unwrap_err();
    assert_eq!(dup, MsgIdError::Duplicate { msg_id: id });
    assert_eq!(dup.bad_msg_code(), None);
    // Out of order but new: fine, once.
    let earlier = at(T - 10) | 3;
    assert_eq!(v.accept(earlier, now), Ok(()));
    assert!(matches!(
        v.accept(earlier, now),
        Err(MsgIdError::Duplicate { .. })
    ));
}

#[test]
fn ids_leave_memory_only_when_the_window_has_passed_them() {
    let mut v = MsgIdValidator::for_server_ids();
    let old: Vec<i64> = (0..5).map(|i| at(T) + 4 * i + 1).collect();
    for id in &old {
        v.accept(*id, UnixTime::from_secs(T)).unwrap();
    }
    // 300 s later they are still inside the window, and still remembered.
    let edge = UnixTime::from_secs(T + 300);
    v.accept(at(T + 300) | 1, edge).unwrap();
    assert_eq!(v.remembered(), 6);
    for id in &old {
        assert!(matches!(
            v.accept(*id, edge),
            Err(MsgIdError::Duplicate { .. })
        ));
    }
    // One second more and the window has passed them: they go.
    let later = UnixTime::from_secs(T + 301);
    v.accept(at(T + 301) | 1, later).unwrap();
    assert_eq!(v.remembered(), 2);
    for id in &old {
        assert!(matches!(
            v.accept(*id, later),
            Err(MsgIdError::TooLow { .. })
        ));
    }
    // If the clock is then set back, the forgotten ids are back inside the
    // window, but they are still refused, never accepted a second time.
    let back = UnixTime::from_secs(T);
    for id in &old {
        let err = v.accept(*id, back).unwrap_err();
        assert!(matches!(err, MsgIdError::TooOld { .. }), "{err}");
        assert_eq!(err.bad_msg_code(), Some(BadMsgCode::MsgTooOld));
    }
}

#[test]
fn at_capacity_old_ids_are_refused_not_forgotten() {
    let now = UnixTime::from_secs(T);
    let mut v = MsgIdValidator::for_server_ids().with_capacity(4);
    let ids: Vec<i64> = (0..10).map(|i| at(T) + 8 * i + 1).collect();
    for id in &ids {
        v.accept(*id, now).unwrap();
    }
    assert_eq!(v.remembered(), 4, "memory stays at capacity");
    // Every replay is refused: the forgotten ones as too old, the
    // remembered ones as duplicates.
    for id in &ids[..6] {
        assert!(
            matches!(v.accept(*id, now), Err(MsgIdError::TooOld { .. })),
            "{id:#x}"
        );
    }
    for id in &ids[6..] {
        assert!(matches!(
            v.accept(*id, now),
            Err(MsgIdError::Duplicate { .. })
        ));
    }
    // A never-seen id older than everything remembered: refused, because
    // the window cannot tell.
    assert!(matches!(
        v.accept(ids[6] - 4, now),
        Err(MsgIdError::TooOld { .. })
    ));
    // A never-seen id between remembered ones: accepted, and the oldest is
    // dropped to make room, after which it is refused too.
    let between = ids[7] + 4;
    assert_eq!(v.accept(between, now), Ok(()));
    assert_eq!(v.remembered(), 4);
    assert!(matches!(
        v.accept(ids[6], now),
        Err(MsgIdError::TooOld { .. })
    ));
    // New ids keep flowing.
    assert_eq!(v.accept(ids[9] + 8, now), Ok(()));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Whatever the order of ids and however the clock moves (backwards
    /// too), no id is ever accepted twice.
    #[test]
    fn no_id_is_ever_accepted_twice(
        capacity in 1usize..16,
        steps in prop::collection::vec((0u64..40, -400i64..400), 1..300),
    ) {
        let mut v = MsgIdValidator::for_server_ids().with_capacity(capacity);
        let mut accepted = HashSet::new();
        for (slot, clock) in steps {
            let now = UnixTime::from_secs((T as i64 + clock) as u64);
            // Ids every 20 s around T, so the window slides over them.
            let id = at(T - 400 + 20 * slot) | 1;
            if v.accept(id, now).is_ok() {
                prop_assert!(accepted.insert(id), "{id:#x} accepted twice");
            }
            prop_assert!(v.remembered() <= capacity);
        }
    }

    /// Generated ids always pass the server-side validation of client ids
    /// taken at the same instant, and strictly increase.
    #[test]
    fn generated_ids_pass_validation(
        times in prop::collection::vec((0u64..600, 0u32..1_000_000_000), 1..100),
    ) {
        let mut ids = MsgIdGenerator::new();
        let mut v = MsgIdValidator::for_client_ids().with_capacity(1000);
        let mut last = 0;
        for (secs, nanos) in times {
            let now = UnixTime::new(T + secs, nanos);
            let id = ids.next(now);
            prop_assert!(id > last);
            prop_assert_eq!(id % 4, 0);
            last = id;
            // Within the future window unless the clock went back > 30 s.
            if id <= now.to_msg_time() + ((30i64) << 32) {
                prop_assert_eq!(v.accept(id, now), Ok(()));
            }
        }
    }
}
