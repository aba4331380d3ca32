package dev.ledgeranalytics.spring.boot.autoconfigure;

import dev.ledgeranalytics.migration.AnalyticsMigrations;
import dev.ledgeranalytics.migration.MigrationResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;

/** Applies our migrations when the application context creates it, as Boot's own Flyway bean does. */
final class LedgerSchemaMigration implements InitializingBean {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerSchemaMigration.class);

    private final AnalyticsMigrations migrations;
    private volatile MigrationResult result;

    LedgerSchemaMigration(AnalyticsMigrations migrations) {
        this.migrations = migrations;
    }

    @Override
    public void afterPropertiesSet() {
        result = migrations.migrate();
        LOG.info(
                "Ledger schema \"{}\" at version {} ({} migrations applied)",
                result.schema(),
                result.currentVersion(),
                result.applied().size());
    }

    /** The schema's version after the start-up migration. */
    String schemaVersion() {
        return result.currentVersion();
    }
}
