package dev.ledgeranalytics.codegen;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.ForcedType;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Logging;
import org.jooq.meta.jaxb.Target;

/**
 * Generates the jOOQ model of the ledger schema from a real catalog: the migrations are applied
 * to an embedded PostgreSQL and jOOQ reads the result. Reading the live catalog, rather than
 * parsing the scripts, keeps everything PostgreSQL knows — the enum, jsonb, the partial index's
 * predicate — with no annotations in the SQL and no way for the model to drift from the schema.
 *
 * <p>Usage: {@code GenerateJooqModel <target directory>}.
 */
public final class GenerateJooqModel {

    /** The package of the generated classes. */
    static final String PACKAGE = "dev.ledgeranalytics.schema";

    private GenerateJooqModel() {}

    /**
     * Generates the model.
     *
     * @param args the target directory of the generated sources
     * @throws Exception if migrating or generating fails; the build fails with it
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException(
                    "usage: GenerateJooqModel <target directory>, but got " + args.length + " arguments");
        }
        Path target = Path.of(args[0]).toAbsolutePath();
        // Stopped here rather than by a shutdown hook: inside Maven, this class loader is gone by JVM exit.
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start();
                Connection connection = postgres.getPostgresDatabase().getConnection()) {
            AnalyticsMigrations.create(postgres.getPostgresDatabase()).migrate();
            GenerationTool tool = new GenerationTool();
            tool.setConnection(connection);
            tool.run(configuration(target));
        }
    }

    static Configuration configuration(Path target) {
        return new Configuration()
                .withLogging(Logging.WARN)
                .withGenerator(new Generator()
                        .withName("org.jooq.codegen.JavaGenerator")
                        .withDatabase(new Database()
                                .withName("org.jooq.meta.postgres.PostgresDatabase")
                                .withInputSchema(AnalyticsMigrations.DEFAULT_SCHEMA)
                                // The rollup machinery is the library's own business: reads and upkeep describe those
                                // tables
                                // themselves (dev.ledgeranalytics.rollup.internal), and hosts see the ledger and
                                // providers.
                                .withExcludes(AnalyticsMigrations.HISTORY_TABLE + "|rollup_.*")
                                .withForcedTypes(new ForcedType()
                                        // Ledger instants are Instants in the API; no zone offset to misread.
                                        .withName("INSTANT")
                                        .withIncludeTypes("timestamp\\ with\\ time\\ zone")))
                        .withGenerate(new Generate()
                                .withJavaTimeTypes(true)
                                .withDeprecated(false)
                                .withGeneratedAnnotation(false)
                                .withPojos(false)
                                .withDaos(false)
                                .withFluentSetters(false)
                                .withIndexes(true)
                                .withKeys(true)
                                .withComments(true))
                        .withTarget(new Target()
                                .withPackageName(PACKAGE)
                                .withDirectory(target.toString())
                                .withClean(true)));
    }
}
