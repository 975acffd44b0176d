@NullMarked
package dev.vellum.store.sqlite;

import org.jspecify.annotations.NullMarked;
