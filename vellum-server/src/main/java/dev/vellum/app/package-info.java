@NullMarked
package dev.vellum.app;

import org.jspecify.annotations.NullMarked;
