//! The server's schema: versioned migrations recorded in
//! `coffer.coffer_schema` (a newer schema is refused), the database roles,
//! row-level security with FORCE on every table, the administrator-only
//! tables, the append-only audit table and the two narrowly-privileged
//! SECURITY DEFINER functions (joining with an invitation code, confirming a
//! member). The same SQL text is executed by `create` or printed for a DBA.

/// The schema version this build writes and understands.
pub const LATEST: i32 = 5;

/// The database roles of one team vault; names carry the team's prefix so
/// that several team vaults can share a cluster.
#[derive(Debug, Clone)]
pub(crate) struct Roles {
    pub prefix: String,
}

impl Roles {
    pub(crate) fn for_team(team: &[u8; 16]) -> Self {
        Self {
            prefix: format!("coffer_{}", &hex::encode(team)[..8]),
        }
    }

    /// Owns the schema; runs the SECURITY DEFINER functions (NOLOGIN).
    pub(crate) fn owner(&self) -> String {
        format!("{}_owner", self.prefix)
    }
    /// Every member's group.
    pub(crate) fn member(&self) -> String {
        format!("{}_member", self.prefix)
    }
    /// Administrators' group (also in the member group).
    pub(crate) fn admin(&self) -> String {
        format!("{}_admin", self.prefix)
    }
    /// The login that may only call the join function.
    pub(crate) fn join(&self) -> String {
        format!("{}_join", self.prefix)
    }
    /// A member's login role.
    pub(crate) fn member_login(&self, member: &[u8; 16]) -> String {
        format!("{}_m_{}", self.prefix, hex::encode(member))
    }

    fn fill(&self, sql: &str) -> String {
        sql.replace("{owner}", &self.owner())
            .replace("{member}", &self.member())
            .replace("{admin}", &self.admin())
            .replace("{join}", &self.join())
            .replace("{prefix}", &self.prefix)
    }
}

/// An SQL string literal.
pub(crate) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// An SQL bytea literal.
pub(crate) fn bytea(bytes: &[u8]) -> String {
    format!("'\\x{}'::bytea", hex::encode(bytes))
}

/// The roles a schema needs, created by whoever bootstraps it.
pub(crate) fn roles_sql(roles: &Roles, join_verifier: &str) -> String {
    roles.fill(&format!(
        r#"
CREATE ROLE {{owner}} NOLOGIN CREATEROLE;
GRANT {{owner}} TO CURRENT_USER;
CREATE SCHEMA coffer AUTHORIZATION {{owner}};
SET LOCAL ROLE {{owner}};
CREATE ROLE {{member}} NOLOGIN;
CREATE ROLE {{admin}} NOLOGIN IN ROLE {{member}};
CREATE ROLE {{join}} LOGIN PASSWORD {verifier};
"#,
        verifier = literal(join_verifier)
    ))
}

/// Migration `index + 1`, with the team's role names.
pub(crate) fn migration(roles: &Roles, index: usize) -> Option<String> {
    MIGRATIONS.get(index).map(|sql| roles.fill(sql))
}

