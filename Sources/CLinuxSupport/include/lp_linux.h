#ifndef LP_LINUX_H
#define LP_LINUX_H

#include <stdint.h>
#include <sys/types.h>

/// openat2(2) with `RESOLVE_*` flags (kernel 5.6+). Returns a file descriptor, or -1 with errno set.
int lp_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);

/// prctl(PR_SET_CHILD_SUBREAPER, 1). Returns 0, or -1 with errno set.
int lp_set_child_subreaper(void);

/// Catches each of `signals` (`count` of them) with a handler that writes the signal's number, as
/// one byte, to a pipe, from whichever thread the kernel picks; returns the pipe's read end
/// (close-on-exec), the same on every call, or -1 with errno set.
int lp_signal_pipe(const int *signals, int count);

#endif
