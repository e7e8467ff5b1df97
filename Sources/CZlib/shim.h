#include <zlib.h>

// deflateInit and inflateInit are macros that pass the library version and the stream's
// size, which Swift cannot import.
static inline int docket_deflate_init(z_streamp stream, int level) {
    return deflateInit(stream, level);
}

static inline int docket_inflate_init(z_streamp stream) {
    return inflateInit(stream);
}
