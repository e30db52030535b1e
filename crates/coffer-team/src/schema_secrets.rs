//! Server migration 2: shared secrets. The server keeps ids, sizes, times,
//! revisions, authors and statuses; names, metadata and values are sealed
//! under per-revision data keys, and names are unique per organization
//! through a keyed blind index (HMAC-SHA256 under the organization's name
//! key, itself sealed under the organization key and re-sealed, not
//! replaced, on an epoch change: the index survives epochs).

/// Tables, privileges, row-level security (forced) and triggers.
pub(crate) const MIGRATION_2: &str = r#"
-- Who holds a key of an organization: the only members who may see or
-- write its secrets (issue 12 narrows this to teams).
CREATE FUNCTION coffer.holds_org(org uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
    SELECT EXISTS (SELECT 1 FROM coffer.organization_keys k
                   WHERE k.org_id = org AND k.member_id = coffer.me())
$$;
REVOKE ALL ON FUNCTION coffer.holds_org(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION coffer.holds_org(uuid) TO {member};

-- The blind-index key of an organization, sealed under its key.
CREATE TABLE coffer.name_keys (
    org_id uuid PRIMARY KEY REFERENCES coffer.organizations (id),
    epoch  integer NOT NULL,
    sealed bytea NOT NULL
);

CREATE TABLE coffer.secrets (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES coffer.organizations (id),
    blind_index bytea NOT NULL CHECK (length(blind_index) = 32),
    revision    integer NOT NULL CHECK (revision >= 1),
    status      text NOT NULL CHECK (status IN ('active', 'deactivated', 'trashed')),
    rev         bigint NOT NULL DEFAULT 0,
    UNIQUE (org_id, blind_index),
    UNIQUE (id, org_id)
);
CREATE INDEX secrets_org_rev ON coffer.secrets (org_id, rev);

-- One row per revision of a secret: the whole record, sealed, signed.
CREATE TABLE coffer.secret_versions (
    secret_id uuid NOT NULL,
    org_id    uuid NOT NULL,
    revision  integer NOT NULL CHECK (revision >= 1),
    version   integer NOT NULL CHECK (version >= 1),
    status    text NOT NULL CHECK (status IN ('active', 'deactivated', 'trashed')),
    author    uuid NOT NULL REFERENCES coffer.members (id),
    at        bigint NOT NULL,
    meta      bytea NOT NULL,
    value     bytea NOT NULL,
    sig       bytea NOT NULL,
    PRIMARY KEY (secret_id, revision),
    FOREIGN KEY (secret_id, org_id) REFERENCES coffer.secrets (id, org_id)
);

-- Data keys, one per revision, wrapped under an organization key of an
-- epoch (`wrapped_under` = 'org'; issue 12 adds 'team').
CREATE TABLE coffer.data_keys (
    secret_id     uuid NOT NULL,
    org_id        uuid NOT NULL,
    revision      integer NOT NULL,
    wrapped_under text NOT NULL DEFAULT 'org' CHECK (wrapped_under IN ('org')),
    under_id      uuid NOT NULL,
    epoch         integer NOT NULL,
    wrapped       bytea NOT NULL,
    PRIMARY KEY (secret_id, revision, wrapped_under, under_id),
    FOREIGN KEY (secret_id, revision) REFERENCES coffer.secret_versions (secret_id, revision),
    FOREIGN KEY (secret_id, org_id) REFERENCES coffer.secrets (id, org_id)
);

-- Each changed secret row takes the next value of the revision counter:
-- the counter's row stays locked until commit, so revisions become visible
-- in order and a sync that read revision N has seen every row <= N.
CREATE FUNCTION coffer.stamp_revision() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, coffer AS $$
BEGIN
    UPDATE coffer.revision SET value = value + 1 WHERE id = 1 RETURNING value INTO NEW.rev;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION coffer.stamp_revision() FROM PUBLIC;
CREATE TRIGGER secrets_stamp BEFORE INSERT OR UPDATE ON coffer.secrets
    FOR EACH ROW EXECUTE FUNCTION coffer.stamp_revision();
CREATE TRIGGER secrets_revision AFTER INSERT OR UPDATE OR DELETE ON coffer.secrets
    FOR EACH STATEMENT EXECUTE FUNCTION coffer.bump_revision();
CREATE TRIGGER data_keys_revision AFTER INSERT OR UPDATE OR DELETE ON coffer.data_keys
    FOR EACH STATEMENT EXECUTE FUNCTION coffer.bump_revision();

GRANT SELECT, INSERT ON coffer.name_keys, coffer.secret_versions, coffer.data_keys TO {member};
GRANT SELECT, INSERT, UPDATE (revision, status, blind_index) ON coffer.secrets TO {member};
GRANT UPDATE (epoch, sealed) ON coffer.name_keys TO {admin};
GRANT UPDATE (epoch, wrapped) ON coffer.data_keys TO {admin};

ALTER TABLE coffer.name_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.name_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.name_keys TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY holder_read ON coffer.name_keys FOR SELECT TO {member} USING (coffer.holds_org(org_id));
CREATE POLICY holder_insert ON coffer.name_keys FOR INSERT TO {member}
    WITH CHECK (coffer.holds_org(org_id));
CREATE POLICY admin_rewrap ON coffer.name_keys FOR UPDATE TO {admin}
    USING (coffer.is_admin() AND coffer.holds_org(org_id))
    WITH CHECK (coffer.is_admin() AND coffer.holds_org(org_id));

ALTER TABLE coffer.secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.secrets TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY holder_read ON coffer.secrets FOR SELECT TO {member} USING (coffer.holds_org(org_id));
CREATE POLICY holder_insert ON coffer.secrets FOR INSERT TO {member}
    WITH CHECK (coffer.holds_org(org_id));
CREATE POLICY holder_update ON coffer.secrets FOR UPDATE TO {member}
    USING (coffer.holds_org(org_id)) WITH CHECK (coffer.holds_org(org_id));

ALTER TABLE coffer.secret_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.secret_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.secret_versions TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY holder_read ON coffer.secret_versions FOR SELECT TO {member}
    USING (coffer.holds_org(org_id));
CREATE POLICY author_insert ON coffer.secret_versions FOR INSERT TO {member}
    WITH CHECK (coffer.holds_org(org_id) AND author = coffer.me());

ALTER TABLE coffer.data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.data_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.data_keys TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY holder_read ON coffer.data_keys FOR SELECT TO {member}
    USING (coffer.holds_org(org_id));
CREATE POLICY holder_insert ON coffer.data_keys FOR INSERT TO {member}
    WITH CHECK (coffer.holds_org(org_id) AND under_id = org_id);
CREATE POLICY admin_rewrap ON coffer.data_keys FOR UPDATE TO {admin}
    USING (coffer.is_admin() AND coffer.holds_org(org_id))
    WITH CHECK (coffer.is_admin() AND coffer.holds_org(org_id));

INSERT INTO coffer.coffer_schema (version) VALUES (2);
"#;
