#ifndef LP_PROCESS_H
#define LP_PROCESS_H

#include <sys/types.h>

/// Starts `path` with posix_spawn(3) so that the child inherits exactly the descriptors it is
/// given, whatever other threads open at the same time: `fds[i]` becomes the child's descriptor
/// `i` (`fd_count` of them, at most 16; a source below `fd_count` must be its own target) and
/// every other descriptor is closed in the child. The child starts with no blocked signals and
/// default dispositions (a parent may run with SIGTERM blocked or ignored), in its own process
/// group when `new_process_group` is non-zero, in `directory` when it is not NULL. Returns 0 and
/// sets `*pid`, or an errno value (ENOENT: no such program, or no such directory).
int lp_process_spawn(pid_t *pid, const char *path, char *const *argv, char *const *envp, const int *fds, int fd_count,
                     const char *directory, int new_process_group);

#endif
