@NullMarked
package dev.vellum.ingest.schema;

import org.jspecify.annotations.NullMarked;
