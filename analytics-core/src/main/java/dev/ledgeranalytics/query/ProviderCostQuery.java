package dev.ledgeranalytics.query;

import static dev.ledgeranalytics.schema.Tables.PROVIDERS;

import dev.ledgeranalytics.internal.Dimension;
import dev.ledgeranalytics.internal.Metric;
import dev.ledgeranalytics.rollup.internal.Sums;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.ResultQuery;

/**
 * Cost per provider. The totals are summed by provider id first, and only the handful of
 * resulting rows is joined to {@code providers}:
 *
 * <pre>
 * SELECT p.id, p.slug, p.display_name, t.* FROM (&lt;totals by provider_id&gt;) t
 * JOIN providers p ON p.id = t.provider_id
 * ORDER BY t.vendor_cost DESC, p.slug
 * </pre>
 */
final class ProviderCostQuery extends DashboardQuery<List<ProviderCost>> {

    ProviderCostQuery(LedgerFilter filter) {
        super("providerCosts", filter, List.of(filter.from(), filter.to()), List.of(Dimension.PROVIDER), Metric.TOTALS);
    }

    @Override
    ResultQuery<Record> statement(DSLContext dsl, Sums sums) {
        return dsl.select(PROVIDERS.ID, PROVIDERS.SLUG, PROVIDERS.DISPLAY_NAME)
                .select(sums.table().fields())
                .from(sums.table())
                .join(PROVIDERS)
                .on(PROVIDERS.ID.eq(sums.key(Dimension.PROVIDER).coerce(UUID.class)))
                .orderBy(sums.metric(Metric.VENDOR_COST).desc(), PROVIDERS.SLUG);
    }

    @Override
    List<ProviderCost> answer(DSLContext dsl, Sums sums, Result<Record> rows) {
        List<Totals> totals = rows.map(row -> Totals.of(sums, row));
        List<BigDecimal> shares =
                Decimals.shares(totals.stream().map(Totals::vendorCost).toList());
        List<ProviderCost> costs = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Record row = rows.get(i);
            costs.add(totals.get(i)
                    .provider(
                            row.get(PROVIDERS.ID),
                            row.get(PROVIDERS.SLUG),
                            row.get(PROVIDERS.DISPLAY_NAME),
                            shares.get(i)));
        }
        return List.copyOf(costs);
    }
}
