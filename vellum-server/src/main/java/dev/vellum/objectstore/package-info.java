/**
 * Object storage for the archive: one port ({@link dev.vellum.objectstore.ObjectStore}) with a
 * local directory (the default, under the data dir) and, later, any S3-compatible store behind it.
 */
@NullMarked
package dev.vellum.objectstore;

import org.jspecify.annotations.NullMarked;
