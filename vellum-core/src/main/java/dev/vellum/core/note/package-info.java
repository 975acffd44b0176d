/**
 * C2SP signed notes with Ed25519 and the C2SP tlog-checkpoint body they carry: the format of
 * golang.org/x/mod/sumdb/note, so Go's verifier accepts Vellum's checkpoints and vice versa.
 * Parameters and return values are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.vellum.core.note;

import org.jspecify.annotations.NullMarked;
