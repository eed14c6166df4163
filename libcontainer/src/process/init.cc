// The container's init between clone() and execve(). Async-signal-safe code only: system calls
// on the prepared plan, no allocation, no locks, no C++ library calls that may allocate.
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "process/init_plan.h"
#include "process/protocol.h"

namespace mydocker::process {
namespace {

// Appends `s` to the fixed buffer, always NUL-terminated.
void Append(char* buf, size_t cap, const char* s) {
  size_t len = 0;
  while (len < cap - 1 && buf[len] != '\0') ++len;
  while (len < cap - 1 && *s != '\0') buf[len++] = *s++;
  buf[len] = '\0';
}

void AppendUnsigned(char* buf, size_t cap, unsigned v) {
  char digits[16];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < 15);
  char out[16];
  for (int i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  out[n] = '\0';
  Append(buf, cap, out);
}

[[noreturn]] void Fail(const InitPlan& plan, int exit_code, int err, const char* what,
                       const char* what2 = nullptr, const char* what3 = nullptr) {
  InitError e;
  e.exit_code = exit_code;
  e.err = err;
  Append(e.what, sizeof e.what, what);
  if (what2 != nullptr) Append(e.what, sizeof e.what, what2);
  if (what3 != nullptr) Append(e.what, sizeof e.what, what3);
  ::send(plan.sync_fd, &e, sizeof e, MSG_NOSIGNAL);
  ::_exit(exit_code);
}

void OpenBinds(const InitPlan& plan);

void MkdirIfMissing(const char* path, mode_t mode) {
  ::mkdir(path, mode);  // EEXIST and others surface at the mount that follows
}

// The initramfs cannot be pivoted away from (the namespace's root mount has no parent): the
// container's root is moved over "/" and made the root directory. The host's proc and sysfs go
// first, so what stays reachable below the moved root holds no kernel interfaces; where one
// cannot be detached it is covered by an empty read-only tmpfs.
void MoveRoot(const InitPlan& plan) {
  for (const std::string& path : plan.hide_before_move) {
    // ENOENT: gone with a parent detached before it. Anything else (a locked mount) is covered.
    if (::umount2(path.c_str(), MNT_DETACH) == 0 || errno == ENOENT) continue;
    if (::mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "size=0") != 0) {
      Fail(plan, 125, errno, "hide ", path.c_str());
    }
  }
  if (::mount(".", "/", nullptr, MS_MOVE, nullptr) != 0) {
    Fail(plan, 125, errno, "move root file system onto /");
  }
  if (::chroot(".") != 0) Fail(plan, 125, errno, "chroot into root file system");
}

void MountRootfs(const InitPlan& plan) {
  // Nothing done in this namespace may propagate back to the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    Fail(plan, 125, errno, "make mounts private");
  }
  if (::mount("overlay", plan.rootfs.c_str(), "overlay", 0, plan.overlay_data.c_str()) != 0) {
    Fail(plan, 125, errno, plan.overlay_what.c_str());
  }
  OpenBinds(plan);
  if (::chdir(plan.rootfs.c_str()) != 0) Fail(plan, 125, errno, "chdir to root file system");
  if (plan.move_root) {
    MoveRoot(plan);
  } else {
    // pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves the
    // container with no path to the host's tree.
    if (::syscall(SYS_pivot_root, ".", ".") != 0) Fail(plan, 125, errno, "pivot_root");
    if (::umount2(".", MNT_DETACH) != 0) Fail(plan, 125, errno, "detach old root");
  }
  if (::chdir("/") != 0) Fail(plan, 125, errno, "chdir to /");
}

// Mounts, devices and links inside the container. Runs after pivot_root, so every path,
// including symlinks planted in the image, resolves inside the container's own tree.
void MountSpecials(const InitPlan& plan) {
  for (const PlannedMount& m : plan.mounts) {
    MkdirIfMissing(m.target.c_str(), 0755);
    if (::mount(m.source.c_str(), m.target.c_str(), m.fstype.empty() ? nullptr : m.fstype.c_str(),
                m.flags, m.data.empty() ? nullptr : m.data.c_str()) != 0) {
      Fail(plan, 125, errno, m.what.c_str());
    }
    if (m.remount_readonly &&
        ::mount(nullptr, m.target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | m.flags,
                nullptr) != 0) {
      Fail(plan, 125, errno, "remount read-only ", m.target.c_str());
    }
  }
  for (const std::string& dir : plan.device_dirs) MkdirIfMissing(dir.c_str(), 0755);
  for (const PlannedDevice& d : plan.devices) {
    if (::mknod(d.path.c_str(), d.mode, d.dev) != 0) {
      // Something is there already (the image's): keep it, as runc does, and change nothing
      // of it (chmod would follow a symlink planted there).
      if (errno == EEXIST) continue;
      Fail(plan, 125, errno, "mknod ", d.path.c_str());
    }
    ::chmod(d.path.c_str(), d.mode & 07777);
    if ((d.uid != 0 || d.gid != 0) && ::lchown(d.path.c_str(), d.uid, d.gid) != 0) {
      Fail(plan, 125, errno, "chown ", d.path.c_str());
    }
  }
  for (const auto& [target, link] : plan.symlinks) {
    if (::symlink(target.c_str(), link.c_str()) != 0 && errno != EEXIST) {
      Fail(plan, 125, errno, "symlink ", link.c_str());
    }
  }
}

