package dev.ledgeranalytics.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;

/**
 * How fast the server ran a fixed statement when a run started: a hash aggregate of NUMERIC sums
 * and extremes over generated rows, the kind of work a read through the rollups does, with no
 * table, cache or plan of ours in it. Machines of one kind can differ several times over (a
 * shared host, a throttled processor), and so can one machine from one hour to the next; a
 * report's milliseconds are only comparable with another's where their references are close.
 *
 * @param medianMillis the median time of the timed runs, in milliseconds
 * @param minMillis    the fastest of them
 * @param maxMillis    the slowest of them
 */
record SpeedReference(double medianMillis, double minMillis, double maxMillis) {

    /**
     * The statement timed: 100,000 rows into 800 groups, a count and three aggregates of NUMERIC
     * amounts with eight decimals each, as the rollups keep money.
     */
    static final String STATEMENT = "SELECT g % 800, count(*), sum(g * 0.00000001), min(g * 0.00000001), "
            + "max(g * 0.00000001) FROM generate_series(1, 100000) g GROUP BY 1";

    private static final int WARMUP = 3;
    private static final int RUNS = 11;

    static SpeedReference measure(Connection connection) throws SQLException {
        double[] millis = new double[RUNS];
        try (Statement statement = connection.createStatement()) {
            for (int i = -WARMUP; i < RUNS; i++) {
                long start = System.nanoTime();
                try (ResultSet rs = statement.executeQuery(STATEMENT)) {
                    while (rs.next()) {
                        // Every row is read, as a query's answer is.
                    }
                }
                if (i >= 0) {
                    millis[i] = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        Arrays.sort(millis);
        return new SpeedReference(millis[RUNS / 2], millis[0], millis[RUNS - 1]);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "%.1f ms median (%.1f–%.1f) over %d runs of `%s`, timed from this JVM through its connection when the run "
                        + "started; figures are comparable with another run's only where this is close",
                medianMillis,
                minMillis,
                maxMillis,
                RUNS,
                STATEMENT);
    }
}
