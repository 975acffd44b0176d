@NullMarked
package dev.vellum.bench.crash;

import org.jspecify.annotations.NullMarked;
