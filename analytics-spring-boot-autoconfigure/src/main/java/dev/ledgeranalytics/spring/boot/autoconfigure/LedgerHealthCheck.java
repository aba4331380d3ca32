package dev.ledgeranalytics.spring.boot.autoconfigure;

import dev.ledgeranalytics.verify.Finding;
import dev.ledgeranalytics.verify.SchemaVerifier;
import dev.ledgeranalytics.verify.Status;
import dev.ledgeranalytics.verify.VerificationReport;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The health of the ledger schema as {@link SchemaVerifier} judges it, for the health indicator of
 * either Boot line. BROKEN is down: queries fail or may be wrong. DEGRADED stays up, with the
 * findings in the details: every answer is still right, only slower, and taking instances out of
 * service would not make it faster.
 */
final class LedgerHealthCheck {

    private final DataSource dataSource;
    private final String schema;

    LedgerHealthCheck(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = schema;
    }

    /** The verdict; a database failure propagates, and Boot reports the indicator down with it. */
    Verdict check() {
        VerificationReport report = SchemaVerifier.verify(dataSource, schema);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("schema", report.schema());
        details.put("status", report.status().name());
        details.put(
                "findings",
                report.findings().stream().map(LedgerHealthCheck::describe).toList());
        return new Verdict(report.status() != Status.BROKEN, details);
    }

    private static Map<String, String> describe(Finding finding) {
        Map<String, String> described = new LinkedHashMap<>();
        described.put("status", finding.status().name());
        described.put("kind", finding.kind().name());
        described.put("subject", finding.subject());
        described.put("message", finding.message());
        return described;
    }

    /**
     * @param up      whether the ledger serves correct answers
     * @param details the schema, the verifier's status and its findings, worst first
     */
    record Verdict(boolean up, Map<String, Object> details) {

        Verdict {
            details = Map.copyOf(details);
        }
    }
}
