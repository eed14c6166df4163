// `create`: config.json -> init plan -> init cloned and waiting before execve for `start`.
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "host/proc_stat.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "oci/runtime.h"
#include "process/clone_init.h"
#include "process/protocol.h"

namespace mydocker::oci {
namespace {

// What this process may hand on (its permitted set).
uint64_t OwnPermitted() {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return ~uint64_t{0};
  return data[0].permitted | (uint64_t{data[1].permitted} << 32);
}

}  // namespace

absl::StatusOr<ExecRequestExtras::CapabilitySets> CapabilityMasks(const CapabilitySets& c) {
  ExecRequestExtras::CapabilitySets m;
  MYDOCKER_ASSIGN_OR_RETURN(m.bounding, process::CapabilityMask(c.bounding));
  MYDOCKER_ASSIGN_OR_RETURN(m.effective, process::CapabilityMask(c.effective));
  MYDOCKER_ASSIGN_OR_RETURN(m.permitted, process::CapabilityMask(c.permitted));
  MYDOCKER_ASSIGN_OR_RETURN(m.inheritable, process::CapabilityMask(c.inheritable));
  MYDOCKER_ASSIGN_OR_RETURN(m.ambient, process::CapabilityMask(c.ambient));
  const uint64_t own = OwnPermitted();
  for (uint64_t* set : {&m.bounding, &m.effective, &m.permitted, &m.inheritable, &m.ambient}) {
    *set &= own;
  }
  // The kernel keeps an ambient capability only while it is permitted and inheritable; runc's
  // default spec asks for ambient ones it does not make inheritable.
  m.ambient &= m.permitted & m.inheritable;
  return m;
}

absl::Status CheckParentDir(const std::string& path, const char* what) {
  if (path.empty()) return absl::OkStatus();
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? std::string(".")
                    : slash == 0               ? std::string("/")
                                               : path.substr(0, slash);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, ": directory ", dir, " does not exist"));
  }
  return absl::OkStatus();
}

absl::Status SendConsole(const std::string& socket_path, int master) {
  UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) {
    return absl::InvalidArgumentError("console socket path too long");
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  if (!sock || ::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return LastErrnoError(absl::StrCat("connect to console socket ", socket_path));
  }
  char name[] = "/dev/ptmx";
  struct iovec iov = {name, sizeof name - 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
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
  if (::sendmsg(sock.get(), &msg, MSG_NOSIGNAL) < 0) return LastErrnoError("send console");
  return absl::OkStatus();
}

namespace {

// A descriptor at or above `min`: the first ones belong to --preserve-fds.
absl::StatusOr<UniqueFd> Above(UniqueFd fd, unsigned min, const char* what) {
  if (!fd) return LastErrnoError(what);
  if (static_cast<unsigned>(fd.get()) >= min) return fd;
  UniqueFd moved(::fcntl(fd.get(), F_DUPFD_CLOEXEC, static_cast<int>(min)));
  if (!moved) return LastErrnoError(what);
  return moved;
}

}  // namespace

absl::StatusOr<uint64_t> MountId(int fd) {
  struct statx stx;
  if (::statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) != 0) {
    return LastErrnoError("statx");
  }
  if ((stx.stx_mask & STATX_MNT_ID) == 0) return absl::UnimplementedError("statx: no mount id");
  return stx.stx_mnt_id;
}

absl::StatusOr<uint64_t> OwnMountNamespace() {
  struct stat st;
  if (::stat("/proc/self/ns/mnt", &st) != 0) return LastErrnoError("stat /proc/self/ns/mnt");
  return static_cast<uint64_t>(st.st_ino);
}

