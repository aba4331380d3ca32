package dev.ledgeranalytics.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * A Citus coordinator and two workers on local ports, started from {@link ServerBinaries} as the
 * Citus documentation lays a cluster out: every node preloads Citus and has the extension in the
 * {@code postgres} database; the coordinator knows itself and registers the workers. As a
 * {@link PostgresServer} it is the coordinator.
 */
final class LocalCitusCluster implements PostgresServer {

    static final int WORKERS = 2;

    private static final String DATABASE = "postgres";

    /**
     * Without sslmode=disable, CREATE EXTENSION citus turns TLS on with a self-signed certificate
     * and the nodes talk TLS to each other: on localhost that only costs time. Measured on two
     * busy cores, a query over all shards on a new coordinator connection took a median 162 to
     * 197 ms with TLS and 67 to 76 ms without, in four runs each.
     */
    private static final Map<String, String> CITUS_SETTINGS =
            Map.of("shared_preload_libraries", "'citus'", "citus.node_conninfo", "'sslmode=disable'");

    private final Path directory;
    private final LocalPostgresNode coordinator;
    private final List<LocalPostgresNode> workers;

    private LocalCitusCluster(Path directory, LocalPostgresNode coordinator, List<LocalPostgresNode> workers) {
        this.directory = directory;
        this.coordinator = coordinator;
        this.workers = workers;
    }

    static LocalCitusCluster start() {
        ServerBinaries.missingForCitus(ServerBinaries.BIN, ServerBinaries.LIB).ifPresent(missing -> {
            throw new IllegalStateException(missing);
        });
        Path directory = ServerBinaries.newClusterDirectory("analytics-testkit-citus-");
        List<LocalPostgresNode> nodes = new ArrayList<>();
        try {
            LocalPostgresNode coordinator = startNode(directory, "coordinator", nodes);
            List<LocalPostgresNode> workers = new ArrayList<>();
            for (int i = 1; i <= WORKERS; i++) {
                workers.add(startNode(directory, "worker " + i, nodes));
            }
            coordinator.execute(DATABASE, "SELECT citus_set_coordinator_host('localhost', " + coordinator.port() + ")");
            for (LocalPostgresNode worker : workers) {
                coordinator.execute(DATABASE, "SELECT citus_add_node('localhost', " + worker.port() + ")");
            }
            return new LocalCitusCluster(directory, coordinator, List.copyOf(workers));
        } catch (RuntimeException | Error e) {
            LocalPostgresNode.stopAll(e, nodes.toArray(LocalPostgresNode[]::new));
            ServerBinaries.deleteRecursively(directory);
            throw e;
        }
    }

    /** Creates and starts a node with Citus, adding it to {@code started} as soon as it runs. */
    private static LocalPostgresNode startNode(Path directory, String role, List<LocalPostgresNode> started) {
        LocalPostgresNode node = LocalPostgresNode.create(directory, role, CITUS_SETTINGS);
        node.start();
        started.add(node);
        node.execute(DATABASE, "CREATE EXTENSION citus");
        return node;
    }

    @Override
    public DataSource dataSource(String database) {
        return coordinator.dataSource(database);
    }

    @Override
    public String jdbcUrl(String database) {
        return coordinator.jdbcUrl(database);
    }

    @Override
    public String maintenanceDatabase() {
        return DATABASE;
    }

    @Override
    public String description() {
        return "local Citus cluster: " + coordinator + ", "
                + workers.stream().map(LocalPostgresNode::toString).collect(Collectors.joining(", "));
    }

    @Override
    public boolean disposable() {
        return true;
    }

    @Override
    public void stop() {
        List<LocalPostgresNode> all = new ArrayList<>(List.of(coordinator));
        all.addAll(workers);
        LocalPostgresNode.stopAll(null, all.toArray(LocalPostgresNode[]::new));
        ServerBinaries.deleteRecursively(directory);
    }
}
