// libpng 1.6 (Debian: libpng-dev); CImageCodecs uses its simplified API (png_image_*).
#include <png.h>
