//! The invitation ticket an administrator hands over out of band: where the
//! team vault is, its id and trust anchor (the first administrator's
//! verifying key), the join login and the one-time code. It is a secret:
//! whoever holds it may join once, until it expires, and is still only
//! pending until an administrator confirms their fingerprint.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::connect::Server;
use crate::error::{Error, Result};

const PREFIX: &str = "coffer-invite-v1.";
/// Longest ticket accepted (a real one is well under 1 KiB).
const MAX_TICKET: usize = 4096;

/// A decoded ticket.
#[derive(Serialize, Deserialize)]
pub(crate) struct Ticket {
    pub server: Server,
    pub team: String,
    pub anchor: String,
    pub join_user: String,
    pub join_password: String,
    pub code: String,
    pub expires_at: i64,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.join_password.zeroize();
        self.code.zeroize();
    }
}

impl Ticket {
    pub(crate) fn encode(&self) -> Result<SecretString> {
        let json = zeroize::Zeroizing::new(
            serde_json::to_vec(self)
                .map_err(|e| Error::Internal(format!("encoding a ticket: {e}")))?,
        );
        Ok(SecretString::from(format!(
            "{PREFIX}{}",
            URL_SAFE_NO_PAD.encode(&*json)
        )))
    }

    pub(crate) fn decode(text: &SecretString) -> Result<Self> {
        let bad = |why: &str| Error::invalid("invitation ticket", why.to_owned());
        let text = text.expose_secret().trim();
        if text.len() > MAX_TICKET {
            return Err(bad("too long"));
        }
        let body = text
            .strip_prefix(PREFIX)
            .ok_or_else(|| bad("it does not start with coffer-invite-v1."))?;
        let json = zeroize::Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(body)
                .map_err(|_| bad("it is damaged (not base64url)"))?,
        );
        let ticket: Self =
            serde_json::from_slice(&json).map_err(|_| bad("it is damaged (not a ticket)"))?;
        ticket.team_id()?;
        ticket.anchor()?;
        Ok(ticket)
    }

    pub(crate) fn team_id(&self) -> Result<[u8; 16]> {
        uuid::Uuid::parse_str(&self.team)
            .map(|u| *u.as_bytes())
            .map_err(|_| Error::invalid("invitation ticket", "its team id is damaged"))
    }

    pub(crate) fn anchor(&self) -> Result<[u8; 32]> {
        B64.decode(&self.anchor)
            .ok()
            .and_then(|a| a.try_into().ok())
            .ok_or_else(|| Error::invalid("invitation ticket", "its anchor key is damaged"))
    }

    pub(crate) fn anchor_text(anchor: &[u8; 32]) -> String {
        B64.encode(anchor)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::connect::TlsMode;

    fn sample() -> Ticket {
        Ticket {
            server: Server {
                host: "127.0.0.1".into(),
                port: 5432,
                dbname: "team".into(),
                tls: TlsMode::Disable,
                ca_secret: None,
                client_cert: None,
            },
            team: uuid::Uuid::from_bytes([7; 16]).to_string(),
            anchor: Ticket::anchor_text(&[9; 32]),
            join_user: "coffer_x_join".into(),
            join_password: "pw".into(),
            code: "code".into(),
            expires_at: 1,
        }
    }

    #[test]
    fn round_trip_and_damaged_tickets() {
        let text = sample().encode().unwrap();
        let back = Ticket::decode(&text).unwrap();
        assert_eq!(back.team_id().unwrap(), [7; 16]);
        assert_eq!(back.anchor().unwrap(), [9; 32]);
        for bad in [
            "",
            "coffer-invite-v2.abc",
            "coffer-invite-v1.!!!",
            "coffer-invite-v1.e30",
        ] {
            let e = Ticket::decode(&SecretString::from(bad)).err().unwrap();
            assert_eq!(e.code(), "invalid_input", "{bad}");
        }
        let long = format!("{PREFIX}{}", "A".repeat(MAX_TICKET));
        assert!(Ticket::decode(&SecretString::from(long)).is_err());
        let truncated = &text.expose_secret()[..text.expose_secret().len() - 5];
        assert!(Ticket::decode(&SecretString::from(truncated)).is_err());
    }
}