// Before pivot_root: detached copies of each volume's host tree, read-only where asked (on every
// mount below it too) and with private propagation, so nothing mounted later reaches the host.
void OpenBinds(const InitPlan& plan) {
  for (size_t i = 0; i < plan.binds.size(); ++i) {
    const PlannedBind& b = plan.binds[i];
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (b.recursive ? AT_RECURSIVE : 0);
    int fd = ::open_tree(AT_FDCWD, b.source.c_str(), flags);
    if (fd < 0) Fail(plan, 125, errno, b.what.c_str());
    struct mount_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.attr_set = b.readonly ? MOUNT_ATTR_RDONLY : 0;
    attr.propagation = MS_PRIVATE;
    if (::mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) {
      Fail(plan, 125, errno, "set attributes of ", b.what.c_str());
    }
    plan.bind_fds[i] = fd;
  }
}

// After pivot_root: the targets, and every symlink on their way, resolve in the container.
void AttachBinds(const InitPlan& plan) {
  for (size_t i = 0; i < plan.binds.size(); ++i) {
    const PlannedBind& b = plan.binds[i];
    for (const std::string& dir : b.target_dirs) MkdirIfMissing(dir.c_str(), 0755);
    if (!b.source_is_dir) {
      int fd = ::open(b.target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd >= 0) ::close(fd);
    }
    // A symlink at the target is followed as Docker does; past pivot_root it can only lead
    // somewhere inside the container.
    if (::move_mount(plan.bind_fds[i], "", AT_FDCWD, b.target.c_str(),
                     MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS) != 0) {
      Fail(plan, 125, errno, b.what.c_str());
    }
    ::close(plan.bind_fds[i]);
  }
}

void MaskPaths(const InitPlan& plan) {
  for (const std::string& path : plan.masked_paths) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;  // nothing to hide
    int rc = S_ISDIR(st.st_mode)
                 ? ::mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY, "size=0")
                 : ::mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr);
    if (rc != 0) Fail(plan, 125, errno, "mask ", path.c_str());
  }
  for (const std::string& path : plan.readonly_paths) {
    if (::mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      if (errno == ENOENT) continue;
      Fail(plan, 125, errno, "bind ", path.c_str());
    }
    if (::mount(nullptr, path.c_str(), nullptr,
                MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                nullptr) != 0) {
      Fail(plan, 125, errno, "remount read-only ", path.c_str());
    }
  }
  if (plan.rootfs_readonly &&
      ::mount(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
    Fail(plan, 125, errno, "remount root read-only");
  }
}

void BringUpLoopback(const InitPlan& plan) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Fail(plan, 125, errno, "socket for loopback");
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::memcpy(ifr.ifr_name, "lo", 3);
  if (::ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) Fail(plan, 125, errno, "get loopback flags");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) Fail(plan, 125, errno, "bring loopback up");
  ::close(fd);
}

// Opens a pseudo-terminal in the container's own devpts, makes it the controlling terminal
// and hands the master to the monitor. Returns the slave.
int SetupTerminal(const InitPlan& plan) {
  int master = ::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) Fail(plan, 125, errno, "open /dev/pts/ptmx");
  int unlock = 0;
  unsigned n = 0;
  if (::ioctl(master, TIOCSPTLCK, &unlock) != 0 || ::ioctl(master, TIOCGPTN, &n) != 0) {
    Fail(plan, 125, errno, "set up pseudo-terminal");
  }
  char path[32] = "/dev/pts/";
  AppendUnsigned(path, sizeof path, n);
  int slave = ::open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) Fail(plan, 125, errno, "open ", path);
  if (::ioctl(slave, TIOCSCTTY, 0) != 0) Fail(plan, 125, errno, "set controlling terminal");
  if (plan.console_size.height != 0 && plan.console_size.width != 0) {
    struct winsize ws = {};
    ws.ws_row = plan.console_size.height;
    ws.ws_col = plan.console_size.width;
    ::ioctl(slave, TIOCSWINSZ, &ws);
  }
  char byte = 't';
  struct iovec iov = {&byte, 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  std::memset(control, 0, sizeof control);
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
  if (::sendmsg(plan.sync_fd, &msg, MSG_NOSIGNAL) != 1) {
    Fail(plan, 125, errno, "send terminal to monitor");
  }
  ::close(master);
  return slave;
}

