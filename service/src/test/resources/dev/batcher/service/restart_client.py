"""A Python training client for the daemon-restart test (DaemonRestartTest), default settings: the token
comes from the daemon's token file. For every line N on stdin it takes batches until it has N, printing
``BATCH i SHA256`` for each and ``AT N``; a take that fails because the connection was lost is taken again.
Arguments: host, port, batcher, dataset, seed."""
import hashlib
import sys
import time

import numpy as np

import batcher

host, port, name, dataset, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
with batcher.connect(f"{host}:{port}") as client:
    handle = client.batcher(name)
    handle.create(dataset, {"type": "random", "batchSize": 4, "batchSeconds": 30, "channels": "fill:C3,C4,F3,F4"})
    state = batcher.BatchState.initial(seed)
    handle.start(state)
    taken = 0
    for line in sys.stdin:
        target = int(line)
        while taken < target:
            deadline = time.monotonic() + 90
            while True:
                try:
                    batch = handle.take(state)
                    break
                except (batcher.ConnectionLostError, batcher.BatcherTimeoutError) as e:
                    if time.monotonic() > deadline:
                        raise
                    print("RETRY", e, flush=True)
                    time.sleep(0.2)   # a training loop's pause before trying again
            with batch:
                digest = hashlib.sha256(np.ascontiguousarray(batch.x, dtype="<f4").tobytes()
                                        + np.ascontiguousarray(batch.y, dtype="<i4").tobytes()).hexdigest()
                state = batch.state
            print("BATCH", taken, digest, flush=True)
            taken += 1
        print("AT", taken, flush=True)
