#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>

/* deflateInit2 is a macro, which Swift does not import: this wrapper gives it a
   fixed signature. windowBits 15 + 16 asks zlib for a gzip header and trailer. */
static inline int
czlib_gzip_init (z_stream *stream, int level)
{
  return deflateInit2 (stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

#endif
