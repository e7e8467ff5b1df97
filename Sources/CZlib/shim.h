#include <zlib.h>

// deflateInit and inflateInit are macros that pass the library version and the stream's
// size, which Swift cannot import.
static inline int docket_deflate_init(z_streamp stream, int level) {
    return deflateInit(stream, level);
}

static inline int docket_inflate_init(z_streamp stream) {
    return inflateInit(stream);
}

// A raw deflate stream, without the zlib header and trailer, for a caller that checks them
// itself.
static inline int docket_inflate_init_raw(z_streamp stream) {
    return inflateInit2(stream, -MAX_WBITS);
}
