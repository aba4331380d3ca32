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

    /** Whether the ledger of {@code schema} is distributed by Citus. */
    static boolean distributed(DSLContext connection, String schema) {
        return connection.connectionResult(c -> CitusLayout.isDistributed(c, schema));
    }

    /**
     * Fails if the ledger of {@code schema} is distributed by Citus, for what only a single node
     * can do: trigger mode, whose writers add their rows to the rollups in their own transactions.
     * On Citus the ledger's triggers run on the workers, where they can write only beside the row
     * (docs/scale-out.md).
     *
     * @param what what was about to be done, as a failure message starts: {@code "Setting the rollup mode to trigger"}
     * @throws AnalyticsException if the ledger is distributed
     */
    static void requireSingleNode(DSLContext connection, String schema, String what) {
        if (distributed(connection, schema)) {
            throw new AnalyticsException(what + " failed: the ledger of schema \"" + schema + "\" is distributed"
                    + " by Citus, where the rollups are kept in refresh mode only: the ledger's triggers run on the"
                    + " workers, where they can record each row beside it but not add it to the rollups"
                    + " (docs/scale-out.md).");
        }
    }
}
