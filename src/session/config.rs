//! How a session behaves, and the bounds on what it remembers.

use std::time::Duration;

use crate::container::ContainerLimits;
use crate::gzip::{DEFAULT_COMPRESS_THRESHOLD, DEFAULT_MAX_INFLATED};
use crate::service::types;

/// How a session behaves; [`Default`] gives the usual values.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// How often to send `ping_delay_disconnect` (60 s).
    pub ping_interval: Duration,
    /// Its `disconnect_delay` (75 s): the server closes the connection if
    /// no new ping comes within it.
    pub disconnect_delay: Duration,
    /// Outgoing bodies longer than this are gzip_packed when that saves
    /// bytes; `None` never compresses.
    pub compress_threshold: Option<usize>,
    /// The cap on an inflated incoming `gzip_packed` body.
    pub max_inflated: usize,
    /// `Some` in HTTP transport mode: every flush carries this `http_wait`
    /// ([`container::default_http_wait`](crate::container::default_http_wait)
    /// has the protocol's defaults).
    pub http_wait: Option<types::HttpWait>,
    /// How many future salts to ask for; `None` never asks.
    pub future_salts: Option<i32>,
    /// Ask for more future salts this long before the last one runs out.
    pub salt_refresh_margin: Duration,
    /// Container limits for packing and unpacking.
    pub container_limits: ContainerLimits,
    /// How many times a message is re-sent after `bad_msg_notification` or
    /// `bad_server_salt` before its request fails with
    /// [`SessionError::TooManyResends`](super::SessionError::TooManyResends).
    pub max_resends: u32,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(60),
            disconnect_delay: Duration::from_secs(75),
            compress_threshold: Some(DEFAULT_COMPRESS_THRESHOLD),
            max_inflated: DEFAULT_MAX_INFLATED,
            http_wait: None,
            future_salts: Some(64),
            salt_refresh_margin: Duration::from_secs(600),
            container_limits: ContainerLimits::default(),
            max_resends: 5,
        }
    }
}

/// Containers remembered so that a notification about one reaches its
/// contents.
pub(crate) const REMEMBERED_CONTAINERS: usize = 1024;
/// Cancelled msg_ids remembered so their late answers pass silently.
pub(crate) const REMEMBERED_DROPS: usize = 4096;
