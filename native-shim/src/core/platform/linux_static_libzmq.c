/*
 * linux_static_libzmq.c: what it takes to put Debian's libzmq.a inside a plugin (a shared object).
 *
 * WHY: a plugin must not need libzmq (or libsodium, libpgm, libnorm, Kerberos) on a producer's
 * machine, so the bundles link them statically. Debian builds libzmq.a as position-independent
 * *executable* code (-fPIE), which reaches a few data symbols of other libraries with PC-relative
 * relocations. A shared object can satisfy such a relocation only with a definition of its own, so
 * this file gives the plugin its own copy of each. They are local to the plugin (the linker version
 * script exports only the plugin entry points), so no host or other plugin ever sees them.
 *
 * - stderr: libzmq's assertion messages print there; it holds the C library's stream, copied at load.
 * - in6addr_any: the all-zero IPv6 address, a constant.
 * - __libc_single_threaded: 0 tells libstdc++ to always use atomic reference counts, which is
 *   correct in every process (it is only an optimisation for processes without threads).
 * - GSSAPI (Kerberos) symbols: libzmq.a is built with its GSSAPI security mechanism, and Debian
 *   ships no static Kerberos library. Segue uses plain TCP or CurveZMQ, never ZMQ_GSSAPI, so the
 *   mechanism is unreachable; these answer GSS_S_FAILURE should anything ever call them.
 *
 * Linux only: on macOS the build links libzmq from a static build made with -fPIC (README).
 */
#include <dlfcn.h>
#include <stdint.h>

#define SEGUE_LOCAL __attribute__((visibility("hidden")))

SEGUE_LOCAL void *stderr;
SEGUE_LOCAL char __libc_single_threaded = 0;
SEGUE_LOCAL const unsigned char in6addr_any[16] = {0};
SEGUE_LOCAL void *GSS_C_NT_HOSTBASED_SERVICE;
SEGUE_LOCAL void *GSS_C_NT_USER_NAME;

__attribute__((constructor)) static void segue_copy_libc_stderr(void) {
    void **libc_stderr = (void **)dlsym(RTLD_DEFAULT, "stderr");
    if (libc_stderr) stderr = *libc_stderr;
}

/* Every GSSAPI call takes the minor status first; GSS_S_FAILURE is 13 << 16. */
#define SEGUE_GSS_UNAVAILABLE(name)                   \
    SEGUE_LOCAL uint32_t name(uint32_t *minor_status); \
    SEGUE_LOCAL uint32_t name(uint32_t *minor_status) {   \
        if (minor_status) *minor_status = 0;          \
        return 13u << 16;                             \
    }
SEGUE_GSS_UNAVAILABLE(gss_accept_sec_context)
SEGUE_GSS_UNAVAILABLE(gss_acquire_cred)
SEGUE_GSS_UNAVAILABLE(gss_delete_sec_context)
SEGUE_GSS_UNAVAILABLE(gss_display_name)
SEGUE_GSS_UNAVAILABLE(gss_import_name)
SEGUE_GSS_UNAVAILABLE(gss_init_sec_context)
SEGUE_GSS_UNAVAILABLE(gss_release_buffer)
SEGUE_GSS_UNAVAILABLE(gss_release_cred)
SEGUE_GSS_UNAVAILABLE(gss_release_name)
SEGUE_GSS_UNAVAILABLE(gss_unwrap)
SEGUE_GSS_UNAVAILABLE(gss_wrap)
