// The container's init between clone() and execve(). Async-signal-safe code only: system calls
// on the prepared plan, no allocation, no locks, no C++ library calls that may allocate.
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "process/init_plan.h"

namespace mydocker::process {
namespace {

// The container's own steps fail in the exec tail's format, so the monitor reads one kind of
// report whichever step failed.
[[noreturn]] void Fail(const InitPlan& plan, int exit_code, int err, const char* what,
                       const char* what2 = nullptr, const char* what3 = nullptr) {
  mydocker_exec_tail_fail(plan.sync_fd, exit_code, err, what, what2, what3);
}

void OpenBinds(const InitPlan& plan);

void MkdirIfMissing(const char* path, mode_t mode) {
  ::mkdir(path, mode);  // EEXIST and others surface at the mount that follows
}

// mkdir -p, in a buffer on the stack (no allocation after clone). Returns the errno of the first
// mkdir that failed for another reason than EEXIST, 0 if none did.
int MkdirParents(const char* path, mode_t mode) {
  int failed = 0;
  char buf[4096];
  size_t n = 0;
  for (; path[n] != '\0' && n + 1 < sizeof buf; ++n) {
    if (path[n] == '/' && n > 0) {
      buf[n] = '\0';
      if (::mkdir(buf, mode) != 0 && errno != EEXIST && failed == 0) failed = errno;
    }
    buf[n] = path[n];
  }
  buf[n] = '\0';
  if (::mkdir(buf, mode) != 0 && errno != EEXIST && failed == 0) failed = errno;
  return failed;
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

// Before pivot_root, while the host's proc and sysfs are in view: the `detached` mounts (a new
// user namespace's proc and sysfs), made with their options and flags, attached nowhere yet.
void MakeDetachedMounts(const InitPlan& plan) {
  for (size_t i = 0; i < plan.mounts.size(); ++i) {
    const PlannedMount& m = plan.mounts[i];
    if (!m.detached) continue;
    int fs = ::fsopen(m.fstype.c_str(), FSOPEN_CLOEXEC);
    if (fs < 0) Fail(plan, 125, errno, m.what.c_str());
    if (!m.source.empty() &&
        ::fsconfig(fs, FSCONFIG_SET_STRING, "source", m.source.c_str(), 0) != 0) {
      Fail(plan, 125, errno, m.what.c_str(), ": source");
    }
    for (const auto& [key, value] : m.fs_options) {
      int rc = value.empty() ? ::fsconfig(fs, FSCONFIG_SET_FLAG, key.c_str(), nullptr, 0)
                             : ::fsconfig(fs, FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0);
      if (rc != 0) Fail(plan, 125, errno, m.what.c_str(), ": option ", key.c_str());
    }
    if (::fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
      Fail(plan, 125, errno, m.what.c_str());
    }
    int mnt = ::fsmount(fs, FSMOUNT_CLOEXEC, m.detached_attr);
    if (mnt < 0) Fail(plan, 125, errno, m.what.c_str());
    ::close(fs);
    plan.detached_fds[i] = mnt;
  }
}

// A new user namespace, once its maps are written and nothing of the host's tree is needed any
// more: its root, which files made from here on belong to (they could not belong to the host's
// root, which the namespace does not map).
void BecomeNamespaceRoot(const InitPlan& plan) {
  if (::setgroups(0, nullptr) != 0) Fail(plan, 125, errno, "drop the host's groups");
  if (::setresgid(0, 0, 0) != 0) Fail(plan, 125, errno, "become group 0 of the user namespace");
  if (::setresuid(0, 0, 0) != 0) Fail(plan, 125, errno, "become root of the user namespace");
}

// Waits for the one byte the monitor (or the creator) sends on `fd` when init may go on; its
// end of stream (it failed and reports why itself) or an error fails step `what`.
void AwaitByte(const InitPlan& plan, int fd, const char* what) {
  char byte = 0;
  ssize_t n;
  do {
    n = ::read(fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) Fail(plan, 125, n < 0 ? errno : EPIPE, what);
}

// The creator writes the maps, then one byte.
void WaitForIdMaps(const InitPlan& plan) {
  AwaitByte(plan, plan.sync_fd, "wait for the user namespace's id maps");
}

// No mount namespace of its own (InitPlan::chroot_root): the creator's bind of the root, entered
// with chroot. Nothing of the namespace's is moved, pivoted or made private.
void EnterSharedRoot(const InitPlan& plan) {
  OpenBinds(plan);
  if (::fchdir(plan.root_fd) != 0) Fail(plan, 125, errno, "chdir to root file system");
  if (::chroot(".") != 0) Fail(plan, 125, errno, "chroot into root file system");
  if (::chdir("/") != 0) Fail(plan, 125, errno, "chdir to /");
  ::close(plan.root_fd);
}

void MountRootfs(const InitPlan& plan) {
  if (plan.chroot_root) {
    EnterSharedRoot(plan);
    return;
  }
  // Nothing done in this namespace may propagate back to the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    Fail(plan, 125, errno, "make mounts private");
  }
  int rc =
      plan.bind_rootfs
          ? ::mount(plan.rootfs.c_str(), plan.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr)
          : ::mount("overlay", plan.rootfs.c_str(), "overlay", 0, plan.overlay_data.c_str());
  if (rc != 0) Fail(plan, 125, errno, plan.overlay_what.c_str());
  OpenBinds(plan);
  MakeDetachedMounts(plan);
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
  if (plan.root_propagation != 0 &&
      ::mount(nullptr, "/", nullptr, plan.root_propagation, nullptr) != 0) {
    Fail(plan, 125, errno, "set propagation of /");
  }
}

// OCI process.rlimits, process.oomScoreAdj and linux.sysctl.
void SetLimitsAndSysctls(const InitPlan& plan) {
  for (const Rlimit& r : plan.rlimits) {
    struct rlimit64 limit = {r.soft, r.hard};
    if (::syscall(SYS_prlimit64, 0, r.resource, &limit, nullptr) != 0) {
      Fail(plan, 125, errno, "set rlimit");
    }
  }
  if (!plan.oom_score_adj.empty()) {
    int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, plan.oom_score_adj.data(), plan.oom_score_adj.size()) !=
                      static_cast<ssize_t>(plan.oom_score_adj.size())) {
      Fail(plan, 125, errno, "write /proc/self/oom_score_adj");
    }
    ::close(fd);
  }
  for (const auto& [path, value] : plan.sysctls) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
      Fail(plan, 125, errno, "write sysctl ", path.c_str());
    }
    ::close(fd);
  }
}

