// JPEG through libjpeg-turbo's classic API, with an error manager that longjmps back here.
#include "image_codecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} ic_jpeg_error;

static void ic_error_exit(j_common_ptr info) {
    ic_jpeg_error *error = (ic_jpeg_error *)info->err;
    (*info->err->format_message)(info, error->message);
    longjmp(error->jump, 1);
}

// Warnings and trace messages: nothing printed, decoding goes on (as Pillow ignores
// "extraneous bytes before marker" and the like), except for data that ends early: a truncated
// file decodes to a grey lower part, and Pillow refuses it too ("image file is truncated").
static void ic_emit_message(j_common_ptr info, int level) {
    if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) {
        ic_error_exit(info);
    }
}

static void ic_copy_message(char *target, const char *source) {
    snprintf(target, IC_MESSAGE_SIZE, "%s", source);
}

int ic_jpeg_decode(const unsigned char *data, size_t size, ic_image *image) {
    memset(image, 0, sizeof *image);
    struct jpeg_decompress_struct info;
    ic_jpeg_error error;
    // Changed after setjmp and read after the jump: volatile, so the value survives it.
    unsigned char *volatile pixels = NULL;
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = ic_error_exit;
    error.manager.emit_message = ic_emit_message;
    error.message[0] = 0;
    if (setjmp(error.jump)) {
        free(pixels);
        jpeg_destroy_decompress(&info);
        ic_copy_message(image->message, error.message[0] ? error.message : "not a JPEG");
        return -1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);
    int cmyk = 0;
    switch (info.jpeg_color_space) {
    case JCS_GRAYSCALE:
        info.out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        info.out_color_space = JCS_CMYK;
        cmyk = 1;
        break;
    default:
        info.out_color_space = JCS_RGB;
        break;
    }
    unsigned long long pixelCount = (unsigned long long)info.image_width * info.image_height;
    if (pixelCount > IC_MAX_PIXELS) {
        snprintf(error.message, sizeof error.message, "image is %ux%u pixels, over the limit of %llu",
                 info.image_width, info.image_height, IC_MAX_PIXELS);
        longjmp(error.jump, 1);
    }
    jpeg_start_decompress(&info);
    const size_t components = (size_t)info.output_components;
    const size_t rowBytes = (size_t)info.output_width * components;
    pixels = malloc(rowBytes * info.output_height);
    if (!pixels) {
        snprintf(error.message, sizeof error.message, "out of memory for %ux%u pixels", info.output_width,
                 info.output_height);
        longjmp(error.jump, 1);
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + (size_t)info.output_scanline * rowBytes;
        jpeg_read_scanlines(&info, &row, 1);
    }
    const int adobeInverted = info.saw_Adobe_marker;
    image->width = (int)info.output_width;
    image->height = (int)info.output_height;
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);

    unsigned char *result = pixels;
    if (cmyk) {
        // CMYK to RGB in place, as Pillow converts: R = (255 - C)(255 - K) / 255. Photoshop
        // (Adobe marker) stores the inks inverted, so there R = C K / 255.
        const size_t count = (size_t)image->width * image->height;
        for (size_t index = 0; index < count; index++) {
            unsigned c = result[4 * index], m = result[4 * index + 1], y = result[4 * index + 2], k = result[4 * index + 3];
            if (!adobeInverted) {
                c = 255 - c;
                m = 255 - m;
                y = 255 - y;
                k = 255 - k;
            }
            result[3 * index] = (unsigned char)((c * k + 127) / 255);
            result[3 * index + 1] = (unsigned char)((m * k + 127) / 255);
            result[3 * index + 2] = (unsigned char)((y * k + 127) / 255);
        }
        image->channels = 3;
    } else {
        image->channels = (int)components;
    }
    image->pixels = result;
    return 0;
}

int ic_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality, ic_buffer *output) {
    memset(output, 0, sizeof *output);
    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3) || quality < 1 || quality > 100) {
        snprintf(output->message, IC_MESSAGE_SIZE, "cannot encode %dx%d pixels of %d channels at quality %d",
                 width, height, channels, quality);
        return -1;
    }
    struct jpeg_compress_struct info;
    ic_jpeg_error error;
    // jpeg_mem_dest mallocs and grows the buffer, updating these; in memory (address taken) so
    // the error path sees the latest buffer to free.
    struct {
        unsigned char *bytes;
        unsigned long size;
    } destination = {NULL, 0};
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = ic_error_exit;
    error.manager.emit_message = ic_emit_message;
    error.message[0] = 0;
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&info);
        free(destination.bytes);
        ic_copy_message(output->message, error.message);
        return -1;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &destination.bytes, &destination.size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = channels;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    const size_t rowBytes = (size_t)width * channels;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * rowBytes);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    output->bytes = destination.bytes;
    output->size = destination.size;
    return 0;
}

void ic_free(void *pointer) {
    free(pointer);
}
