/**
 * The batcher daemon. {@link dev.batcher.service.BatcherDaemon} puts together the manager (named
 * batchers iterating batch states, {@code manager}), the worker pool ({@code pool}), the server
 * clients and worker processes connect to ({@code transport}), worker processes ({@code worker}) and
 * the Prometheus endpoint ({@code metrics}); {@code cli} is {@code bin/batcher}.
 */
package dev.batcher.service;
