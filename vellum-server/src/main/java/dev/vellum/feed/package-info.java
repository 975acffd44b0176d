@NullMarked
package dev.vellum.feed;

import org.jspecify.annotations.NullMarked;
