//! Server migration 5: teams and access rules (Concord's READER / WRITER /
//! OWNER per team, PUBLIC / PRIVATE visibility, an owner per secret).
//!
//! - `coffer.teams`: a team of an organization, its name sealed under the
//!   organization's name key, its epoch and the public age recipient of
//!   that epoch's team key (so an OWNER who is not in the team can still
//!   wrap a data key for it), signed by an administrator.
//! - `coffer.team_members`: who is in a team, signed by an administrator.
//! - `coffer.team_keys`: each epoch's team key (an age identity) wrapped to
//!   each team member and to the administrators (its custodians).
//! - `coffer.access_rules`: (secret, team, level), written only by the
//!   secret's OWNERs; the whole access state of a secret (visibility,
//!   owner, rules) is signed in one record on `coffer.secrets`.
//!
//! Row-level security (forced) hides a PRIVATE secret's rows (the secret,
//! its revisions, its data keys, its rules) from a member who is neither
//! its owner nor in a team with a rule on it; writes need WRITER (or OWNER,
//! or administrator), access changes and purges need OWNER (or
//! administrator); teams and membership are administrators' to write.

/// The migration's SQL (role names filled in by `schema::migration`).
pub(crate) const TEAMS: &str = r#"
CREATE TABLE coffer.teams (
    id        uuid PRIMARY KEY,
    org_id    uuid NOT NULL REFERENCES coffer.organizations (id),
    name      bytea NOT NULL,
    epoch     integer NOT NULL CHECK (epoch >= 1),
    recipient text NOT NULL,
    signed_by uuid NOT NULL REFERENCES coffer.members (id),
    sig       bytea NOT NULL,
    UNIQUE (id, org_id)
);

CREATE TABLE coffer.team_members (
    team_id   uuid NOT NULL REFERENCES coffer.teams (id) ON DELETE CASCADE,
    member_id uuid NOT NULL REFERENCES coffer.members (id),
    added_by  uuid NOT NULL REFERENCES coffer.members (id),
    sig       bytea NOT NULL,
    PRIMARY KEY (team_id, member_id)
);

CREATE TABLE coffer.team_keys (
    team_id    uuid NOT NULL REFERENCES coffer.teams (id) ON DELETE CASCADE,
    epoch      integer NOT NULL,
    member_id  uuid NOT NULL REFERENCES coffer.members (id),
    wrapped    bytea NOT NULL,
    granted_by uuid NOT NULL REFERENCES coffer.members (id),
    sig        bytea NOT NULL,
    PRIMARY KEY (team_id, epoch, member_id)
);

ALTER TABLE coffer.secrets
    ADD COLUMN visibility text NOT NULL DEFAULT 'PUBLIC'
        CHECK (visibility IN ('PUBLIC', 'PRIVATE')),
    ADD COLUMN owner_id uuid REFERENCES coffer.members (id),
    ADD COLUMN access_by uuid REFERENCES coffer.members (id),
    ADD COLUMN access_sig bytea;
-- Secrets written before teams existed belong to whoever created them.
UPDATE coffer.secrets s SET owner_id = v.author
    FROM coffer.secret_versions v WHERE v.secret_id = s.id AND v.revision = 1;
ALTER TABLE coffer.secrets ALTER COLUMN owner_id SET DEFAULT coffer.me(),
    ALTER COLUMN owner_id SET NOT NULL;

CREATE TABLE coffer.access_rules (
    secret_id uuid NOT NULL,
    org_id    uuid NOT NULL,
    team_id   uuid NOT NULL,
    level     text NOT NULL CHECK (level IN ('READER', 'WRITER', 'OWNER')),
    PRIMARY KEY (secret_id, team_id),
    FOREIGN KEY (secret_id, org_id) REFERENCES coffer.secrets (id, org_id),
    FOREIGN KEY (team_id, org_id) REFERENCES coffer.teams (id, org_id)
);
CREATE INDEX access_rules_team ON coffer.access_rules (team_id);

