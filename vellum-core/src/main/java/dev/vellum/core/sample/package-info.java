@NullMarked
package dev.vellum.core.sample;

import org.jspecify.annotations.NullMarked;
