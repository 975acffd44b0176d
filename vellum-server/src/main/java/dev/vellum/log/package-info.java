@NullMarked
package dev.vellum.log;

import org.jspecify.annotations.NullMarked;