absl::StatusOr<SharedRoot> SharedRoot::Make(const std::string& rootfs, unsigned min_fd) {
  SharedRoot root;
  MYDOCKER_ASSIGN_OR_RETURN(
      UniqueFd tree,
      Above(UniqueFd(::open_tree(AT_FDCWD, rootfs.c_str(),
                                 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)),
            min_fd, ("bind root file system " + rootfs).c_str()));
  if (::move_mount(tree.get(), "", AT_FDCWD, rootfs.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    return LastErrnoError("bind root file system " + rootfs);
  }
  // Attached: whatever fails from here detaches it again (~SharedRoot).
  root.fd_ = std::move(tree);
  // Private before anything is mounted below it: the container's mounts stay out of the
  // namespaces the runtime's shares mounts with. Only this new mount (and the copies below it)
  // changes; the namespace's own mounts keep their propagation.
  const std::string self = absl::StrCat("/proc/self/fd/", root.fd_.get());
  if (::mount(nullptr, self.c_str(), nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return LastErrnoError("make the root file system's bind private");
  }
  MYDOCKER_ASSIGN_OR_RETURN(root.mount_id_, MountId(root.fd_.get()));
  MYDOCKER_ASSIGN_OR_RETURN(root.mount_namespace_, OwnMountNamespace());
  return root;
}

void SharedRoot::Detach() {
  if (!fd_) return;
  const std::string self = absl::StrCat("/proc/self/fd/", fd_.get());
  (void)::umount2(self.c_str(), MNT_DETACH);
  fd_.reset();
}

absl::Status CheckSharedRootNamespace(const Record& record) {
  if (record.root_mount_id == 0) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(uint64_t own, OwnMountNamespace());
  if (own != record.mount_namespace) {
    return absl::FailedPreconditionError(absl::StrCat(
        "container ", record.id, " has its mounts in mount namespace mnt:[", record.mount_namespace,
        "] (it has no mount namespace of its own): delete it from that namespace"));
  }
  return absl::OkStatus();
}

absl::Status DetachSharedRoot(const Record& record) {
  if (record.root_mount_id == 0) return absl::OkStatus();
  MYDOCKER_RETURN_IF_ERROR(CheckSharedRootNamespace(record));
  UniqueFd fd(::open(record.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return absl::OkStatus();  // the bundle is gone, and with it any mount on it
  absl::StatusOr<uint64_t> id = MountId(fd.get());
  // Another mount at the root (ours detached already, someone else's on top): not ours to
  // touch.
  if (!id.ok() || *id != record.root_mount_id) return absl::OkStatus();
  const std::string self = absl::StrCat("/proc/self/fd/", fd.get());
  if (::umount2(self.c_str(), MNT_DETACH) != 0 && errno != EINVAL) {
    return LastErrnoError("detach the mounts of container " + record.id);
  }
  return absl::OkStatus();
}

namespace {

// Undoes a half-made container unless it was made.
struct Rollback {
  std::string dir;
  std::string cgroup;
  CgroupManager* cgroups = nullptr;
  pid_t pid = -1;
  std::optional<SharedRoot> root;
  bool done = false;
  ~Rollback() {
    if (done) return;
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (root.has_value()) root->Detach();
    if (!cgroup.empty()) (void)DestroyCgroup(*cgroups, cgroup);
    if (!dir.empty()) (void)RemoveAll(dir);
  }
};

// The cgroup mount of the spec: the container's own cgroups, bound where the spec asks.
absl::Status AddCgroupMount(const Spec& spec, const CgroupManager& cgroups, const std::string& path,
                            ContainerConfig& config) {
  if (!spec.cgroup_mount) return absl::OkStatus();
  std::vector<std::string> options = {"rbind", "nosuid", "noexec", "nodev"};
  if (spec.cgroup_mount_readonly) options.push_back("ro");
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> files, cgroups.JoinFiles(path));
  const bool v2 = cgroups.version() == CgroupVersion::kV2;
  if (!v2) {
    config.mounts.push_back(
        {spec.cgroup_mount_target, "tmpfs", "tmpfs", {"nosuid", "noexec", "nodev", "mode=755"}});
  }
  for (const std::string& file : files) {
    std::string dir = file.substr(0, file.rfind('/'));
    std::string hierarchy = dir.substr(0, dir.size() - path.size() - 1);
    std::string name = hierarchy.substr(hierarchy.rfind('/') + 1);
    std::string target =
        v2 ? spec.cgroup_mount_target : absl::StrCat(spec.cgroup_mount_target, "/", name);
    config.mounts.push_back({target, "bind", dir, options});
  }
  return absl::OkStatus();
}

absl::Status PlanCapabilities(const Spec& spec, process::InitPlan& plan) {
  if (!spec.capabilities.has_value()) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(ExecRequestExtras::CapabilitySets sets,
                            CapabilityMasks(*spec.capabilities));
  plan.all_capability_sets = true;
  plan.limit_capabilities = true;
  plan.last_capability = process::LastCapability();
  plan.capabilities = sets.bounding;
  plan.cap_effective = sets.effective;
  plan.cap_permitted = sets.permitted;
  plan.cap_inheritable = sets.inheritable;
  plan.cap_ambient = sets.ambient;
  return absl::OkStatus();
}

void ApplyOciPlan(const Spec& spec, const CreateOptions& options, process::InitPlan& plan) {
  plan.parent_death_signal = 0;
  plan.root_propagation = spec.root_propagation;
  if (options.no_pivot) plan.move_root = true;
  plan.wait_for_start = true;
  plan.preserve_fds = options.preserve_fds;
  for (int i = 0; i < 3; ++i) plan.stdio[i] = i;
  if (!spec.uid_mappings.empty()) process::PlanForUserNamespace(plan);
  process::OrderBinds(plan, /*config_order=*/true);
}

// A new user namespace's maps, each in the one write the kernel takes, then the byte init waits
// for (process::InitPlan::wait_for_id_maps). gid_map needs no "deny" in setgroups: this process
// holds CAP_SETGID where the namespace was made.
absl::Status WriteIdMaps(pid_t pid, const Spec& spec, int sync) {
  for (const auto& [file, mappings] :
       {std::pair{"uid_map", &spec.uid_mappings}, std::pair{"gid_map", &spec.gid_mappings}}) {
    const std::string path = absl::StrCat("/proc/", pid, "/", file);
    const std::string text = IdMapText(*mappings);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      return LastErrnoError(absl::StrCat("write the user namespace's ", file, " (",
                                         absl::StripTrailingAsciiWhitespace(text), ")"));
    }
  }
  if (::send(sync, "m", 1, MSG_NOSIGNAL) != 1) return LastErrnoError("release container init");
  return absl::OkStatus();
}

int NamespaceFlag(NamespaceType type) { return static_cast<int>(process::NamespaceFlags({type})); }

// Namespaces given by path: the network and mount ones init joins (after its cgroup); the others
// this process joins before the clone, so init is created in them.
absl::Status JoinNamespaces(const Spec& spec, unsigned min_fd, process::InitPlan& plan,
                            UniqueFd* netns, UniqueFd* mntns) {
  for (const auto& [type, path] : spec.join) {
    MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd,
                              Above(UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)), min_fd,
                                    absl::StrCat("open namespace ", path).c_str()));
    if (type == NamespaceType::kNetwork) {
      *netns = std::move(fd);
      plan.join_netns_fd = netns->get();
    } else if (type == NamespaceType::kMount) {
      *mntns = std::move(fd);
      plan.join_mntns_fd = mntns->get();
    } else if (::setns(fd.get(), NamespaceFlag(type)) != 0) {
      return LastErrnoError(absl::StrCat("join namespace ", path));
    }
  }
  return absl::OkStatus();
}