void AttachBind(const InitPlan& plan, size_t i);

// Mounts, devices and links inside the container. Runs after pivot_root, so every path,
// including symlinks planted in the image, resolves inside the container's own tree. The binds
// that come before a mount in the config are attached before it (runc's order: a later mount
// may be made inside an earlier bind).
void MountSpecials(const InitPlan& plan) {
  size_t next_bind = 0;
  for (size_t mount = 0; mount < plan.mounts.size(); ++mount) {
    const PlannedMount& m = plan.mounts[mount];
    for (; next_bind < plan.binds.size() && plan.binds[next_bind].before_mount <= mount;
         ++next_bind) {
      AttachBind(plan, next_bind);
    }
    // A mount point that could not be made (in a user namespace, a directory of the host's
    // root) is named as such rather than as the mount's ENOENT.
    const int made = MkdirParents(m.target.c_str(), 0755);
    if (made != 0 && ::access(m.target.c_str(), F_OK) != 0) {
      Fail(plan, 125, made, "create mount point ", m.target.c_str());
    }
    if (m.detached) {
      // Copied again now, as binds are (AttachBind): listed in /proc/self/mountinfo in the
      // config's order rather than before every mount made after pivot_root.
      int again = ::open_tree(plan.detached_fds[mount], "",
                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
      if (again >= 0) {
        ::close(plan.detached_fds[mount]);
        plan.detached_fds[mount] = again;
      }
      if (::move_mount(plan.detached_fds[mount], "", AT_FDCWD, m.target.c_str(),
                       MOVE_MOUNT_F_EMPTY_PATH) != 0) {
        Fail(plan, 125, errno, m.what.c_str());
      }
      ::close(plan.detached_fds[mount]);
    } else if (::mount(m.source.c_str(), m.target.c_str(),
                       m.fstype.empty() ? nullptr : m.fstype.c_str(), m.flags,
                       m.data.empty() ? nullptr : m.data.c_str()) != 0) {
      Fail(plan, 125, errno, m.what.c_str());
    }
    if (m.remount_readonly && ::mount(nullptr, m.target.c_str(), nullptr,
                                      MS_BIND | MS_REMOUNT | MS_RDONLY | m.flags, nullptr) != 0) {
      Fail(plan, 125, errno, "remount read-only ", m.target.c_str());
    }
    if (m.propagation != 0 &&
        ::mount(nullptr, m.target.c_str(), nullptr, m.propagation, nullptr) != 0) {
      Fail(plan, 125, errno, "set propagation of ", m.target.c_str());
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

// Read-only where asked (on every mount below too) and the bind's propagation, on a detached tree.
// Not `final`: private instead of unbindable, so that AttachBind can still copy the tree.
void SetDetachedBindAttributes(const InitPlan& plan, const PlannedBind& b, int fd, bool final) {
  struct mount_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.attr_set = b.readonly ? MOUNT_ATTR_RDONLY : 0;
  attr.propagation = !final && b.propagation == MS_UNBINDABLE ? MS_PRIVATE : b.propagation;
  if (::mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) {
    Fail(plan, 125, errno, "set attributes of ", b.what.c_str());
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
    plan.bind_fds[i] = fd;
    if (plan.mount_setattr) SetDetachedBindAttributes(plan, b, fd, /*final=*/false);
  }
}

// A volume's target resolved in the container (a symlink in the image counts, as runc resolves
// it): never in /proc or /sys (or a cgroup file system), whose masked and read-only paths it
// would hide, as runc refuses; never /dev itself, where the runtime made the devices.
int OpenBindTarget(const InitPlan& plan, const PlannedBind& b, const struct stat& dev) {
  int fd = ::open(b.target.c_str(), O_PATH | O_CLOEXEC);
  struct statfs fs;
  struct stat st;
  if (fd < 0 || ::fstatfs(fd, &fs) != 0 || ::fstat(fd, &st) != 0) {
    Fail(plan, 125, errno, b.what.c_str());
  }
  if (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC ||
      fs.f_type == CGROUP_SUPER_MAGIC || fs.f_type == CGROUP2_SUPER_MAGIC) {
    Fail(plan, 125, 0, "volume target ", b.target.c_str(), " is inside /proc or /sys");
  }
  if (st.st_dev == dev.st_dev && st.st_ino == dev.st_ino) {
    Fail(plan, 125, 0, "volume target ", b.target.c_str(), " is /dev");
  }
  return fd;
}

// Read-only with mount(2), keeping the mount's nosuid, nodev and noexec (a bind remount sets
// exactly the flags it is given).
void RemountReadonly(const InitPlan& plan, const char* path) {
  struct statfs fs;
  if (::statfs(path, &fs) != 0) Fail(plan, 125, errno, "remount read-only ", path);
  unsigned long keep = ((fs.f_flags & ST_NOSUID) != 0 ? MS_NOSUID : 0) |
                       ((fs.f_flags & ST_NODEV) != 0 ? MS_NODEV : 0) |
                       ((fs.f_flags & ST_NOEXEC) != 0 ? MS_NOEXEC : 0);
  if (::mount(nullptr, path, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, nullptr) != 0) {
    Fail(plan, 125, errno, "remount read-only ", path);
  }
}

// Before Linux 5.12 (no mount_setattr): what OpenBinds sets on the detached tree, set on the
// attached one. Propagation first, so nothing mounted on the host below the source reaches it
// afterwards; then read-only, the bind's own mount and each mount found below its source.
void SetBindAttributes(const InitPlan& plan, const PlannedBind& b) {
  if (::mount(nullptr, b.target.c_str(), nullptr, MS_REC | b.propagation, nullptr) != 0) {
    Fail(plan, 125, errno, "set propagation of ", b.what.c_str());
  }
  if (!b.readonly) return;
  RemountReadonly(plan, b.target.c_str());
  for (const std::string& path : b.submounts) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) continue;  // hidden by another mount
    RemountReadonly(plan, path.c_str());
  }
}

// After pivot_root: the targets, and every symlink on their way, resolve in the container.
void AttachBind(const InitPlan& plan, size_t i) {
  // Looked at for each: a bind may come before /dev is mounted.
  struct stat dev;
  if (::stat("/dev", &dev) != 0) Fail(plan, 125, errno, "stat /dev");
  const PlannedBind& b = plan.binds[i];
  for (const std::string& dir : b.target_dirs) MkdirIfMissing(dir.c_str(), 0755);
  if (!b.source_is_dir) {
    int fd = ::open(b.target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) ::close(fd);
  }
  // A symlink at the target is followed as Docker does; past pivot_root it can only lead
  // somewhere inside the container. Mounted on what was checked.
  int target = OpenBindTarget(plan, b, dev);
  // The mount table lists mounts in the order they were made (newer kernels order it by mount
  // id): copied again now, the bind comes after the mounts the config puts before it, as
  // /proc/self/mountinfo readers (and the OCI validation suite) expect (see OrderBinds). Kernels
  // that cannot copy a detached tree attach the first copy.
  int again = !b.copy_at_attach ? -1
                                : ::open_tree(plan.bind_fds[i], "",
                                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                                  (b.recursive ? AT_RECURSIVE : 0));
  if (again >= 0) {
    ::close(plan.bind_fds[i]);
    plan.bind_fds[i] = again;
  }
  if (plan.mount_setattr) SetDetachedBindAttributes(plan, b, plan.bind_fds[i], /*final=*/true);
  if (::move_mount(plan.bind_fds[i], "", target, "",
                   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
    Fail(plan, 125, errno, b.what.c_str());
  }
  ::close(target);
  ::close(plan.bind_fds[i]);
  if (!plan.mount_setattr) SetBindAttributes(plan, b);
}

// The binds that come after every mount in the config.
void AttachBinds(const InitPlan& plan) {
  for (size_t i = 0; i < plan.binds.size(); ++i) {
    if (plan.binds[i].before_mount >= plan.mounts.size()) AttachBind(plan, i);
  }
}

void MaskPaths(const InitPlan& plan) {
  for (const std::string& path : plan.masked_paths) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;  // nothing to hide
    int rc = S_ISDIR(st.st_mode) ? ::mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY, "size=0")
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
  // Keeping the root's nosuid, nodev and noexec, which a user namespace may not clear.
  if (plan.rootfs_readonly) RemountReadonly(plan, "/");
}

// Creates the network namespace (or joins another container's) and, on a network, tells the
// monitor that it exists. The monitor connects it (a veth pair, addresses, routes) while init
// goes on with the mounts; AwaitNetwork waits for it to be done. The namespace must exist before
// sysfs is mounted, which shows the mounting process's network devices.
void SetUpNetworkNamespace(const InitPlan& plan) {
  if (plan.join_netns_fd >= 0) {
    if (::setns(plan.join_netns_fd, CLONE_NEWNET) != 0) {
      Fail(plan, 125, errno, "join the network namespace of the container");
    }
    ::close(plan.join_netns_fd);
    return;
  }
  if (plan.unshare_net && ::unshare(CLONE_NEWNET) != 0) {
    Fail(plan, 125, errno, "create network namespace");
  }
  if (plan.net_sync_fd < 0) return;
  char byte = 0;
  ssize_t n;
  do {
    n = ::write(plan.net_sync_fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) Fail(plan, 125, n < 0 ? errno : EPIPE, kAwaitNetworkStep);
}

// Waits until the monitor has connected the namespace: before a sysctl, which may name an
// interface (net.ipv4.conf.eth0.*), and before the command runs.
void AwaitNetwork(const InitPlan& plan) {
  if (plan.net_sync_fd < 0) return;
  AwaitByte(plan, plan.net_sync_fd, kAwaitNetworkStep);
  ::close(plan.net_sync_fd);
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

}  // namespace

// Closes every descriptor inherited from the monitor except the ones init needs (the sync
// socket and the container's stdio). Marking them close-on-exec is not enough: until execve
// they are reachable as /proc/self/fd/N, and a working directory of "/proc/self/fd/5" (from a
// hostile image's WORKDIR) would otherwise land on a host directory (CVE-2024-21626).
void CloseInheritedDescriptors(const InitPlan& plan) {
  constexpr int kKeep = 11;
  int keep[kKeep] = {plan.sync_fd,  plan.stdio[0],       plan.stdio[1],
                     plan.stdio[2], plan.net_sync_fd,    plan.join_netns_fd,
                     plan.start_fd, plan.join_mntns_fd,  plan.init_binary_fd,
                     plan.root_fd,  plan.cgroup_ready_fd};
  for (int i = 1; i < kKeep; ++i) {  // insertion sort: no library call here
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  }
  unsigned next = 3 + plan.preserve_fds;
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
  if (plan.parent_death_signal != 0) ::prctl(PR_SET_PDEATHSIG, plan.parent_death_signal);
  CloseInheritedDescriptors(plan);
  // Made before the cgroup (v1, where init joins it itself): the network namespace comes first,
  // while the monitor makes the cgroup (its kernel memory is then charged to the monitor's
  // cgroup, as is the monitor's own), and init waits for the cgroup before anything else.
  const bool early_network = plan.cgroup_ready_fd >= 0;
  if (early_network) {
    SetUpNetworkNamespace(plan);
    AwaitByte(plan, plan.cgroup_ready_fd, "wait for the container's cgroup");
    ::close(plan.cgroup_ready_fd);
  }
  // Into the container's cgroups before its mounts, devices and command, so none of them runs
  // outside its limits. We are single-threaded: "0" moves this process, and on cgroup v1
  // (`tasks`) without the system-wide lock that writing a pid to cgroup.procs takes.
  for (const std::string& file : plan.cgroup_join_files) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, "0", 1) != 1) Fail(plan, 125, errno, "join cgroup ", file.c_str());
    ::close(fd);
  }
  if (plan.wait_for_id_maps) WaitForIdMaps(plan);
  if (plan.unshare_cgroup && ::unshare(CLONE_NEWCGROUP) != 0) {
    Fail(plan, 125, errno, "create cgroup namespace");
  }
  if (!early_network) SetUpNetworkNamespace(plan);
  if (plan.join_mntns_fd >= 0) {
    if (::setns(plan.join_mntns_fd, CLONE_NEWNS) != 0)
      Fail(plan, 125, errno, "join mount namespace");
    ::close(plan.join_mntns_fd);
  }

  ::umask(0);
  MountRootfs(plan);
  if (plan.wait_for_id_maps) BecomeNamespaceRoot(plan);
  MountSpecials(plan);
  if (!plan.sysctls.empty()) AwaitNetwork(plan);
  SetLimitsAndSysctls(plan);
  AttachBinds(plan);
  MaskPaths(plan);
  if (!plan.hostname.empty() && ::sethostname(plan.hostname.c_str(), plan.hostname.size()) != 0) {
    Fail(plan, 125, errno, "sethostname");
  }
  if (plan.sysctls.empty()) AwaitNetwork(plan);
  if (plan.loopback_up) BringUpLoopback(plan);
  // The rest is the same as for `exec`: stdio, working directory, privileges, execve.
  const mydocker_exec_tail_plan tail = ExecTailPlan(plan);
  mydocker_exec_tail_run(&tail);
}

