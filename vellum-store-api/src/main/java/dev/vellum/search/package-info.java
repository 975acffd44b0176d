@NullMarked
package dev.vellum.search;

import org.jspecify.annotations.NullMarked;
