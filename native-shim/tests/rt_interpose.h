/* rt_interpose.h: the counters rt_interpose.so (LD_PRELOAD) keeps for the audio thread. */
#ifndef SEGUE_RT_INTERPOSE_H
#define SEGUE_RT_INTERPOSE_H

/* What a process() call must never do, counted only while the calling thread is marked. */
typedef struct {
    long malloc_calls, calloc_calls, realloc_calls, free_calls;
    long mutex_lock_calls, mutex_trylock_calls, mutex_unlock_calls;
    long syscall_wrapper_calls; /* write, read, nanosleep, usleep, poll */
} rt_counts_t;

/* Looked up with dlsym(RTLD_DEFAULT, ...) by the test host. */
typedef void (*rt_mark_fn)(int inside);
typedef void (*rt_counts_fn)(rt_counts_t *out);

#endif
