#!/usr/bin/env bash
# Fetches Unicorn Engine 2.1.4, the release its maintainers build and publish on PyPI as the
# `unicorn` wheel, checks it against the SHA-256 recorded below, and unpacks its C headers and
# libraries into a prefix outside the source tree (Debian 12 has only Unicorn 2.0.1, Debian 13
# 2.1.1; avsim needs 2.1.2 or newer: README "How it works").
#
#   scripts/fetch-unicorn.sh [PREFIX]      PREFIX defaults to $AVSIM_DEPS/unicorn-2.1.4, and
#                                          AVSIM_DEPS to ~/.cache/avsim
#
# PREFIX then holds include/unicorn/*.h and lib/libunicorn.a, lib/libunicorn.so.2 (the wheel
# has no pkg-config file and no libunicorn.so link); CMake finds it there (AVSIM_UNICORN_PREFIX).
# Idempotent: a complete prefix from the same wheel is kept. Nothing is written into the source
# tree. Exit status: 0 ready, 1 failure (with a message saying what to do).
set -euo pipefail

VERSION=2.1.4
# The wheels of unicorn==2.1.4 on PyPI, one per host architecture.
declare -A SHA256=(
    [x86_64]=9d6e6dea140560de4ebd8446661f7ef84a357d428c14a3ef09dacd306ec8c239
    [aarch64]=bd1fb0c9af5f57e356d8a96928b4fe045b2e18f308ef23b481d5f970008aa722
)

die() { echo "fetch-unicorn: ERROR: $*" >&2; exit 1; }
log() { echo "fetch-unicorn: $*" >&2; }

arch=$(uname -m)
want=${SHA256[$arch]:-}
[ -n "$want" ] || die "no Unicorn $VERSION wheel is recorded for a $arch host (x86_64 and aarch64 are);
  build Unicorn >= 2.1.2 from https://github.com/unicorn-engine/unicorn and install it where
  pkg-config finds it, or give its prefix to CMake with -DAVSIM_UNICORN_PREFIX=DIR"
prefix=${1:-${AVSIM_DEPS:-$HOME/.cache/avsim}/unicorn-$VERSION}

if [ -f "$prefix/.wheel-sha256" ] && [ "$(cat "$prefix/.wheel-sha256")" = "$want" ] &&
   [ -s "$prefix/lib/libunicorn.a" ] && [ -s "$prefix/include/unicorn/unicorn.h" ]; then
    log "Unicorn $VERSION ready in $prefix"
    exit 0
fi

python3 -m pip --version >/dev/null 2>&1 ||
    die "python3's pip is missing (Debian: apt-get install python3-pip; scripts/install-deps.sh does it)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fetch-unicorn.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log "downloading unicorn==$VERSION for manylinux2014_$arch from PyPI"
python3 -m pip download --quiet --no-deps --only-binary=:all: --platform "manylinux2014_$arch" \
    --python-version 3.11 --implementation cp "unicorn==$VERSION" -d "$tmp" ||
    die "pip could not download unicorn==$VERSION (no network, or PyPI unreachable?)"
whl=$(ls "$tmp"/unicorn-"$VERSION"-*.whl 2>/dev/null | head -n1)
[ -n "$whl" ] || die "pip downloaded no unicorn-$VERSION wheel"
got=$(sha256sum "$whl" | cut -d' ' -f1)
[ "$got" = "$want" ] || die "$(basename "$whl") has SHA-256 $got, expected $want: not the recorded release; refusing it"

log "unpacking $(basename "$whl") into $prefix"
rm -rf "$prefix.tmp"
mkdir -p "$prefix.tmp"
python3 - "$whl" "$prefix.tmp" <<'EOF'
import sys, zipfile
whl, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    names = [n for n in z.namelist() if n.startswith(("unicorn/include/", "unicorn/lib/"))]
    need = {"unicorn/include/unicorn/unicorn.h", "unicorn/include/unicorn/arm64.h",
            "unicorn/lib/libunicorn.a", "unicorn/lib/libunicorn.so.2"}
    missing = need - set(names)
    if missing:
        sys.exit("the wheel lacks " + ", ".join(sorted(missing)))
    for n in names:
        if n.endswith("/"):
            continue
        out = dest + "/" + n[len("unicorn/"):]
        import os
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with z.open(n) as src, open(out, "wb") as dst:
            dst.write(src.read())
EOF
echo "$want" >"$prefix.tmp/.wheel-sha256"
rm -rf "$prefix"
mv "$prefix.tmp" "$prefix"
log "Unicorn $VERSION ready in $prefix"
