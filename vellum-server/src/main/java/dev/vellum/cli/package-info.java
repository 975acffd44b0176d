@NullMarked
package dev.vellum.cli;

import org.jspecify.annotations.NullMarked;
