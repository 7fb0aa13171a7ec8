/**
 * The data half of Batcher: labeled-signal datasets in HDF5 ({@code dataset}, {@code hdf5}),
 * deterministic batch iteration from a checkpointable state ({@code iteration}), the batch
 * specifications that cross the network ({@code spec}), numeric kernels ({@code kernels}),
 * channel selection ({@code channels}), materialisation into tensors ({@code materialize}) and
 * the same-process batcher ({@code local}).
 */
package dev.batcher.materializers;
