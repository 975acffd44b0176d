/**
 * Vellum's own signals for self-alarms (the CloudWatch-alarm part): a sampler that reads, every few
 * seconds, the ingest rejection rate, the writer's queue depth, each feed consumer's lag, each
 * tenant's checkpoint age, the log self-check's verdicts and the data dir's free space from the
 * components themselves, and keeps the latest values. Alarm rules over these values live in the
 * rules package, which raises their alerts like any other.
 */
@NullMarked
package dev.vellum.alarms;

import org.jspecify.annotations.NullMarked;
