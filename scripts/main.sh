#!/usr/bin/env bash
# The main job, end to end on this machine: `lilypad run cowsay:v0.0.4` on the local network. With
# no network running, `lilypad run` starts one inside itself (ledger, solver, a resource provider
# and a mediator on loopback, with funded development keys): the job is matched, run in the
# sandbox (its image built from Debian's cowsay package), its results downloaded, verified against
# their CID and paid for on the ledger. Then the pieces one by one: the results' CID, the deal on
# the ledger, and Lilypad v2's ID vector.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
echo "==> swift build"
swift build 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
lilypad=".build/debug/lilypad"

"$lilypad" version
work=$(mktemp -d)
export LILYPAD_HOME="${LILYPAD_HOME:-$HOME/.lilypad}"
export DATA_DIR="$work/data"
trap 'rm -rf "$work"' EXIT
echo
echo "==> lilypad run cowsay:v0.0.4 -i Message=\"hello, lilypad\""
"$lilypad" run cowsay:v0.0.4 -i Message="hello, lilypad" | tee "$work/run.log"
deal=$(ls "$DATA_DIR/downloaded-files")
results="$DATA_DIR/downloaded-files/$deal"
echo
echo "==> the results folder, its CID (lilypad cid) and the Data ID lilypad run printed"
ls "$results"
echo "exitCode: $(cat "$results/exitCode")"
cid=$("$lilypad" cid "$results")
echo "lilypad cid: $cid"
grep -q "Data ID: $cid" "$work/run.log" && echo "the Data ID matches the downloaded folder"
echo
echo "==> lilypad id: the Lilypad v2 ID of cowsay:v0.0.4's module config (reference vector)"
"$lilypad" id --repo https://github.com/lilypad-tech/lilypad-module-cowsay --hash v0.0.4
