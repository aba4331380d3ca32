package dev.ledgeranalytics.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The migrations on PostgreSQL 14, the oldest release we support (INCLUDE indexes, built-in
 * gen_random_uuid and DROP DATABASE ... WITH (FORCE) need 11-13; 14 is the oldest still maintained).
 * The build copies the 14.x binaries to the path in {@value #BINARIES_PROPERTY}.
 */
class OldestPostgresTest {

    private static final String BINARIES_PROPERTY = "ledger.test.oldestPostgresBinaries";

    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres14() throws IOException {
        assumeTrue(
                "Linux".equals(System.getProperty("os.name")) && "amd64".equals(System.getProperty("os.arch")),
                "the PostgreSQL 14 binaries copied by the build are for linux-amd64");
        Path jar = Path.of(System.getProperty(BINARIES_PROPERTY, "target/postgres-oldest/postgres-linux-amd64.jar"));
        assertThat(jar)
                .as("PostgreSQL 14 binaries (run through Maven, which copies them)")
                .exists();
        postgres = EmbeddedPostgres.builder()
                .setPgBinaryResolver((system, architecture) -> {
                    try (ZipFile zip = new ZipFile(jar.toFile())) {
                        ZipEntry entry = zip.getEntry(
                                "postgres-" + system.toLowerCase(Locale.ROOT) + "-" + architecture + ".txz");
                        return new ByteArrayInputStream(
                                zip.getInputStream(entry).readAllBytes());
                    }
                })
                .start();
    }

    @AfterAll
    static void stopPostgres14() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void migrationsApplyOnPostgres14AndASecondRunIsANoOp() throws SQLException {
        DataSource dataSource = postgres.getPostgresDatabase();
        try (Connection connection = dataSource.getConnection()) {
            assertThat(connection.getMetaData().getDatabaseMajorVersion()).isEqualTo(14);
        }

        assertThat(AnalyticsMigrations.create(dataSource).migrate().applied()).hasSize(12);
        assertThat(AnalyticsMigrations.create(dataSource).migrate().applied()).isEmpty();

        SeedSchema.assertCatalogMatches(new Catalog(dataSource, "analytics"));
    }
}
