// The plan the container's init process executes between clone() and execve(). Everything is
// prepared as plain data in the monitor (strings built, paths resolved, flags computed) so that
// RunInit needs no allocation and makes only system calls: it runs in a child of clone() and
// must stay async-signal-safe.
#ifndef MYDOCKER_PROCESS_INIT_PLAN_H_
#define MYDOCKER_PROCESS_INIT_PLAN_H_

#include <linux/filter.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mydocker/container_config.h"
#include "process/exec_tail.h"

namespace mydocker::process {

struct PlannedMount {
  std::string source;
  std::string target;  // absolute path inside the container (applied after pivot_root)
  std::string fstype;
  unsigned long flags = 0;
  std::string data;
  bool remount_readonly = false;  // bind mounts: MS_RDONLY needs a remount
  unsigned long propagation = 0;  // "shared", "rslave", ...: MS_SHARED | MS_REC, set after
  std::string what;               // "mount proc on /proc", for error messages
  // In a new user namespace, proc and sysfs: made detached before pivot_root (fsopen, fsconfig,
  // fsmount) and moved to `target` after it. The kernel lets a user namespace mount them only
  // while a full view of the host's is in its mount namespace, which pivot_root takes away.
  bool detached = false;
  unsigned detached_attr = 0;                                   // MOUNT_ATTR_* of `flags`
  std::vector<std::pair<std::string, std::string>> fs_options;  // of `data`: key, value or ""
};

// A bind mount from the host (a volume). Its source is opened with open_tree() before
// pivot_root, while the host's tree is still reachable, and attached at its target after, so that
// the target (and any symlink on its way, such as an image's "/data -> /etc") resolves inside the
// container and never on the host.
struct PlannedBind {
  std::string source;                    // host path
  std::string target;                    // container path
  std::vector<std::string> target_dirs;  // created first: "/a", "/a/b" for "/a/b/c"
  bool source_is_dir = true;             // else an empty file is made at the target
  bool readonly = false;                 // MOUNT_ATTR_RDONLY on the whole (recursive) tree
  bool recursive = true;                 // rbind (the default) or bind
  unsigned propagation = MS_PRIVATE;     // of the attached tree: MS_SHARED, MS_SLAVE, ...
  std::string what;
  // Where it comes in the config's order: attached just before InitPlan::mounts[before_mount],
  // or, when it is mounts.size(), after them all (and after the devices and links).
  size_t before_mount = 0;
  // Copied again just before it is attached (OrderBinds): mounts are listed by mount id, so a copy
  // made before pivot_root would be listed before the mounts made after it. Every copy closed
  // unattached costs the kernel an RCU grace period (a quarter of a millisecond here).
  bool copy_at_attach = false;
  // Without mount_setattr (InitPlan::mount_setattr false) and `readonly` and `recursive`: the
  // container paths of the mounts below `source` on the host, each remounted read-only in turn
  // (PlanMountFallback), parents first.
  std::vector<std::string> submounts;
};

struct PlannedDevice {
  std::string path;
  mode_t mode;  // S_IFCHR or S_IFBLK | permissions
  dev_t dev;
  uid_t uid = 0;
  gid_t gid = 0;
};

// The step init names when the network sync fails: the monitor tells its own closing of the
// socket (it failed to connect the namespace, and reports why) from init's other failures.
inline constexpr char kAwaitNetworkStep[] = "wait for the network";

struct InitPlan {
  int sync_fd = -1;             // SOCK_SEQPACKET to the monitor (init's end)
  int stdio[3] = {-1, -1, -1};  // descriptors to become 0, 1, 2 (ignored for a terminal)
  bool terminal = false;
  ConsoleSize console_size;

  std::string rootfs;  // host path of the mount point
  // The host's "/" is an initramfs (rootfs), which pivot_root cannot move away from: init moves
  // the container's root onto "/" and chroots into it instead (what runc does with
  // --no-pivot), after detaching `hide_before_move` (the host's proc and sysfs mounts, deepest
  // first) from its mount namespace. See PlanRootMove for what this costs the container.
  bool move_root = false;
  std::vector<std::string> hide_before_move;
  std::string overlay_data;  // "lowerdir=...,upperdir=...,workdir=..."
  // The fuse-overlayfs storage driver: the monitor mounts it with these options at `rootfs`
  // before init starts (and `bind_rootfs` is set).
  std::string fuse_overlay_options;
  std::string overlay_what;
  bool rootfs_readonly = false;

  std::vector<PlannedMount> mounts;  // after pivot_root, in order
  // The fsmount() descriptors of the `detached` mounts, filled in by init (sized by
  // PlanForUserNamespace; -1 for the others).
  mutable std::vector<int> detached_fds;
  std::vector<PlannedBind> binds;  // among the mounts above, in the config's order
  // mount_setattr exists (Linux 5.12): each bind's whole tree made read-only and its
  // propagation set before it is attached. Else (PlanMountFallback) both after it is attached,
  // with mount(2): propagation recursively, read-only mount by mount.
  bool mount_setattr = true;
  // The open_tree() descriptors of `binds`, filled in by init itself (sized by BuildInitPlan).
  mutable std::vector<int> bind_fds;
  std::vector<std::string> device_dirs;  // made before `devices` ("/dev/snd"), in order
  std::vector<PlannedDevice> devices;
  std::vector<std::pair<std::string, std::string>> symlinks;  // target, link path
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;

