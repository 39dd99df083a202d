#!/usr/bin/env bash
# Stop a broker started by .ci/kafka/start.sh (same KAFKA_HOME_DIR / FLOWFORGE_CACHE / KAFKA_VERSION
# environment), and wait until its process is gone.
#
#   bash .ci/kafka/stop.sh            # SIGTERM: controlled shutdown
#   KAFKA_STOP_SIGNAL=KILL bash .ci/kafka/stop.sh   # hard stop (crash)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
default_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml" | head -n1)"
version="${KAFKA_VERSION:-$default_version}"
cache_root="${FLOWFORGE_CACHE:-${HOME:-/root}/.cache/flowforge}"
home="${KAFKA_HOME_DIR:-$cache_root/kafka-$version}"
pidfile="$home/kafka.pid"
timeout_s="${KAFKA_STOP_TIMEOUT:-60}"

[ -f "$pidfile" ] || { echo "==> kafka: no pid file at $pidfile; nothing to stop"; exit 0; }
pid="$(cat "$pidfile")"
if ! kill -0 "$pid" 2>/dev/null || ! grep -q 'kafka\.Kafka' "/proc/$pid/cmdline" 2>/dev/null; then
  echo "==> kafka: process $pid is not running"; rm -f "$pidfile"; exit 0
fi
kill "-${KAFKA_STOP_SIGNAL:-TERM}" "$pid"
start=$SECONDS
while kill -0 "$pid" 2>/dev/null; do
  if [ $((SECONDS - start)) -ge "$timeout_s" ]; then echo "==> kafka: $pid still running after ${timeout_s}s; killing" >&2; kill -KILL "$pid" 2>/dev/null || true; fi
  sleep 0.2
done
rm -f "$pidfile"
echo "==> kafka: stopped $pid after $((SECONDS - start))s"
