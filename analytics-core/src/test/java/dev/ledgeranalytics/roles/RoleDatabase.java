package dev.ledgeranalytics.roles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledgeranalytics.AnalyticsException;
import dev.ledgeranalytics.migration.AnalyticsGrants;
import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.rollup.RollupMode;
import dev.ledgeranalytics.rollup.Rollups;
import dev.ledgeranalytics.testing.Ledger;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A database set up as docs/roles.md says: an owner that is no superuser migrates the ledger and
 * owns it, and a writer and a reader hold exactly the grants {@link AnalyticsGrants} applies. Each
 * role logs in as itself. Roles belong to the whole server, so their names carry the database's.
 */
final class RoleDatabase implements AutoCloseable {

    /** Where the rollups stand while a role works: the three states every test runs in. */
    enum RollupState {
        NOT_BUILT,
        REFRESH_MODE,
        TRIGGER_MODE;

        /** Puts the rollups in this state, as the owner; the triggers record writes once built. */
        void establish(DataSource owner) {
            Rollups rollups = Rollups.create(owner);
            rollups.disable();
            rollups.mode(this == TRIGGER_MODE ? RollupMode.TRIGGER : RollupMode.REFRESH);
            if (this != NOT_BUILT) {
                rollups.refresh();
            }
        }
    }

    private final TestDatabase database;
    final String owner;
    final String writer;
    final String reader;

    private RoleDatabase(TestDatabase database) {
        this.database = database;
        this.owner = "owner_" + database.name();
        this.writer = "writer_" + database.name();
        this.reader = "reader_" + database.name();
    }

    /** The roles, the migrated ledger and its providers, and the grants; no rows. */
    static RoleDatabase create() {
        return create(null);
    }

    /**
     * As {@link #create()}, but the grants applied when the schema stood at {@code version}, and
     * not again after the later migrations: a host that upgraded and has not applied them since.
     */
    static RoleDatabase grantedAt(String version) {
        return create(version);
    }

    private static RoleDatabase create(String grantedAt) {
        RoleDatabase roles = new RoleDatabase(TestDatabase.empty());
        roles.asSuperuser("CREATE ROLE " + roles.owner + " LOGIN; CREATE ROLE " + roles.writer + " LOGIN; CREATE ROLE "
                + roles.reader + " LOGIN; GRANT CREATE ON DATABASE " + roles.database.name() + " TO " + roles.owner);
        AnalyticsMigrations migrations = AnalyticsMigrations.create(roles.owner());
        (grantedAt == null ? migrations : migrations.withTarget(grantedAt)).migrate();
        AnalyticsGrants.create(roles.owner())
                .withWriter(roles.writer)
                .withReader(roles.reader)
                .apply();
        migrations.migrate();
        new Ledger(roles.owner()).withProviders();
        return roles;
    }

    DataSource owner() {
        return as(owner);
    }

    DataSource writer() {
        return as(writer);
    }

    DataSource reader() {
        return as(reader);
    }

    DataSource superuser() {
        return database.dataSource();
    }

    String name() {
        return database.name();
    }

    /** Connections that log in as {@code role}. */
    DataSource as(String role) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(database.jdbcUrl());
        dataSource.setUser(role);
        return dataSource;
    }

    void asSuperuser(String sql) {
        execute(superuser(), sql);
    }

    static void execute(DataSource dataSource, String sql) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static long scalar(DataSource dataSource, String sql) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Asserts that {@code sql}, run as the role behind {@code dataSource}, is refused for lack of a privilege. */
    static void assertRefused(DataSource dataSource, String sql) {
        assertThatThrownBy(() -> execute(dataSource, sql))
                .as(sql)
                .rootCause()
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("permission denied")
                .satisfies(cause ->
                        assertThat(((SQLException) cause).getSQLState()).isEqualTo("42501"));
    }

    /**
     * Asserts that a library call fails with an {@link AnalyticsException} that says a privilege is
     * missing and where the grants are listed.
     */
    static AbstractThrowableAssert<?, ? extends Throwable> assertLacksPrivilege(ThrowingCallable call) {
        return assertThatThrownBy(call)
                .isInstanceOf(AnalyticsException.class)
                .hasMessageContaining("the connected role lacks a privilege")
                .hasMessageContaining("docs/roles.md")
                .satisfies(e -> assertThat(((AnalyticsException) e).sqlState()).contains("42501"));
    }

    /**
     * Drops the database and the roles, after what refers to them in it: one role at a time, since
     * one DROP OWNED BY the owner and the reader fails on the default privileges the one gave the other.
     */
    @Override
    public void close() {
        asSuperuser("DROP OWNED BY " + owner + "; DROP OWNED BY " + writer + "; DROP OWNED BY " + reader
                + "; DROP ROLE " + owner + ", " + writer + ", " + reader);
        database.close();
    }
}
