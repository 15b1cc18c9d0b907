#ifndef LP_SANDBOX_H
#define LP_SANDBOX_H

#include <stdint.h>
#include <sys/types.h>

/// What `lp_sandbox_spawn` does in the child between fork and exec, in this order: join each
/// cgroup (`cgroup_procs[i]` is a `cgroup.procs` path), move into its own process group, lower the
/// rlimits that are >= 0, drop supplementary groups and switch to `gid`/`uid` (when `uid` >= 0),
/// ask for SIGKILL when the forking thread dies, clear every capability set, put `fds[i]` on descriptor `i` and close every other descriptor,
/// then exec `path`.
struct lp_spawn_config {
    const char *path;
    char *const *argv;
    char *const *envp;
    /// Descriptors for the child's 0, 1, 2, 3, ...; `fd_count` of them (at most 16).
    const int *fds;
    int fd_count;
    const char *const *cgroup_procs;
    int cgroup_count;
    /// -1 keeps the caller's identity.
    int64_t uid;
    int64_t gid;
    /// RLIMIT_NPROC and RLIMIT_CPU (seconds) to set, or -1.
    int64_t rlimit_nproc;
    int64_t rlimit_cpu;
};

/// Forks and execs as described by `config`. Returns the child's pid, or -1 with `*failed_step`
/// naming the step that failed (a static string) and `*failed_errno` its errno.
pid_t lp_sandbox_spawn(const struct lp_spawn_config *config, const char **failed_step, int *failed_errno);

/// pipe2(2) with O_CLOEXEC (Swift's Glibc module lacks pipe2). Returns 0, or -1 with errno set.
int lp_pipe_cloexec(int fds[2]);

/// mount(2) for a size-capped tmpfs with `nosuid,nodev,noexec`; `options` is e.g. "size=1048576,mode=0700".
int lp_mount_tmpfs(const char *source, const char *target, const char *options);

/// umount2(2) with MNT_DETACH when `detach` is non-zero.
int lp_umount(const char *target, int detach);

/// Bind-mounts `source` at `target` read-only, nosuid, nodev. Returns 0, or -1 with errno set.
int lp_bind_readonly(const char *source, const char *target);

#endif
