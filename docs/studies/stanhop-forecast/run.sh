#!/usr/bin/env bash
# STanHop-Net vs its dense (softmax) variant vs seasonal naive, with and without the
# Plug-and-Play memory, on two real multivariate series shipped by Debian's
# python3-vega-datasets (installed with apt-get when missing and run as root).
#   docs/studies/stanhop-forecast/run.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$here"
study=docs/studies/stanhop-forecast
data=/usr/lib/python3/dist-packages/vega_datasets/_data
if [ ! -f "$data/seattle-weather.csv" ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-vega-datasets >/dev/null
  else
    echo "stanhop study: needs python3-vega-datasets (run as root to install it)" >&2; exit 1
  fi
fi
[ -f spark-jobs/target/hopfield-spark-jobs.jar ] || mvn -B -q -DskipTests package
# daily Seattle weather 2012-2015: precipitation, temp_max, temp_min, wind (1461 days)
bin/hopfield-store forecast --data "$data/seattle-weather.csv" --lookback 32 --horizon 8 \
  --season 7 --epochs 150 --patience 10 --lr 0.01 --memory-gate 0.3 --seed 1 \
  --out "$study/seattle-weather" --overwrite --quiet
# monthly US employment 2006-2015 by sector: 22 series, 120 months
bin/hopfield-store forecast --data "$data/us-employment.csv" --lookback 12 --horizon 3 \
  --patch 3 --season 12 --epochs 150 --patience 10 --lr 0.01 --memory-gate 0.3 --seed 1 \
  --out "$study/us-employment" --overwrite --quiet
