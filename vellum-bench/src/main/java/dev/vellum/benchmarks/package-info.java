@NullMarked
package dev.vellum.benchmarks;

import org.jspecify.annotations.NullMarked;
