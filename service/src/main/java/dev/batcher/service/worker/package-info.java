/**
 * The worker process: it connects to a manager, announces its slots and materialises the jobs it is
 * sent, reading only datasets under its configured roots.
 */
package dev.batcher.service.worker;
