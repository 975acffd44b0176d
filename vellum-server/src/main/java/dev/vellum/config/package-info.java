@NullMarked
package dev.vellum.config;

import org.jspecify.annotations.NullMarked;
