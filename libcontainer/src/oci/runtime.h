// The OCI runtime mode (runc's command set over a bundle), on the library's init plan, exec tail
// and cgroup drivers. The process model differs from the Docker-like mode's (DESIGN.md): no
// monitor; `create` clones init as its own child and exits once init waits before execve for
// `start`, so init is reparented to the caller (conmon, a containerd shim: subreapers); init's
// stdio are the caller's descriptors; state lives under the caller's --root.
#ifndef MYDOCKER_OCI_RUNTIME_H_
#define MYDOCKER_OCI_RUNTIME_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "container/exec_request.h"
#include "mydocker/cgroup_manager.h"
#include "oci/record.h"
#include "oci/spec.h"
#include "process/init_plan.h"

namespace mydocker::oci {

// The variable naming the descriptor on which mydocker-runc reports how a command failed: the
// absl::StatusCode as a number, then a space and the Docker-convention exit code when the status
// carries one (126, 127; an exec's or run's process that exited nonzero: kCancelled and its
// status), a newline, the message. A successful `exec --detach` reports "0", a newline and the
// process's pid. Set by oci/client.h (the C API's mydocker_bundle_*, pymydocker's Bundles).
inline constexpr char kRuncReportFdEnv[] = "_MYDOCKER_RUNC_REPORT_FD";

struct CreateOptions {
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  bool no_pivot = false;
  bool no_new_keyring = false;
  unsigned preserve_fds = 0;
};

// `exec`: a new process in a created or running container (runc's flags; docs/oci.md).
struct ExecArgs {
  std::string process_file;       // --process: a process.json; the flags below are then unused
  std::vector<std::string> args;  // else: config.json's process with these args and flags
  std::string cwd, user;          // user: UID[:GID]
  std::vector<std::string> env, caps;
  std::vector<uint32_t> additional_gids;
  bool tty = false;
  bool no_new_privs = false;
  bool detach = false;  // return once it runs (its pid in pid_file); else wait for it
  std::string pid_file;
  std::string console_socket;  // receives the pty master (process.terminal, --tty)
  unsigned preserve_fds = 0;   // our descriptors 3.. passed on to the process
};

class Runtime {
 public:
  // `root` is made if missing.
  static absl::StatusOr<Runtime> Open(const std::string& root);

  // Creates the container; returns its init's pid (a child of this process).
  absl::StatusOr<pid_t> Create(const std::string& id, const CreateOptions& options);
  absl::Status Start(const std::string& id);
  // The process's exit status (128+N when killed by signal N); 0 at once with `detach`.
  // `pid` (optional) receives the process's pid.
  absl::StatusOr<int> Exec(const std::string& id, const ExecArgs& args, pid_t* pid = nullptr);
  absl::StatusOr<std::string> State(const std::string& id);
  absl::Status Kill(const std::string& id, int signal, bool all);
  absl::Status Delete(const std::string& id, bool force);
  absl::Status Pause(const std::string& id, bool pause);
  absl::StatusOr<std::vector<pid_t>> Pids(const std::string& id);
  // `update`: the fields `resources` has (the others stay) on the container's cgroup.
  absl::Status Update(const std::string& id, const LinuxResources& resources);
  // `events --stats`: runc's stats event, {"type": "stats", "id": ..., "data": {...}}.
  absl::StatusOr<std::string> StatsEvent(const std::string& id);
  // Every container's record and status, by id.
  absl::StatusOr<std::vector<std::pair<Record, Status>>> List();

  const std::string& root() const { return root_; }

