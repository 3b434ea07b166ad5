// zlib from the system (Debian: zlib1g-dev), used by Datasets to read gzipped IDX files.
#include <zlib.h>
