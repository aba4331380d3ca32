-- A host application's own schema, in public, with a table that happens to share our name.
CREATE TABLE token_usage_ledger (
    id         bigserial PRIMARY KEY,
    account    text      NOT NULL,
    tokens     bigint    NOT NULL
);
INSERT INTO token_usage_ledger (account, tokens) VALUES ('host-row', 42);
