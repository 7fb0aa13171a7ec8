/**
 * The data half of Batcher: labeled-signal datasets in HDF5 ({@code dataset}, {@code hdf5}),
 * deterministic batch iteration from a checkpointable state ({@code iteration}), numeric kernels
 * ({@code kernels}), channel selection ({@code channels}), featurisers ({@code features}), batch
 * assembly into tensors ({@code assembly}) and the same-process batcher ({@code local}). The values
 * these share with the client (states, specs, source descriptions, batches) are in the api module,
 * {@code dev.batcher.api}.
 */
package dev.batcher.materializers;
