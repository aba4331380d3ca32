-- The host application's own Flyway migration, in its own schema and history.
CREATE TABLE accounts (
    id uuid PRIMARY KEY,
    name text NOT NULL
);
