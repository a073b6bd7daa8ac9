#!/usr/bin/env bash
# Requests per second of a seeded jetpy project under gunicorn with 1 and then 2 sync workers,
# driven by wrk (a C client: little of the two cores goes to it). Rounds alternate 1 and 2
# workers; every page is warmed for 3 s, then measured for 8 s with 4 connections.
#
#   bench/throughput_wrk.sh /path/to/seeded/project            # cache off (JETPY_CACHE_BACKEND=none)
#   CACHE=memory ROUNDS="1" bench/throughput_wrk.sh /path/to/project
#
# Needs wrk (`apt-get install -y wrk`) and gunicorn (`pip install 'jetpy[serve]'`); the project
# as the README's set-up leaves it (`jetpy db upgrade && jetpy db seed`, debug: false).
set -euo pipefail
project=${1:?give the folder of a seeded project}
port=${PORT:-8095}
export JETPY_PROJECT=$project JETPY_CACHE_BACKEND=${CACHE:-none}
pages=(/articles/micro-routers.html / /products/auris-studio-headphones-ocean.html)
for round in ${ROUNDS:-1 2}; do
  for workers in 1 2; do
    python -m gunicorn -w "$workers" -b "127.0.0.1:$port" --log-level error \
      jetpy.wsgi:application &
    pid=$!
    for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    for path in "${pages[@]}"; do
      wrk -t1 -c4 -d3s "http://127.0.0.1:$port$path" >/dev/null
      rate=$(wrk -t1 -c4 -d8s "http://127.0.0.1:$port$path" | awk '/Requests\/sec/ {print $2}')
      echo "round $round, $workers worker(s), cache $JETPY_CACHE_BACKEND: $path $rate req/s (load $(cut -d' ' -f1 /proc/loadavg))"
    done
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
done
