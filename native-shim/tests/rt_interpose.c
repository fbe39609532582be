/*
 * rt_interpose.so: LD_PRELOAD'ed into the test host. It wraps the allocator, pthread mutexes and a
 * few system-call wrappers, and counts calls made while the calling thread is marked as being
 * inside the plugin's process() (a thread-local flag the host sets around each call).
 */
#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include "rt_interpose.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static __thread int inside_process;
static atomic_long counts[8];

__attribute__((visibility("default"))) void rt_interpose_mark(int inside) { inside_process = inside; }

__attribute__((visibility("default"))) void rt_interpose_counts(rt_counts_t *out) {
    long *o = (long *)out;
    for (int i = 0; i < 8; i++) o[i] = atomic_load(&counts[i]);
}

#define COUNT(i) do { if (inside_process) atomic_fetch_add(&counts[i], 1); } while (0)
#define REAL(ret, name, ...) static ret (*real_##name)(__VA_ARGS__); \
    if (!real_##name) real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

void *malloc(size_t n) { COUNT(0); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { COUNT(1); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { COUNT(2); return __libc_realloc(p, n); }
void free(void *p) { COUNT(3); __libc_free(p); }

int pthread_mutex_lock(pthread_mutex_t *m) { COUNT(4); REAL(int, pthread_mutex_lock, pthread_mutex_t *); return real_pthread_mutex_lock(m); }
int pthread_mutex_trylock(pthread_mutex_t *m) { COUNT(5); REAL(int, pthread_mutex_trylock, pthread_mutex_t *); return real_pthread_mutex_trylock(m); }
int pthread_mutex_unlock(pthread_mutex_t *m) { COUNT(6); REAL(int, pthread_mutex_unlock, pthread_mutex_t *); return real_pthread_mutex_unlock(m); }

ssize_t write(int fd, const void *b, size_t n) { COUNT(7); REAL(ssize_t, write, int, const void *, size_t); return real_write(fd, b, n); }
ssize_t read(int fd, void *b, size_t n) { COUNT(7); REAL(ssize_t, read, int, void *, size_t); return real_read(fd, b, n); }
int nanosleep(const struct timespec *a, struct timespec *b) { COUNT(7); REAL(int, nanosleep, const struct timespec *, struct timespec *); return real_nanosleep(a, b); }
int usleep(useconds_t u) { COUNT(7); REAL(int, usleep, useconds_t); return real_usleep(u); }
int poll(struct pollfd *f, nfds_t n, int t) { COUNT(7); REAL(int, poll, struct pollfd *, nfds_t, int); return real_poll(f, n, t); }
