@NullMarked
package dev.vellum.core.catalog;

import org.jspecify.annotations.NullMarked;
