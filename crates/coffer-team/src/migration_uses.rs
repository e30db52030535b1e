//! Server migration 4: uses of shared secrets and per-organization
//! settings. An audit entry may carry a sealed **note** (what used the
//! value: `job NAME run N`), opened only by members holding the
//! organization's key; the server sees that a note exists and its size.
//! **Organization settings** (`offline_use`) are written by administrators
//! only (PostgreSQL refuses a member's role), each signed by the
//! administrator who set it, and read by the members holding the
//! organization.

/// The migration's SQL (role names filled in by `schema::migration`).
pub(crate) const USES: &str = r#"
ALTER TABLE coffer.audit ADD COLUMN note bytea;

CREATE TABLE coffer.org_settings (
    org_id uuid NOT NULL REFERENCES coffer.organizations (id),
    key    text NOT NULL CHECK (key IN ('offline_use')),
    value  text NOT NULL,
    at     bigint NOT NULL,
    set_by uuid NOT NULL REFERENCES coffer.members (id),
    sig    bytea NOT NULL,
    PRIMARY KEY (org_id, key)
);
GRANT SELECT ON coffer.org_settings TO {member};
GRANT INSERT, UPDATE ON coffer.org_settings TO {admin};
ALTER TABLE coffer.org_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE coffer.org_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON coffer.org_settings TO {owner} USING (true) WITH CHECK (true);
CREATE POLICY read ON coffer.org_settings FOR SELECT TO {member}
    USING (coffer.holds_org(org_id));
CREATE POLICY admin_insert ON coffer.org_settings FOR INSERT TO {admin}
    WITH CHECK (coffer.is_admin() AND set_by = coffer.me());
CREATE POLICY admin_update ON coffer.org_settings FOR UPDATE TO {admin}
    USING (coffer.is_admin()) WITH CHECK (coffer.is_admin() AND set_by = coffer.me());
CREATE TRIGGER org_settings_revision AFTER INSERT OR UPDATE OR DELETE ON coffer.org_settings
    FOR EACH STATEMENT EXECUTE FUNCTION coffer.bump_revision();

INSERT INTO coffer.coffer_schema (version) VALUES (4);
"#;
