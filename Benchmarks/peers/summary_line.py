#!/usr/bin/env python3
"""Prints one short line for a JSON result read on stdin (peer-bench's, brokerctl bench's or compare.sh's)."""
import json
import sys

row = json.loads(sys.stdin.read())
if "latencyMs" in row:  # brokerctl bench --json
    row["latencyUs"] = {key: value * 1000 for key, value in row["latencyMs"].items()}
latency = row.get("latencyUs", {})
label = " ".join(sys.argv[1:]) or " ".join(str(row.get(key, "")) for key in ("suite", "server", "client", "durability", "mode"))
rate = row.get("rate") or 0
print(f"{label:48} size={row.get('size', '?'):>5} p={row.get('partitions', '?'):>4} offered={rate:>8,.0f}/s "
      f"achieved={row['recordsPerSecond']:>11,.0f}/s p50={latency.get('p50', 0):>9,.1f} p99={latency.get('p99', 0):>9,.1f} "
      f"p99.9={latency.get('p999', 0):>9,.1f} µs cpu={row.get('serverCpuUsPerRecord', 0):.2f} µs/rec load={row.get('loadAverage', '')}")
