/*
 * platform.h: the few operating-system services the core needs, behind one small interface.
 *
 * Everything here is called from the client thread or from host control threads, never from the
 * audio thread. platform_posix.c implements it for Linux and macOS; a Windows port adds one file.
 */
#ifndef SEGUE_PLATFORM_H
#define SEGUE_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Monotonic milliseconds (never jumps with the wall clock): heartbeats and timeouts. */
uint64_t segue_platform_now_ms(void);

/* Sleeps the calling (client) thread. */
void segue_platform_sleep_ms(unsigned ms);

typedef struct segue_thread segue_thread_t;
/* Starts fn(arg) on a new thread; NULL when the system refuses. */
segue_thread_t *segue_platform_thread_start(void *(*fn)(void *), void *arg);
void segue_platform_thread_join(segue_thread_t *thread);

/* A mutex for the control threads and the client thread (never the audio thread): the core's short lock over
 * its strings and job history, and the capture ring's allocation. Created with the core; NULL when the
 * system refuses. The core keeps only a pointer, so a port implements it with what its system has
 * (pthreads here; an SRWLOCK or CRITICAL_SECTION on Windows) without touching the core. */
typedef struct segue_mutex segue_mutex_t;
segue_mutex_t *segue_platform_mutex_new(void);
void segue_platform_mutex_free(segue_mutex_t *mutex);
void segue_platform_mutex_lock(segue_mutex_t *mutex);
void segue_platform_mutex_unlock(segue_mutex_t *mutex);

/* Creates a folder and its parents (like mkdir -p); 0 on success or when it already exists. */
int segue_platform_make_dirs(const char *path);

/* 1 when a regular file exists at path. */
int segue_platform_file_exists(const char *path);

/* Moves a finished temporary file into place in one step, so readers never see half a file. */
int segue_platform_rename(const char *from, const char *to);

/* The default stems folder: $SEGUE_STEMS_DIR, else $HOME/Segue/stems; 0 on success. */
int segue_platform_default_stems_dir(char *out, size_t cap);

/* The per-user settings folder for Segue: $XDG_CONFIG_HOME/segue, else $HOME/.config/segue (on Windows
 * it would be %APPDATA%\\Segue); 0 on success. The folder is not created here. */
int segue_platform_config_dir(char *out, size_t cap);

/* Creates a new file readable and writable by its owner only (mode 0600 on POSIX) holding `bytes`;
 * fails (-1) when the file exists, so a key is never overwritten. */
int segue_platform_write_private_file(const char *path, const void *bytes, size_t n);

/* Reads a whole small file (at most cap - 1 bytes) as text; its length, or -1 when missing or larger. */
long segue_platform_read_small_file(const char *path, char *out, size_t cap);

/* 64 unpredictable-enough bits for a generation seed (not for cryptography). */
uint64_t segue_platform_seed(void);

#ifdef __cplusplus
}
#endif
#endif
