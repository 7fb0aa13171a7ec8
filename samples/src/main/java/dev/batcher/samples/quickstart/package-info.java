/** The main job: dataset, daemon with worker processes, training, a simulated crash and a resume. */
package dev.batcher.samples.quickstart;