  // The cgroup files init writes "0" to, first thing, to move itself into the container's
  // cgroups (CgroupManager::JoinFiles), so nothing of the container's own set-up runs outside
  // its limits. Filled in by the monitor.
  std::vector<std::string> cgroup_join_files;
  // Where init joins its cgroups itself (cgroup v1): created before its cgroup exists, it makes
  // its network namespace while the monitor makes the cgroup, then waits for one byte here (end
  // of stream: the monitor failed) before it joins. -1: the cgroup exists already.
  int cgroup_ready_fd = -1;
  // Namespaces init creates itself (unshare) rather than the monitor's clone: a cgroup namespace
  // once in its cgroups, so that it gets the container's cgroup as its root instead of the
  // monitor's; the network namespace then too (its kernel memory charged to the container), or,
  // with cgroup_ready_fd, first thing, while the monitor makes the cgroup.
  bool unshare_net = false;
  bool unshare_cgroup = false;
  // A container on a network: once its namespace exists, init writes one byte here and goes on
  // with its mounts while the monitor connects the namespace (network/attach.h); it waits for
  // one byte back before its sysctls, or else before the command runs. -1: none.
  int net_sync_fd = -1;
  // --network container:ID: the namespace to join (setns) instead of creating one. -1: none.
  int join_netns_fd = -1;
  // OCI linux.namespaces with a path for "mount": the mount namespace init joins (setns) once
  // in its cgroup, instead of a new one. -1: none.
  int join_mntns_fd = -1;
  // --init: a sealed copy of the helper binary (kept open through init's descriptor cleanup);
  // the command then runs as the child of its init mode. -1: none.
  int init_binary_fd = -1;
  std::string hostname;
  bool loopback_up = false;

  std::vector<std::string> cwd_components;  // "/a/b" -> {"/a", "/a/b"}, created if missing
  std::vector<const char*> cwd_create;      // into cwd_components, NULL-terminated
  std::string cwd;
  mode_t umask = 022;  // the process's (OCI process.user.umask)
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;

  bool limit_capabilities = false;
  uint64_t capabilities = 0;  // bit N = capability N is kept
  int last_capability = 40;   // /proc/sys/kernel/cap_last_cap

  std::vector<sock_filter> seccomp;  // empty: no system call filter
  bool no_new_privileges = false;

  std::vector<std::string> exec_candidates;      // full paths to try, in $PATH order
  std::vector<const char*> exec_candidate_ptrs;  // into exec_candidates, NULL-terminated
  bool command_has_slash = false;
  std::string command_name;
  // argv/envp point into the storage vectors; valid as long as the plan lives. These and the
  // other pointer lists point into the heap arrays of vectors, which a move of the plan keeps
  // in place; a copy of the plan points into the original.
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;

