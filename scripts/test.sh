#!/usr/bin/env bash
# Runs every test from a fresh clone: installs what is missing, builds once, runs the suite,
# and checks formatting.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --test
echo "==> swift build --build-tests"
swift build --build-tests
echo "==> swift test"
swift test --skip-build
echo "==> swift format lint"
swift format lint --strict -r Sources Tests Benchmarks Package.swift
echo "All tests passed."
