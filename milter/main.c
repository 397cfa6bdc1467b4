/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main - portrole-milter: options, -n, -x, socket, privileges, signals.
 *
 * SYNOPSIS
 *	portrole-milter [-c FILE] [-p SOCKET] [-u USER[:GROUP]] [-P PIDFILE]
 *		[-f] [-n] [-v] [-V]
 *	portrole-milter [-c FILE] -x 'port=25 client=192.0.2.9 ...'
 *
 * DESCRIPTION
 *	Loads the config (every error at once, FILE:LINE), creates the milter
 *	socket (TCP_NODELAY on an inet one), daemonises unless -f, writes the
 *	pid file, drops to UserID and runs libmilter in a second thread. The
 *	main thread keeps the signals: SIGHUP reloads the config for new
 *	connections (a bad file is logged and the old config stays) and
 *	re-applies SyslogFacility and LogLevel; SIGTERM and SIGINT stop the
 *	milter: no new connection, the open sessions get ShutdownTimeout
 *	seconds to finish, then libmilter stops and the metrics are written.
 *
 *	libmilter has its own signal thread, which sigwait()s for SIGHUP,
 *	SIGTERM and SIGINT and stops its accept loop on any of them. The
 *	kernel hands a signal to that thread whenever the main thread already
 *	has one pending, so this file defines sigwait(): libmilter's thread
 *	waits here, and every signal either thread takes only sets a flag and
 *	wakes the main loop through a pipe. No signal is lost to libmilter.
 *
 * DIAGNOSTICS
 *	Exit 0 ok, 1 config error, 2 usage error, 3 runtime failure.
 */
#include "acconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "config.h"
#include "explain.h"
#include "glue.h"
#include "i18n.h"
#include "log.h"
#include "stats.h"
#include "util.h"

#define EXIT_CONFIG  1
#define EXIT_USAGE   2
#define EXIT_RUNTIME 3

#define DEFAULT_CONFIG SYSCONFDIR "/portrole.conf"

struct options {
    const char *config;
    int         config_given;
    const char *socket;
    const char *user;
    const char *pidfile;
    int         foreground;
    int         check;
    int         verbose;
    const char *explain;
};

static int sigpipe_fd[2] = {-1, -1};

/* What the signals asked for; set by either thread, read by the main loop. */
static int want_reload, want_stop, milter_ended;

/* The listening socket libmilter made; -1 when it could not be found. */
static int listen_fd = -1;

/* usage - the synopsis, to stderr */
static void usage(void)
{
    fprintf(stderr, "%s", _("usage: portrole-milter [-c FILE] [-p SOCKET] [-u USER[:GROUP]] [-P PIDFILE] [-f] [-n] [-v] [-V]\n"
            "       portrole-milter [-c FILE] -x 'port=25 client=192.0.2.9 auth=PLAIN user=alice tls=none from=a@x.test rcpt=b@y.test'\n"));
}

/* parse_options - the command line; exits 2 on misuse */
static void parse_options(int argc, char **argv, struct options *o)
{
    int c;

    memset(o, 0, sizeof(*o));
    o->config = DEFAULT_CONFIG;
    while ((c = getopt(argc, argv, "c:p:u:P:fnvVx:h")) != -1) {
        switch (c) {
        case 'c': o->config = optarg; o->config_given = 1; break;
        case 'p': o->socket = optarg; break;
        case 'u': o->user = optarg; break;
        case 'P': o->pidfile = optarg; break;
        case 'f': o->foreground = 1; break;
        case 'n': o->check = 1; break;
        case 'v': o->verbose = 1; break;
        case 'V': printf("portrole-milter %s\n", PACKAGE_VERSION); exit(0);
        case 'x': o->explain = optarg; break;
        case 'h': usage(); exit(0);
        default: usage(); exit(EXIT_USAGE);
        }
    }
    if (optind < argc) {
        fprintf(stderr, _("portrole-milter: unexpected argument '%s'\n"), argv[optind]);
        usage();
        exit(EXIT_USAGE);
    }
}

/* load - the config, or NULL with every error printed */
static struct pr_config *load(const struct options *o, FILE *errfp)
{
    strbuf errors = STRBUF_INIT;
    const char *path = o->config;
    struct pr_config *cfg;

    if (!o->config_given && access(path, F_OK) != 0) {
        fprintf(errfp, _("portrole-milter: warning: %s not found: using built-in defaults\n"), path);
        path = NULL;
    }
    if ((cfg = config_load(path, &errors)) == NULL)
        fprintf(errfp, "%s", strbuf_str(&errors));
    strbuf_release(&errors);
    return cfg;
}