  // What the OCI runtime mode (oci/, `mydocker-runc`) changes; the defaults are the Docker-like
  // mode's. Its init outlives its creator (`create` exits; the caller is the subreaper), so no
  // parent-death signal (0).
  int parent_death_signal = SIGKILL;
  // root.path is a ready directory (an OCI bundle's rootfs): bind-mounted onto itself for
  // pivot_root instead of an overlay being assembled there.
  bool bind_rootfs = false;
  // OCI: no mount namespace of the container's own (the spec: it inherits the runtime's). The
  // creator has bound the root onto itself, private, in its own namespace, and passes that
  // mount's root as `root_fd`: init enters it with fchdir and chroot instead of pivot_root and
  // leaves the namespace's other mounts and their propagation alone. Every mount it makes lies
  // below that bind (paths resolve in the chroot as they would past pivot_root), so detaching the
  // bind (`delete`, a failed `create`) takes them all away.
  bool chroot_root = false;
  int root_fd = -1;
  // linux.rootfsPropagation, applied to "/" after pivot_root (MS_SHARED, MS_SLAVE, MS_PRIVATE,
  // MS_UNBINDABLE with MS_REC); 0: the mounts stay private.
  unsigned long root_propagation = 0;
  std::vector<Rlimit> rlimits;                               // ContainerConfig's
  std::vector<std::pair<std::string, std::string>> sysctls;  // "/proc/sys/net/...", value
  std::string oom_score_adj;  // written to /proc/self/oom_score_adj; empty: none
  // A new user namespace: init waits for one byte on sync_fd, sent once its creator has written
  // its uid and gid maps, and becomes the namespace's root (setresuid/setresgid 0) after
  // pivot_root. Until then it acts as the host's root, so that it can still reach the root file
  // system and the binds' sources through directories only the host's root may enter.
  bool wait_for_id_maps = false;
  // Wait for `start` before execve (exec_tail.h: wait_for_start, start_fd, preserve_fds).
  bool wait_for_start = false;
  int start_fd = -1;
  unsigned preserve_fds = 0;
  // All five capability sets (exec_tail.h: all_sets); `capabilities` is the bounding set.
  bool all_capability_sets = false;
  uint64_t cap_effective = 0, cap_permitted = 0, cap_inheritable = 0, cap_ambient = 0;
};

// --init: the plan then executes the helper binary held by `binary_fd` (through
// /proc/self/fd, inside the container) in its init mode, with the planned command after "--".
// The exec stub's variable is dropped from the environment, so init never acts as the stub.
void PlanInitProcess(int binary_fd, InitPlan& plan);

// What a new user namespace changes in a plan (OCI linux.uidMappings): init waits for its id
// maps; device nodes, which it may not create there, are bind mounts of the host's nodes at the
// same paths (runc's way); proc and sysfs mounts are made `detached`.
void PlanForUserNamespace(InitPlan& plan);

// Decides which binds are copied again when attached (PlannedBind::copy_at_attach). With
// `config_order` (OCI mode: the validation suite checks /proc/self/mountinfo against the config's
// order), every bind that some mount made after pivot_root precedes. Otherwise only a bind whose
// target lies at or below such a mount (a volume in /dev/shm), where the listing decides which
// of the stacked mounts readers take for the path. BuildInitPlan does the latter; a caller that
// adds binds or wants the config's order calls it again.
void OrderBinds(InitPlan& plan, bool config_order);

// Builds the plan for `config`. `stdio` and `sync_fd` are filled in by the caller.
// `seccomp_cache_dir` (may be empty) keeps compiled seccomp programs between starts.
absl::StatusOr<InitPlan> BuildInitPlan(const ContainerConfig& config,
                                       const std::string& seccomp_cache_dir = "");

// Sets `move_root` and `hide_before_move` when the mount at "/" in `mountinfo` (the monitor's
// /proc/self/mountinfo) is the initramfs ("rootfs"), and then takes CAP_SYS_CHROOT from the
// container: below its moved root the initramfs stays reachable to a process that can chroot
// (mkdir x; chroot x; cd ../..; chroot .), which pivot_root would have prevented.
absl::Status PlanRootMove(absl::string_view mountinfo, InitPlan& plan);

// The plan for a kernel without mount_setattr (before 5.12): clears `mount_setattr` and fills
// each read-only recursive bind's `submounts` from `mountinfo` (the monitor's
// /proc/self/mountinfo). A mount made below a source after this read stays writable.
absl::Status PlanMountFallback(absl::string_view mountinfo, InitPlan& plan);

// True where "/" may be the initramfs (ramfs or tmpfs): one statfs, the check every start makes
// before it reads mountinfo at all.
bool RootMayBeInitramfs();

// True where "/" is the initramfs. Cheap on other hosts: one statfs, no mountinfo read.
absl::StatusOr<bool> HostRootIsInitramfs();

// `mask` (bit N = capability N) without CAP_SYS_CHROOT: what every process of a container gets
// on an initramfs host (init through PlanRootMove, exec's commands too).
uint64_t WithoutChroot(uint64_t mask);

// Every capability the kernel knows (bits 0 to LastCapability()).
uint64_t AllCapabilities();

// Executes the plan in the child of clone(). Never returns: execve()s the command, or sends an
// InitError to sync_fd and exits with 125/126/127.
[[noreturn]] void RunInit(const InitPlan& plan);

// The part of `plan` from "inside the namespaces" to execve, for the exec tail shared with the
// exec stub (exec_tail.h). Points into `plan`; async-signal-safe (RunInit calls it after clone).
mydocker_exec_tail_plan ExecTailPlan(const InitPlan& plan);

// The number of a capability by name ("CAP_CHOWN" or "CHOWN"); InvalidArgument if unknown.
absl::StatusOr<int> CapabilityNumber(absl::string_view name);

// The name of capability `number` without "CAP_" ("CHOWN"); empty if unknown.
absl::string_view CapabilityName(int number);

// The capabilities named in `names` as a mask (bit N = capability N).
absl::StatusOr<uint64_t> CapabilityMask(const std::vector<std::string>& names);
// The highest capability number the kernel knows (/proc/sys/kernel/cap_last_cap).
int LastCapability();

// The paths execve tries for `command`, like execvp: the command itself if it has a '/', else
// each directory of the PATH in `env`.
std::vector<std::string> ExecCandidates(const std::string& command,
                                        const std::vector<std::string>& env);

// The CLONE_NEW* flags of `namespaces`.
unsigned long NamespaceFlags(const std::vector<NamespaceType>& namespaces);

// The value of PATH in `env` (KEY=VALUE list), or the default PATH Docker uses.
std::string PathFromEnv(const std::vector<std::string>& env);

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_INIT_PLAN_H_
