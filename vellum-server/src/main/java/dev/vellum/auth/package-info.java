@NullMarked
package dev.vellum.auth;

import org.jspecify.annotations.NullMarked;
