//! What the session does on its own as time passes: keep-alive pings and
//! asking for future salts before the known ones run out.

use std::time::Duration;

use mtproto_types::Serialize;

use crate::msg_id::UnixTime;
use crate::service::functions;

use super::requests::Purpose;
use super::Session;

impl Session {
    /// When [`handle_timeout`](Self::handle_timeout) should next be called
    /// (local time): the next keep-alive ping or salt refresh.
    pub fn poll_timeout(&self) -> Option<UnixTime> {
        let mut next = self.next_ping;
        if let Some(at) = self.salt_refresh_at() {
            next = next.min(at);
        }
        Some(next)
    }

    fn salt_refresh_at(&self) -> Option<UnixTime> {
        self.config.future_salts?;
        if self.salts_in_flight {
            return None;
        }
        let Some(server_at) = self.salts.refresh_at(self.config.salt_refresh_margin) else {
            // Nothing stored: ask right away (the session's start time).
            return Some(UnixTime::default());
        };
        let local = server_at
            .to_msg_time()
            .wrapping_sub(self.numbering.time_offset());
        Some(UnixTime::from_msg_time(local))
    }

    /// Does what is due at `now`: a `ping_delay_disconnect` every
    /// `ping_interval`, `get_future_salts` before the salts run out.
    pub fn handle_timeout(&mut self, now: UnixTime) {
        if now >= self.next_ping {
            self.ping_id = self.ping_id.wrapping_add(1);
            let ping = functions::PingDelayDisconnect {
                ping_id: self.ping_id,
                disconnect_delay: i32::try_from(self.config.disconnect_delay.as_secs())
                    .unwrap_or(i32::MAX),
            };
            self.submit(ping.to_bytes(), None, Purpose::KeepAlive, now);
            self.next_ping = add(now, self.config.ping_interval);
        }
        if let (Some(num), Some(at)) = (self.config.future_salts, self.salt_refresh_at()) {
            if now >= at {
                self.salts.prune(self.numbering.server_now(now));
                self.salts_in_flight = true;
                let request = functions::GetFutureSalts { num };
                self.submit(request.to_bytes(), None, Purpose::FutureSalts, now);
            }
        }
    }
}

/// `t + d`, saturating.
pub(super) fn add(t: UnixTime, d: Duration) -> UnixTime {
    UnixTime::from_duration(t.as_duration().saturating_add(d))
}
