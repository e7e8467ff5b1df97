#include <zlib.h>

// deflateInit and inflateInit are macros that pass the library version and the stream's
// size, which Swift cannot import.
static inline int docket_deflate_init(z_streamp stream, int level) {
    return deflateInit(stream, level);
}

static inline int docket_inflate_init(z_streamp stream) {
    return inflateInit(stream);
}

// Raw deflate (RFC 1951): no zlib header, dictionary id or Adler-32 trailer.
static inline int docket_deflate_init_raw(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}

static inline int docket_inflate_init_raw(z_streamp stream) {
    return inflateInit2(stream, -MAX_WBITS);
}
