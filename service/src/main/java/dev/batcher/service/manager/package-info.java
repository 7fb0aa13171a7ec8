/**
 * The manager: named batchers that iterate batch states, dispatch specs to worker slots with retries
 * and backoff, keep results in iteration order within a bounded capacity, and answer {@code
 * take(state)} with the batch at that state, restarting there when the client stands elsewhere.
 */
package dev.batcher.service.manager;
