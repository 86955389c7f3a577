//! `rpc_error` as a structured error.
//!
//! Telegram puts a number into some error names: `FLOOD_WAIT_30` means
//! "wait 30 seconds", `PHONE_MIGRATE_2` "use data centre 2". [`RpcError`]
//! splits such a name into the name proper and the number, so callers
//! match on `name` without string surgery.
//!
//! ```
//! use mtproto::rpc_error::RpcError;
//!
//! let err = RpcError::new(420, "FLOOD_WAIT_30");
//! assert_eq!((err.code, err.name.as_str(), err.value), (420, "FLOOD_WAIT", Some(30)));
//! assert_eq!(err.flood_wait(), Some(30));
//! assert_eq!(RpcError::new(400, "PEER_ID_INVALID").value, None);
//! ```

use std::fmt;

use crate::service::types;

/// An `rpc_error`: the code (303, 400, 401, 420, 500…), the name without
/// a trailing number, and that number if there was one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RpcError {
    /// `error_code`.
    pub code: i32,
    /// The name, e.g. `FLOOD_WAIT` for `FLOOD_WAIT_30`.
    pub name: String,
    /// The number that ended the message, e.g. 30 for `FLOOD_WAIT_30`.
    pub value: Option<u32>,
}

impl RpcError {
    /// Parses `message`: a final `_<digits>` that fits a `u32` becomes
    /// `value`, the rest is `name`. Anything else is kept whole as `name`.
    pub fn new(code: i32, message: &str) -> Self {
        let split = message.rsplit_once('_').and_then(|(name, digits)| {
            let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
            let value = digits.parse::<u32>().ok().filter(|_| all_digits)?;
            (!name.is_empty()).then_some((name, value))
        });
        match split {
            Some((name, value)) => Self {
                code,
                name: name.to_owned(),
                value: Some(value),
            },
            None => Self {
                code,
                name: message.to_owned(),
                value: None,
            },
        }
    }

    /// The structured form of a decoded `rpc_error`.
    pub fn from_tl(error: &types::RpcError<'_>) -> Self {
        Self::new(error.error_code, &error.error_message)
    }

    /// Whether the name (without its number) is `name`.
    pub fn is(&self, name: &str) -> bool {
        self.name == name
    }

    /// The seconds to wait for `FLOOD_WAIT_X` (and `FLOOD_PREMIUM_WAIT_X`,
    /// `SLOWMODE_WAIT_X`), `None` for other errors.
    pub fn flood_wait(&self) -> Option<u32> {
        match self.name.as_str() {
            "FLOOD_WAIT" | "FLOOD_PREMIUM_WAIT" | "SLOWMODE_WAIT" => self.value,
            _ => None,
        }
    }
}

impl fmt::Display for RpcError {
    /// The wire form back: `rpc_error 420: FLOOD_WAIT_30`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rpc_error {}: {}", self.code, self.name)?;
        if let Some(value) = self.value {
            write!(f, "_{value}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RpcError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_numbers_are_split_off() {
        let e = RpcError::new(303, "PHONE_MIGRATE_5");
        assert_eq!((e.name.as_str(), e.value), ("PHONE_MIGRATE", Some(5)));
        let e = RpcError::new(420, "2FA_CONFIRM_WAIT_604800");
        assert_eq!(
            (e.name.as_str(), e.value),
            ("2FA_CONFIRM_WAIT", Some(604800))
        );
        assert_eq!(e.flood_wait(), None);
    }

    #[test]
    fn names_without_a_number_stay_whole() {
        for message in [
            "AUTH_KEY_UNREGISTERED",
            "FLOOD_WAIT_",
            "_12",
            "X_1a",
            "X_99999999999",
        ] {
            let e = RpcError::new(400, message);
            assert_eq!((e.name.as_str(), e.value), (message, None), "{message}");
        }
    }

    #[test]
    fn display_round_trips_the_message() {
        assert_eq!(
            RpcError::new(420, "FLOOD_WAIT_7").to_string(),
            "rpc_error 420: FLOOD_WAIT_7"
        );
    }
}
