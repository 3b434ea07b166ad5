// JPEG (libjpeg-turbo) and PNG (libpng16) decoding and encoding behind four plain C calls.
// libjpeg reports errors by calling an error_exit handler that must not return, and the only
// way out is longjmp, which Swift cannot catch: here the handler jumps back inside C and every
// failure comes back as a return code and a one-line message. libpng's simplified API needs no
// such care but sits here too, so the Swift side sees one interface for both formats.
#ifndef IMAGE_CODECS_H
#define IMAGE_CODECS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Room for a codec's message, terminating zero included.
#define IC_MESSAGE_SIZE 200

/// Largest image decoded, in pixels: Pillow's decompression-bomb limit (2 x 89,478,485), so a
/// damaged or hostile header cannot ask for gigabytes.
#define IC_MAX_PIXELS 178956970ULL

/// A decoded image: `height` rows of `width` pixels of `channels` (1 grey or 3 RGB) interleaved
/// 8-bit values, malloc'ed; free `pixels` with ic_free. On failure `pixels` is NULL and
/// `message` says why.
typedef struct {
    unsigned char *pixels;
    int width;
    int height;
    int channels;
    char message[IC_MESSAGE_SIZE];
} ic_image;

/// Encoded bytes, malloc'ed; free `bytes` with ic_free. On failure `bytes` is NULL.
typedef struct {
    unsigned char *bytes;
    size_t size;
    char message[IC_MESSAGE_SIZE];
} ic_buffer;

/// Decodes a JPEG: greyscale stays 1 channel, everything else becomes RGB (CMYK and YCCK too,
/// Adobe's inverted CMYK included). Warnings (extraneous bytes before a marker, ...) are
/// ignored, as Pillow ignores them; data that ends early is an error, as in Pillow. Returns 0
/// on success.
int ic_jpeg_decode(const unsigned char *data, size_t size, ic_image *image);

/// Decodes a PNG through libpng's simplified API: any bit depth, palette or colour type becomes
/// 8-bit grey (1 channel) or RGB (3); an alpha channel is dropped, as Pillow's convert("RGB")
/// drops it. Returns 0 on success.
int ic_png_decode(const unsigned char *data, size_t size, ic_image *image);

/// Encodes interleaved 8-bit grey (channels 1) or RGB (3) pixels as a baseline JPEG of
/// `quality` (1...100), progressive (libjpeg's simple progression) when `progressive` is not 0.
/// Returns 0 on success.
int ic_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality, int progressive,
                   ic_buffer *output);

/// Encodes interleaved 8-bit grey (channels 1), grey + alpha (2), RGB (3) or RGBA (4) pixels as
/// a PNG. Returns 0 on success.
int ic_png_encode(const unsigned char *pixels, int width, int height, int channels, ic_buffer *output);

/// Frees what the calls above allocated.
void ic_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
