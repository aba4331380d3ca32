package dev.ledgeranalytics.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.schema.Catalog.Column;
import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.Table;
import org.junit.jupiter.api.Test;

/** The generated jOOQ model says exactly what the live catalog says: no drift. */
@AnalyticsDatabase
class GeneratedModelTest {

    private final Catalog catalog;

    GeneratedModelTest(DataSource dataSource) {
        this.catalog = new Catalog(dataSource, "analytics");
    }

    @Test
    void everyTableOfTheSchemaIsGeneratedExceptTheMigrationHistoryAndTheRollupMachinery() {
        assertThat(Analytics.ANALYTICS.getTables())
                .extracting(Table::getName)
                .containsExactlyInAnyOrderElementsOf(catalog.tables().stream()
                        .filter(name -> !name.equals("analytics_schema_history") && !name.startsWith("rollup_"))
                        .toList());
        assertThat(Analytics.ANALYTICS.getTables())
                .extracting(Table::getName)
                .containsExactlyInAnyOrder("token_usage_ledger", "providers");
    }

    @Test
    void everyGeneratedColumnHasTheCatalogsNameTypeAndNullability() {
        for (Table<?> table : Analytics.ANALYTICS.getTables()) {
            List<Column> generated = List.of(table.fields()).stream()
                    .map(GeneratedModelTest::describe)
                    .toList();
            assertThat(generated).as(table.getName()).containsExactlyElementsOf(catalog.columns(table.getName()));
        }
    }

    @Test
    void theGeneratedEnumHasTheCatalogsValuesInOrder() {
        assertThat(List.of(dev.ledgeranalytics.schema.enums.RequestStatus.values()))
                .extracting(dev.ledgeranalytics.schema.enums.RequestStatus::getLiteral)
                .containsExactlyElementsOf(catalog.enumValues("request_status"));
    }

    @Test
    void keysAreGeneratedFromTheCatalog() {
        assertThat(Tables.TOKEN_USAGE_LEDGER.getPrimaryKey().getName()).isEqualTo("token_usage_ledger_pkey");
        assertThat(Tables.TOKEN_USAGE_LEDGER.getUniqueKeys())
                .extracting(k -> k.getName())
                .containsExactly("token_usage_ledger_request_id_key");
        assertThat(Tables.TOKEN_USAGE_LEDGER.getReferences())
                .singleElement()
                .satisfies(fk -> assertThat(fk.getKey().getTable()).isEqualTo(Tables.PROVIDERS));
    }

    /** Formats a generated field the way PostgreSQL's format_type() formats the column. */
    private static Column describe(Field<?> field) {
        DataType<?> type = field.getDataType();
        String typeName;
        if (type.isEnum()) {
            typeName = "request_status";
        } else if (type.getType() == Instant.class) {
            typeName = "timestamp with time zone";
        } else {
            typeName = switch (type.getTypeName()) {
                case "varchar" -> "character varying(" + type.length() + ")";
                case "numeric" ->
                    type.precision() == 0 ? "numeric" : "numeric(" + type.precision() + "," + type.scale() + ")";
                case "smallint", "integer", "bigint", "uuid", "boolean", "jsonb" -> type.getTypeName();
                case "clob" -> "text"; // jOOQ's name for PostgreSQL's unbounded text
                default -> "unexpected: " + type.getTypeName();
            };
        }
        return new Column(field.getName(), typeName, type.nullable());
    }
}
