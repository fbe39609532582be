/*
 * platform_posix.c: the platform interface on POSIX systems (Linux, macOS). The only file in the
 * core that makes operating-system calls; see platform.h for who calls what.
 */
#define _POSIX_C_SOURCE 200809L
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t segue_platform_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void segue_platform_sleep_ms(unsigned ms) {
    struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

struct segue_thread {
    pthread_t id;
};

segue_thread_t *segue_platform_thread_start(void *(*fn)(void *), void *arg) {
    segue_thread_t *t = calloc(1, sizeof *t);
    if (t && pthread_create(&t->id, NULL, fn, arg) != 0) {
        free(t);
        t = NULL;
    }
    return t;
}

void segue_platform_thread_join(segue_thread_t *thread) {
    if (thread) {
        pthread_join(thread->id, NULL);
        free(thread);
    }
}

struct segue_mutex {
    pthread_mutex_t m;
};

segue_mutex_t *segue_platform_mutex_new(void) {
    segue_mutex_t *mutex = calloc(1, sizeof *mutex);
    if (mutex && pthread_mutex_init(&mutex->m, NULL) != 0) {
        free(mutex);
        mutex = NULL;
    }
    return mutex;
}

void segue_platform_mutex_free(segue_mutex_t *mutex) {
    if (mutex) {
        pthread_mutex_destroy(&mutex->m);
        free(mutex);
    }
}

void segue_platform_mutex_lock(segue_mutex_t *mutex) { pthread_mutex_lock(&mutex->m); }
void segue_platform_mutex_unlock(segue_mutex_t *mutex) { pthread_mutex_unlock(&mutex->m); }

int segue_platform_make_dirs(const char *path) {
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char saved = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
            buf[i] = saved;
        }
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

int segue_platform_file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int segue_platform_rename(const char *from, const char *to) {
    return rename(from, to) == 0 ? 0 : -1;
}

int segue_platform_default_stems_dir(char *out, size_t cap) {
    const char *dir = getenv("SEGUE_STEMS_DIR");
    int n;
    if (dir && *dir) {
        n = snprintf(out, cap, "%s", dir);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home) return -1;
        n = snprintf(out, cap, "%s/Segue/stems", home);
    }
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

uint64_t segue_platform_seed(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    static uint64_t counter;
    uint64_t x = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^ (++counter << 48) ^ (uint64_t)(uintptr_t)&ts;
    /* splitmix64 finaliser: spreads the clock bits over the whole word */
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

int segue_platform_config_dir(char *out, size_t cap) {
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/') n = snprintf(out, cap, "%s/segue", xdg);
    else if (home && *home) n = snprintf(out, cap, "%s/.config/segue", home);
    else return -1;
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int segue_platform_write_private_file(const char *path, const void *bytes, size_t n) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return -1;
    const char *p = bytes;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            close(fd);
            unlink(path);
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return close(fd) == 0 ? 0 : -1;
}

long segue_platform_read_small_file(const char *path, char *out, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (!f || cap == 0) {
        if (f) fclose(f);
        return -1;
    }
    size_t n = fread(out, 1, cap, f);
    fclose(f);
    if (n >= cap) return -1; /* larger than the caller allows */
    out[n] = '\0';
    return (long)n;
}
