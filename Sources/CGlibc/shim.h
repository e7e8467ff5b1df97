#include <malloc.h>
#include <sys/types.h>

// Sets how many heaps (arenas) glibc's malloc keeps for the process's threads. M_ARENA_MAX
// is a macro that Swift does not import. Returns 1 on success.
static inline int docket_set_malloc_arena_limit(int count) {
    return mallopt(M_ARENA_MAX, count);
}

// sync_file_range(2), a Linux call that glibc declares only under _GNU_SOURCE. The Glibc
// module Swift imports does not provide it.
extern int sync_file_range(int fd, __off64_t offset, __off64_t count, unsigned int flags);

// Starts writing the file's dirty pages in [offset, offset + length) to disk and returns
// without waiting for them (SYNC_FILE_RANGE_WRITE). Returns 0 on success, -1 with errno set.
static inline int docket_start_writeback(int descriptor, long long offset, long long length) {
    return sync_file_range(descriptor, offset, length, 2);
}
