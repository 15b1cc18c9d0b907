/* Hostile-job probes for the sandbox tests (built with gcc -static at test time).
 * Each attempt prints "BLOCKED <errno name>" and exits 0 when the sandbox stopped it, or prints
 * "ALLOWED" and exits 1 when it got through. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/sched.h>
#include <unistd.h>

static int verdict(int result) {
    if (result < 0) {
        printf("BLOCKED %s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
        return 0;
    }
    printf("ALLOWED\n");
    return 1;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) return 2;
    const char *what = argv[1];
    if (!strcmp(what, "read") && argc > 2) return verdict(open(argv[2], O_RDONLY));
    if (!strcmp(what, "write") && argc > 2) return verdict(open(argv[2], O_WRONLY | O_CREAT, 0644));
    if (!strcmp(what, "connect") && argc > 3) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[3]))};
        inet_pton(AF_INET, argv[2], &a.sin_addr);
        return verdict(connect(s, (struct sockaddr *)&a, sizeof(a)));
    }
    if (!strcmp(what, "mount")) return verdict(mount("none", "/tmp", "tmpfs", 0, NULL));
    if (!strcmp(what, "remount")) return verdict(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL));
    if (!strcmp(what, "umount")) return verdict(umount2("/outputs", MNT_DETACH));
    if (!strcmp(what, "ptrace1")) return verdict((int)ptrace(PTRACE_ATTACH, 1, NULL, NULL));
    if (!strcmp(what, "unshare")) {
        if (unshare(CLONE_NEWUSER) == 0) return verdict(0);
        return verdict(unshare(CLONE_NEWNS));
    }
    if (!strcmp(what, "packet")) return verdict(socket(AF_PACKET, SOCK_RAW, 0));
    if (!strcmp(what, "chroot")) return verdict(chroot("/tmp"));
    if (!strcmp(what, "forkbomb")) {
        int n = 0;
        for (; n < 100000; n++) {
            pid_t p = fork();
            if (p == 0) { pause(); _exit(0); }
            if (p < 0) break;
        }
        printf("forks %d then %s\n", n, strerrorname_np(errno));
        return 0;
    }
    if (!strcmp(what, "memhog") && argc > 2) {
        long megabytes = atol(argv[2]);
        for (long i = 0; i < megabytes; i++) {
            char *p = malloc(1 << 20);
            if (!p) { printf("malloc failed at %ld MiB\n", i); return 3; }
            memset(p, 1, 1 << 20);
        }
        printf("survived %ld MiB\n", megabytes);
        return 0;
    }
    if (!strcmp(what, "fill") && argc > 3) {
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return verdict(fd);
        static char block[1 << 16];
        memset(block, 'x', sizeof(block));
        long long total = 0, want = atoll(argv[3]) << 20;
        int error = 0;
        while (total < want) {
            ssize_t w = write(fd, block, sizeof(block));
            if (w <= 0) { error = errno; break; }
            total += w;
        }
        close(fd);
        printf("wrote %lld then %s\n", total, error ? strerrorname_np(error) : "none");
        printf("continued\n");
        return 0;
    }
    /* Calls the seccomp filter denies (the namespaces and the unprivileged uid would stop some anyway). */
    if (!strcmp(what, "clone-newuser")) {
        long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        if (pid == 0) _exit(0);
        if (pid > 0) waitpid((pid_t)pid, NULL, 0);
        return verdict((int)pid);
    }
    if (!strcmp(what, "clone3")) {
        struct clone_args args = {.exit_signal = SIGCHLD};
        long pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid == 0) _exit(0);
        if (pid > 0) waitpid((pid_t)pid, NULL, 0);
        return verdict((int)pid);
    }
    if (!strcmp(what, "keyctl")) return verdict((int)syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
    if (!strcmp(what, "bpf")) return verdict((int)syscall(SYS_bpf, 0, NULL, 0));
    if (!strcmp(what, "userfaultfd")) return verdict((int)syscall(SYS_userfaultfd, 0));
    if (!strcmp(what, "io_uring")) {
        char params[120] = {0};
        return verdict((int)syscall(SYS_io_uring_setup, 1, params));
    }
    if (!strcmp(what, "perf")) {
        char attr[128] = {0};
        return verdict((int)syscall(SYS_perf_event_open, attr, 0, -1, -1, 0));
    }
    if (!strcmp(what, "tiocsti")) {
        char c = 'x';
        return verdict(ioctl(0, TIOCSTI, &c) < 0 && errno == EPERM ? -1 : 0);
    }
    if (!strcmp(what, "deep") && argc > 3) {
        /* A folder chain deeper than PATH_MAX, for the agent's output collection. */
        if (chdir(argv[2]) != 0) return verdict(-1);
        int levels = atoi(argv[3]), n = 0;
        for (; n < levels; n++) {
            if (mkdir("deep-folder-name", 0755) != 0 || chdir("deep-folder-name") != 0) break;
        }
        printf("levels %d\n", n);
        return 0;
    }
    return 2;
}
