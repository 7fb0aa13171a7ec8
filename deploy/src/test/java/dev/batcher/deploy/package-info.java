/**
 * Deployment tests: a daemon, workers and a client on separate network namespaces (partitioned on
 * purpose), the Slurm batch script on a real single-node Slurm, and the processes and hosts they need.
 */
package dev.batcher.deploy;
