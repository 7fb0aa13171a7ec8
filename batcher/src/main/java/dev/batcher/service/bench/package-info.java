/**
 * Benchmarks of the service, each figure a ratio against a baseline measured in the same run
 * ({@code bin/batcher bench}).
 */
package dev.batcher.service.bench;
