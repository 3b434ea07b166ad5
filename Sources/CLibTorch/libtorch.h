// Nothing to import: this system-library target only carries libtorch's compiler and linker
// flags from pkg-config (libtorch.pc) to the shim that includes libtorch's C++ headers.
