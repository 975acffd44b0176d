@NullMarked
package dev.vellum.query;

import org.jspecify.annotations.NullMarked;
