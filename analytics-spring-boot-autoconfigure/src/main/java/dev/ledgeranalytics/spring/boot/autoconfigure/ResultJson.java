package dev.ledgeranalytics.spring.boot.autoconfigure;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.ledgeranalytics.query.GrossMargin;
import dev.ledgeranalytics.query.UserPage;
import dev.ledgeranalytics.query.UserUsage;
import dev.ledgeranalytics.rollup.RollupStatus;
import java.math.BigDecimal;
import java.util.Map;

/**
 * What the Jackson modules of both Jackson lines add to our result records. Records serialise
 * their components by default, but not the values derived from them, which a dashboard wants as
 * much: these mix-ins name them as properties. The annotations are Jackson's
 * {@code jackson-annotations}, which Jackson 2 and Jackson 3 share.
 */
final class ResultJson {

    /** Mix-in per result type. */
    static final Map<Class<?>, Class<?>> MIXINS = Map.of(
            GrossMargin.class, GrossMarginJson.class,
            UserPage.class, UserPageJson.class,
            UserUsage.class, UserUsageJson.class,
            RollupStatus.class, RollupStatusJson.class);

    private ResultJson() {}

    /**
     * Whether decimals of this type are written plainly. A NUMERIC zero with eight decimals is
     * {@code 0E-8} as a {@link BigDecimal}'s {@code toString()}, which Jackson writes by default;
     * {@code 0.00000000} is the same number, and one a person reads. Only our own types are
     * affected, never the host's.
     */
    static boolean writesPlainDecimals(Class<?> type) {
        return type.getPackageName().startsWith("dev.ledgeranalytics.");
    }

    interface GrossMarginJson {
        @JsonProperty("requestsChange")
        BigDecimal requestsChange();

        @JsonProperty("vendorCostChange")
        BigDecimal vendorCostChange();

        @JsonProperty("revenueChange")
        BigDecimal revenueChange();

        @JsonProperty("grossMarginChange")
        BigDecimal grossMarginChange();
    }

    interface UserPageJson {
        @JsonProperty("hasNext")
        boolean hasNext();
    }

    interface UserUsageJson {
        @JsonProperty("totalTokens")
        long totalTokens();
    }

    interface RollupStatusJson {
        @JsonProperty("built")
        boolean built();
    }
}