 private:
  Runtime(std::string root, std::unique_ptr<CgroupManager> cgroups)
      : root_(std::move(root)), cgroups_(std::move(cgroups)) {}
  std::string Dir(const std::string& id) const { return root_ + "/" + id; }
  absl::StatusOr<Record> Load(const std::string& id) const;
  Status StatusOf(const Record& record) const;
  // Runs `hooks` in order with the state on their stdin. The first failure is the result;
  // with `warn_only` it is a warning on stderr and the other hooks still run.
  // Where a hook runs and where its path resolves (runtime-spec config.md, "POSIX-platform
  // Hooks"): prestart, createRuntime, poststart and poststop in the runtime's namespaces;
  // createContainer in the container's with its path resolved in the runtime's;
  // startContainer in the container's with its path resolved there too.
  enum class HookPlace { kRuntime, kContainerRuntimePath, kContainer };
  absl::Status RunHooks(const std::vector<Hook>& hooks, const Record& record, Status status,
                        const char* what, bool warn_only = false,
                        HookPlace place = HookPlace::kRuntime) const;
  // One createContainer or startContainer hook, in the container's namespaces and cgroup (the
  // exec stub), with the state on its stdin and its timeout. `path_in_runtime`: the hook's path
  // resolves in the runtime's namespaces (createContainer), else in the container's.
  absl::Status RunHookInContainer(const Hook& hook, const Record& record, const std::string& state,
                                  bool path_in_runtime) const;
  // The process `exec` runs: config.json's, with the process.json or the flags on top.
  absl::StatusOr<Spec> ExecSpec(const Record& record, const ExecArgs& args) const;
  absl::StatusOr<Hooks> LoadHooks(const std::string& id) const;
  absl::Status Release(const Record& record);
  absl::StatusOr<pid_t> Launch(const Spec& spec, const CreateOptions& options,
                               const std::string& id, const std::string& cgroup,
                               process::InitPlan& plan, pid_t* child);

  std::string root_;
  std::unique_ptr<CgroupManager> cgroups_;
};

// A container without a mount namespace of its own shares the runtime's (the spec: it inherits
// the runtime's namespace). Its root is then a bind of root.path onto itself in that namespace,
// made private so that nothing mounted below it reaches the namespaces the runtime's shares
// mounts with; init enters it with chroot (InitPlan::chroot_root) and makes every mount of the
// config below it, so detaching it undoes them all. Detached when destroyed unless kept.
class SharedRoot {
 public:
  static absl::StatusOr<SharedRoot> Make(const std::string& rootfs, unsigned min_fd);
  SharedRoot(SharedRoot&&) = default;
  SharedRoot& operator=(SharedRoot&&) = default;
  ~SharedRoot() { Detach(); }

  int fd() const { return fd_.get(); }  // the bind's root (O_PATH-like, from open_tree)
  uint64_t mount_id() const { return mount_id_; }
  uint64_t mount_namespace() const { return mount_namespace_; }
  void Detach();                // umount2(MNT_DETACH): the bind and every mount below it
  void Keep() { fd_.reset(); }  // the container was made: `delete` detaches it

 private:
  SharedRoot() = default;
  UniqueFd fd_;
  uint64_t mount_id_ = 0, mount_namespace_ = 0;
};

// `delete`: detaches the record's SharedRoot and every mount below it, found again by its path
// and mount id, from the mount namespace `create` ran in (FailedPrecondition from another one).
absl::Status DetachSharedRoot(const Record& record);
// FailedPrecondition when the record has a SharedRoot made in another mount namespace than this
// process's (checked before `delete` changes anything).
absl::Status CheckSharedRootNamespace(const Record& record);

// Removes the container's cgroup `path` and, for the default "mydocker-runc/ID", the parent
// when it is empty (rmdir only: another container's stays).
absl::Status DestroyCgroup(CgroupManager& cgroups, const std::string& path);

// Sends the pty master `master` to the unix socket at `socket_path` (runc's --console-socket).
absl::Status SendConsole(const std::string& socket_path, int master);

// InvalidArgument unless the directory `path` would be made in exists ("pid file P: ...").
absl::Status CheckParentDir(const std::string& path, const char* what);

// process.capabilities as masks, limited to what this process may hand on (its permitted set:
// a host without, say, CAP_SYS_RESOURCE cannot grant it, and a "privileged" spec asking for every
// capability must still start); ambient ones only where permitted and inheritable.
absl::StatusOr<ExecRequestExtras::CapabilitySets> CapabilityMasks(const CapabilitySets& sets);

// The file name of the fifo `start` writes to.
inline constexpr char kExecFifo[] = "exec.fifo";

}  // namespace mydocker::oci

#endif  // MYDOCKER_OCI_RUNTIME_H_
