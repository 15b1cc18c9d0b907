#!/usr/bin/env bash
# The main job, end to end on this machine. Until `lilypad run` lands it exercises every part that
# exists the way the network will: an account, the cowsay module rendered to its job spec and run
# for real in the sandbox (its image built from Debian's cowsay package), a development ledger with
# escrow and a verified chain, the results folder's IPFS CID, and Lilypad v2 IDs.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
echo "==> swift build"
swift build 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
lilypad=".build/debug/lilypad"

"$lilypad" version
echo
echo "==> lilypad key new"
key_json=$("$lilypad" key new --json 2>/dev/null)
export WEB3_PRIVATE_KEY=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["private_key"])' "$key_json")
address=$("$lilypad" key address)
echo "Address: $address"
echo
echo "==> lilypad key sign / verify"
signature=$("$lilypad" key sign --message "hello lilypad")
echo "Signature: $signature"
"$lilypad" key verify --address "$address" --message "hello lilypad" --signature "$signature"
echo
echo "==> lilypad module render cowsay:v0.0.4 (built in, offline)"
work=$(mktemp -d)
export LILYPAD_HOME="$work/home"
ledger_pid=""
cleanup() { [ -n "$ledger_pid" ] && kill "$ledger_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
"$lilypad" module render cowsay:v0.0.4 -i Message="hello, lilypad" | grep -A3 '"Entrypoint"'
echo
echo "==> lilypad chain serve (development ledger) and wallet"
port=$((20000 + RANDOM % 20000))
export LEDGER_URL="http://127.0.0.1:$port"
"$lilypad" chain serve --port "$port" > "$work/ledger.log" 2>&1 &
ledger_pid=$!
for _ in $(seq 1 100); do curl -sf "$LEDGER_URL/api/v1/health" > /dev/null 2>&1 && break; sleep 0.1; done
"$lilypad" wallet faucet --amount 100
"$lilypad" wallet deposit 25
"$lilypad" wallet balance
"$lilypad" chain verify --data "$LILYPAD_HOME/ledger/ledger.sqlite"
echo
echo "==> lilypad module run --local cowsay:v0.0.4 (a real job in the sandbox)"
results="$work/results"
"$lilypad" module run --local cowsay:v0.0.4 -i Message="hello, lilypad" --results "$results"
echo "exitCode: $(cat "$results/exitCode")"
echo
echo "==> lilypad cid of the results folder"
"$lilypad" cid "$results"
echo
echo "==> lilypad id: the Lilypad v2 ID of cowsay:v0.0.4's module config (reference vector)"
"$lilypad" id --repo https://github.com/lilypad-tech/lilypad-module-cowsay --hash v0.0.4
