package dev.ledgeranalytics.rollup.internal;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.internal.CitusLayout;
import org.jooq.DSLContext;
import org.jooq.Record4;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The rollups are maintained on the primary only. A hot standby (a streaming read replica)
 * refuses every write, yet grants advisory locks, which there exclude nothing on the primary: a
 * refresh on a standby would take the rollup lock and then fail on its first DELETE with SQL state
 * 25006. Maintenance checks its connection first, before any lock or catalog read, so that the
 * failure names the cause and the fix.
 */
final class Primary {

    private Primary() {}

    /**
     * Fails unless {@code connection} is on a primary.
     *
     * @param what what was about to be done, as a failure message starts: {@code "Refreshing the rollups"}
     * @throws AnalyticsException if the connection is on a hot standby
     */
    static void require(DSLContext connection, String what) {
        Record4<Boolean, String, String, Integer> server = connection
                .select(
                        DSL.field("pg_is_in_recovery()", SQLDataType.BOOLEAN),
                        DSL.field("current_database()", SQLDataType.VARCHAR),
                        DSL.field("host(inet_server_addr())", SQLDataType.VARCHAR),
                        DSL.field("inet_server_port()", SQLDataType.INTEGER))
                .fetchSingle();
        if (server.value1()) {
            String host = server.value3();
            String where =
                    host == null ? "" : " on " + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.value4();
            throw new AnalyticsException(what + " failed: database \"" + server.value2() + "\"" + where
                    + " is a hot standby (a read replica: pg_is_in_recovery() is true), where the rollups cannot be"
                    + " written. Run Rollups against the primary: the replica receives the rollups it builds and"
                    + " refreshes through replication.");
        }
    }

    /**
     * Fails if the ledger of {@code schema} is distributed by Citus. The rollups are kept by
     * triggers on the ledger, and Citus runs none on a distributed table: it refuses to
     * distribute a table that has them, and with its unsafe-trigger setting they fail or lose
     * change-log entries on the workers (docs/scale-out.md). There the queries read the ledger.
     *
     * @param what what was about to be done, as a failure message starts: {@code "Refreshing the rollups"}
     * @throws AnalyticsException if the ledger is distributed
     */
    static void requireSingleNode(DSLContext connection, String schema, String what) {
        if (connection.connectionResult(c -> CitusLayout.isDistributed(c, schema))) {
            throw new AnalyticsException(what + " failed: the ledger of schema \"" + schema + "\" is distributed"
                    + " by Citus, where the rollups cannot be maintained: they are kept up to date by triggers on"
                    + " the ledger, which Citus does not run on a distributed table. The queries read the"
                    + " distributed ledger directly (docs/scale-out.md).");
        }
    }
}