void SetupStdio(const InitPlan& plan) {
  if (plan.terminal) {
    int slave = SetupTerminal(plan);
    for (int fd = 0; fd < 3; ++fd) {
      if (::dup2(slave, fd) < 0) Fail(plan, 125, errno, "dup2 terminal");
    }
    if (slave > 2) ::close(slave);
    return;
  }
  for (int fd = 0; fd < 3; ++fd) {
    if (::dup2(plan.stdio[fd], fd) < 0) Fail(plan, 125, errno, "dup2 stdio");
  }
}

void EnterWorkingDir(const InitPlan& plan) {
  // Docker creates a missing working directory; do it before dropping privileges.
  for (const std::string& dir : plan.cwd_components) MkdirIfMissing(dir.c_str(), 0755);
  if (::chdir(plan.cwd.c_str()) != 0) Fail(plan, 125, errno, "chdir to ", plan.cwd.c_str());
  // Defence in depth: a directory outside our root shows as "(unreachable)/...".
  char cwd[4096];
  if (::syscall(SYS_getcwd, cwd, sizeof cwd) < 0) Fail(plan, 125, errno, "getcwd");
  if (cwd[0] != '/') Fail(plan, 125, 0, "working directory is outside the container: ", plan.cwd.c_str());
}

// The bounding set limits what any process of the container can ever gain (even through a
// setuid binary); it must shrink while we still hold CAP_SETPCAP, before the user changes.
void DropBoundingCapabilities(const InitPlan& plan) {
  if (!plan.limit_capabilities) return;
  for (int cap = 0; cap <= plan.last_capability; ++cap) {
    if ((plan.capabilities >> cap) & 1) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
      Fail(plan, 125, errno, "drop capability from bounding set");
    }
  }
  ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

// Permitted and effective sets for the rest of the way to execve; the inheritable set is
// emptied (CVE-2022-24769: a non-empty one lets programs with file capabilities gain them).
void SetCapabilities(const InitPlan& plan) {
  if (!plan.limit_capabilities || plan.uid != 0) return;
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  for (int i = 0; i < 2; ++i) {
    uint32_t word = static_cast<uint32_t>(plan.capabilities >> (32 * i));
    data[i].effective = word;
    data[i].permitted = word;
    data[i].inheritable = 0;
  }
  if (::syscall(SYS_capset, &header, data) != 0) Fail(plan, 125, errno, "capset");
}

// Without no_new_privs a filter can only be loaded while init still holds CAP_SYS_ADMIN, so
// before the user and capabilities change (setuid programs in the container keep working);
// with it, as late as possible, after every step whose calls a profile might refuse (as runc
// does). `late` says which of the two points this call is.
void LoadSeccomp(const InitPlan& plan, bool late) {
  if (late != plan.no_new_privileges || plan.seccomp.empty()) return;
  struct sock_fprog program = {static_cast<unsigned short>(plan.seccomp.size()),
                               const_cast<sock_filter*>(plan.seccomp.data())};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
    Fail(plan, 125, errno, "load seccomp filter");
  }
}

void SwitchUser(const InitPlan& plan) {
  if (::syscall(SYS_setgroups, plan.groups.size(), plan.groups.data()) != 0) {
    Fail(plan, 125, errno, "setgroups");
  }
  if (::syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) != 0) Fail(plan, 125, errno, "setgid");
  if (::syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) Fail(plan, 125, errno, "setuid");
}