mydocker_exec_tail_plan ExecTailPlan(const InitPlan& plan) {
  mydocker_exec_tail_plan t;
  std::memset(&t, 0, sizeof t);
  t.report_fd = plan.sync_fd;
  t.terminal = plan.terminal;
  t.rows = plan.console_size.height;
  t.cols = plan.console_size.width;
  for (int i = 0; i < 3; ++i) t.stdio[i] = plan.stdio[i];
  t.cwd = plan.cwd.c_str();
  t.cwd_create = plan.cwd_create.empty() ? nullptr : plan.cwd_create.data();
  t.limit_capabilities = plan.limit_capabilities;
  t.capabilities = plan.capabilities;
  t.last_capability = plan.last_capability;
  t.no_new_privs = plan.no_new_privileges;
  t.seccomp = plan.seccomp.empty() ? nullptr : plan.seccomp.data();
  t.seccomp_len = static_cast<unsigned short>(plan.seccomp.size());
  t.set_user = 1;
  t.uid = plan.uid;
  t.gid = plan.gid;
  t.groups = plan.groups.data();
  t.ngroups = plan.groups.size();
  t.umask = plan.umask;
  t.parent_death_signal = plan.parent_death_signal;  // as set first thing in RunInit
  t.wait_for_start = plan.wait_for_start;
  t.start_fd = plan.start_fd;
  t.preserve_fds = plan.preserve_fds;
  t.all_sets = plan.all_capability_sets;
  t.cap_effective = plan.cap_effective;
  t.cap_permitted = plan.cap_permitted;
  t.cap_inheritable = plan.cap_inheritable;
  t.cap_ambient = plan.cap_ambient;
  t.exec_candidates = plan.exec_candidate_ptrs.empty() ? nullptr : plan.exec_candidate_ptrs.data();
  t.command_name = plan.command_name.c_str();
  t.command_has_slash = plan.command_has_slash;
  t.argv = plan.argv.data();
  t.envp = plan.envp.data();
  return t;
}

}  // namespace mydocker::process
