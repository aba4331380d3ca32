/**
 * jOOQ contexts for hosts that query the generated ledger model themselves, rendered against the
 * schema the ledger was installed into.
 */
package dev.ledgeranalytics.jooq;
