/**
 * The archive (docs/archive.md): the archiver that seals the committed-event feed into Parquet
 * files with manifests in an {@link dev.vellum.objectstore.ObjectStore}, their verification against
 * the Merkle log, hot and archive retention, legal holds and restore.
 */
@NullMarked
package dev.vellum.archive;

import org.jspecify.annotations.NullMarked;
