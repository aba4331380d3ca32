package dev.ledgeranalytics.testkit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import javax.sql.DataSource;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A server the host already runs, given by a JDBC URL. The testkit creates and drops its own
 * databases there and leaves everything else alone; the URL's user needs CREATEDB.
 */
final class ExternalPostgresServer implements PostgresServer {

    private final String url;
    private final String setting;
    private final String maintenanceDatabase;
    private final ConnectionTimeouts timeouts;

    ExternalPostgresServer(String url, ConnectionTimeouts timeouts) {
        this(url, TestServers.JDBC_URL, timeouts);
    }

    /** A server given by {@code url}, read from the setting named {@code setting}, for messages. */
    ExternalPostgresServer(String url, String setting, ConnectionTimeouts timeouts) {
        this.url = url;
        this.setting = setting;
        this.maintenanceDatabase = parse(url).getDatabaseName();
        this.timeouts = timeouts;
    }

    @Override
    public DataSource dataSource(String database) {
        PGSimpleDataSource dataSource = parse(url);
        dataSource.setDatabaseName(database);
        return timeouts.applyTo(dataSource, Driver.parseURL(url, null));
    }

    @Override
    public String jdbcUrl(String database) {
        PGSimpleDataSource dataSource = parse(url);
        StringBuilder result = new StringBuilder("jdbc:postgresql://");
        String[] hosts = dataSource.getServerNames();
        int[] ports = dataSource.getPortNumbers();
        for (int i = 0; i < hosts.length; i++) {
            result.append(i == 0 ? "" : ",").append(hosts[i]);
            if (ports != null && i < ports.length && ports[i] > 0) {
                result.append(':').append(ports[i]);
            }
        }
        return result.append('/')
                .append(database)
                .append(credentials(dataSource))
                .toString();
    }

    @Override
    public String maintenanceDatabase() {
        return maintenanceDatabase;
    }

    @Override
    public String description() {
        PGSimpleDataSource dataSource = parse(url);
        return "PostgreSQL at " + String.join(",", dataSource.getServerNames()) + " (from " + setting + ")";
    }

    @Override
    public boolean disposable() {
        return false;
    }

    @Override
    public void stop() {
        // Not ours to stop.
    }

    private static String credentials(PGSimpleDataSource dataSource) {
        StringBuilder query = new StringBuilder();
        if (dataSource.getUser() != null) {
            query.append(query.length() == 0 ? "?" : "&").append("user=").append(encode(dataSource.getUser()));
        }
        if (dataSource.getPassword() != null) {
            query.append(query.length() == 0 ? "?" : "&").append("password=").append(encode(dataSource.getPassword()));
        }
        return query.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * The URL without its parameters and user information, which may hold a password: test logs
     * are often public. The driver's own message repeats the whole URL, so it is not kept as the cause.
     */
    private static String withoutCredentials(String url) {
        return url.replaceAll("//[^/@?]*@", "//").replaceAll("[?;].*", "?...");
    }

    private PGSimpleDataSource parse(String url) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        try {
            dataSource.setUrl(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + " must be a PostgreSQL JDBC URL such as "
                    + "jdbc:postgresql://localhost:5432/postgres?user=test&password=test, but was \""
                    + withoutCredentials(url) + "\"");
        }
        if (dataSource.getDatabaseName() == null || dataSource.getDatabaseName().isEmpty()) {
            dataSource.setDatabaseName("postgres");
        }
        return dataSource;
    }
}
