@NullMarked
package dev.vellum.ingest;

import org.jspecify.annotations.NullMarked;
