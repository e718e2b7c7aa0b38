#!/usr/bin/env bash
# Run HERE (Debian 12, root, apt and PyPI reachable), once before a GPU measurement:
# fills two git-ignored folders in the repository root that the device run carries
# (carry: [".gl", ".whl"]) and tools/gpu/measure.sh unpacks there:
#   .gl/   the GL loaders (glvnd) as amd64 .deb files, unpacked with `dpkg -x` to /
#          (the GPU machines have NVIDIA's driver but no libEGL/libOpenGL loader);
#   .whl/  cp312 manylinux x86_64 wheels of what `a4kplay bench` imports there beyond
#          the machine's own numpy (PyOpenGL, PyYAML, Pillow), installed with
#          `pip install --no-index --target /tmp/site`.
# Then prints the sizes: the tree plus both folders must stay well under the 64 MiB a
# device call carries.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
# the versions the project's tests run with here (keep in step with the venv)
WHEELS=(PyOpenGL==3.1.10 PyYAML==6.0.4 pillow==13.0.0)
DEBS=(libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)

rm -rf .gl .whl
mkdir -p .gl .whl /tmp/a4k-amd64-lists/partial
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64
          -oDir::State::Lists=/tmp/a4k-amd64-lists -oAPT::Sandbox::User=root)
apt-get "${apt_opts[@]}" -qq update
(cd .gl && apt-get "${apt_opts[@]}" -qq download "${DEBS[@]}")

"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --platform manylinux1_x86_64 -d .whl "${WHEELS[@]}"

# one of each, or pip refuses the whole install there
for name in PyOpenGL PyYAML pillow; do
    n=$(find .whl -iname "${name}-*.whl" | wc -l)
    [ "$n" = 1 ] || { echo "pack.sh: $n wheels of $name in .whl (want 1)" >&2; exit 1; }
done
[ "$(find .gl -name '*.deb' | wc -l)" = "${#DEBS[@]}" ] || {
    echo "pack.sh: expected ${#DEBS[@]} .deb files in .gl" >&2; exit 1; }

# where a Python 3.12 is at hand, the wheels must install and import as they will there
py312=${PYTHON312:-python3.12}
if "$py312" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
    check=$(mktemp -d)
    "$py312" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
        --target "$check" .whl/*.whl
    PYTHONPATH=$check "$py312" -c 'import OpenGL, yaml, PIL.Image; print("wheels import on", __import__("sys").version.split()[0])'
    rm -rf "$check"
else
    echo "(no Python 3.12 here: the wheels were not test-installed)"
fi

ls -l .gl .whl
gl=$(du -cb .gl/* | tail -1 | cut -f1)
whl=$(du -cb .whl/* | tail -1 | cut -f1)
tree=$(git ls-files -z | xargs -0 du -cb | awk '/\ttotal$/ {s += $1} END {print s}')
total=$((gl + whl + tree))
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
echo ".gl:   $(mib "$gl")"
echo ".whl:  $(mib "$whl")"
echo "tree:  $(mib "$tree") (git ls-files)"
echo "total: $(mib "$total") of the 64 MiB a device call carries"
if [ "$total" -gt $((48 * 1048576)) ]; then
    echo "pack.sh: over 48 MiB: too close to the 64 MiB limit" >&2
    exit 1
fi
