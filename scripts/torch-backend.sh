# Sourced by scripts/test.sh and scripts/main.sh: chooses the libtorch to build against.
#   ENTRANNAS_TORCH=debian (default)  Debian's libtorch-dev 1.13 (CPU), found through libtorch.pc
#                                     in /usr/local/lib/pkgconfig (scripts/install-deps.sh)
#   ENTRANNAS_TORCH=wheel             the PyPI torch wheel's libtorch (2.11.0 by default,
#                                     ENTRANNAS_TORCH_VERSION to change), its CPU part; downloaded
#                                     once into ${XDG_CACHE_HOME:-~/.cache}/entrannas/torch-VERSION
#   ENTRANNAS_TORCH=wheel-cuda        the same wheel with its CUDA part linked (libtorch_cuda, kept
#                                     by --no-as-needed so CUDA kernels register) and NCCL; fetches
#                                     the CUDA runtime wheels the torch wheel requires (about 3 GB)
#                                     into the same folder. Runs on a CPU too (no GPU: CUDA absent).
# Sets BUILD_DIR (the scratch path), LINK_FLAGS (run-time library paths) and SWIFT_BUILD_FLAGS
# (both, as arrays) for every swift build/test of this package.
# The same sources build against both: the shim compiles as C++17 with either.
backend="${ENTRANNAS_TORCH:-debian}"
LINK_FLAGS=()
BUILD_DIR=.build
case "$backend" in
  debian) ;;
  wheel|wheel-cuda)
    version="${ENTRANNAS_TORCH_VERSION:-2.11.0}"
    home="${XDG_CACHE_HOME:-$HOME/.cache}/entrannas/torch-$version"
    if [ ! -f "$home/pkgconfig/libtorch.pc" ] || [ ! -f "$home/torch/lib/libtorch_cpu.so" ]; then
      command -v pip >/dev/null || command -v pip3 >/dev/null || { echo "error: pip is needed to fetch the torch wheel (apt-get install python3-pip)" >&2; exit 1; }
      pip=$(command -v pip || command -v pip3)
      command -v unzip >/dev/null || { echo "installing: unzip"; apt-get install -y -qq unzip >/dev/null; }
      echo "fetching the PyPI torch==$version wheel's libtorch into $home (about 1 GB unpacked)"
      rm -rf "$home.tmp" && mkdir -p "$home.tmp/wheels"
      "$pip" download --quiet --no-deps "torch==$version" -d "$home.tmp/wheels"
      # Its libtorch_cpu links the CUDA runtime and CUPTI even for CPU work; the versions come
      # from the wheel's own requirements.
      cuda=$(unzip -p "$home.tmp"/wheels/torch-*.whl "torch-$version.dist-info/METADATA" \
        | sed -nE 's/^Requires-Dist: cuda-toolkit\[[^]]*\]==([0-9.]+).*/\1/p' | head -1)
      if [ -n "$cuda" ]; then
        "$pip" download --quiet "cuda-toolkit[cudart,cupti]==$cuda" -d "$home.tmp/wheels"
      fi
      (cd "$home.tmp" && for w in wheels/*.whl; do unzip -q -o "$w" 'torch/lib/*' 'torch/include/*' 'nvidia/*' 2>/dev/null || true; done)
      [ -f "$home.tmp/torch/lib/libtorch_cpu.so" ] || { echo "error: the torch wheel held no torch/lib/libtorch_cpu.so" >&2; exit 1; }
      rm -rf "$home.tmp/wheels"
      rm -rf "$home" && mv "$home.tmp" "$home"
    fi
    # The linker must take the wheel's libraries, not Debian's of the same names, which other
    # packages' -L/usr/lib/... (libpng, libjpeg) put first: link through names only the wheel
    # has. The executables still record the libraries' own sonames (libtorch_cpu.so ...), found
    # at run time through the rpaths below.
    mkdir -p "$home/link" "$home/pkgconfig"
    for lib in torch_cpu c10 torch_cuda c10_cuda; do
      ln -sfn "../torch/lib/lib$lib.so" "$home/link/libentrannas_$lib.so"
    done
    printf '%s\n' 'prefix=${pcfiledir}/../torch' "Name: libtorch" "Description: libtorch from the PyPI torch wheel" \
      "Version: $version" 'Cflags: -I${prefix}/include -I${prefix}/include/torch/csrc/api/include' \
      'Libs: -L${pcfiledir}/../link -lentrannas_torch_cpu -lentrannas_c10' > "$home/pkgconfig/libtorch.pc"
    export PKG_CONFIG_PATH="$home/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    BUILD_DIR=".build-torch-$version"
    LINK_FLAGS=(-Xlinker -rpath -Xlinker "$home/torch/lib")
    if [ "$backend" = wheel-cuda ]; then
      if [ ! -f "$home/cuda-runtime.done" ]; then
        pip=$(command -v pip || command -v pip3)
        echo "fetching the CUDA runtime wheels torch==$version requires into $home (about 3 GB)"
        rm -rf "$home/cuda.tmp" && mkdir -p "$home/cuda.tmp"
        # Every Linux requirement of the wheel that brings shared libraries (cuDNN, NCCL, cuBLAS...).
        requirements=$(cd "$home/cuda.tmp" && "$pip" download --quiet --no-deps "torch==$version" -d . \
          && unzip -p torch-*.whl "torch-$version.dist-info/METADATA" \
          | sed -nE 's/^Requires-Dist: ((cuda-toolkit|nvidia-)[^;]*);.*Linux.*/\1/p' | tr -d ' ')
        rm -f "$home"/cuda.tmp/torch-*.whl
        # shellcheck disable=SC2086
        "$pip" download --quiet $requirements -d "$home/cuda.tmp"
        (cd "$home" && for w in cuda.tmp/*.whl; do unzip -q -o "$w" 'nvidia/*' 2>/dev/null || true; done)
        rm -rf "$home/cuda.tmp"
        touch "$home/cuda-runtime.done"
      fi
      # Headers ATen's CUDA headers include but no run-time library brings: CUDA's compiler
      # runtime (crt/) and CCCL (nv/target, cub, thrust).
      if [ ! -f "$home/cuda-headers.done" ]; then
        pip=$(command -v pip || command -v pip3)
        rm -rf "$home/h.tmp" && mkdir -p "$home/h.tmp"
        "$pip" download --quiet --no-deps "torch==$version" -d "$home/h.tmp"
        cuda=$(unzip -p "$home"/h.tmp/torch-*.whl "torch-$version.dist-info/METADATA" \
          | sed -nE 's/^Requires-Dist: cuda-toolkit\[[^]]*\]==([0-9.]+).*/\1/p' | head -1)
        rm -f "$home"/h.tmp/torch-*.whl
        "$pip" download --quiet "cuda-toolkit[crt,cccl]==$cuda" -d "$home/h.tmp"
        (cd "$home" && for w in h.tmp/*.whl; do unzip -q -o "$w" 'nvidia/*' 2>/dev/null || true; done)
        rm -rf "$home/h.tmp"
        touch "$home/cuda-headers.done"
      fi
      # NCCL's and CUDA's headers for the c10d NCCL process group and the CUDA allocator.
      nccl_include=$(dirname "$(find "$home/nvidia" -name nccl.h -print -quit)")
      cuda_include=$(dirname "$(find "$home/nvidia" -name cuda.h -print -quit)")
      BUILD_DIR=".build-torch-$version-cuda"
      LINK_FLAGS+=(-Xlinker --no-as-needed -Xlinker -lentrannas_torch_cuda -Xlinker -lentrannas_c10_cuda
                   -Xcxx -DCT_WITH_CUDA -Xcxx -I"$nccl_include" -Xcxx -I"$cuda_include")
    fi
    for lib in $(find "$home/nvidia" -name 'lib*.so*' -printf '%h\n' 2>/dev/null | sort -u); do
      LINK_FLAGS+=(-Xlinker -rpath -Xlinker "$lib")
    done
    ;;
  *) echo "error: ENTRANNAS_TORCH must be debian, wheel or wheel-cuda, got '$backend'" >&2; exit 1 ;;
esac
SWIFT_BUILD_FLAGS=(--scratch-path "$BUILD_DIR" "${LINK_FLAGS[@]}")

# Fails when BINARY does not run on the libtorch this backend promises (a stale libtorch.pc
# would otherwise fall back to Debian's headers and libraries without a word).
check_backend() {
  local got expected
  got=$("$1" info | sed -nE 's/^libtorch +([0-9.]+).*/\1/p')
  if [ "$backend" != debian ]; then expected=${version}; else expected=$(pkg-config --modversion libtorch 2>/dev/null | cut -d. -f1,2); fi
  case "$got" in
    "$expected"*) echo "libtorch $got ($backend backend)" ;;
    *) echo "error: $1 runs on libtorch '$got', but the $backend backend is libtorch $expected; delete $BUILD_DIR and rebuild" >&2; exit 1 ;;
  esac
}
