package dev.ledgeranalytics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.cli.CliTest.Run;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;

/** Every connection of the CLI has a connect, login and socket timeout, and running out of one is exit code 7. */
class CliTimeoutsTest {

    /** Sent nothing, ever: the server a command must give up on. */
    private static final class SilentServer implements AutoCloseable {

        private final ServerSocket socket;
        private final List<Socket> accepted = new ArrayList<>();

        SilentServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(
                    () -> {
                        try {
                            while (true) {
                                Socket client = socket.accept();
                                synchronized (accepted) {
                                    accepted.add(client);
                                }
                            }
                        } catch (IOException closed) {
                            // close() ends the loop
                        }
                    },
                    "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:" + socket.getLocalPort() + "/gateway?user=reader";
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (accepted) {
                for (Socket client : accepted) {
                    client.close();
                }
            }
        }
    }

    @Test
    void aServerThatAcceptsButNeverAnswersEndsEveryCommandWithExitCode7WithinTheLoginTimeout() throws IOException {
        try (SilentServer server = new SilentServer()) {
            for (String[] command : List.of(
                    new String[] {"report"},
                    new String[] {"export"},
                    new String[] {"verify"},
                    new String[] {"migrate"},
                    new String[] {"rollups", "status"})) {
                List<String> args = new ArrayList<>(List.of(command));
                args.addAll(List.of("--jdbc-url", server.jdbcUrl(), "--login-timeout", "2"));
                long started = System.nanoTime();

                Run run = CliTest.run(args.toArray(String[]::new));

                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertThat(run.exitCode()).as(command[0] + ": " + run.err()).isEqualTo(ExitCode.TIMED_OUT.code);
                assertThat(run.err())
                        .startsWith("error: the database server accepted the connection but did not complete the "
                                + "login within 2 s (--login-timeout)");
                assertThat(took).as(command[0]).isLessThan(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void aStatementTheServerNeverAnswersEndsWithExitCode7WithinTheSocketTimeout() throws SQLException {
        try (TestDatabase database = TestDatabase.migrated();
                Connection blocker = database.dataSource().getConnection();
                Statement statement = blocker.createStatement()) {
            blocker.setAutoCommit(false);
            statement.execute("LOCK TABLE analytics.token_usage_ledger IN ACCESS EXCLUSIVE MODE");
            long started = System.nanoTime();

            Run run = CliTest.run("report", "--jdbc-url", database.jdbcUrl(), "--socket-timeout", "2");

            Duration took = Duration.ofNanos(System.nanoTime() - started);
            blocker.rollback();
            assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.TIMED_OUT.code);
            assertThat(run.err()).startsWith("error: the database server sent nothing for 2 s (--socket-timeout)");
            assertThat(took).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void everyConnectionHasTheDocumentedDefaults() {
        DatabaseOptions options =
                CommandLine.populateCommand(new DatabaseOptions(), "--jdbc-url", "jdbc:postgresql://db:5432/gateway");

        PGSimpleDataSource reads = (PGSimpleDataSource) options.dataSource();
        PGSimpleDataSource maintenance = (PGSimpleDataSource) options.longRunningDataSource();

        assertThat(reads.getConnectTimeout()).isEqualTo(10);
        assertThat(reads.getLoginTimeout()).isEqualTo(20);
        assertThat(reads.getSocketTimeout()).isEqualTo(300);
        assertThat(maintenance.getSocketTimeout())
                .as("index and rollup builds reply after minutes")
                .isZero();
        assertThat(maintenance.getLoginTimeout()).isEqualTo(20);
    }

    @Test
    void negativeTimeoutsAreRefusedByName() {
        Run run = CliTest.run("report", "--jdbc-url", "jdbc:postgresql://db:5432/gateway", "--socket-timeout", "-1");

        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT.code);
        assertThat(run.err()).startsWith("error: --socket-timeout must be a number of seconds, 0 or more");
    }
}
