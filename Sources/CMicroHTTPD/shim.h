#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <gnutls/gnutls.h>
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>

/* MHD_start_daemon, MHD_get_daemon_info and MHD_get_connection_info are
   C-variadic, which Swift does not import. These wrappers give each a fixed,
   type-checked signature; every option travels in one MHD_OPTION_ARRAY
   terminated by {MHD_OPTION_END, 0, NULL}. GnuTLS (libmicrohttpd's TLS) is
   included for checking client certificates. */

static inline struct MHD_Daemon *
cmhd_start_daemon (unsigned int flags,
                   uint16_t port,
                   MHD_AcceptPolicyCallback accept_policy,
                   void *accept_policy_cls,
                   MHD_AccessHandlerCallback handler,
                   void *handler_cls,
                   const struct MHD_OptionItem *options)
{
  return MHD_start_daemon (flags, port, accept_policy, accept_policy_cls, handler, handler_cls,
                           MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

static inline const union MHD_DaemonInfo *
cmhd_get_daemon_info (struct MHD_Daemon *daemon,
                      enum MHD_DaemonInfoType info_type)
{
  return MHD_get_daemon_info (daemon, info_type);
}

static inline const union MHD_ConnectionInfo *
cmhd_get_connection_info (struct MHD_Connection *connection,
                          enum MHD_ConnectionInfoType info_type)
{
  return MHD_get_connection_info (connection, info_type);
}

/* The calling thread's scheduling under Linux: `batch` picks SCHED_BATCH (CPU-bound work:
   its wakeups do not preempt other threads) or SCHED_OTHER, and `slice` its CPU slice under
   the EEVDF scheduler (sched_setattr(2): since Linux 6.12 `sched_runtime` of a SCHED_OTHER or
   SCHED_BATCH thread is its slice, 0.1 to 100 ms; 0 gives back the default; older kernels
   accept and ignore it). The nice value is read first and kept, so no privilege is needed; a
   thread under another policy (real-time, SCHED_IDLE) is left alone. glibc 2.36 has no
   wrapper: the system calls are made directly. Returns 0, or -1 with errno (ENOSYS before
   Linux 3.14). The structure is the kernel's SCHED_ATTR_SIZE_VER0 layout. */
struct cmhd_sched_attr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

static inline int
cmhd_set_thread_scheduling (int batch, uint64_t slice)
{
#if defined(__linux__) && defined(SYS_sched_setattr) && defined(SYS_sched_getattr)
  /* What this thread was last set to: asking for it again makes no system call. */
  static __thread int current = -1;
  static __thread uint64_t current_slice;
  if (current == batch && current_slice == slice)
    return 0;
  struct cmhd_sched_attr attr = {0};
  if (syscall (SYS_sched_getattr, 0, &attr, (unsigned int) sizeof attr, 0) != 0)
    return -1;
  if (attr.sched_policy != 0 && attr.sched_policy != 3) /* SCHED_OTHER, SCHED_BATCH */
    return 0;
  attr.size = sizeof attr;
  attr.sched_policy = batch ? 3 : 0;
  attr.sched_flags = 0;
  attr.sched_runtime = slice;
  attr.sched_deadline = 0;
  attr.sched_period = 0;
  if (syscall (SYS_sched_setattr, 0, &attr, 0) != 0)
    return -1;
  current = batch;
  current_slice = slice;
  return 0;
#else
  errno = ENOSYS;
  return -1;
#endif
}

/* The calling thread's policy and `sched_runtime` as sched_getattr(2) reports them: since
   Linux 6.12 the runtime of a SCHED_OTHER or SCHED_BATCH thread is its CPU slice (the default
   one unless set); older kernels report 0. Returns 0, or -1 with errno. */
static inline int
cmhd_get_thread_scheduling (uint32_t *policy, uint64_t *slice)
{
#if defined(__linux__) && defined(SYS_sched_getattr)
  struct cmhd_sched_attr attr = {0};
  if (syscall (SYS_sched_getattr, 0, &attr, (unsigned int) sizeof attr, 0) != 0)
    return -1;
  *policy = attr.sched_policy;
  *slice = attr.sched_runtime;
  return 0;
#else
  errno = ENOSYS;
  return -1;
#endif
}

#endif
