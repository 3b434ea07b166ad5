// PNG through libpng 1.6's simplified API, which catches its own errors.
#include "image_codecs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>

static void ic_png_message(char *target, const png_image *image, const char *fallback) {
    snprintf(target, IC_MESSAGE_SIZE, "%s", image->message[0] ? image->message : fallback);
}

int ic_png_decode(const unsigned char *data, size_t size, ic_image *result) {
    memset(result, 0, sizeof *result);
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, size)) {
        ic_png_message(result->message, &image, "not a PNG");
        png_image_free(&image);
        return -1;
    }
    if ((unsigned long long)image.width * image.height > IC_MAX_PIXELS) {
        snprintf(result->message, IC_MESSAGE_SIZE, "image is %ux%u pixels, over the limit of %llu",
                 image.width, image.height, IC_MAX_PIXELS);
        png_image_free(&image);
        return -1;
    }
    // A 16-bit file without gAMA or sRGB chunk is sRGB, not linear (libpng's default would
    // brighten it): its values become v / 257, as most viewers read it.
    image.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
    const int color = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;
    const int alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    // 8-bit sRGB output with alpha is not premultiplied, so dropping alpha afterwards leaves the
    // stored colours, as Pillow's convert("RGB") does; without alpha in the request libpng
    // would composite onto a background instead.
    image.format = color ? (alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB) : (alpha ? PNG_FORMAT_GA : PNG_FORMAT_GRAY);
    const size_t stored = PNG_IMAGE_PIXEL_CHANNELS(image.format);
    const size_t channels = color ? 3 : 1;
    unsigned char *pixels = malloc(PNG_IMAGE_SIZE(image));
    if (!pixels) {
        snprintf(result->message, IC_MESSAGE_SIZE, "out of memory for %ux%u pixels", image.width, image.height);
        png_image_free(&image);
        return -1;
    }
    if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
        ic_png_message(result->message, &image, "damaged PNG");
        free(pixels);
        png_image_free(&image);
        return -1;
    }
    if (alpha) {
        const size_t count = (size_t)image.width * image.height;
        for (size_t index = 0; index < count; index++) {
            memmove(pixels + index * channels, pixels + index * stored, channels);
        }
    }
    result->pixels = pixels;
    result->width = (int)image.width;
    result->height = (int)image.height;
    result->channels = (int)channels;
    png_image_free(&image);
    return 0;
}

int ic_png_encode(const unsigned char *pixels, int width, int height, int channels, ic_buffer *output) {
    memset(output, 0, sizeof *output);
    if (width <= 0 || height <= 0 || channels < 1 || channels > 4) {
        snprintf(output->message, IC_MESSAGE_SIZE, "cannot encode %dx%d pixels of %d channels", width, height, channels);
        return -1;
    }
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    static const png_uint_32 formats[] = {PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB, PNG_FORMAT_RGBA};
    image.format = formats[channels - 1];
    png_alloc_size_t size = 0;
    // First call: the size; second: the bytes.
    if (!png_image_write_to_memory(&image, NULL, &size, 0, pixels, 0, NULL)) {
        ic_png_message(output->message, &image, "PNG encoding failed");
        png_image_free(&image);
        return -1;
    }
    unsigned char *bytes = malloc(size);
    if (!bytes) {
        snprintf(output->message, IC_MESSAGE_SIZE, "out of memory for %zu PNG bytes", (size_t)size);
        return -1;
    }
    if (!png_image_write_to_memory(&image, bytes, &size, 0, pixels, 0, NULL)) {
        ic_png_message(output->message, &image, "PNG encoding failed");
        free(bytes);
        png_image_free(&image);
        return -1;
    }
    output->bytes = bytes;
    output->size = size;
    return 0;
}