// Until init waits for `start`: the terminal goes to the console socket, an error is the
// create's.
absl::Status AwaitCreated(int sync, const std::string& console_socket) {
  for (;;) {
    MYDOCKER_ASSIGN_OR_RETURN(process::ExecReport report, process::ReceiveExecReport(sync));
    switch (report.kind) {
      case process::ExecReport::kTerminal:
        if (console_socket.empty()) {
          return absl::InvalidArgumentError("process.terminal needs --console-socket");
        }
        MYDOCKER_RETURN_IF_ERROR(SendConsole(console_socket, report.terminal.get()));
        continue;
      case process::ExecReport::kCreated:
        return absl::OkStatus();
      case process::ExecReport::kError:
        return process::StartFailure(report.error.exit_code,
                                     process::DescribeInitError(report.error));
      case process::ExecReport::kReady:
      case process::ExecReport::kPid:  // the exec stub's only
      case process::ExecReport::kClosed:
        break;
    }
    return absl::AbortedError("container init ended before it was created");
  }
}

absl::StatusOr<Spec> ReadBundle(const CreateOptions& options, std::string* bundle,
                                std::string* text) {
  char* real = ::realpath(options.bundle.c_str(), nullptr);
  if (real == nullptr) return LastErrnoError(absl::StrCat("bundle ", options.bundle));
  *bundle = real;
  ::free(real);
  MYDOCKER_ASSIGN_OR_RETURN(*text, ReadFile(*bundle + "/config.json"));
  absl::StatusOr<Spec> spec = ParseSpec(*text, *bundle);
  if (!spec.ok()) return Annotate(spec.status(), "config.json");
  return spec;
}

}  // namespace

namespace {

absl::StatusOr<unsigned long> CreateFlags(const Spec& spec) {
  return process::NamespaceFlags(spec.config.linux_spec.namespaces);
}

absl::Status FinishRecord(pid_t pid, const Spec& spec, Record& record) {
  MYDOCKER_ASSIGN_OR_RETURN(ProcStat stat, ReadProcStat(pid));
  record.init = {pid, stat.start_time};
  record.created = absl::Now();
  record.annotations = spec.annotations;
  return absl::OkStatus();
}

}  // namespace

