#!/usr/bin/env python3
"""Runs the Python peers of ../shared/peers/bench_peers.py on given .npy data.

One retrieval step for the queries against the memories, best of --reps after a warm-up, with
the peers' own code (numpy/OpenBLAS, torch CPU, faiss IndexFlatIP), 2 threads. Prints one JSON
line per method and saves each method's output states for the agreement check.
"""
import argparse
import json
import os
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peers", required=True, help="folder holding bench_peers.py")
    ap.add_argument("--memories", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--beta", type=float, required=True)
    ap.add_argument("--K", type=int, default=32)
    ap.add_argument("--methods", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--budget", type=float, default=30.0)
    ap.add_argument("--outdir", required=True)
    args = ap.parse_args()
    sys.path.insert(0, args.peers)
    import bench_peers as bp
    bp.set_threads(2)
    X = np.ascontiguousarray(np.load(args.memories), dtype=np.float32)
    Q = np.ascontiguousarray(np.load(args.queries), dtype=np.float32)
    cfg = dict(score_mb=512, nblock=4096, K=args.K, k0=64, reps=args.reps)
    for m in args.methods.split(","):
        fn, _ = bp.METHODS[m]
        best, times, out, info, nclean = bp.time_method(fn, X, Q, args.beta, cfg, args.budget)
        np.save(os.path.join(args.outdir, f"{m}.npy"), out.astype(np.float32))
        print(json.dumps(dict(method=m, best_s=best, qps=Q.shape[0] / best, clean=nclean,
                              reps=len(times), info={k: str(v) for k, v in info.items()})))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
