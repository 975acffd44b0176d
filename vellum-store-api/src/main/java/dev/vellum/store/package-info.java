@NullMarked
package dev.vellum.store;

import org.jspecify.annotations.NullMarked;