/* unix_path - the file of a unix:/local: socket, or NULL */
static const char *unix_path(const char *sock)
{
    if (strncmp(sock, "unix:", 5) == 0)
        return sock + 5;
    if (strncmp(sock, "local:", 6) == 0)
        return sock + 6;
    return NULL;
}

/* check_unix_socket - the directory must exist; a live socket means "in use" */
static int check_unix_socket(const char *path)
{
    struct sockaddr_un sun;
    char dir[sizeof(sun.sun_path)];
    char *slash;
    int fd, in_use;

    if (util_strlcpy(dir, path, sizeof(dir)) >= sizeof(dir)) {
        log_msg(LOG_ERR, "socket path %s is too long", path);
        return -1;
    }
    if ((slash = strrchr(dir, '/')) != NULL && slash != dir)
        *slash = 0;
    if (slash != NULL && access(dir, W_OK | X_OK) != 0) {
        log_msg(LOG_ERR, "socket directory %s: %s (create it, writable by the user "
                "portrole-milter starts as)", dir, strerror(errno));
        return -1;
    }
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    util_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
        return 0;
    in_use = connect(fd, (struct sockaddr *) &sun, sizeof(sun)) == 0;
    close(fd);
    if (in_use) {
        log_msg(LOG_ERR, "socket %s is in use by another process", path);
        return -1;
    }
    unlink(path);                       /* stale socket from an unclean stop */
    return 0;
}

/* MAX_SCAN_FD - the descriptors searched for libmilter's listening socket */
#define MAX_SCAN_FD 1024

