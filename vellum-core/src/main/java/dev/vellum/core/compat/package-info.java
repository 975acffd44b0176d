@NullMarked
package dev.vellum.core.compat;

import org.jspecify.annotations.NullMarked;