// The fifo `start` writes to, the report socket, the namespaces to join, then the clone; returns
// once init waits for `start`. Every descriptor made here is at or above 3 + preserve_fds.
absl::StatusOr<pid_t> Runtime::Launch(const Spec& spec, const CreateOptions& options,
                                      const std::string& id, const std::string& cgroup,
                                      process::InitPlan& plan, pid_t* child) {
  const unsigned min_fd = 3 + options.preserve_fds;
  MYDOCKER_ASSIGN_OR_RETURN(unsigned long flags, CreateFlags(spec));
  const std::string fifo = Dir(id) + "/" + kExecFifo;
  if (::mkfifo(fifo.c_str(), 0600) != 0) return LastErrnoError("mkfifo " + fifo);
  MYDOCKER_ASSIGN_OR_RETURN(
      UniqueFd start,
      Above(UniqueFd(::open(fifo.c_str(), O_RDWR | O_CLOEXEC)), min_fd, "open fifo"));
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return LastErrnoError("socketpair");
  }
  UniqueFd first(pair[0]), second(pair[1]);
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd mine, Above(std::move(first), min_fd, "socketpair"));
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd theirs, Above(std::move(second), min_fd, "socketpair"));
  UniqueFd netns, mntns;
  MYDOCKER_RETURN_IF_ERROR(JoinNamespaces(spec, min_fd, plan, &netns, &mntns));
  plan.sync_fd = theirs.get();
  plan.start_fd = start.get();
  MYDOCKER_ASSIGN_OR_RETURN(*child, process::CloneInit(*cgroups_, cgroup, flags, plan));
  if (plan.wait_for_id_maps) MYDOCKER_RETURN_IF_ERROR(WriteIdMaps(*child, spec, mine.get()));
  theirs.reset();
  start.reset();
  netns.reset();
  mntns.reset();
  MYDOCKER_RETURN_IF_ERROR(AwaitCreated(mine.get(), options.console_socket));
  return *child;
}

absl::StatusOr<pid_t> Runtime::Create(const std::string& id, const CreateOptions& options) {
  MYDOCKER_RETURN_IF_ERROR(ValidateId(id));
  MYDOCKER_RETURN_IF_ERROR(CheckParentDir(options.pid_file, "pid file"));
  Record record;
  record.id = id;
  std::string text;
  MYDOCKER_ASSIGN_OR_RETURN(Spec spec, ReadBundle(options, &record.bundle, &text));
  record.rootfs = spec.config.root.path;
  MYDOCKER_ASSIGN_OR_RETURN(record.cgroup_path,
                            CgroupPath(spec.config.linux_spec.cgroups_path, id));
  MYDOCKER_RETURN_IF_ERROR(CreateFlags(spec).status());
  MYDOCKER_RETURN_IF_ERROR(cgroups_->Validate(spec.config.linux_spec.resources));
  Rollback rollback;
  rollback.cgroups = cgroups_.get();
  if (::mkdir(Dir(id).c_str(), 0700) != 0) {
    if (errno == EEXIST)
      return absl::AlreadyExistsError(absl::StrCat("container ", id, " already exists"));
    return LastErrnoError("create " + Dir(id));
  }
  rollback.dir = Dir(id);
  MYDOCKER_RETURN_IF_ERROR(WriteFileAtomic(Dir(id) + "/config.json", text, 0600));
  MYDOCKER_RETURN_IF_ERROR(cgroups_->Create(record.cgroup_path, spec.config.linux_spec.resources));
  rollback.cgroup = record.cgroup_path;
  MYDOCKER_RETURN_IF_ERROR(AddCgroupMount(spec, *cgroups_, record.cgroup_path, spec.config));
  MYDOCKER_ASSIGN_OR_RETURN(process::InitPlan plan, process::BuildInitPlan(spec.config));
  ApplyOciPlan(spec, options, plan);
  MYDOCKER_RETURN_IF_ERROR(PlanCapabilities(spec, plan));
  if (!HasNamespace(spec, NamespaceType::kMount)) {
    MYDOCKER_ASSIGN_OR_RETURN(rollback.root,
                              SharedRoot::Make(record.rootfs, 3 + options.preserve_fds));
    plan.chroot_root = true;
    plan.root_fd = rollback.root->fd();
    plan.move_root = false;  // --no-pivot: there is nothing to pivot
    record.root_mount_id = rollback.root->mount_id();
    record.mount_namespace = rollback.root->mount_namespace();
  }
  MYDOCKER_RETURN_IF_ERROR(
      Launch(spec, options, id, record.cgroup_path, plan, &rollback.pid).status());
  MYDOCKER_RETURN_IF_ERROR(FinishRecord(rollback.pid, spec, record));
  MYDOCKER_RETURN_IF_ERROR(WriteFileAtomic(Dir(id) + "/state.json", RecordToJson(record), 0600));
  MYDOCKER_RETURN_IF_ERROR(
      RunHooks(spec.hooks.create_runtime, record, Status::kCreated, "createRuntime"));
  MYDOCKER_RETURN_IF_ERROR(RunHooks(spec.hooks.create_container, record, Status::kCreated,
                                    "createContainer",
                                    /*warn_only=*/false, HookPlace::kContainerRuntimePath));
  if (!options.pid_file.empty()) {
    MYDOCKER_RETURN_IF_ERROR(WriteFileAtomic(options.pid_file, absl::StrCat(rollback.pid), 0644));
  }
  if (rollback.root.has_value()) rollback.root->Keep();
  rollback.done = true;
  return rollback.pid;
}

}  // namespace mydocker::oci
