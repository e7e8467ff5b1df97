#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type docket_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}