/* is_listening - 1 when fd is a socket in the listening state */
static int is_listening(int fd)
{
    int on = 0;
    socklen_t len = sizeof(on);

    return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

/*
 * find_listener - the listening socket smfi_opensocket() just made: the one
 * listening descriptor that was not listening before (libmilter keeps it in
 * a static of its own and offers no call that returns it).
 */
static int find_listener(const unsigned char *before)
{
    int found = -1;

    for (int fd = 0; fd < MAX_SCAN_FD; fd++) {
        if (before[fd] || !is_listening(fd))
            continue;
        if (found >= 0)
            return -1;                  /* two new ones: not ours to guess */
        found = fd;
    }
    return found;
}

/*
 * set_nodelay - TCP_NODELAY on an inet listening socket, which Linux copies
 * to every socket accept() returns: libmilter writes a header change and
 * the reply that follows as two small packets, and Nagle's algorithm would
 * hold the second until the MTA's delayed ACK.
 */
static void set_nodelay(int fd, const char *sock)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int on = 1;

    if (getsockname(fd, (struct sockaddr *) &ss, &len) != 0
        || (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
        return;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0)
        log_msg(LOG_WARNING, "socket %s: cannot set TCP_NODELAY: %s (every reply that "
                "follows a header change waits for the MTA's delayed ACK)", sock,
                strerror(errno));
}

/* open_socket - create the milter socket with UMask applied */
static int open_socket(const struct pr_config *cfg, const char *sock)
{
    const char *path = unix_path(sock);
    unsigned char before[MAX_SCAN_FD];
    mode_t old;
    int rc;

    if (path != NULL && check_unix_socket(path) < 0)
        return -1;
    if (smfi_setconn((char *) sock) != MI_SUCCESS) {
        log_msg(LOG_ERR, "cannot use socket %s", sock);
        return -1;
    }
    for (int fd = 0; fd < MAX_SCAN_FD; fd++)
        before[fd] = (unsigned char) is_listening(fd);
    old = umask(cfg->umask);
    rc = smfi_opensocket(1);
    umask(old);
    if (rc != MI_SUCCESS) {
        log_msg(LOG_ERR, "cannot create socket %s (in use, or no permission)", sock);
        return -1;
    }
    if ((listen_fd = find_listener(before)) < 0)
        log_msg(LOG_WARNING, "socket %s: cannot find libmilter's listening socket, so "
                "TCP_NODELAY is not set and a stop cuts open sessions at once", sock);
    else
        set_nodelay(listen_fd, sock);
    return 0;
}

/*
 * stop_accepting - close the listening socket under libmilter's accept loop:
 * a pipe that never becomes readable takes its descriptor (dup2 swaps them
 * at once), so the MTA's next connect is refused while libmilter's loop,
 * and the sessions it started, run on. The pipe's write end stays open: a
 * closed one would read as an error, which makes libmilter abort.
 */
static void stop_accepting(void)
{
    int p[2];

    if (listen_fd < 0 || pipe(p) != 0)
        return;
    if (dup2(p[0], listen_fd) < 0)
        log_msg(LOG_WARNING, "cannot close the milter socket: %s", strerror(errno));
    close(p[0]);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
}

/* user_ids - USER[:GROUP] as ids; -1 after logging why */
static int user_ids(const char *spec, uid_t *uid, gid_t *gid, char *name, size_t size)
{
    char buf[256], *group;
    struct passwd *pw;
    struct group *gr;

    util_strlcpy(buf, spec, sizeof(buf));
    if ((group = strchr(buf, ':')) != NULL)
        *group++ = 0;
    if ((pw = getpwnam(buf)) == NULL) {
        log_msg(LOG_ERR, "UserID: no such user %s", buf);
        return -1;
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    util_strlcpy(name, pw->pw_name, size);
    if (group != NULL) {
        if ((gr = getgrnam(group)) == NULL) {
            log_msg(LOG_ERR, "UserID: no such group %s", group);
            return -1;
        }
        *gid = gr->gr_gid;
    }
    return 0;
}

/* drop_privileges - become USER[:GROUP] with only that user's groups;
 *	already being that user (systemd's User=) is fine */
static int drop_privileges(const char *spec, const char *sock)
{
    char name[256];
    uid_t uid;
    gid_t gid;
    const char *path = sock ? unix_path(sock) : NULL;

    if (user_ids(spec, &uid, &gid, name, sizeof(name)) < 0)
        return -1;
    if (geteuid() != 0 && getuid() == uid && geteuid() == uid) {
        if (getegid() != gid)           /* systemd's Group= decided, and only root could change it */
            log_msg(LOG_WARNING, "UserID %s: already running as user %s with group %ld, "
                    "which stays (only root can switch groups)", spec, name, (long) getegid());
        return 0;
    }
    if (path != NULL && chown(path, uid, gid) != 0)
        log_msg(LOG_WARNING, "cannot chown socket %s: %s", path, strerror(errno));
    if (initgroups(name, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
        log_msg(LOG_ERR, "cannot switch to user %s: %s", spec, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0 && uid != 0) {
        log_msg(LOG_ERR, "privilege drop to %s did not stick", spec);
        return -1;
    }
    return 0;
}

/* pid_directory - the pid file's directory must let USER remove the file
 *	at stop: a missing one is made and handed to USER (as Debian's
 *	milters have /run/NAME owned by their user); an existing one is only
 *	checked, never chowned - it may be /run itself */
static void pid_directory(const char *path, const char *user)
{
    char dir[4096], name[256], *slash;
    struct stat st;
    uid_t uid;
    gid_t gid;

    if (user == NULL || *user == 0 || geteuid() != 0
        || user_ids(user, &uid, &gid, name, sizeof(name)) < 0)
        return;
    util_strlcpy(dir, path, sizeof(dir));
    if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
        return;
    *slash = 0;
    if (mkdir(dir, 0755) == 0) {
        if (chown(dir, uid, gid) != 0)
            log_msg(LOG_WARNING, "cannot hand pid directory %s to %s: %s", dir, user, strerror(errno));
        return;
    }
    if (stat(dir, &st) == 0 && st.st_uid != uid && !(st.st_mode & S_IWOTH)
        && !(st.st_gid == gid && (st.st_mode & S_IWGRP)))
        log_msg(LOG_WARNING, "pid file directory %s is not writable by %s, so the pid file "
                "cannot be removed at stop (it is emptied instead): use a directory of its "
                "own, e.g. PidFile /run/portrole/portrole-milter.pid", dir, user);
}

/* write_pidfile - our pid, one line, in a file USER may empty at stop */
static int write_pidfile(const char *path, const char *user)
{
    char line[32], name[256];
    int fd, len;
    uid_t uid;
    gid_t gid;

    pid_directory(path, user);
    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0) {
        log_msg(LOG_ERR, "cannot write pid file %s: %s", path, strerror(errno));
        return -1;
    }
    len = snprintf(line, sizeof(line), "%ld\n", (long) getpid());
    if (write(fd, line, (size_t) len) != len) {
        log_msg(LOG_ERR, "cannot write pid file %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (user && *user && geteuid() == 0 && user_ids(user, &uid, &gid, name, sizeof(name)) == 0
        && fchown(fd, uid, gid) != 0)
        log_msg(LOG_WARNING, "cannot hand pid file %s to %s: %s", path, user, strerror(errno));
    return close(fd) == 0 ? 0 : -1;
}

/* remove_pidfile - at stop; where the directory forbids it, leave it empty,
 *	so that it never names a process that is gone */
static void remove_pidfile(const char *path)
{
    int fd;

    if (unlink(path) == 0 || errno == ENOENT)
        return;
    log_msg(LOG_WARNING, "cannot remove pid file %s: %s", path, strerror(errno));
    if ((fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC)) >= 0)
        close(fd);
}

/* daemonize - detach from the terminal */
static int daemonize(void)
{
    pid_t pid = fork();
    int fd;

    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    setsid();
    if ((pid = fork()) < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    if (chdir("/") != 0)
        return -1;
    if ((fd = open("/dev/null", O_RDWR)) >= 0) {
        dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    return 0;
}

/* wake - async-signal-safe: make the main loop look at the flags */
static void wake(void)
{
    char c = 0;
    int saved = errno;

    if (write(sigpipe_fd[1], &c, 1) < 0) {
        /* the pipe is full: the main loop has wake-ups enough to read */
    }
    errno = saved;
}

/* note_signal - async-signal-safe: a flag per request, then a wake-up; a
 *	full pipe loses a byte, never a request */
static void note_signal(int sig)
{
    __atomic_store_n(sig == SIGHUP ? &want_reload : &want_stop, 1, __ATOMIC_SEQ_CST);
    wake();
}

/* on_signal - the handler of SIGHUP, SIGTERM and SIGINT */
static void on_signal(int sig)
{
    note_signal(sig);
}

/*
 * sigwait - libmilter's signal thread calls this one, not libc's (the
 * program's definition comes first for the shared library too). Asked
 * for SIGHUP and SIGTERM, it never returns: each signal it takes goes to
 * the main loop as if the handler had run, so libmilter never stops on
 * one. Any other set is waited for as libc would.
 */
int sigwait(const sigset_t *restrict set, int *restrict sig)
{
    int got;

    if (sigismember(set, SIGHUP) == 1 && sigismember(set, SIGTERM) == 1) {
        for (;;)
            if ((got = sigwaitinfo(set, NULL)) > 0)
                note_signal(got);
    }
    while ((got = sigwaitinfo(set, NULL)) < 0)
        if (errno != EINTR)
            return errno;
    *sig = got;
    return 0;
}

/*
 * milter_thread - libmilter's accept loop; smfi_main() returns after
 * smfi_stop(), or on its own when the accept loop failed: then the main
 * loop must not wait on for a signal, so tell it.
 */
static void *milter_thread(void *arg)
{
    int *rc = arg;

    *rc = smfi_main();
    __atomic_store_n(&milter_ended, 1, __ATOMIC_SEQ_CST);
    wake();
    return NULL;
}

/* reload - SIGHUP: a valid file applies to new connections */
static void reload(const struct options *o)
{
    strbuf errors = STRBUF_INIT;
    struct pr_config *cfg = config_load(o->config_given || access(o->config, F_OK) == 0
                                        ? o->config : NULL, &errors);

    if (cfg == NULL) {
        /* One log line: the errors joined with "; ". */
        while (errors.len > 0 && errors.data[errors.len - 1] == '\n')
            strbuf_truncate(&errors, errors.len - 1);
        for (size_t i = 0; i < errors.len; i++)
            if (errors.data[i] == '\n')
                errors.data[i] = ';';
        log_msg(LOG_ERR, "reload failed, keeping the running configuration: %s",
                strbuf_str(&errors));
        stats_error(STATS_ERR_RELOAD);
    } else {
        /* SyslogFacility too: the new facility takes this very line. */
        log_open(cfg->syslog_facility, o->foreground);
        log_set_level(o->verbose ? LOG_DEBUG : cfg->log_level);
        config_install(cfg);
        stats_reload();
        log_msg(LOG_INFO, "configuration reloaded from %s", cfg->path ? cfg->path : "defaults");
    }
    strbuf_release(&errors);
}

/* write_stats - the metrics file of the current config, if it names one;
 *	returns its StatsInterval in milliseconds, -1 (wait for a signal) without */
static int write_stats(void)
{
    static int failing;
    struct pr_config *cfg = config_acquire();
    strbuf err = STRBUF_INIT;
    int wait_ms = -1;

    if (cfg != NULL && cfg->stats_file != NULL) {
        wait_ms = cfg->stats_interval * 1000;
        if (stats_write(cfg->stats_file, &err) < 0) {
            stats_error(STATS_ERR_STATSFILE);
            if (!failing)                   /* once per failing streak, not every interval */
                log_msg(LOG_WARNING, "%s", strbuf_str(&err));
            failing = 1;
        } else {
            if (failing)
                log_msg(LOG_INFO, "StatsFile %s written again", cfg->stats_file);
            failing = 0;
        }
    }
    config_release(cfg);
    strbuf_release(&err);
    return wait_ms;
}

/* next_wake - wait for a wake-up or wait_ms (-1: no limit) and drain the
 *	pipe; 1 woken, 0 the time ran out, -1 the pipe failed */
static int next_wake(int wait_ms)
{
    struct pollfd pfd = {sigpipe_fd[0], POLLIN, 0};
    char buf[256];
    int r;

    while ((r = poll(&pfd, 1, wait_ms)) < 0 && errno == EINTR)
        ;
    if (r <= 0)
        return r;
    if (read(sigpipe_fd[0], buf, sizeof(buf)) < 0 && errno != EINTR && errno != EAGAIN)
        return -1;
    return 1;
}

/* taken - 1 once when *flag was set */
static int taken(int *flag)
{
    return __atomic_exchange_n(flag, 0, __ATOMIC_SEQ_CST);
}

/* now_ms - a monotonic clock in milliseconds */
static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Between two looks at the open sessions while they finish. */
#define DRAIN_STEP_MS 50

/*
 * drain - no new connections, then wait for the open sessions to close, at
 * most ShutdownTimeout seconds; another SIGTERM or SIGINT ends the wait.
 * Sessions still open then are cut by smfi_stop(): their MTA answers 4xx.
 */
static void drain(void)
{
    struct pr_config *cfg = config_acquire();
    int timeout = cfg ? cfg->shutdown_timeout : 0;
    long long deadline = now_ms() + (long long) timeout * 1000;
    long open;

    config_release(cfg);
    stop_accepting();
    if ((open = stats_sessions_open()) > 0)
        log_msg(LOG_INFO, "stopping: no new connections; waiting up to %d s for %ld open "
                "session%s", timeout, open, open > 1 ? "s" : "");
    while ((open = stats_sessions_open()) > 0 && now_ms() < deadline) {
        if (next_wake(DRAIN_STEP_MS) < 0 || taken(&want_stop)
            || __atomic_load_n(&milter_ended, __ATOMIC_SEQ_CST))
            break;
    }
    if (open > 0)
        log_msg(LOG_WARNING, "stopping with %ld session%s still open: the MTA tempfails "
                "them", open, open > 1 ? "s" : "");
}

/* run - start libmilter and serve signals until told to stop */
static int run(const struct options *o)
{
    pthread_t tid;
    int milter_rc = 0;

    if (pthread_create(&tid, NULL, milter_thread, &milter_rc) != 0) {
        log_msg(LOG_ERR, "cannot start the milter thread");
        return EXIT_RUNTIME;
    }
    for (;;) {
        if (next_wake(write_stats()) < 0 || taken(&want_stop))
            break;
        if (__atomic_load_n(&milter_ended, __ATOMIC_SEQ_CST)) {
            log_msg(LOG_ERR, "libmilter's accept loop %s: exiting",
                    milter_rc != MI_SUCCESS ? "failed" : "ended on its own");
            milter_rc = MI_FAILURE;     /* not asked to stop: a supervisor restarts us */
            break;
        }
        if (taken(&want_reload))
            reload(o);
    }
    log_msg(LOG_INFO, "stopping");
    if (!__atomic_load_n(&milter_ended, __ATOMIC_SEQ_CST))
        drain();
    smfi_stop();
    pthread_join(tid, NULL);
    write_stats();                      /* the final counts, once the sessions closed */
    return milter_rc == MI_SUCCESS ? 0 : EXIT_RUNTIME;
}

/* setup - everything between a loaded config and serving; returns 0 or an exit code */
static int setup(const struct options *o, const struct pr_config *cfg, const char *sock,
                 const char *user, const char *pidfile)
{
    struct sigaction sa;

    if (cfg->ndomains + cfg->nsubdomains == 0)
        log_msg(LOG_WARNING, "LocalDomains is empty: port 25 (mx) will refuse every "
                "recipient from untrusted clients");
    if (pipe(sigpipe_fd) != 0) {
        log_msg(LOG_ERR, "pipe: %s", strerror(errno));
        return EXIT_RUNTIME;
    }
    fcntl(sigpipe_fd[1], F_SETFL, O_NONBLOCK);
    fcntl(sigpipe_fd[0], F_SETFL, O_NONBLOCK);
    /* First of all, before the socket is open: a SIGHUP or SIGTERM from
     * then on is never fatal, even one sent the moment the socket or the
     * pid file appears; the main loop takes it once it runs. The handler
     * runs with all three blocked, so a flood of them cannot nest it
     * until the stack runs out; one still pending is taken after, and
     * the flags it sets are the same. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (smfi_register(*glue_description()) != MI_SUCCESS) {
        log_msg(LOG_ERR, "smfi_register failed");
        return EXIT_RUNTIME;
    }
    if (open_socket(cfg, sock) < 0)
        return EXIT_RUNTIME;
    if (!o->foreground && daemonize() < 0) {
        log_msg(LOG_ERR, "cannot daemonize: %s", strerror(errno));
        return EXIT_RUNTIME;
    }
    if (pidfile && write_pidfile(pidfile, user) < 0)
        return EXIT_RUNTIME;
    if (user && *user) {
        if (drop_privileges(user, sock) < 0)
            return EXIT_RUNTIME;
    } else if (geteuid() == 0)
        log_msg(LOG_WARNING, "running as root: set UserID (or -u) to drop privileges");
    return 0;
}

/* serve - the daemon proper; owns cfg */
static int serve(const struct options *o, struct pr_config *cfg)
{
    /* Copies: a reload frees the config these came from. */
    char *sock = util_strdup(o->socket ? o->socket : cfg->socket);
    char *user = util_strdup(o->user ? o->user : cfg->userid);
    char *pidfile = util_strdup(o->pidfile ? o->pidfile : cfg->pidfile);
    int audit = cfg->audit, rc;

    /* From here on it writes log lines (and a reload's errors into them): English. */
    i18n_c_locale();
    log_open(cfg->syslog_facility, o->foreground);
    log_set_level(o->verbose ? LOG_DEBUG : cfg->log_level);
    config_install(cfg);
    if ((rc = setup(o, cfg, sock, user, pidfile)) == 0) {
        log_msg(LOG_INFO, "starting portrole-milter %s on %s (mode %s)", PACKAGE_VERSION, sock,
                audit ? "audit" : "enforce");
        rc = run(o);
        if (pidfile)
            remove_pidfile(pidfile);
    }
    config_install(NULL);
    free(sock);
    free(user);
    free(pidfile);
    return rc;
}

/* check_as_user - "-n" as root: read the file again as the user the daemon
 *	runs as (-u, else UserID), since a reload (SIGHUP) reads it as that
 *	user; a file only root can read passes as root and fails the reload */
static struct pr_config *check_as_user(const struct options *o, struct pr_config *cfg)
{
    char *user = util_strdup(o->user ? o->user : cfg->userid);
    struct pr_config *again;

    if (user == NULL || *user == 0 || geteuid() != 0) {
        free(user);
        return cfg;
    }
    config_free(cfg);
    log_open(LOG_MAIL, 1);
    if (drop_privileges(user, NULL) < 0) {
        free(user);
        return NULL;
    }
    if ((again = load(o, stderr)) == NULL)
        fprintf(stderr, _("portrole-milter: the check above ran as %s, the user the daemon "
                "reloads the file as\n"), user);
    free(user);
    return again;
}

int main(int argc, char **argv)
{
    struct options o;
    struct pr_config *cfg;

    i18n_init();
    parse_options(argc, argv, &o);
    if ((cfg = load(&o, stderr)) == NULL)
        return EXIT_CONFIG;
    if (o.check) {
        if ((cfg = check_as_user(&o, cfg)) == NULL)
            return EXIT_CONFIG;
        config_dump(cfg, stdout);
        fprintf(stderr, _("portrole-milter: configuration %s OK\n"), cfg->path ? cfg->path : _("(defaults)"));
        config_free(cfg);
        return 0;
    }
    if (o.explain) {
        strbuf err = STRBUF_INIT;
        int rc = explain_run(cfg, o.explain, stdout, &err);

        if (rc != 0) {
            fprintf(stderr, _("portrole-milter: -x: %s\n"), strbuf_str(&err));
            usage();
        }
        strbuf_release(&err);
        config_free(cfg);
        return rc;
    }
    return serve(&o, cfg);
}
