#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <gnutls/gnutls.h>

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

#endif
