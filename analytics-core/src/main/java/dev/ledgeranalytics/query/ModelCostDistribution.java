package dev.ledgeranalytics.query;

import java.util.Objects;

/**
 * The cost distribution of one model's requests.
 *
 * @param modelId      the model
 * @param distribution its requests' cost distribution
 */
public record ModelCostDistribution(String modelId, CostDistribution distribution) {

    /** Rejects missing values. */
    public ModelCostDistribution {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(distribution, "distribution");
    }
}
