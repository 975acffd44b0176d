/**
 * What keeps several nodes sharing one PostgreSQL database consistent beyond the store itself: the
 * nodes' caches of directory data dropped as any node changes it.
 */
@NullMarked
package dev.vellum.cluster;

import org.jspecify.annotations.NullMarked;
