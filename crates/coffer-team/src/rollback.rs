//! The rollback check: revisions never go backwards for a client. Each
//! desktop remembers the highest revision it has seen of a team vault (in
//! its identity, sealed in the local vault) and refuses a server whose
//! revision is lower: restored from an old backup, or hostile. The local
//! replica keeps its own revision and calls the same check.

use crate::error::{Error, Result};

/// Refuses `server` when it is lower than `seen` (the highest revision this
/// client saw of the team vault).
pub(crate) fn check(seen: i64, server: i64) -> Result<()> {
    if server < seen {
        return Err(Error::Rollback {
            seen,
            server_revision: server,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_lower_revision_is_a_rollback_and_equal_or_higher_is_not() {
        assert!(check(7, 7).is_ok());
        assert!(check(7, 8).is_ok());
        assert!(check(0, 0).is_ok());
        let e = check(7, 6).unwrap_err();
        assert_eq!(e.code(), "rollback");
        assert!(e.to_string().contains("old backup"), "{e}");
    }
}
