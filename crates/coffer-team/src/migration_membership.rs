//! Server migration "membership changes" (2 in this branch; renumbered at
//! merge): removing members, revoking invitations, re-sealing under a new
//! key epoch. It depends only on migration 1's tables.
//!
//! Removal revokes the login with `NOLOGIN` and takes the role out of the
//! member and administrator groups rather than `DROP ROLE`: the role name
//! stays reserved (a member row keeps naming it, so the row still verifies
//! and no later role can take the name), and the role owns nothing and holds
//! no privilege of its own. Its open sessions are ended with
//! `pg_terminate_backend` (the owner first takes membership in the role,
//! which PostgreSQL requires to signal its backends), so nothing already
//! connected keeps working.

/// The migration's SQL (role names filled in by `schema::migration`).
pub(crate) const MEMBERSHIP: &str = r#"
ALTER TABLE coffer.members ADD COLUMN removed_by uuid REFERENCES coffer.members (id),
    ADD COLUMN removal bytea;
ALTER TABLE coffer.invitations ADD COLUMN revoked_at timestamptz,
    ADD COLUMN revoked_by uuid REFERENCES coffer.members (id);

-- Joining now also refuses a revoked invitation.
CREATE OR REPLACE FUNCTION coffer.join_team(code text, member_id uuid, name bytea,
                                            recipient text, verifying_key bytea, self_sig bytea,
                                            scram text)
RETURNS TABLE (team_id uuid, schema_version integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
DECLARE inv coffer.invitations;
BEGIN
    SELECT * INTO inv FROM coffer.invitations i
        WHERE i.code_hash = sha256(convert_to(code, 'UTF8')) FOR UPDATE;
    IF NOT FOUND OR inv.used_at IS NOT NULL OR inv.revoked_at IS NOT NULL
       OR inv.expires_at <= now() THEN
        RAISE EXCEPTION 'the invitation is not valid' USING ERRCODE = 'CF001';
    END IF;
    UPDATE coffer.invitations SET used_at = now() WHERE id = inv.id;
    INSERT INTO coffer.members (id, db_role, role, status, name, name_epoch, invitation_id,
                                recipient, verifying_key, self_sig, scram)
    VALUES (member_id, '{prefix}_m_' || replace(member_id::text, '-', ''), inv.role, 'pending',
            name, NULL, inv.id, recipient, verifying_key, self_sig, scram);
    RETURN QUERY SELECT t.id, (SELECT max(version) FROM coffer.coffer_schema) FROM coffer.team t;
END $$;

-- Removing: administrators only, never the last administrator. Marks the
-- row removed with the administrator's signature, revokes the login and
-- ends the member's sessions. The caller re-keys in the same transaction.
CREATE FUNCTION coffer.remove_member(target uuid, signed bytea)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
DECLARE m coffer.members; actor uuid;
BEGIN
    actor := coffer.me();
    IF actor IS NULL OR NOT coffer.is_admin() THEN
        RAISE EXCEPTION 'only an administrator removes members' USING ERRCODE = '42501';
    END IF;
    -- One removal at a time: the administrators' rows are locked.
    PERFORM 1 FROM coffer.members WHERE status = 'active' AND role = 'administrator'
        ORDER BY id FOR UPDATE;
    SELECT * INTO m FROM coffer.members WHERE id = target FOR UPDATE;
    IF NOT FOUND OR m.status <> 'active' THEN
        RAISE EXCEPTION 'no active member %', target USING ERRCODE = 'P0002';
    END IF;
    IF m.role = 'administrator' AND NOT EXISTS (
        SELECT 1 FROM coffer.members
        WHERE status = 'active' AND role = 'administrator' AND id <> target) THEN
        RAISE EXCEPTION 'the last administrator cannot be removed' USING ERRCODE = 'CF003';
    END IF;
    UPDATE coffer.members SET status = 'removed', removed_by = actor, removal = signed
        WHERE id = target;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = m.db_role) THEN
        EXECUTE format('ALTER ROLE %I NOLOGIN', m.db_role);
        EXECUTE format('REVOKE %I FROM %I', '{admin}', m.db_role);
        EXECUTE format('REVOKE %I FROM %I', '{member}', m.db_role);
        EXECUTE format('GRANT %I TO %I', m.db_role, '{owner}');
        PERFORM pg_terminate_backend(a.pid) FROM pg_stat_activity a
            WHERE a.usename = m.db_role AND a.pid <> pg_backend_pid();
    END IF;
END $$;

REVOKE ALL ON FUNCTION coffer.remove_member(uuid, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION coffer.remove_member(uuid, bytea) TO {admin};

-- Re-sealing under a new epoch: administrators rewrite sealed names, the
-- join login's sealed password and open invitations' keys; revoking an
-- invitation sets who revoked it and when.
GRANT UPDATE (name, name_epoch) ON coffer.members TO {admin};
CREATE POLICY admin_reseal ON coffer.members FOR UPDATE TO {admin}
    USING (coffer.is_admin() AND status <> 'pending')
    WITH CHECK (coffer.is_admin() AND status <> 'pending');
GRANT UPDATE (value) ON coffer.settings TO {admin};
CREATE POLICY admin_reseal ON coffer.settings FOR UPDATE TO {admin}
    USING (coffer.is_admin()) WITH CHECK (coffer.is_admin());
GRANT UPDATE (invite_key, epoch, revoked_at, revoked_by) ON coffer.invitations TO {admin};
CREATE POLICY admin_update ON coffer.invitations FOR UPDATE TO {admin}
    USING (coffer.is_admin())
    WITH CHECK (coffer.is_admin() AND (revoked_at IS NULL OR revoked_by = coffer.me()));

INSERT INTO coffer.coffer_schema (version) VALUES (2);
"#;
