/* ruwrap: runs a provider binary as a child and, when it exits, appends its own CPU time and
 * peak RSS (from wait4's rusage, so nothing is missed between polls) to $RUWRAP_LOG.
 *
 *   ruwrap LABEL REAL_BINARY [ARGS...]
 *
 * The child inherits stdin/stdout/stderr, so Terraform/OpenTofu read the handshake line from it
 * directly; SIGTERM/SIGHUP are forwarded, SIGINT is ignored here (the provider decides for itself,
 * as Go plugins ignore it). Log line: label pid utime_us stime_us maxrss_kib exit_status.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child;

static void forward(int sig) {
    if (child > 0) kill(child, sig);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: ruwrap LABEL REAL_BINARY [ARGS...]\n");
        return 2;
    }
    signal(SIGINT, SIG_IGN);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        execv(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    child = pid;
    signal(SIGTERM, forward);
    signal(SIGHUP, forward);
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {}
    const char *log = getenv("RUWRAP_LOG");
    if (log && *log) {
        char line[256];
        int n = snprintf(line, sizeof line, "%s %d %ld %ld %ld %d\n", argv[1], (int)pid,
                         (long)ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
                         (long)ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec, ru.ru_maxrss, status);
        int fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
        if (fd >= 0) {
            (void)!write(fd, line, (size_t)n);
            close(fd);
        }
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