-- Data keys may now be wrapped for a team key or for the owner.
ALTER TABLE coffer.data_keys DROP CONSTRAINT data_keys_wrapped_under_check;
ALTER TABLE coffer.data_keys ADD CONSTRAINT data_keys_wrapped_under_check
    CHECK (wrapped_under IN ('org', 'team', 'member'));

-- The calling member's level on a secret: 3 owner (or a team rule OWNER),
-- 2 WRITER, 1 READER, 0 none. Administrators are not raised here.
CREATE FUNCTION coffer.access_level(secret uuid) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
    SELECT CASE WHEN s.owner_id = coffer.me() THEN 3 ELSE coalesce((
        SELECT max(CASE r.level WHEN 'READER' THEN 1 WHEN 'WRITER' THEN 2 ELSE 3 END)
        FROM coffer.access_rules r
        JOIN coffer.team_members m ON m.team_id = r.team_id AND m.member_id = coffer.me()
        WHERE r.secret_id = s.id), 0) END
    FROM coffer.secrets s WHERE s.id = secret
$$;

-- May the caller see the secret at all (its rows, ciphertext, existence)?
CREATE FUNCTION coffer.may_read(secret uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
    SELECT coalesce((SELECT coffer.holds_org(s.org_id)
                     AND (s.visibility = 'PUBLIC' OR coffer.access_level(s.id) >= 1)
                     FROM coffer.secrets s WHERE s.id = secret), false)
$$;

-- Change its value, metadata or status: WRITER, OWNER or administrator.
CREATE FUNCTION coffer.may_write(secret uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
    SELECT coffer.may_read(secret)
           AND (coffer.is_admin() OR coffer.access_level(secret) >= 2)
$$;

-- Change its rules, visibility, owner, or purge it: OWNER or administrator.
CREATE FUNCTION coffer.may_own(secret uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
    SELECT coffer.may_read(secret)
           AND (coffer.is_admin() OR coffer.access_level(secret) >= 3)
$$;

-- Is the caller in the team?
CREATE FUNCTION coffer.in_team(team uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
    SELECT EXISTS (SELECT 1 FROM coffer.team_members m
                   WHERE m.team_id = team AND m.member_id = coffer.me())
$$;

-- A WRITER may write `revision`, `status` and `blind_index`; visibility,
-- owner and the signed access record are OWNER's.
-- It runs as the caller (not SECURITY DEFINER): inside coffer.set_access,
-- which checked the caller's right before it started, the caller is the
-- owner role; a member's own UPDATE is checked here.
CREATE FUNCTION coffer.guard_access() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, coffer AS $$
BEGIN
    IF current_user = '{owner}' THEN
        RETURN NEW;
    END IF;
    IF coffer.me() IS NOT NULL
       AND (NEW.visibility IS DISTINCT FROM OLD.visibility
            OR NEW.owner_id IS DISTINCT FROM OLD.owner_id
            OR NEW.access_by IS DISTINCT FROM OLD.access_by
            OR NEW.access_sig IS DISTINCT FROM OLD.access_sig)
       AND NOT coffer.may_own(OLD.id) THEN
        RAISE EXCEPTION 'only an OWNER of the secret changes its access' USING ERRCODE = '42501';
    END IF;
    IF coffer.me() IS NOT NULL AND NEW.access_by IS DISTINCT FROM OLD.access_by
       AND NEW.access_by IS DISTINCT FROM coffer.me() THEN
        RAISE EXCEPTION 'an access record is signed by its writer' USING ERRCODE = '42501';
    END IF;
    IF NEW.owner_id IS DISTINCT FROM OLD.owner_id AND NOT EXISTS (
        SELECT 1 FROM coffer.members WHERE id = NEW.owner_id AND status = 'active') THEN
        RAISE EXCEPTION 'the owner must be an active member' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER secrets_guard_access BEFORE UPDATE ON coffer.secrets
    FOR EACH ROW EXECUTE FUNCTION coffer.guard_access();

REVOKE ALL ON FUNCTION coffer.access_level(uuid), coffer.may_read(uuid), coffer.may_write(uuid),
    coffer.may_own(uuid), coffer.in_team(uuid), coffer.guard_access() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION coffer.access_level(uuid), coffer.may_read(uuid),
    coffer.may_write(uuid), coffer.may_own(uuid), coffer.in_team(uuid) TO {member};

-- Setting a secret's access in one step: its OWNER (or an administrator
-- who may read it) replaces the rules, the visibility, the owner, the
-- signed access record and every revision's data-key wraps. The right is
-- checked once, before anything changes (taking one's own OWNER rule away
-- is allowed), and the wraps must cover what the new state needs: under
-- the organization key alone for PUBLIC; for PRIVATE, for the owner and
-- for each team with a rule, for every revision.
CREATE FUNCTION coffer.set_access(secret uuid, new_visibility text, new_owner uuid,
                                  signed bytea, rule_teams uuid[], rule_levels text[],
                                  key_revisions integer[], key_under text[],
                                  key_under_ids uuid[], key_epochs integer[],
                                  key_wrapped bytea[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
DECLARE s coffer.secrets; actor uuid; revisions integer; expected integer;
BEGIN
    actor := coffer.me();
    IF actor IS NULL OR NOT coffer.may_own(secret) THEN
        RAISE EXCEPTION 'only an OWNER of the secret changes its access' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO s FROM coffer.secrets WHERE id = secret FOR UPDATE;
    IF NOT EXISTS (SELECT 1 FROM coffer.members WHERE id = new_owner AND status = 'active') THEN
        RAISE EXCEPTION 'the owner must be an active member' USING ERRCODE = '23514';
    END IF;
    IF cardinality(rule_teams) <> cardinality(rule_levels)
       OR EXISTS (SELECT 1 FROM unnest(rule_teams) t
                  WHERE NOT EXISTS (SELECT 1 FROM coffer.teams x
                                    WHERE x.id = t AND x.org_id = s.org_id)) THEN
        RAISE EXCEPTION 'a rule names no team of the organization' USING ERRCODE = '23514';
    END IF;
    SELECT count(*) INTO revisions FROM coffer.secret_versions WHERE secret_id = secret;
    expected := CASE new_visibility WHEN 'PUBLIC' THEN revisions
                ELSE revisions * (cardinality(rule_teams) + 1) END;
    IF cardinality(key_revisions) <> expected OR EXISTS (
        SELECT 1 FROM unnest(key_revisions, key_under, key_under_ids) AS k(r, u, i)
        WHERE NOT EXISTS (SELECT 1 FROM coffer.secret_versions v
                          WHERE v.secret_id = secret AND v.revision = k.r)
           OR NOT CASE new_visibility
                  WHEN 'PUBLIC' THEN k.u = 'org' AND k.i = s.org_id
                  ELSE (k.u = 'member' AND k.i = new_owner)
                       OR (k.u = 'team' AND k.i = ANY (rule_teams)) END) THEN
        RAISE EXCEPTION 'the data keys do not cover the new access' USING ERRCODE = '23514';
    END IF;
    DELETE FROM coffer.access_rules WHERE secret_id = secret;
    INSERT INTO coffer.access_rules (secret_id, org_id, team_id, level)
        SELECT secret, s.org_id, t, l FROM unnest(rule_teams, rule_levels) AS r(t, l);
    DELETE FROM coffer.data_keys WHERE secret_id = secret;
    INSERT INTO coffer.data_keys (secret_id, org_id, revision, wrapped_under, under_id, epoch,
                                  wrapped)
        SELECT secret, s.org_id, k.r, k.u, k.i, k.e, k.w
        FROM unnest(key_revisions, key_under, key_under_ids, key_epochs, key_wrapped)
             AS k(r, u, i, e, w);
    UPDATE coffer.secrets SET visibility = new_visibility, owner_id = new_owner,
        access_by = actor, access_sig = signed WHERE id = secret;
END $$;
REVOKE ALL ON FUNCTION coffer.set_access(uuid, text, uuid, bytea, uuid[], text[], integer[],
    text[], uuid[], integer[], bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION coffer.set_access(uuid, text, uuid, bytea, uuid[], text[], integer[],
    text[], uuid[], integer[], bytea[]) TO {member};

-- Purging a trashed secret for good (its OWNER or an administrator who may
-- read it), at the revision the caller read. Members hold no DELETE
-- privilege on secrets, revisions or data keys: this is the only way.
CREATE FUNCTION coffer.purge_secret(secret uuid, expected integer)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
DECLARE s coffer.secrets;
BEGIN
    IF coffer.me() IS NULL OR NOT coffer.may_own(secret) THEN
        RAISE EXCEPTION 'only an OWNER of the secret purges it' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO s FROM coffer.secrets WHERE id = secret FOR UPDATE;
    IF s.status <> 'trashed' OR s.revision <> expected THEN
        RAISE EXCEPTION 'the secret changed meanwhile or is not in the trash'
            USING ERRCODE = 'CF004';
    END IF;
    DELETE FROM coffer.data_keys WHERE secret_id = secret;
    DELETE FROM coffer.access_rules WHERE secret_id = secret;
    DELETE FROM coffer.secret_versions WHERE secret_id = secret;
    DELETE FROM coffer.secrets WHERE id = secret;
END $$;
REVOKE ALL ON FUNCTION coffer.purge_secret(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION coffer.purge_secret(uuid, integer) TO {member};

CREATE TRIGGER teams_revision AFTER INSERT OR UPDATE OR DELETE ON coffer.teams
    FOR EACH STATEMENT EXECUTE FUNCTION coffer.bump_revision();
CREATE TRIGGER team_members_revision AFTER INSERT OR UPDATE OR DELETE ON coffer.team_members
    FOR EACH STATEMENT EXECUTE FUNCTION coffer.bump_revision();
CREATE TRIGGER team_keys_revision AFTER INSERT OR UPDATE OR DELETE ON coffer.team_keys
    FOR EACH STATEMENT EXECUTE FUNCTION coffer.bump_revision();
CREATE TRIGGER access_rules_revision AFTER INSERT OR UPDATE OR DELETE ON coffer.access_rules
    FOR EACH STATEMENT EXECUTE FUNCTION coffer.bump_revision();

-- Privileges.
GRANT SELECT ON coffer.teams, coffer.team_members, coffer.team_keys TO {member};
GRANT INSERT, UPDATE, DELETE ON coffer.teams, coffer.team_members TO {admin};
GRANT INSERT, DELETE ON coffer.team_keys TO {admin};
GRANT SELECT, INSERT, UPDATE (level), DELETE ON coffer.access_rules TO {member};
GRANT UPDATE (visibility, owner_id, access_by, access_sig) ON coffer.secrets TO {member};

-- Teams: every holder of the organization's key sees them; administrators
-- write them.
ALTER TABLE coffer.teams ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.teams FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.teams TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY holder_read ON coffer.teams FOR SELECT TO {member} USING (coffer.holds_org(org_id));
CREATE POLICY admin_insert ON coffer.teams FOR INSERT TO {admin}
    WITH CHECK (coffer.is_admin() AND coffer.holds_org(org_id) AND signed_by = coffer.me());
CREATE POLICY admin_update ON coffer.teams FOR UPDATE TO {admin}
    USING (coffer.is_admin() AND coffer.holds_org(org_id))
    WITH CHECK (coffer.is_admin() AND coffer.holds_org(org_id) AND signed_by = coffer.me());
CREATE POLICY admin_delete ON coffer.teams FOR DELETE TO {admin}
    USING (coffer.is_admin() AND coffer.holds_org(org_id));

ALTER TABLE coffer.team_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.team_members FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.team_members TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY holder_read ON coffer.team_members FOR SELECT TO {member}
    USING (EXISTS (SELECT 1 FROM coffer.teams t WHERE t.id = team_id));
CREATE POLICY admin_insert ON coffer.team_members FOR INSERT TO {admin}
    WITH CHECK (coffer.is_admin() AND added_by = coffer.me()
                AND EXISTS (SELECT 1 FROM coffer.members m
                            WHERE m.id = member_id AND m.status = 'active'));
CREATE POLICY admin_delete ON coffer.team_members FOR DELETE TO {admin}
    USING (coffer.is_admin());

ALTER TABLE coffer.team_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.team_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.team_keys TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY read_own ON coffer.team_keys FOR SELECT TO {member}
    USING (member_id = coffer.me() OR coffer.is_admin());
CREATE POLICY admin_grant ON coffer.team_keys FOR INSERT TO {admin}
    WITH CHECK (coffer.is_admin() AND granted_by = coffer.me());
CREATE POLICY admin_delete ON coffer.team_keys FOR DELETE TO {admin}
    USING (coffer.is_admin());

-- Access rules: seen by whoever may read the secret, written by its OWNERs.
ALTER TABLE coffer.access_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.access_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.access_rules TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY reader_read ON coffer.access_rules FOR SELECT TO {member}
    USING (coffer.may_read(secret_id));
CREATE POLICY owner_insert ON coffer.access_rules FOR INSERT TO {member}
    WITH CHECK (coffer.may_own(secret_id));
CREATE POLICY owner_update ON coffer.access_rules FOR UPDATE TO {member}
    USING (coffer.may_own(secret_id)) WITH CHECK (coffer.may_own(secret_id));
CREATE POLICY owner_delete ON coffer.access_rules FOR DELETE TO {member}
    USING (coffer.may_own(secret_id));

-- Secrets, revisions and data keys: the holder policies of migration 2
-- narrowed to what the member may read, write or own.
DROP POLICY holder_read ON coffer.secrets;
DROP POLICY holder_insert ON coffer.secrets;
DROP POLICY holder_update ON coffer.secrets;
CREATE POLICY reader_read ON coffer.secrets FOR SELECT TO {member}
    USING (coffer.holds_org(org_id)
           AND (visibility = 'PUBLIC' OR coffer.access_level(id) >= 1));
CREATE POLICY creator_insert ON coffer.secrets FOR INSERT TO {member}
    WITH CHECK (coffer.holds_org(org_id) AND owner_id = coffer.me()
                AND (access_by IS NULL OR access_by = coffer.me()));
CREATE POLICY writer_update ON coffer.secrets FOR UPDATE TO {member}
    USING (coffer.may_write(id)) WITH CHECK (coffer.holds_org(org_id));

DROP POLICY holder_read ON coffer.secret_versions;
DROP POLICY author_insert ON coffer.secret_versions;
CREATE POLICY reader_read ON coffer.secret_versions FOR SELECT TO {member}
    USING (coffer.may_read(secret_id));
CREATE POLICY writer_insert ON coffer.secret_versions FOR INSERT TO {member}
    WITH CHECK (coffer.may_write(secret_id) AND author = coffer.me());

-- A PRIVATE secret's data keys are never wrapped under the organization
-- key; a team key must be of a team of the same organization; a member
-- wrap is for the owner.
DROP POLICY holder_read ON coffer.data_keys;
DROP POLICY holder_insert ON coffer.data_keys;
CREATE POLICY reader_read ON coffer.data_keys FOR SELECT TO {member}
    USING (coffer.may_read(secret_id));
CREATE POLICY writer_insert ON coffer.data_keys FOR INSERT TO {member}
    WITH CHECK (coffer.may_write(secret_id) AND EXISTS (
        SELECT 1 FROM coffer.secrets s WHERE s.id = secret_id AND s.org_id = data_keys.org_id
        AND CASE data_keys.wrapped_under
            WHEN 'org' THEN s.visibility = 'PUBLIC' AND under_id = s.org_id
            WHEN 'team' THEN s.visibility = 'PRIVATE' AND EXISTS (
                SELECT 1 FROM coffer.teams t WHERE t.id = under_id AND t.org_id = s.org_id)
            ELSE s.visibility = 'PRIVATE' AND under_id = s.owner_id END));

INSERT INTO coffer.coffer_schema (version) VALUES (5);
"#;
