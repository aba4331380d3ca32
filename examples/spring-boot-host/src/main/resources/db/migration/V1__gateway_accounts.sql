-- The gateway's own schema, migrated by Spring Boot's Flyway into its own history table; the
-- starter then migrates the ledger into the analytics schema with its own history.
CREATE TABLE gateway_accounts (
    user_id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    tier text NOT NULL DEFAULT 'free'
);
