-- Queries through the rollups read the inserted rows no refresh has added yet from rollup_new_rows.
--
-- Until now a quarter hour with such rows was read whole from the ledger. Under a steady load the
-- quarter hour being written always has some, so every range ending "now" read up to 15 minutes of
-- the ledger's newest rows (1.8M at 2,000 rows/s), and the user and cost rollups, whose finest grain
-- is a day, read the whole of today. Now such a quarter hour is its rollups plus its rows here: the
-- queries read them by range of created_at, pieces of a range at a time.
CREATE INDEX rollup_new_rows_created_at_idx ON rollup_new_rows (created_at);

-- As for rollup_changes (V8): every refresh empties this table, and a truncating vacuum would take
-- a lock that a hot standby replays, cancelling the replica's queries that read it.
ALTER TABLE rollup_new_rows SET (vacuum_truncate = false);

-- Whoever reads the change log runs queries, and those read this table now too: a reader granted
-- before this version keeps working through the upgrade, before the grants are applied again.
DO $$
DECLARE
    reader oid;
BEGIN
    FOR reader IN
        SELECT DISTINCT acl.grantee
        FROM pg_class c, aclexplode(c.relacl) acl
        WHERE c.oid = 'rollup_changes'::regclass AND acl.privilege_type = 'SELECT' AND acl.grantee <> c.relowner
    LOOP
        IF reader = 0 THEN
            GRANT SELECT ON rollup_new_rows TO PUBLIC;
        ELSE
            EXECUTE format('GRANT SELECT ON rollup_new_rows TO %I', pg_get_userbyid(reader));
        END IF;
    END LOOP;
END
$$;
