#include <malloc.h>

// Sets how many heaps (arenas) glibc's malloc keeps for the process's threads. M_ARENA_MAX
// is a macro that Swift does not import. Returns 1 on success.
static inline int docket_set_malloc_arena_limit(int count) {
    return mallopt(M_ARENA_MAX, count);
}
