package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Option;

/** Where the ledger is: a JDBC URL, credentials and the schema the migrations were applied to. */
final class DatabaseOptions {

    @Option(
            names = "--jdbc-url",
            required = true,
            paramLabel = "URL",
            description = "JDBC URL of the PostgreSQL database, e.g. jdbc:postgresql://localhost:5432/app")
    String jdbcUrl;

    @Option(
            names = "--user",
            paramLabel = "NAME",
            defaultValue = "${env:ANALYTICS_DB_USER}",
            description = "Database user (default: $ANALYTICS_DB_USER, else the URL's)")
    String user;

    @Option(
            names = "--password",
            paramLabel = "SECRET",
            defaultValue = "${env:ANALYTICS_DB_PASSWORD}",
            description = "Database password (default: $ANALYTICS_DB_PASSWORD, else the URL's)")
    String password;

    @Option(
            names = "--schema",
            paramLabel = "NAME",
            defaultValue = AnalyticsMigrations.DEFAULT_SCHEMA,
            description = "Schema the ledger was installed into (default: ${DEFAULT-VALUE})")
    String schema;

    DataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        try {
            dataSource.setUrl(jdbcUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--jdbc-url must be a PostgreSQL JDBC URL such as "
                            + "jdbc:postgresql://localhost:5432/app, but was \"" + jdbcUrl + "\"",
                    e);
        }
        if (user != null && !user.isBlank()) {
            dataSource.setUser(user);
        }
        if (password != null && !password.isBlank()) {
            dataSource.setPassword(password);
        }
        dataSource.setConnectTimeout(10);
        return dataSource;
    }
}
