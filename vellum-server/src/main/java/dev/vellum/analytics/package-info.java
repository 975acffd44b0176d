/**
 * SQL analytics (the Athena part): read-only, tenant-scoped SQL with embedded DuckDB over a view
 * {@code events} of the tenant's archived Parquet files and its not yet archived hot events, in a
 * sandbox per query; saved queries per tenant.
 */
@NullMarked
package dev.vellum.analytics;

import org.jspecify.annotations.NullMarked;
