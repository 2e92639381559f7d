#!/usr/bin/env bash
# Installs the Debian packages avsim needs, when they are missing, and Unicorn 2.1.4
# (scripts/fetch-unicorn.sh: Unicorn's own release from PyPI, checked by its SHA-256).
set -euo pipefail
pkgs=(libcapstone-dev libsdl2-dev libcmocka-dev zlib1g-dev cmake gcc make pkg-config
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm gdb-multiarch libfdt-dev
      device-tree-compiler e2fsprogs cpio python3 python3-pip clang libclang-rt-dev)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all packages present"
else
    echo "install-deps: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
"$(dirname "$0")/fetch-unicorn.sh"
