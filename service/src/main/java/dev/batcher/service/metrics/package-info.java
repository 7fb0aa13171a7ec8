/** Status metrics of the batcher daemon in Prometheus text format, served over HTTP. */
package dev.batcher.service.metrics;
