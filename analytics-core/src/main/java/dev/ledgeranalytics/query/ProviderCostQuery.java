package dev.ledgeranalytics.query;

import static dev.ledgeranalytics.schema.Tables.PROVIDERS;
import static dev.ledgeranalytics.schema.Tables.TOKEN_USAGE_LEDGER;

import dev.ledgeranalytics.internal.LedgerConditions;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.ResultQuery;
import org.jooq.Table;

/**
 * Cost per provider. The ledger is aggregated first, by provider id from the covering index,
 * and only the handful of resulting rows is joined to {@code providers}:
 *
 * <pre>
 * SELECT p.id, p.slug, p.display_name, t.*
 * FROM (SELECT provider_id, count(*), sum(...) FROM token_usage_ledger WHERE ... GROUP BY provider_id) t
 * JOIN providers p ON p.id = t.provider_id
 * ORDER BY t.vendor_cost DESC, p.slug
 * </pre>
 */
final class ProviderCostQuery {

    private final LedgerFilter filter;
    private final LedgerSums sums = LedgerSums.all();

    ProviderCostQuery(LedgerFilter filter) {
        this.filter = filter;
    }

    ResultQuery<Record> sql(DSLContext dsl) {
        Table<?> totals = dsl.select(TOKEN_USAGE_LEDGER.PROVIDER_ID)
                .select(sums.fields())
                .from(TOKEN_USAGE_LEDGER)
                .where(LedgerConditions.matching(filter))
                .groupBy(TOKEN_USAGE_LEDGER.PROVIDER_ID)
                .asTable("totals");
        return withProviders(dsl, totals, sums);
    }

    /** The same totals from the rollups and the ledger's edges (see {@link RollupReads}). */
    private static ResultQuery<Record> sql(DSLContext dsl, LedgerSums partialSums, Table<Record> partials) {
        Field<UUID> provider = partials.field(TOKEN_USAGE_LEDGER.PROVIDER_ID.getName(), UUID.class);
        Table<?> totals = dsl.select(provider)
                .select(partialSums.fields())
                .from(partials)
                .groupBy(provider)
                .asTable("totals");
        return withProviders(dsl, totals, partialSums);
    }

    private static ResultQuery<Record> withProviders(DSLContext dsl, Table<?> totals, LedgerSums sums) {
        return dsl.select(PROVIDERS.ID, PROVIDERS.SLUG, PROVIDERS.DISPLAY_NAME)
                .select(totals.fields(sums.fields().toArray(Field[]::new)))
                .from(totals)
                .join(PROVIDERS)
                .on(PROVIDERS.ID.eq(totals.field(TOKEN_USAGE_LEDGER.PROVIDER_ID.getName(), UUID.class)))
                .orderBy(totals.field(sums.vendorCost).desc(), PROVIDERS.SLUG);
    }

    List<ProviderCost> run(DSLContext dsl, boolean rollups) {
        RollupReads.Rollup rollup = rollups ? RollupReads.sumsFor(filter, true) : null;
        RollupReads reads = rollup == null ? null : RollupReads.load(dsl, filter.from(), filter.to());
        LedgerSums sums = this.sums;
        Result<Record> rows;
        if (reads == null) {
            rows = sql(dsl).fetch();
        } else {
            Table<Record> partials = reads.sums(
                    rollup, List.of(filter.from(), filter.to()), filter, List.of(TOKEN_USAGE_LEDGER.PROVIDER_ID));
            sums = LedgerSums.ofPartials(partials, "", null);
            rows = sql(dsl, sums, partials).fetch();
        }
        List<BigDecimal> shares = Decimals.shares(rows.map(sums::vendorCost));
        List<ProviderCost> costs = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Record row = rows.get(i);
            UUID id = row.get(PROVIDERS.ID);
            costs.add(new ProviderCost(
                    id,
                    row.get(PROVIDERS.SLUG),
                    row.get(PROVIDERS.DISPLAY_NAME),
                    sums.requests(row),
                    sums.inputTokens(row),
                    sums.outputTokens(row),
                    sums.vendorCost(row),
                    sums.revenue(row),
                    sums.grossMargin(row),
                    shares.get(i)));
        }
        return List.copyOf(costs);
    }
}
