#ifndef ENSEMBLE_CZMQ_SHIM_H
#define ENSEMBLE_CZMQ_SHIM_H

#include <zmq.h>
#include <errno.h>
#include <spawn.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <malloc.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/epoll.h>

/* Swift's Glibc module exposes neither eventfd nor the GNU posix_spawn
   extensions (they sit behind _GNU_SOURCE), so they are reached through
   these small inline helpers. */

/* glibc >= 2.34; declared here because the system header hides it. */
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *, int);

static inline int ensemble_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

static inline int ensemble_errno(void) { return errno; }

/* pthread_setname_np is a GNU extension the Glibc module hides. */
extern int pthread_setname_np(pthread_t thread, const char *name);
static inline int ensemble_name_thread(pthread_t thread, const char *name) {
    return pthread_setname_np(thread, name);
}

/* The calling thread's kernel id (gettid is hidden from the Glibc module). */
static inline int ensemble_thread_id(void) { return (int)syscall(SYS_gettid); }

/* The CPU time `thread` has used, in nanoseconds; -1 when it cannot be read. */
static inline long long ensemble_thread_cpu_ns(pthread_t thread) {
    clockid_t clock;
    struct timespec now;
    if (pthread_getcpuclockid(thread, &clock) != 0 || clock_gettime(clock, &now) != 0) return -1;
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

/* POSIX_SPAWN_SETSID is 0x80 in glibc (>= 2.26). */
static inline short ensemble_spawn_setsid_flag(void) { return 0x80; }

static inline int ensemble_spawn_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

/* One malloc arena for the process (M_ARENA_MAX is a macro the Glibc module does not carry);
   false when glibc refuses the option. */
static inline int ensemble_limit_malloc_arenas(int arenas) {
    return mallopt(M_ARENA_MAX, arenas);
}

/* Gives the pages of malloc's free chunks back to the system (malloc_trim(0)); 1 when any were. */
static inline int ensemble_return_free_memory(void) {
    return malloc_trim(0);
}

/* Raises the soft limit on open descriptors to the hard limit (capped at `most`); returns the
   soft limit in force afterwards, or -1 when it cannot be read. RLIMIT_NOFILE's type differs
   between C and the Glibc module's view of it, so the call lives here. */
static inline long ensemble_raise_file_limit(long most) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    rlim_t wanted = limit.rlim_max;
    if (most > 0 && (rlim_t)most < wanted) wanted = (rlim_t)most;
    if (wanted > limit.rlim_cur) {
        struct rlimit raised = { wanted, limit.rlim_max };
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit.rlim_cur = wanted;
    }
    return limit.rlim_cur == RLIM_INFINITY ? most : (long)limit.rlim_cur;
}

/* epoll, which the Glibc module does not carry. A registration's data is the caller's slot
   number, and the wait copies out only the slots, so Swift never handles the packed
   `struct epoll_event`. Every descriptor is watched for readability, level-triggered. */
static inline int ensemble_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

/* op: 0 adds, 1 changes, 2 removes `fd`. */
static inline int ensemble_epoll_control(int epoll, int op, int fd, unsigned long long slot) {
    static const int ops[] = { EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL };
    struct epoll_event event = { .events = EPOLLIN };
    event.data.u64 = slot;
    return epoll_ctl(epoll, ops[op], fd, &event);
}

/* Waits up to `timeout` ms; writes at most `capacity` (<= 64) fired slots to `slots` and
   returns how many, or -1 with errno set. */
static inline int ensemble_epoll_wait(int epoll, unsigned long long *slots, int capacity, int timeout) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count = epoll_wait(epoll, events, capacity, timeout);
    for (int index = 0; index < count; index++) slots[index] = events[index].data.u64;
    return count;
}

#endif
