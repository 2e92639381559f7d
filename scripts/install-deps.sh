#!/usr/bin/env bash
# Installs the Debian packages avsim needs, when they are missing.
set -euo pipefail
pkgs=(libunicorn-dev libcapstone-dev libsdl2-dev libcmocka-dev zlib1g-dev cmake gcc make pkg-config
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm gdb-multiarch libfdt-dev
      device-tree-compiler e2fsprogs cpio)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all packages present"
    exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
