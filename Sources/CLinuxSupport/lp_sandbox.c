#define _GNU_SOURCE
#include "lp_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct lp_child_error {
    int step;
    int error;
};

static const char *const lp_steps[] = {
    "join the job's cgroup", "set up the process group", "lower a resource limit", "drop supplementary groups",
    "switch to the job's group", "switch to the job's user", "drop capabilities", "set up file descriptors",
    "start bubblewrap",
};

/* Only async-signal-safe system calls from here on: the parent may have many threads. */
static void lp_child_fail(int report_fd, int step) {
    struct lp_child_error e = {step, errno};
    ssize_t ignored = write(report_fd, &e, sizeof(e));
    (void)ignored;
    _exit(127);
}

static void lp_child(const struct lp_spawn_config *c, int report_fd, pid_t parent) {
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    }
    for (int i = 0; i < c->cgroup_count; i++) {
        int fd = open(c->cgroup_procs[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1) lp_child_fail(report_fd, 0);
        close(fd);
    }
    if (setpgid(0, 0) != 0) lp_child_fail(report_fd, 1);
    if (c->rlimit_nproc >= 0) {
        struct rlimit r = {(rlim_t)c->rlimit_nproc, (rlim_t)c->rlimit_nproc};
        if (setrlimit(RLIMIT_NPROC, &r) != 0) lp_child_fail(report_fd, 2);
    }
    if (c->rlimit_cpu >= 0) {
        struct rlimit r = {(rlim_t)c->rlimit_cpu, (rlim_t)c->rlimit_cpu};
        if (setrlimit(RLIMIT_CPU, &r) != 0) lp_child_fail(report_fd, 2);
    }
    if (c->uid >= 0) {
        /* Raw system calls: glibc's wrappers broadcast to other threads, and the child has none. */
        if (syscall(SYS_setgroups, 0, NULL) != 0) lp_child_fail(report_fd, 3);
        if (syscall(SYS_setresgid, (gid_t)c->gid, (gid_t)c->gid, (gid_t)c->gid) != 0) lp_child_fail(report_fd, 4);
        if (syscall(SYS_setresuid, (uid_t)c->uid, (uid_t)c->uid, (uid_t)c->uid) != 0) lp_child_fail(report_fd, 5);
    }
    /* Die with the agent's thread that forked us (set after the uid switch, which clears it). */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) lp_child_fail(report_fd, 6);
    if (getppid() != parent) _exit(127);
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (c->uid >= 0) {
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) lp_child_fail(report_fd, 6);
        if (syscall(SYS_capset, &header, data) != 0) lp_child_fail(report_fd, 6);
    }
    /* Move every source above the targets first, so that no dup2 overwrites a later source. */
    int moved[16];
    int count = c->fd_count > 16 ? 16 : c->fd_count;
    for (int i = 0; i < count; i++) {
        moved[i] = fcntl(c->fds[i], F_DUPFD_CLOEXEC, 64);
        if (moved[i] < 0) lp_child_fail(report_fd, 7);
    }
    int report = fcntl(report_fd, F_DUPFD_CLOEXEC, 64 + 16);
    if (report < 0) lp_child_fail(report_fd, 7);
    report_fd = report;
    for (int i = 0; i < count; i++) {
        if (dup2(moved[i], i) != i) lp_child_fail(report_fd, 7);
    }
    /* Close everything else; the report pipe keeps its close-on-exec copy. */
    if (syscall(SYS_close_range, (unsigned)count, (unsigned)(report_fd - 1), 0) != 0
        || syscall(SYS_close_range, (unsigned)(report_fd + 1), ~0U, 0) != 0) {
        /* close_range exists since Linux 5.9. */
        for (int fd = count; fd < 65536; fd++) {
            if (fd != report_fd) close(fd);
        }
    }
    execve(c->path, c->argv, c->envp);
    lp_child_fail(report_fd, 8);
}

pid_t lp_sandbox_spawn(const struct lp_spawn_config *config, const char **failed_step, int *failed_errno) {
    int report[2];
    *failed_step = NULL;
    *failed_errno = 0;
    if (pipe2(report, O_CLOEXEC) != 0) {
        *failed_step = "create a pipe";
        *failed_errno = errno;
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        *failed_step = "fork";
        *failed_errno = errno;
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0) {
        close(report[0]);
        lp_child(config, report[1], parent);
        _exit(127);
    }
    close(report[1]);
    struct lp_child_error e;
    ssize_t n;
    do {
        n = read(report[0], &e, sizeof(e));
    } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof(e)) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *failed_step = (e.step >= 0 && e.step < (int)(sizeof(lp_steps) / sizeof(lp_steps[0]))) ? lp_steps[e.step] : "start the job";
        *failed_errno = e.error;
        return -1;
    }
    return pid;
}

int lp_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int lp_mount_tmpfs(const char *source, const char *target, const char *options) {
    return mount(source, target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options);
}

int lp_umount(const char *target, int detach) { return umount2(target, detach ? MNT_DETACH : 0); }

int lp_bind_readonly(const char *source, const char *target) {
    if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) != 0) return -1;
    if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0) {
        int saved = errno;
        umount2(target, MNT_DETACH);
        errno = saved;
        return -1;
    }
    return 0;
}
