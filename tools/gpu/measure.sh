#!/usr/bin/env bash
# Run THERE, on a lent GPU machine (no display, no network, Python 3.12 with numpy), from
# the repository root, after tools/gpu/pack.sh filled .gl/ and .whl/ here and the device
# call carried them (carry: [".gl", ".whl"], and ".thirdparty" if that folder exists):
#
#   bash tools/gpu/measure.sh
#
# It unpacks the GL loaders (.gl/*.deb with dpkg -x to /), installs the wheels to
# /tmp/site, points glvnd at NVIDIA's EGL driver where it does not find it, and measures
# `a4kplay bench` headless on EGL (no X server, no OSMesa):
#   - machine.txt  nvidia-smi, the EGL and GL strings of the bench's context, versions;
#   - bench.json   bench --interleave --baseline Learned-M of Off, Learned-S, Learned-M,
#                  Learned-M-1pass, UltraFast, Fast, Full and Learned-L (enabled in a
#                  copy of the shipped profiles.yaml) at four sizes, one bench process
#                  per size, merged by tools/gpu/merge.py;
#   - thirdparty.json  the same for each *.glsl file under .thirdparty/ (a --shader
#                  chain next to Learned-M), only if that folder exists (never committed);
#   - log.txt      everything printed, with each step's time and which steps failed.
# All of it goes to $OUT (the device tool's folder; ./gpu-out where it is unset).
#
# A time guard keeps the whole run under A4K_GPU_BUDGET_S (450 s): each step runs under
# `timeout` capped by what is left; a bench step that times out is tried once more with a
# fifth of the frames. A failed step does not stop the ones after it; the exit status is
# 1 if any failed (they are named at the end).
#
# A4K_GPU_DRYRUN=1: the same run here, on Mesa's software EGL device (llvmpipe): no dpkg,
# no pip (the venv has it all), tiny sizes and 2 frames. tests/gl/test_gpu_script.py runs
# it so. A4K_PYTHON picks the Python (default python3); A4K_GPU_FRAMES, A4K_GPU_WARMUP
# change the frames per run, A4K_GPU_BENCH_CAP the seconds one bench process may take
# (120), A4K_GPU_THIRDPARTY the folder of third-party shaders (.thirdparty).
set -u
cd "$(dirname "$0")/../.."
REPO=$PWD
OUT=${OUT:-$REPO/gpu-out}
mkdir -p "$OUT"
DRY=${A4K_GPU_DRYRUN:-0}
PY=${A4K_PYTHON:-python3}
BUDGET=${A4K_GPU_BUDGET_S:-450}
BASELINE=Learned-M
PROFILES=(Off Learned-S Learned-M Learned-M-1pass UltraFast Fast Full Learned-L)
if [ "$DRY" = 1 ]; then
    # the GPU sizes over 20: the same ratios, llvmpipe-sized
    SIZES=(96x54:192x108 64x36:192x108 64x36:96x54 43x24:192x108)
    TP_SIZES=(96x54:192x108)
    FRAMES=${A4K_GPU_FRAMES:-2} WARMUP=${A4K_GPU_WARMUP:-1}
else
    SIZES=(1920x1080:3840x2160 1280x720:3840x2160 1280x720:1920x1080 854x480:3840x2160)
    TP_SIZES=(1920x1080:3840x2160 1280x720:1920x1080)
    FRAMES=${A4K_GPU_FRAMES:-100} WARMUP=${A4K_GPU_WARMUP:-20}
fi
BENCH_CAP=${A4K_GPU_BENCH_CAP:-120}   # seconds at most for one size's bench process
THIRDPARTY=${A4K_GPU_THIRDPARTY:-.thirdparty}   # third-party *.glsl files, if any

T0=$SECONDS
FAILED=()

left() { echo $((BUDGET - (SECONDS - T0))); }

