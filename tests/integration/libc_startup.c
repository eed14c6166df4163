/* What C programs do at start-up and soon after, built statically against glibc and musl by
 * test_seccomp_libc.py and run in a container under the default seccomp profile: every step must
 * work (issue #20: the allow list must not break either C library). `probe NR` instead prints the
 * errno number of system call NR with zero arguments (or 0), to see what the filter answers. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

static int failures;

static void check(int ok, const char* what) {
  if (!ok) {
    printf("FAIL %s: %s\n", what, strerror(errno));
    failures++;
  }
}

static void* thread_main(void* arg) {
  pthread_mutex_t* m = arg;
  pthread_mutex_lock(m);
  pthread_mutex_unlock(m);
  return arg;
}

static void threads(void) {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_t t[4];
  pthread_mutex_lock(&m);
  for (int i = 0; i < 4; i++) check(pthread_create(&t[i], NULL, thread_main, &m) == 0, "thread");
  pthread_mutex_unlock(&m);
  for (int i = 0; i < 4; i++) {
    void* r = NULL;
    check(pthread_join(t[i], &r) == 0 && r == &m, "join");
  }
}

static void processes(void) {
  pid_t pid = fork();
  if (pid == 0) _exit(7);
  int status = 0;
  check(pid > 0 && waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 7, "fork");
  char* argv[] = {"true", NULL};
  check(posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) == 0, "posix_spawn");
  check(waitpid(pid, &status, 0) == pid && status == 0, "posix_spawn wait");
  pid = vfork();
  if (pid == 0) _exit(3);
  check(pid > 0 && waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 3, "vfork");
}

static volatile sig_atomic_t got_signal;
static void on_signal(int sig) { got_signal = sig; }

static void signals_and_time(void) {
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  check(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
  check(raise(SIGUSR1) == 0 && got_signal == SIGUSR1, "raise");
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  check(sigprocmask(SIG_BLOCK, &set, NULL) == 0, "sigprocmask");
  struct timespec ts;
  check(clock_gettime(CLOCK_MONOTONIC, &ts) == 0, "clock_gettime");
  check(clock_gettime(CLOCK_REALTIME, &ts) == 0, "clock_gettime realtime");
  struct timespec nap = {0, 1000000};
  check(nanosleep(&nap, NULL) == 0, "nanosleep");
  struct timeval tv;
  check(gettimeofday(&tv, NULL) == 0, "gettimeofday");
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  check(tfd >= 0, "timerfd_create");
  close(tfd);
}

static void files(void) {
  struct stat st;
  check(stat("/", &st) == 0 && S_ISDIR(st.st_mode), "stat");
  check(lstat("/bin/sh", &st) == 0, "lstat");
  int fd = open("/tmp/libc-startup", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  check(fd >= 0, "open");
  struct iovec iov[2] = {{"ab", 2}, {"cd", 2}};
  check(writev(fd, iov, 2) == 4, "writev");
  char buf[8] = {0};
  check(pread(fd, buf, 4, 0) == 4 && memcmp(buf, "abcd", 4) == 0, "pread");
  check(fstat(fd, &st) == 0 && st.st_size == 4, "fstat");
  check(ftruncate(fd, 2) == 0 && fsync(fd) == 0, "ftruncate");
  int fd2 = dup(fd);
  check(fd2 >= 0 && dup2(fd2, 20) == 20, "dup");
  check(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0, "fcntl");
  close(fd);
  close(fd2);
  close(20);
  check(rename("/tmp/libc-startup", "/tmp/libc-startup2") == 0, "rename");
  check(unlink("/tmp/libc-startup2") == 0, "unlink");
  check(mkdir("/tmp/libc-dir", 0700) == 0 && rmdir("/tmp/libc-dir") == 0, "mkdir");
  DIR* d = opendir("/");
  check(d != NULL && readdir(d) != NULL, "readdir");
  if (d) closedir(d);
  char cwd[256];
  check(getcwd(cwd, sizeof cwd) != NULL && chdir("/tmp") == 0 && chdir(cwd) == 0, "chdir");
  check(access("/bin/sh", X_OK) == 0, "access");
  char link[256];
  check(readlink("/proc/self/exe", link, sizeof link) > 0, "readlink");
  FILE* f = fopen("/proc/self/status", "r");
  check(f != NULL && fgets(link, sizeof link, f) != NULL, "stdio");
  if (f) fclose(f);
}

static void memory(void) {
  void* big = malloc(64 << 20);
  check(big != NULL, "malloc");
  if (big) memset(big, 1, 64 << 20);
  free(big);
  void* p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check(p != MAP_FAILED, "mmap");
  check(madvise(p, 1 << 20, MADV_DONTNEED) == 0, "madvise");
  void* q = mremap(p, 1 << 20, 2 << 20, MREMAP_MAYMOVE);
  check(q != MAP_FAILED, "mremap");
  check(mprotect(q == MAP_FAILED ? p : q, 4096, PROT_READ) == 0, "mprotect");
  munmap(q == MAP_FAILED ? p : q, 2 << 20);
  int mfd = memfd_create("x", MFD_CLOEXEC);
  check(mfd >= 0, "memfd_create");
  close(mfd);
}

static void descriptors(void) {
  int p[2];
  check(pipe2(p, O_CLOEXEC) == 0, "pipe2");
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = p[0]};
  check(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0, "epoll");
  check(write(p[1], "x", 1) == 1 && epoll_wait(ep, &ev, 1, 1000) == 1, "epoll_wait");
  struct pollfd pfd = {p[0], POLLIN, 0};
  check(poll(&pfd, 1, 1000) == 1, "poll");
  int efd = eventfd(0, EFD_CLOEXEC);
  check(efd >= 0, "eventfd");
  close(efd);
  close(ep);
  close(p[0]);
  close(p[1]);
}

static void network(void) {
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  check(getaddrinfo("localhost", "80", &hints, &res) == 0 && res != NULL, "getaddrinfo");
  if (res) freeaddrinfo(res);
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  check(s >= 0 && bind(s, (struct sockaddr*)&a, sizeof a) == 0 && listen(s, 1) == 0 &&
            getsockname(s, (struct sockaddr*)&a, &len) == 0,
        "listen");
  int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check(c >= 0 && connect(c, (struct sockaddr*)&a, sizeof a) == 0, "connect");
  int one = 1;
  check(setsockopt(c, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one) == 0, "setsockopt");
  int acc = accept4(s, NULL, NULL, SOCK_CLOEXEC);
  char b = 0;
  check(acc >= 0 && send(c, "y", 1, 0) == 1 && recv(acc, &b, 1, 0) == 1 && b == 'y', "send");
  int sp[2];
  check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0, "socketpair");
  close(sp[0]);
  close(sp[1]);
  close(acc);
  close(c);
  close(s);
}

static void process_info(void) {
  struct utsname u;
  check(uname(&u) == 0, "uname");
  struct rlimit rl;
  check(getrlimit(RLIMIT_NOFILE, &rl) == 0 && setrlimit(RLIMIT_NOFILE, &rl) == 0, "rlimit");
  cpu_set_t cpus;
  check(sched_getaffinity(0, sizeof cpus, &cpus) == 0, "sched_getaffinity");
  check(sched_yield() == 0, "sched_yield");
  check(getpid() > 0 && getppid() >= 0 && getuid() == geteuid() && getgid() == getegid(), "ids");
  gid_t groups[64];
  check(getgroups(64, groups) >= 0, "getgroups");
  struct rusage ru;
  check(getrusage(RUSAGE_SELF, &ru) == 0, "getrusage");
  check(sysconf(_SC_NPROCESSORS_ONLN) > 0, "sysconf");
  char rnd[16];
  check(syscall(SYS_getrandom, rnd, sizeof rnd, 0) == (long)sizeof rnd, "getrandom");
}

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "probe") == 0) {
    long r = syscall(atol(argv[2]), 0, 0, 0, 0, 0, 0);
    printf("%d\n", r == 0 ? 0 : errno);
    return 0;
  }
  threads();
  processes();
  signals_and_time();
  files();
  memory();
  descriptors();
  network();
  process_info();
  if (failures) return 1;
  printf("ok\n");
  return 0;
}
