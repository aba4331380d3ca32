package dev.ledgeranalytics.testkit;

import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A PostgreSQL container started by Testcontainers, for hosts that prefer a server image to the
 * embedded binaries. Loaded only when asked for, so Testcontainers stays an optional dependency.
 */
final class ContainerPostgresServer implements PostgresServer {

    private final PostgreSQLContainer container;
    private final ConnectionTimeouts timeouts;

    private ContainerPostgresServer(PostgreSQLContainer container, ConnectionTimeouts timeouts) {
        this.container = container;
        this.timeouts = timeouts;
    }

    static ContainerPostgresServer start(String image, ConnectionTimeouts timeouts) {
        // Checked first: without an engine, starting a container would fail only after retries.
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException(TestServers.SOURCE + "=testcontainers, but no Docker engine is reachable "
                    + "from this machine. Start Docker, or unset " + TestServers.SOURCE
                    + " to use the embedded PostgreSQL binaries (no Docker needed).");
        }
        PostgreSQLContainer container =
                new PostgreSQLContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("postgres"));
        container.start();
        return new ContainerPostgresServer(container, timeouts);
    }

    @Override
    public DataSource dataSource(String database) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {container.getHost()});
        dataSource.setPortNumbers(new int[] {container.getMappedPort(5432)});
        dataSource.setDatabaseName(database);
        dataSource.setUser(container.getUsername());
        dataSource.setPassword(container.getPassword());
        return timeouts.applyTo(dataSource);
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + container.getHost() + ":" + container.getMappedPort(5432) + "/" + database
                + "?user=" + container.getUsername() + "&password=" + container.getPassword();
    }

    @Override
    public String maintenanceDatabase() {
        return container.getDatabaseName();
    }

    @Override
    public String description() {
        return "Testcontainers PostgreSQL " + container.getDockerImageName();
    }

    @Override
    public boolean disposable() {
        return true;
    }

    @Override
    public void stop() {
        container.stop();
    }
}