[[noreturn]] void Exec(const InitPlan& plan) {
  int saved = ENOENT;
  bool denied = false;
  for (const std::string& path : plan.exec_candidates) {
    ::execve(path.c_str(), plan.argv.data(), plan.envp.data());
    saved = errno;
    if (errno == EACCES) {
      denied = true;
    } else if (errno != ENOENT && errno != ENOTDIR) {
      break;
    }
  }
  if (denied && (saved == ENOENT || saved == ENOTDIR)) saved = EACCES;
  if ((saved == ENOENT || saved == ENOTDIR) && !plan.command_has_slash) {
    Fail(plan, 127, 0, "exec: \"", plan.command_name.c_str(),
         "\": executable file not found in $PATH");
  }
  if (saved == ENOENT || saved == ENOTDIR) {
    Fail(plan, 127, saved, "exec ", plan.command_name.c_str());
  }
  Fail(plan, 126, saved, "exec ", plan.command_name.c_str());
}

}  // namespace

// Closes every descriptor inherited from the monitor except the ones init needs (the sync
// socket and the container's stdio). Marking them close-on-exec is not enough: until execve
// they are reachable as /proc/self/fd/N, and a working directory of "/proc/self/fd/5" (from a
// hostile image's WORKDIR) would otherwise land on a host directory (CVE-2024-21626).
void CloseInheritedDescriptors(const InitPlan& plan) {
  int keep[4] = {plan.sync_fd, plan.stdio[0], plan.stdio[1], plan.stdio[2]};
  for (int i = 1; i < 4; ++i) {  // insertion sort: no library call here
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  }
  unsigned next = 3;
  for (int fd : keep) {
    if (fd < 3 || static_cast<unsigned>(fd) < next) continue;
    if (static_cast<unsigned>(fd) > next) ::syscall(SYS_close_range, next, fd - 1U, 0U);
    next = static_cast<unsigned>(fd) + 1;
  }
  ::syscall(SYS_close_range, next, ~0U, 0U);
}

void RunInit(const InitPlan& plan) {
  // The container must never outlive its monitor: if the monitor dies, so does PID 1 and with
  // it the whole PID namespace.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  CloseInheritedDescriptors(plan);
  // Into the container's cgroups before anything else, so no instruction of the container's own
  // set-up (namespaces, mounts, devices) runs outside its limits. We are single-threaded: "0"
  // moves this process, and on cgroup v1 (`tasks`) without the system-wide lock that writing a
  // pid to cgroup.procs takes.
  for (const std::string& file : plan.cgroup_join_files) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, "0", 1) != 1) Fail(plan, 125, errno, "join cgroup ", file.c_str());
    ::close(fd);
  }
  if (plan.unshare_cgroup && ::unshare(CLONE_NEWCGROUP) != 0) {
    Fail(plan, 125, errno, "create cgroup namespace");
  }
  if (plan.unshare_net && ::unshare(CLONE_NEWNET) != 0) {
    Fail(plan, 125, errno, "create network namespace");
  }

  ::umask(0);
  MountRootfs(plan);
  MountSpecials(plan);
  AttachBinds(plan);
  MaskPaths(plan);
  if (!plan.hostname.empty() && ::sethostname(plan.hostname.c_str(), plan.hostname.size()) != 0) {
    Fail(plan, 125, errno, "sethostname");
  }
  if (plan.loopback_up) BringUpLoopback(plan);
  if (::setsid() < 0) Fail(plan, 125, errno, "setsid");
  SetupStdio(plan);
  // Every other descriptor closes at execve; the sync socket stays open until then so a
  // failure of execve itself can still be reported.
  if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    Fail(plan, 125, errno, "close_range");
  }
  EnterWorkingDir(plan);
  DropBoundingCapabilities(plan);
  if (plan.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    Fail(plan, 125, errno, "set no_new_privs");
  }
  LoadSeccomp(plan, /*late=*/false);
  SwitchUser(plan);
  SetCapabilities(plan);
  // Changing uid/gid clears the parent-death signal: set it again, and make sure the monitor
  // did not die in between.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  struct pollfd monitor = {plan.sync_fd, 0, 0};
  if (::poll(&monitor, 1, 0) == 1 && (monitor.revents & POLLHUP)) ::_exit(125);
  ::umask(022);
  // The monitor blocks signals it reads through a signalfd and ignores SIGPIPE; the command
  // must start with the defaults.
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &dfl, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  if (::sigprocmask(SIG_SETMASK, &none, nullptr) != 0) Fail(plan, 125, errno, "sigprocmask");
  LoadSeccomp(plan, /*late=*/true);
  // Tells the monitor that every step before execve went well: the end of stream that
  // follows (the kernel closing our close-on-exec end) then means execve succeeded, even if the
  // command has already exited by the time the monitor looks.
  char ready = kInitReadyToExec;
  if (::send(plan.sync_fd, &ready, 1, MSG_NOSIGNAL) != 1) ::_exit(125);
  Exec(plan);
}

}  // namespace mydocker::process
