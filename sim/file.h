/* Reading a whole input file with a size limit (issue 18: every input avsim
 * reads has one, stated in the README's "Limits on input").
 *
 * A regular file larger than the limit is refused from its size, before any
 * read. Anything else that can be opened (a pipe, a character device such as
 * /dev/zero) is read up to the limit and refused beyond it, so no input makes
 * avsim read forever or ask for more memory than the limit. A directory is
 * refused by name. */
#ifndef AVSIM_SIM_FILE_H
#define AVSIM_SIM_FILE_H
#include <stddef.h>
#include <stdint.h>

#define MIB_BYTES (1ULL << 20)
#define GIB_BYTES (1ULL << 30)

/* Reads PATH into a malloc'd buffer (*data, *size; free it). 0 or -1 with a
 * message "PATH: why" in err. An empty file is read as size 0 (data non-NULL). */
int file_read_all(const char *path, uint64_t limit, uint8_t **data, size_t *size, char *err, size_t errlen);

/* "256 MiB", "2 GiB", "1048576 bytes": a limit for a message. */
const char *file_size_text(uint64_t bytes, char *buf, size_t len);

#endif
