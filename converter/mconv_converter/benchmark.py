"""Latency and throughput of one engine on this node."""

import time
from typing import Callable

import numpy as np


def measure(run_once: Callable[[], None], iterations: int, warmup: int, batch_size: int) -> dict:
    """Time `run_once` after `warmup` untimed calls; latencies are in milliseconds."""
    for _ in range(warmup):
        run_once()
    latencies = []
    for _ in range(iterations):
        start = time.perf_counter()
        run_once()
        latencies.append((time.perf_counter() - start) * 1000.0)
    total_seconds = sum(latencies) / 1000.0
    return {
        "iterations": iterations,
        "batchSize": batch_size,
        "latencyMs": {
            "p50": round(float(np.percentile(latencies, 50)), 4),
            "p99": round(float(np.percentile(latencies, 99)), 4),
            "mean": round(float(np.mean(latencies)), 4),
        },
        "throughputPerSecond": round(iterations * batch_size / total_seconds, 2) if total_seconds else None,
    }
