@NullMarked
package dev.vellum.http;

import org.jspecify.annotations.NullMarked;