# step NAME CAP CMD...: run CMD under `timeout`, for CAP seconds or what is left of the
# budget if less; prints its time; a failure is recorded in FAILED and returned.
step() {
    local name=$1 cap=$2 rem t rc
    shift 2
    rem=$(left)
    if [ "$rem" -lt 15 ]; then
        echo "== $name: skipped, ${rem}s of the ${BUDGET}s budget left"
        FAILED+=("$name (skipped: out of time)")
        return 125
    fi
    [ "$cap" -gt "$rem" ] && cap=$rem
    echo "== $name (limit ${cap}s; ${rem}s of ${BUDGET}s left)"
    t=$SECONDS
    timeout -k 5 "$cap" "$@"
    rc=$?
    echo "== $name: exit $rc after $((SECONDS - t))s (elapsed $((SECONDS - T0))s)"
    if [ "$rc" -ne 0 ]; then
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            FAILED+=("$name (timed out after ${cap}s)")
        else
            FAILED+=("$name (exit $rc)")
        fi
    fi
    return "$rc"
}

# bench_step NAME JSON SIZES ARGS...: one bench process over SIZES (in:out pairs); on a
# timeout, once more with a fifth of the frames, if time is left.
bench_step() {
    local name=$1 json=$2 sizes=$3 ins=() outs=() pair rc
    shift 3
    for pair in $sizes; do ins+=("${pair%%:*}"); outs+=("${pair##*:}"); done
    local cmd=("$PY" -m player.cli bench --interleave --baseline "$BASELINE" --no-cpu
               --input "${ins[@]}" --output "${outs[@]}" --json "$json" "$@")
    step "$name" "$BENCH_CAP" "${cmd[@]}" --frames "$FRAMES" --warmup "$WARMUP"
    rc=$?
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        local few=$(( FRAMES / 5 > 5 ? FRAMES / 5 : 5 ))
        unset 'FAILED[-1]'                 # the retry's outcome counts instead
        FAILED=("${FAILED[@]}")
        echo "($name timed out: once more with $few frames)"
        step "$name (again, $few frames)" "$BENCH_CAP" "${cmd[@]}" --frames "$few" --warmup 2
        rc=$?
    fi
    return "$rc"
}

main() {
    echo "tools/gpu/measure.sh $(date -u +%FT%TZ) dry-run=$DRY budget=${BUDGET}s" \
         "frames=$FRAMES warmup=$WARMUP out=$OUT"
    echo "commit: $(git rev-parse HEAD 2>/dev/null || echo '?')" \
         "$(git status --porcelain 2>/dev/null | grep -q . && echo '(with local changes)')"
    WORK=$(mktemp -d /tmp/a4k-gpu.XXXXXX)

    # 1. what the machine lacks: GL loaders and our Python packages
    if [ "$DRY" != 1 ]; then
        step "unpack .gl" 60 bash -c 'set -e; ls .gl/*.deb >/dev/null
            for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig'
        step "install .whl" 120 "$PY" -m pip install -q --no-index --no-deps --no-compile \
            --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
        export PYTHONPATH=/tmp/site:$REPO
        # glvnd looks for vendors in /usr/share/glvnd/egl_vendor.d; these machines keep
        # NVIDIA's file (and its libraries) under /usr/local/nvidia: name it (NVIDIA alone)
        local nv=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
        if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && [ -f "$nv" ]; then
            export __EGL_VENDOR_LIBRARY_FILENAMES=$nv
        fi
        if ! ldconfig -p | grep -q libEGL_nvidia; then
            local d
            for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
                [ -e "$d/libEGL_nvidia.so.0" ] &&
                    export LD_LIBRARY_PATH=$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
            done
        fi
    else
        export PYTHONPATH=$REPO${PYTHONPATH:+:$PYTHONPATH}
    fi
    # headless EGL, whatever this machine's environment says
    unset DISPLAY WAYLAND_DISPLAY PYOPENGL_PLATFORM
    export A4KPLAY_GL=egl PYTHONUNBUFFERED=1

    # 2. the machine and its GL
    step "machine facts" 60 bash -c '{
        echo "## nvidia-smi"; nvidia-smi 2>&1 || echo "(no nvidia-smi)"
        nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,clocks.max.mem,power.limit \
            --format=csv 2>&1 || true
        echo "## system"; uname -a; nproc; "$0" --version
        "$0" -c "import numpy, OpenGL, yaml, PIL; print(\"numpy\", numpy.__version__,
            \"PyOpenGL\", OpenGL.__version__, \"PyYAML\", yaml.__version__,
            \"Pillow\", PIL.__version__)"
        echo "## GL loaders"
        ldconfig -p | grep -E "libEGL|libOpenGL|libGLX|libGLdispatch|libnvidia-(egl|gl)"
        ls /usr/local/nvidia/lib64 2>/dev/null | grep -E "EGL|GLX|libnvidia-(egl|gl)"
        echo "## EGL vendor files"
        ls /usr/share/glvnd/egl_vendor.d /etc/glvnd/egl_vendor.d \
            /usr/local/nvidia/share/glvnd/egl_vendor.d 2>&1
        cat "${__EGL_VENDOR_LIBRARY_FILENAMES:-/dev/null}"
        echo "## the bench context"; "$0" tools/gpu/probe.py
        } >"$1" 2>&1; rc=$?; cat "$1"; exit $rc' "$PY" "$OUT/machine.txt"

    # 3. the profiles file: the shipped one with Learned-L's four lines enabled
    local config=$WORK/profiles.yaml profiles=("${PROFILES[@]}") cfg=()
    if step "profiles with Learned-L" 30 "$PY" - player/shipped/profiles.yaml "$config" <<'PYEOF'