const MIGRATIONS: &[&str] = &[
    // 1: members, invitations, organizations and their keys, the audit
    // table, the revision counter; policies; the join and confirm functions.
    r#"
REVOKE ALL ON SCHEMA coffer FROM PUBLIC;
GRANT USAGE ON SCHEMA coffer TO {member}, {join};

CREATE TABLE coffer.coffer_schema (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE coffer.team (
    id          uuid PRIMARY KEY,
    anchor      bytea NOT NULL CHECK (length(anchor) = 32),
    home_org    uuid NOT NULL,
    role_prefix text NOT NULL,
    sig         bytea NOT NULL,
    singleton   boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton)
);

CREATE TABLE coffer.members (
    id            uuid PRIMARY KEY,
    db_role       text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('administrator', 'member')),
    status        text NOT NULL CHECK (status IN ('pending', 'active', 'removed')),
    name          bytea NOT NULL,
    name_epoch    integer,
    invitation_id uuid,
    recipient     text NOT NULL,
    verifying_key bytea NOT NULL CHECK (length(verifying_key) = 32),
    self_sig      bytea NOT NULL,
    scram         text CHECK (scram IS NULL OR scram LIKE 'SCRAM-SHA-256$%'),
    endorsed_by   uuid REFERENCES coffer.members (id),
    endorsement   bytea,
    joined_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE coffer.invitations (
    id         uuid PRIMARY KEY,
    code_hash  bytea NOT NULL UNIQUE,
    role       text NOT NULL CHECK (role IN ('administrator', 'member')),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_by uuid NOT NULL REFERENCES coffer.members (id),
    org_id     uuid NOT NULL,
    epoch      integer NOT NULL,
    invite_key bytea NOT NULL
);

CREATE TABLE coffer.organizations (
    id         uuid PRIMARY KEY,
    name       bytea NOT NULL,
    epoch      integer NOT NULL,
    created_by uuid NOT NULL REFERENCES coffer.members (id),
    sig        bytea NOT NULL
);

CREATE TABLE coffer.organization_keys (
    org_id     uuid NOT NULL REFERENCES coffer.organizations (id),
    epoch      integer NOT NULL,
    member_id  uuid NOT NULL REFERENCES coffer.members (id),
    wrapped    bytea NOT NULL,
    granted_by uuid NOT NULL REFERENCES coffer.members (id),
    sig        bytea NOT NULL,
    PRIMARY KEY (org_id, epoch, member_id)
);

CREATE TABLE coffer.settings (
    key   text PRIMARY KEY,
    value bytea NOT NULL
);

CREATE TABLE coffer.audit (
    seq    bigserial PRIMARY KEY,
    at     bigint NOT NULL,
    actor  uuid NOT NULL REFERENCES coffer.members (id),
    action text NOT NULL,
    target text NOT NULL,
    prev   bytea NOT NULL UNIQUE,
    hash   bytea NOT NULL UNIQUE,
    sig    bytea NOT NULL
);

CREATE TABLE coffer.revision (
    id    integer PRIMARY KEY CHECK (id = 1),
    value bigint NOT NULL
);
INSERT INTO coffer.revision VALUES (1, 0);

-- Who is calling: the active member whose login role this session is.
CREATE FUNCTION coffer.me() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
    SELECT id FROM coffer.members WHERE db_role = session_user AND status = 'active'
$$;

CREATE FUNCTION coffer.is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
    SELECT pg_has_role(session_user, '{admin}', 'MEMBER')
$$;

-- The revision counter: the truth for sync; NOTIFY is the hint.
CREATE FUNCTION coffer.bump_revision() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
DECLARE v bigint;
BEGIN
    UPDATE coffer.revision SET value = value + 1 WHERE id = 1 RETURNING value INTO v;
    PERFORM pg_notify('coffer_revision', v::text);
    RETURN NULL;
END $$;
CREATE TRIGGER members_revision AFTER INSERT OR UPDATE OR DELETE ON coffer.members
    FOR EACH STATEMENT EXECUTE FUNCTION coffer.bump_revision();
CREATE TRIGGER organizations_revision AFTER INSERT OR UPDATE OR DELETE ON coffer.organizations
    FOR EACH STATEMENT EXECUTE FUNCTION coffer.bump_revision();
CREATE TRIGGER organization_keys_revision AFTER INSERT OR UPDATE OR DELETE
    ON coffer.organization_keys FOR EACH STATEMENT EXECUTE FUNCTION coffer.bump_revision();

-- The audit table is append-only, whoever asks (the owner included).
CREATE FUNCTION coffer.refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit table is append-only' USING ERRCODE = 'CF002';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON coffer.audit
    FOR EACH ROW EXECUTE FUNCTION coffer.refuse_audit_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON coffer.audit
    FOR EACH STATEMENT EXECUTE FUNCTION coffer.refuse_audit_change();

-- Joining: the only thing the join role may do. Inserts exactly the
-- invitee's pending row, once per code, before the code expires.
CREATE FUNCTION coffer.join_team(code text, member_id uuid, name bytea, recipient text,
                                 verifying_key bytea, self_sig bytea, scram text)
RETURNS TABLE (team_id uuid, schema_version integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
DECLARE inv coffer.invitations;
BEGIN
    SELECT * INTO inv FROM coffer.invitations i
        WHERE i.code_hash = sha256(convert_to(code, 'UTF8')) FOR UPDATE;
    IF NOT FOUND OR inv.used_at IS NOT NULL OR inv.expires_at <= now() THEN
        RAISE EXCEPTION 'the invitation is not valid' USING ERRCODE = 'CF001';
    END IF;
    UPDATE coffer.invitations SET used_at = now() WHERE id = inv.id;
    INSERT INTO coffer.members (id, db_role, role, status, name, name_epoch, invitation_id,
                                recipient, verifying_key, self_sig, scram)
    VALUES (member_id, '{prefix}_m_' || replace(member_id::text, '-', ''), inv.role, 'pending',
            name, NULL, inv.id, recipient, verifying_key, self_sig, scram);
    RETURN QUERY SELECT t.id, (SELECT max(version) FROM coffer.coffer_schema) FROM coffer.team t;
END $$;

-- Confirming: administrators only. Creates the member's login role (from
-- the SCRAM verifier the member published: no password crosses) and
-- activates the row with the administrator's endorsement.
CREATE FUNCTION coffer.confirm_member(target uuid, new_name bytea, new_epoch integer,
                                      signed bytea)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
DECLARE m coffer.members; actor uuid;
BEGIN
    actor := coffer.me();
    IF actor IS NULL OR NOT coffer.is_admin() THEN
        RAISE EXCEPTION 'only an administrator confirms members' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO m FROM coffer.members WHERE id = target FOR UPDATE;
    IF NOT FOUND OR m.status <> 'pending' THEN
        RAISE EXCEPTION 'no pending member %', target USING ERRCODE = 'P0002';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', m.db_role, m.scram,
                   CASE WHEN m.role = 'administrator' THEN '{admin}' ELSE '{member}' END);
    UPDATE coffer.members SET status = 'active', name = new_name, name_epoch = new_epoch,
        endorsed_by = actor, endorsement = signed, scram = NULL
        WHERE id = target;
