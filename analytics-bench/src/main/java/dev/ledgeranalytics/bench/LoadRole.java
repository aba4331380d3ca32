package dev.ledgeranalytics.bench;

import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Who opens a connection during a load run. Each role connects under its own
 * {@code application_name}, so that {@code pg_stat_activity} tells them apart.
 */
enum LoadRole {
    READER("load-reader", "readers"),
    WRITER("load-writer", "writers"),
    REFRESH("load-refresh", "refresh"),
    /** Sampling the server's activity, and the checks at the end. */
    MONITOR("load-monitor", "monitor");

    private final String applicationName;
    private final String label;

    LoadRole(String applicationName, String label) {
        this.applicationName = applicationName;
        this.label = label;
    }

    String applicationName() {
        return applicationName;
    }

    /**
     * Connections to the database at {@code jdbcUrl} in this role, with the testkit's timeouts: a
     * server that stops answering ends the run instead of hanging it.
     */
    DataSource dataSource(String jdbcUrl) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(jdbcUrl);
        dataSource.setApplicationName(applicationName);
        dataSource.setConnectTimeout(10);
        dataSource.setLoginTimeout(30);
        // A refresh of a long backlog or a check over the whole ledger sends nothing for minutes.
        dataSource.setSocketTimeout(600);
        return dataSource;
    }

    /** The role of a server process with this {@code application_name}, if it is one of ours. */
    static LoadRole of(String applicationName) {
        for (LoadRole role : values()) {
            if (role.applicationName.equals(applicationName)) {
                return role;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return label;
    }
}