import sys
lines = open(sys.argv[1]).read().splitlines(keepends=True)
start = lines.index("  # Learned-L:\n")
for i in range(start, start + 4):
    assert lines[i].startswith("  # "), lines[i]
    lines[i] = "  " + lines[i][4:]
open(sys.argv[2], "w").write("".join(lines))
print("Learned-L enabled in", sys.argv[2])
PYEOF
    then
        cfg=(--config "$config")
    else
        echo "(measuring without Learned-L)"
        profiles=()
        local p
        for p in "${PROFILES[@]}"; do [ "$p" = Learned-L ] || profiles+=("$p"); done
    fi

    # 4. the profiles at each size, one process per size (a failure loses one size)
    local parts=() pair json
    for pair in "${SIZES[@]}"; do
        json=$WORK/bench-${pair/:/-}.json
        bench_step "bench $pair" "$json" "$pair" "${cfg[@]}" --profiles "${profiles[@]}"
        [ -f "$json" ] && parts+=("$json")
    done
    if [ "${#parts[@]}" -gt 0 ]; then
        step "merge bench.json" 60 "$PY" tools/gpu/merge.py "$OUT/bench.json" "${parts[@]}" ||
            cp "${parts[@]}" "$OUT/"
    else
        FAILED+=("bench.json (no size measured)")
    fi

    # 5. third-party shader files, if a folder of them was carried
    if [ -d "$THIRDPARTY" ]; then
        local tp=() f
        while IFS= read -r f; do
            json=$WORK/$(basename "${f%.glsl}").json
            bench_step "third-party $f" "$json" "${TP_SIZES[*]}" "${cfg[@]}" \
                --profiles "$BASELINE" --shader "$f" </dev/null
            [ -f "$json" ] && tp+=("$json")
        done < <(find "$THIRDPARTY" -name '*.glsl' | sort)
        if [ "${#tp[@]}" -gt 0 ]; then
            step "merge thirdparty.json" 60 "$PY" tools/gpu/merge.py "$OUT/thirdparty.json" \
                "${tp[@]}" --name-shaders-by-file
        else
            echo "($THIRDPARTY holds no .glsl file measured)"
        fi
    fi

    # 6. the clocks after the load, for the record
    if command -v nvidia-smi >/dev/null; then
        nvidia-smi --query-gpu=clocks.sm,clocks.mem,temperature.gpu,power.draw \
            --format=csv 2>&1 | tee -a "$OUT/machine.txt"
    fi
    rm -rf "$WORK"
    echo "elapsed: $((SECONDS - T0))s of ${BUDGET}s"
    if [ "${#FAILED[@]}" -gt 0 ]; then
        echo "FAILED steps (${#FAILED[@]}):"
        printf '  %s\n' "${FAILED[@]}"
        return 1
    fi
    echo "all steps passed"
}

main 2>&1 | tee "$OUT/log.txt"
exit "${PIPESTATUS[0]}"
