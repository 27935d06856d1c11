/* What both floors share: the clock and the one-line failure. */
#ifndef ENSEMBLE_CZMQFLOOR_SUPPORT_H
#define ENSEMBLE_CZMQFLOOR_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

static inline double floor_seconds(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Writes one line to `why` (when there is one) and returns `value`, for `return floor_fail(...)`. */
static inline int floor_fail(int value, char *why, size_t why_size, const char *format, ...) {
    if (why != NULL && why_size > 0) {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(why, why_size, format, arguments);
        va_end(arguments);
    }
    return value;
}

#endif