END $$;

REVOKE ALL ON FUNCTION coffer.me(), coffer.is_admin(), coffer.bump_revision(),
    coffer.refuse_audit_change(),
    coffer.join_team(text, uuid, bytea, text, bytea, bytea, text),
    coffer.confirm_member(uuid, bytea, integer, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION coffer.me(), coffer.is_admin() TO {member};
GRANT EXECUTE ON FUNCTION coffer.join_team(text, uuid, bytea, text, bytea, bytea, text) TO {join};
GRANT EXECUTE ON FUNCTION coffer.confirm_member(uuid, bytea, integer, bytea) TO {admin};

-- Privileges: members read what they may; administrators write the rest.
GRANT SELECT ON coffer.coffer_schema, coffer.team, coffer.members, coffer.organizations,
    coffer.organization_keys, coffer.audit, coffer.revision TO {member};
GRANT INSERT ON coffer.audit TO {member};
GRANT USAGE ON SEQUENCE coffer.audit_seq_seq TO {member};
GRANT SELECT, INSERT ON coffer.invitations TO {admin};
GRANT SELECT ON coffer.settings TO {admin};
GRANT INSERT, UPDATE ON coffer.organizations TO {admin};
GRANT INSERT ON coffer.organization_keys TO {admin};

-- Row-level security, forced on the owner too.
ALTER TABLE coffer.coffer_schema ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.coffer_schema FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.coffer_schema TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY read ON coffer.coffer_schema FOR SELECT TO {member} USING (true);

ALTER TABLE coffer.team ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.team FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.team TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY read ON coffer.team FOR SELECT TO {member} USING (true);

ALTER TABLE coffer.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.members FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.members TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY read ON coffer.members FOR SELECT TO {member} USING (true);

ALTER TABLE coffer.invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.invitations TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON coffer.invitations FOR SELECT TO {admin} USING (coffer.is_admin());
CREATE POLICY admin_write ON coffer.invitations FOR INSERT TO {admin}
    WITH CHECK (coffer.is_admin() AND created_by = coffer.me() AND used_at IS NULL);

ALTER TABLE coffer.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.organizations TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY read ON coffer.organizations FOR SELECT TO {member} USING (true);
CREATE POLICY admin_insert ON coffer.organizations FOR INSERT TO {admin}
    WITH CHECK (coffer.is_admin() AND created_by = coffer.me());
CREATE POLICY admin_update ON coffer.organizations FOR UPDATE TO {admin}
    USING (coffer.is_admin()) WITH CHECK (coffer.is_admin() AND created_by = coffer.me());

ALTER TABLE coffer.organization_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.organization_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.organization_keys TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY read_own ON coffer.organization_keys FOR SELECT TO {member}
    USING (member_id = coffer.me() OR coffer.is_admin());
CREATE POLICY admin_grant ON coffer.organization_keys FOR INSERT TO {admin}
    WITH CHECK (coffer.is_admin() AND granted_by = coffer.me());

ALTER TABLE coffer.settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.settings FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.settings TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON coffer.settings FOR SELECT TO {admin} USING (coffer.is_admin());

ALTER TABLE coffer.audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.audit FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.audit TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY read ON coffer.audit FOR SELECT TO {member} USING (true);
CREATE POLICY append_own ON coffer.audit FOR INSERT TO {member}
    WITH CHECK (actor = coffer.me());

ALTER TABLE coffer.revision ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.revision FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.revision TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY read ON coffer.revision FOR SELECT TO {member} USING (true);

INSERT INTO coffer.coffer_schema (version) VALUES (1);
"#,
    // 2: shared secrets, their revisions and data keys, the blind index.
    crate::schema_secrets::MIGRATION_2,
    // 3: membership changes (removal, revocation, re-sealing).
    crate::migration_membership::MEMBERSHIP,
    // 4: sealed notes on audit entries (uses), organization settings.
    crate::migration_uses::USES,
    // 5: teams and access rules.
    crate::migration_teams::TEAMS,
];
