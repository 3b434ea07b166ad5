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

// A progressive JPEG may hold any number of scans, each a pass over the whole image: a few
// kilobytes of repeated scans make decoding take minutes. Real files have about ten; libjpeg-turbo's
// own fuzzers stop at 500, and so does this reader.
#define IC_MAX_SCANS 500

static void ic_progress(j_common_ptr info) {
    j_decompress_ptr decompress = (j_decompress_ptr)info;
    if (decompress->input_scan_number > IC_MAX_SCANS) {
        ic_jpeg_error *error = (ic_jpeg_error *)info->err;
        snprintf(error->message, sizeof error->message, "more than %d progressive scans", IC_MAX_SCANS);
        longjmp(error->jump, 1);
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
    struct jpeg_progress_mgr progress = {0};
    progress.progress_monitor = ic_progress;
    info.progress = &progress;
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

// The encoder's output in a buffer grown here, so the error path always holds the live one:
// jpeg_mem_dest frees its old buffer on growth but updates the caller's pointer only at the end,
// so after a failure it names freed memory.
typedef struct {
    struct jpeg_destination_mgr manager;
    unsigned char *bytes;
    size_t capacity;
} ic_jpeg_destination;

static void ic_destination_start(j_compress_ptr info) {
    (void)info;
}

// Called with the buffer full: keep it all, double it.
static boolean ic_destination_grow(j_compress_ptr info) {
    ic_jpeg_destination *destination = (ic_jpeg_destination *)info->dest;
    size_t grown = destination->capacity * 2;
    unsigned char *bytes = grown > destination->capacity ? realloc(destination->bytes, grown) : NULL;
    if (!bytes) {
        ERREXIT1(info, JERR_OUT_OF_MEMORY, 10);
    }
    destination->manager.next_output_byte = bytes + destination->capacity;
    destination->manager.free_in_buffer = grown - destination->capacity;
    destination->bytes = bytes;
    destination->capacity = grown;
    return TRUE;
}

static void ic_destination_end(j_compress_ptr info) {
    (void)info;
}

int ic_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality, int progressive,
                   ic_buffer *output) {
    memset(output, 0, sizeof *output);
    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3) || quality < 1 || quality > 100) {
        snprintf(output->message, IC_MESSAGE_SIZE, "cannot encode %dx%d pixels of %d channels at quality %d",
                 width, height, channels, quality);
        return -1;
    }
    struct jpeg_compress_struct info;
    ic_jpeg_error error;
    // On the heap and set before setjmp: what the growth changes lives in memory the error path
    // reads, not in locals whose values a longjmp leaves indeterminate.
    ic_jpeg_destination *const destination = calloc(1, sizeof *destination);
    if (destination) destination->bytes = malloc(destination->capacity = 4096);
    if (!destination || !destination->bytes) {
        if (destination) free(destination);
        snprintf(output->message, IC_MESSAGE_SIZE, "out of memory for the JPEG output");
        return -1;
    }
    destination->manager.init_destination = ic_destination_start;
    destination->manager.empty_output_buffer = ic_destination_grow;
    destination->manager.term_destination = ic_destination_end;
    destination->manager.next_output_byte = destination->bytes;
    destination->manager.free_in_buffer = destination->capacity;
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = ic_error_exit;
    error.manager.emit_message = ic_emit_message;
    error.message[0] = 0;
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&info);
        free(destination->bytes);
        free(destination);
        ic_copy_message(output->message, error.message);
        return -1;
    }
    jpeg_create_compress(&info);
    info.dest = &destination->manager;
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = channels;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    if (progressive) jpeg_simple_progression(&info);
    jpeg_start_compress(&info, TRUE);
    const size_t rowBytes = (size_t)width * channels;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * rowBytes);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    output->bytes = destination->bytes;
    output->size = destination->capacity - destination->manager.free_in_buffer;
    free(destination);
    return 0;
}

void ic_free(void *pointer) {
    free(pointer);
}
