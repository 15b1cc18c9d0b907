#!/usr/bin/env bash
# Start-to-exit of a trivial job (/bin/true in a busybox root) through the sandbox executor and
# through the Docker executor, on the same machine in the same run. Starts a private dockerd
# (its own socket and data root, no bridge, no iptables rules) and stops it afterwards.
#   scripts/bench-executors.sh            debug build (quick to build)
#   scripts/bench-executors.sh release    release build in .build-release
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test >/dev/null

if [ "${1:-}" = "release" ]; then
    swift build -c release --scratch-path .build-release --product lilypad-benchmarks 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
    bench=.build-release/release/lilypad-benchmarks
else
    swift build --product lilypad-benchmarks 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
    bench=.build/debug/lilypad-benchmarks
fi

root=$(mktemp -d /tmp/lp-bench-dockerd-XXXXXX)
dockerd_pid=""
cleanup() {
    if [ -n "$dockerd_pid" ]; then
        kill "$dockerd_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
    fi
    pkill -f "containerd --config $root" 2>/dev/null || true
    grep " $root" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT
/usr/sbin/dockerd -H "unix://$root/docker.sock" --data-root "$root/data" --exec-root "$root/exec" \
    --pidfile "$root/dockerd.pid" --storage-driver overlay2 --bridge none --iptables=false --ip6tables=false \
    --ip-masq=false --default-ulimit nofile=1024:1024 --log-level warn > "$root/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 1 300); do curl -sf --unix-socket "$root/docker.sock" http://d/_ping >/dev/null 2>&1 && break; sleep 0.1; done

LILYPAD_BENCH="/bin/true" LILYPAD_DOCKER_SOCKET="$root/docker.sock" "$bench"
