package dev.ledgeranalytics.testkit;

import javax.sql.DataSource;

/** A PostgreSQL server the testkit may create and drop databases on. */
interface PostgresServer {

    /** Connections to {@code database} as a user allowed to create databases. */
    DataSource dataSource(String database);

    /** The JDBC URL of {@code database}, with the credentials needed to connect. */
    String jdbcUrl(String database);

    /** The database to connect to for CREATE DATABASE and DROP DATABASE. */
    String maintenanceDatabase();

    /** Where the server comes from, for messages. */
    String description();

    /** Whether the server lives and dies with this JVM, so that nothing needs cleaning up on it. */
    boolean disposable();

    /** Releases the server, if the testkit owns it. */
    void stop();
}
