#include <zlib.h>

/// inflateInit2 is a macro; Swift cannot call it directly.
static inline int lp_inflate_init2(z_stream *stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}
