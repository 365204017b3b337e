/* handshake: times spawn -> first stdout line (the go-plugin handshake) of several provider
 * binaries, interleaved, and reads each one's peak RSS (VmHWM) the moment the line arrives.
 *
 *   handshake ROUNDS CLIENT_CERT_PEM_FILE LABEL=BINARY [LABEL=BINARY ...]  > samples.csv
 *
 * Every round runs each binary once, in an order rotated by one per round, after one unrecorded
 * warm-up round. The environment is what Terraform/OpenTofu give a provider with AutoMTLS on:
 * magic cookie, PLUGIN_PROTOCOL_VERSIONS=5,6, the port range and PLUGIN_CLIENT_CERT.
 * Output: label,round,handshake_us,vmhwm_kib,vmrss_kib,rssanon_kib,rssfile_kib (RssFile: pages of
 * the binary and its shared libraries, clean and shareable; RssAnon: the process's own memory). The provider is then SIGKILLed, reaped,
 * and its unix socket and socket directory (if it printed one under /tmp) removed.
 * posix_spawn (vfork-based) keeps the harness's own share of the measured time to ~0.1 ms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long status_kib(pid_t pid, const char *key) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    size_t n = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, n) == 0 && line[n] == ':') {
            v = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Removes the unix socket named in field 4 of the handshake line and its private directory. */
static void cleanup(const char *line) {
    char buf[8192];
    snprintf(buf, sizeof buf, "%s", line);
    char *save = NULL, *f[6] = {0};
    int i = 0;
    for (char *t = strtok_r(buf, "|", &save); t && i < 6; t = strtok_r(NULL, "|", &save)) f[i++] = t;
    if (i < 4 || strcmp(f[2], "unix") != 0 || strncmp(f[3], "/tmp/", 5) != 0) return;
    unlink(f[3]);
    char *slash = strrchr(f[3], '/');
    if (slash && slash > f[3] + 4) {
        *slash = 0;
        rmdir(f[3]);
    }
}

static int run_one(const char *label, const char *bin, int round, int record) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *argv[] = {(char *)bin, NULL};
    pid_t pid;
    double t0 = now_us();
    int rc = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (rc != 0) {
        fprintf(stderr, "spawn %s: %s\n", bin, strerror(rc));
        close(p[0]);
        return -1;
    }
    char line[8192];
    size_t len = 0;
    int got = 0;
    while (len < sizeof line - 1) {
        ssize_t n = read(p[0], line + len, sizeof line - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        len += (size_t)n;
        if (memchr(line, '\n', len)) { got = 1; break; }
    }
    double t1 = now_us();
    long hwm = status_kib(pid, "VmHWM"), rss = status_kib(pid, "VmRSS");
    long anon = status_kib(pid, "RssAnon"), file = status_kib(pid, "RssFile");
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(p[0]);
    line[len] = 0;
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    if (!got || line[0] != '1' || line[1] != '|') {
        fprintf(stderr, "%s: no handshake line (got %zu bytes: %.80s)\n", label, len, line);
        return -1;
    }
    cleanup(line);
    if (record) printf("%s,%d,%.1f,%ld,%ld,%ld,%ld\n", label, round, t1 - t0, hwm, rss, anon, file);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s ROUNDS CLIENT_CERT_PEM LABEL=BINARY...\n", argv[0]);
        return 2;
    }
    int rounds = atoi(argv[1]);
    FILE *cf = fopen(argv[2], "r");
    if (!cf) { perror(argv[2]); return 2; }
    static char pem[16384];
    size_t pn = fread(pem, 1, sizeof pem - 1, cf);
    pem[pn] = 0;
    fclose(cf);
    setenv("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2", 1);
    setenv("PLUGIN_PROTOCOL_VERSIONS", "5,6", 1);
    setenv("PLUGIN_MIN_PORT", "10000", 1);
    setenv("PLUGIN_MAX_PORT", "25000", 1);
    setenv("PLUGIN_CLIENT_CERT", pem, 1);
    unsetenv("TF_LOG");
    unsetenv("TF_LOG_PROVIDER");
    int n = argc - 3;
    char **labels = calloc(n, sizeof *labels), **bins = calloc(n, sizeof *bins);
    for (int i = 0; i < n; i++) {
        labels[i] = strdup(argv[3 + i]);
        char *eq = strchr(labels[i], '=');
        if (!eq) { fprintf(stderr, "expected LABEL=BINARY: %s\n", argv[3 + i]); return 2; }
        *eq = 0;
        bins[i] = eq + 1;
    }
    printf("label,round,handshake_us,vmhwm_kib,vmrss_kib,rssanon_kib,rssfile_kib\n");
    for (int r = -1; r < rounds; r++) {
        for (int k = 0; k < n; k++) {
            int i = (k + (r < 0 ? 0 : r)) % n;
            if (run_one(labels[i], bins[i], r, r >= 0) != 0) return 1;
        }
        fflush(stdout);
    }
    return 0;
}
