/**
 * The manager's worker pool: workers (in-process or remote) offer slots; jobs take a slot, preferring
 * the worker that recently read the same files; results come back as wire-form payloads that the
 * manager never decodes.
 */
package dev.batcher.service.pool;
