//! The bytes each signature covers. Every field is length-prefixed and each
//! record kind has its own label, so no signature fits another record.

use sha2::{Digest, Sha256};

/// Length-prefixed fields under a label.
struct Message(Vec<u8>);

impl Message {
    fn new(label: &str) -> Self {
        Self(Vec::new())
            .bytes(b"coffer-team/v1/")
            .bytes(label.as_bytes())
    }

    fn bytes(mut self, value: &[u8]) -> Self {
        self.0
            .extend_from_slice(&(value.len() as u32).to_be_bytes());
        self.0.extend_from_slice(value);
        self
    }

    fn text(self, value: &str) -> Self {
        self.bytes(value.as_bytes())
    }

    fn int(self, value: i64) -> Self {
        self.bytes(&value.to_be_bytes())
    }
}

fn digest(value: &[u8]) -> [u8; 32] {
    Sha256::digest(value).into()
}

/// The team vault itself, signed by the first administrator (the anchor).
pub(crate) fn team(
    team: &[u8; 16],
    anchor: &[u8; 32],
    home_org: &[u8; 16],
    prefix: &str,
) -> Vec<u8> {
    Message::new("team")
        .bytes(team)
        .bytes(anchor)
        .bytes(home_org)
        .text(prefix)
        .0
}

/// A member's public keys, signed by the member (proof of possession).
pub(crate) fn member_keys(
    team: &[u8; 16],
    member: &[u8; 16],
    recipient: &str,
    verifying: &[u8; 32],
) -> Vec<u8> {
    Message::new("member-keys")
        .bytes(team)
        .bytes(member)
        .text(recipient)
        .bytes(verifying)
        .0
}

/// An administrator's confirmation of a member: the keys whose fingerprint
/// was compared, the role granted and the database role it logs in as.
pub(crate) fn endorsement(
    team: &[u8; 16],
    member: &[u8; 16],
    role: &str,
    db_role: &str,
    recipient: &str,
    verifying: &[u8; 32],
) -> Vec<u8> {
    Message::new("member-endorsement")
        .bytes(team)
        .bytes(member)
        .text(role)
        .text(db_role)
        .text(recipient)
        .bytes(verifying)
        .0
}

/// An administrator's removal of a member.
pub(crate) fn removal(team: &[u8; 16], member: &[u8; 16], db_role: &str) -> Vec<u8> {
    Message::new("member-removal")
        .bytes(team)
        .bytes(member)
        .text(db_role)
        .0
}

/// An organization at an epoch, signed by the administrator who wrote it.
pub(crate) fn organization(team: &[u8; 16], org: &[u8; 16], epoch: i32, name: &[u8]) -> Vec<u8> {
    Message::new("organization")
        .bytes(team)
        .bytes(org)
        .int(i64::from(epoch))
        .bytes(&digest(name))
        .0
}

/// An organization key wrapped to a member, signed by the granting administrator.
pub(crate) fn org_key_grant(
    team: &[u8; 16],
    org: &[u8; 16],
    epoch: i32,
    member: &[u8; 16],
    wrapped: &[u8],
) -> Vec<u8> {
    Message::new("org-key")
        .bytes(team)
        .bytes(org)
        .int(i64::from(epoch))
        .bytes(member)
        .bytes(&digest(wrapped))
        .0
}

/// An audit entry's hash: it chains to the previous entry's hash.
pub(crate) fn audit_hash(
    team: &[u8; 16],
    prev: &[u8],
    at: i64,
    actor: &[u8; 16],
    action: &str,
    target: &str,
) -> [u8; 32] {
    digest(
        &Message::new("audit")
            .bytes(team)
            .bytes(prev)
            .int(at)
            .bytes(actor)
            .text(action)
            .text(target)
            .0,
    )
}

/// One revision of a shared secret, signed by its author: the ids, the
/// revision and value version, the status, the author and time, the blind
/// index and the digests of both ciphertexts. A row moved to another
/// secret, organization or revision no longer verifies.
#[allow(clippy::too_many_arguments)]
pub(crate) fn secret_revision(
    team: &[u8; 16],
    org: &[u8; 16],
    secret: &[u8; 16],
    revision: i32,
    version: i32,
    status: &str,
    author: &[u8; 16],
    at: i64,
    blind_index: &[u8],
    meta: &[u8],
    value: &[u8],
) -> Vec<u8> {
    Message::new("secret-revision")
        .bytes(team)
        .bytes(org)
        .bytes(secret)
        .int(i64::from(revision))
        .int(i64::from(version))
        .text(status)
        .bytes(author)
        .int(at)
        .bytes(blind_index)
        .bytes(&digest(meta))
        .bytes(&digest(value))
        .0
}

/// A team of an organization at an epoch (its sealed name and its public
/// recipient), signed by the administrator who wrote it.
pub(crate) fn team_record(
    team: &[u8; 16],
    org: &[u8; 16],
    id: &[u8; 16],
    epoch: i32,
    name: &[u8],
    recipient: &str,
) -> Vec<u8> {
    Message::new("team-record")
        .bytes(team)
        .bytes(org)
        .bytes(id)
        .int(i64::from(epoch))
        .bytes(&digest(name))
        .text(recipient)
        .0
}

/// A member's place in a team, signed by the administrator who added it.
pub(crate) fn team_member(team: &[u8; 16], id: &[u8; 16], member: &[u8; 16]) -> Vec<u8> {
    Message::new("team-member")
        .bytes(team)
        .bytes(id)
        .bytes(member)
        .0
}

/// A team key of an epoch wrapped to a member, signed by the granting administrator.
pub(crate) fn team_key_grant(
    team: &[u8; 16],
    id: &[u8; 16],
    epoch: i32,
    member: &[u8; 16],
    wrapped: &[u8],
) -> Vec<u8> {
    Message::new("team-key")
        .bytes(team)
        .bytes(id)
        .int(i64::from(epoch))
        .bytes(member)
        .bytes(&digest(wrapped))
        .0
}

/// A secret's whole access state: visibility, owner and every rule (sorted
/// by team), signed by the member who set it.
pub(crate) fn access(
    team: &[u8; 16],
    org: &[u8; 16],
    secret: &[u8; 16],
    visibility: &str,
    owner: &[u8; 16],
    rules: &[([u8; 16], &str)],
) -> Vec<u8> {
    let mut m = Message::new("secret-access")
        .bytes(team)
        .bytes(org)
        .bytes(secret)
        .text(visibility)
        .bytes(owner)
        .int(rules.len() as i64);
    for (id, level) in rules {
        m = m.bytes(id).text(level);
    }
    m.0
}
/// An organization's setting, signed by the administrator who set it.
pub(crate) fn org_setting(
    team: &[u8; 16],
    org: &[u8; 16],
    key: &str,
    value: &str,
    at: i64,
    set_by: &[u8; 16],
) -> Vec<u8> {
    Message::new("org-setting")
        .bytes(team)
        .bytes(org)
        .text(key)
        .text(value)
        .int(at)
        .bytes(set_by)
        .0
}
