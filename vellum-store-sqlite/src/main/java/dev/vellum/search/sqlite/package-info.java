@NullMarked
package dev.vellum.search.sqlite;

import org.jspecify.annotations.NullMarked;
