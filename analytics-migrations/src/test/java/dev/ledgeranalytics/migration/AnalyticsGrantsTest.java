package dev.ledgeranalytics.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.sql.Connection;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The caller's mistakes {@link AnalyticsGrants} refuses before it connects; what it grants is
 * checked against a real database in analytics-core ({@code dev.ledgeranalytics.roles}).
 */
class AnalyticsGrantsTest {

    /** Fails any attempt to connect: none of these checks may need the database. */
    private static final DataSource UNREACHABLE = new DataSource() {
        @Override
        public Connection getConnection() {
            throw new AssertionError("connected");
        }

        @Override
        public Connection getConnection(String username, String password) {
            throw new AssertionError("connected");
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> type) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    };

    @Test
    void needsADataSource() {
        assertThatThrownBy(() -> AnalyticsGrants.create(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dataSource must not be null");
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(
            strings = {
                "",
                "Gateway",
                "gate way",
                "gateway;drop",
                "gate\"way",
                "1gateway",
                "public",
                "none",
                "pg_monitor",
                "a_role_name_of_sixty_four_characters_is_one_more_than_postgres_x"
            })
    void refusesRoleNamesThatAreNotPlainLowerCaseIdentifiersNamingTheParameterAndTheValue(String name) {
        AnalyticsGrants grants = AnalyticsGrants.create(UNREACHABLE);
        String shown = name == null ? "null" : "\"" + name + "\"";

        assertThatThrownBy(() -> grants.withWriter(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("writer must be a lower-case PostgreSQL role name")
                .hasMessageEndingWith("but was: " + shown);
        assertThatThrownBy(() -> grants.withReader(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("reader must be a lower-case PostgreSQL role name")
                .hasMessageEndingWith("but was: " + shown);
    }

    @Test
    void acceptsTheLongestPlainRoleName() {
        String longest = "a".repeat(63);

        assertThat(AnalyticsGrants.create(UNREACHABLE).withWriter(longest).withReader("_dashboard_2"))
                .isNotNull();
    }

    @Test
    void refusesOneRoleAsBothWriterAndReader() {
        AnalyticsGrants grants = AnalyticsGrants.create(UNREACHABLE);

        assertThatThrownBy(() -> grants.withWriter("app").withReader("app"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reader must not be the writer's role, but both were \"app\"");
        assertThatThrownBy(() -> grants.withReader("app").withWriter("app"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("writer must not be the reader's role, but both were \"app\"");
    }

    @Test
    void refusesAnInvalidSchemaName() {
        assertThatThrownBy(() -> AnalyticsGrants.create(UNREACHABLE).withSchema("Billing"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"Billing\"");
    }

    @Test
    void hasNothingToDoWithoutARole() {
        AnalyticsGrants grants = AnalyticsGrants.create(UNREACHABLE);

        assertThatThrownBy(grants::statements)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no role to grant to: name a writer, a reader or both first");
        assertThatThrownBy(grants::apply).isInstanceOf(IllegalStateException.class);
    }
}
