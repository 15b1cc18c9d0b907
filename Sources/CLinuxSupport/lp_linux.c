#define _GNU_SOURCE
#include "lp_linux.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <linux/openat2.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <string.h>
#include <unistd.h>

int lp_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

int lp_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

static int lp_signal_fds[2] = {-1, -1};
static pthread_mutex_t lp_signal_lock = PTHREAD_MUTEX_INITIALIZER;

/* Async-signal-safe: one write to a non-blocking pipe; a full pipe drops the byte (signals of
   the same kind are already waiting to be read). */
static void lp_signal_write(int sig) {
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    ssize_t ignored = write(lp_signal_fds[1], &byte, 1);
    (void)ignored;
    errno = saved;
}

int lp_signal_pipe(const int *signals, int count) {
    pthread_mutex_lock(&lp_signal_lock);
    if (lp_signal_fds[0] < 0) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) {
            pthread_mutex_unlock(&lp_signal_lock);
            return -1;
        }
        fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
        lp_signal_fds[0] = fds[0];
        lp_signal_fds[1] = fds[1];
    }
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = lp_signal_write;
    action.sa_flags = SA_RESTART;
    sigfillset(&action.sa_mask);
    for (int i = 0; i < count; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) {
            pthread_mutex_unlock(&lp_signal_lock);
            return -1;
        }
    }
    pthread_mutex_unlock(&lp_signal_lock);
    return lp_signal_fds[0];
}
