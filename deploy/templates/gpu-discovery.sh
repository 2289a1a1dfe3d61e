#!/usr/bin/env bash
# Spark resource discovery script for GPUs (spark.executor.resource.gpu.discoveryScript,
# spark.worker.resource.gpu.discoveryScript, spark.driver.resource.gpu.discoveryScript).
# Prints one line of JSON, the ResourceInformation format Spark expects:
#   {"name":"gpu","addresses":["0","1"]}
# The addresses are the GPU indices nvidia-smi reports. Without nvidia-smi (or when it fails:
# no driver, no device) it prints an empty list, {"name":"gpu","addresses":[]}: Spark then
# has no GPU to give an executor that asks for one.
set -euo pipefail

addresses=
if command -v nvidia-smi > /dev/null 2>&1; then
  if indices=$(nvidia-smi --query-gpu=index --format=csv,noheader 2> /dev/null); then
    # one index per line; keep the numbers only, quoted, comma separated
    addresses=$(printf '%s\n' "$indices" | tr -d ' \r' | { grep -E '^[0-9]+$' || true; } \
      | sed 's/.*/"&"/' | paste -sd, -)
  else
    echo "gpu-discovery.sh: nvidia-smi failed; reporting no GPUs" >&2
  fi
fi
printf '{"name":"gpu","addresses":[%s]}\n' "$addresses"
