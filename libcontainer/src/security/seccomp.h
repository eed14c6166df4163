// System call filtering: the default profile every container gets, profiles read from JSON (the
// OCI form and Docker's), and their compilation to a classic BPF program that init and the exec
// stub load with the raw seccomp(2) call just before they drop privileges.
#ifndef MYDOCKER_SECURITY_SECCOMP_H_
#define MYDOCKER_SECURITY_SECCOMP_H_

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "json_util.h"
#include "mydocker/container_config.h"

namespace mydocker {

// Docker's approach in the form of a deny list: everything is allowed except the calls that
// reach the host kernel's global state or widen the container's view of it (kernel modules,
// kexec, clocks, swap, reboot, keyrings, BPF, perf events, mounts and the new mount API, new
// namespaces including user namespaces, ptrace of other processes' memory, io_uring, handles
// by inode), which fail with EPERM; clone3 fails with ENOSYS so C libraries fall back to clone,
// whose namespace flags can be checked. Capabilities already stop most of these; the filter
// also stops what needs none (unshare(CLONE_NEWUSER), userfaultfd, keyctl, io_uring).
// Docker's rules conditioned on capabilities follow `capabilities` ("CAP_SYS_ADMIN", ...): with
// CAP_SYS_ADMIN mount, umount2, unshare, setns, the new mount API and clone/clone3 with any
// flags; CAP_SYS_PTRACE process_vm_*, kcmp, pidfd_getfd; CAP_SYS_MODULE, CAP_SYS_BOOT,
// CAP_SYS_TIME, CAP_SYS_PACCT, CAP_SYS_RAWIO, CAP_SYS_TTY_CONFIG, CAP_SYSLOG, CAP_BPF,
// CAP_PERFMON, CAP_DAC_READ_SEARCH their own calls (seccomp_profile.cc).
LinuxSeccomp DefaultSeccompProfile(const std::vector<std::string>& capabilities = {});

// A profile given by the user (`--security-opt seccomp=FILE`): the OCI linux.seccomp object,
// or Docker's profile format (archMap, and rules conditioned with includes/excludes on
// architectures and capabilities, evaluated against `capabilities` here). InvalidArgument
// naming the field for malformed input.
absl::StatusOr<LinuxSeccomp> SeccompProfileFromJson(absl::string_view json,
                                                    const std::vector<std::string>& capabilities);

// The OCI JSON form inside config.json.
void WriteSeccomp(json::Writer& w, const LinuxSeccomp& seccomp);
absl::Status ReadSeccomp(const json::ObjectReader& r, LinuxSeccomp* seccomp);

// What profiles may use here: actions, argument operators, architectures (libseccomp's names).
struct SeccompFeatures {
  std::vector<std::string> actions, operators, archs;
};
SeccompFeatures SupportedSeccomp();

// Compiles `seccomp` for this machine with libseccomp. System call names the kernel headers do
// not know are skipped (as runc and crun do), so one profile serves several kernels.
// InvalidArgument for an unknown action, operator or architecture.
// `compact`: through CompactSeccomp (only tests compare with the program before).
absl::StatusOr<std::vector<sock_filter>> CompileSeccomp(const LinuxSeccomp& seccomp,
                                                        bool compact = true);

// CompileSeccomp through a cache of compiled programs in `cache_dir` (root-only; created if
// missing; empty: no cache). See seccomp_cache.cc for why a cached program is trusted.
absl::StatusOr<std::vector<sock_filter>> CompileSeccompCached(const LinuxSeccomp& seccomp,
                                                              const std::string& cache_dir);

// A program with the same answer as `program` for every input, in fewer instructions where it
// can: the kernel's time to load a filter, at every start and exec, grows with its length.
// `program` as it is if it uses other instructions than CompileSeccomp's programs do
// (seccomp_compact.cc says how).
std::vector<sock_filter> CompactSeccomp(const std::vector<sock_filter>& program);
// The program CompactSeccomp builds, longer or not; nullopt for a program it cannot rebuild.
std::optional<std::vector<sock_filter>> RebuildSeccomp(const std::vector<sock_filter>& program);

// What `program` answers for `data`, as the kernel evaluates it (for the instructions
// CompileSeccomp's programs use; any other: SECCOMP_RET_KILL_PROCESS). `read_more` is set if it
// read more than the number and the architecture. For tests.
uint32_t RunSeccompProgram(const std::vector<sock_filter>& program, const seccomp_data& data,
                           bool* read_more = nullptr);

// An input for which `before` and `after` answer differently, if one of these has: every
// architecture either names and two neither does; numbers 0 to 599, the same with x32's bit,
// every value either compares with and its neighbours; and, where either program reads more
// than those two, each half of each argument at the values compared with after a load of an
// argument, and pseudo-random arguments. For tests and the fuzz target.
std::optional<seccomp_data> SeccompAnswersDiffer(const std::vector<sock_filter>& before,
                                                 const std::vector<sock_filter>& after);

// Where a state root keeps compiled programs.
std::string SeccompCacheDir(const std::string& state_root);

}  // namespace mydocker

#endif  // MYDOCKER_SECURITY_SECCOMP_H_
