@NullMarked
package dev.vellum.core.event;

import org.jspecify.annotations.NullMarked;
