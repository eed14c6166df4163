// Microbenchmarks of the stages of starting a container, outside a real start: building the
// init plan, detecting the cgroup driver, starting the helper binary (exec + dynamic loading),
// and creating the namespaces with clone() (with and without a network namespace, the known
// expensive one). The clone benchmarks need root and are skipped otherwise.
#include <benchmark/benchmark.h>
#include <sched.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "bench_util.h"
#include "mydocker/cgroup_manager.h"
#include "process/init_plan.h"

extern char** environ;

namespace mydocker {
namespace {

void BM_BuildInitPlan(benchmark::State& st) {
  ContainerConfig c = bench::SampleConfig();
  for (auto _ : st) benchmark::DoNotOptimize(process::BuildInitPlan(c));
}
BENCHMARK(BM_BuildInitPlan);

void BM_CgroupDetect(benchmark::State& st) {
  for (auto _ : st) benchmark::DoNotOptimize(CgroupManager::Detect());
}
BENCHMARK(BM_CgroupDetect);

// posix_spawn + wait of a binary that exits at once: the price of one process start-up of it.
void SpawnAndWait(benchmark::State& st, const std::string& path, const char* arg) {
  if (path.empty() || ::access(path.c_str(), X_OK) != 0) {
    st.SkipWithError("binary not found (set MYDOCKER_BENCH_HELPER / MYDOCKER_BENCH_CLI)");
    return;
  }
  char* argv[] = {const_cast<char*>(path.c_str()), const_cast<char*>(arg), nullptr};
  for (auto _ : st) {
    pid_t pid;
    if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv, environ) != 0) {
      st.SkipWithError("posix_spawn failed");
      return;
    }
    int status;
    ::waitpid(pid, &status, 0);
  }
}

std::string EnvPath(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

void BM_StartHelper(benchmark::State& st) {
  SpawnAndWait(st, EnvPath("MYDOCKER_BENCH_HELPER", MYDOCKER_BENCH_HELPER), "--none");
}
BENCHMARK(BM_StartHelper)->UseRealTime();

void BM_StartCli(benchmark::State& st) {
  SpawnAndWait(st, EnvPath("MYDOCKER_BENCH_CLI", MYDOCKER_BENCH_CLI), "--version");
}
BENCHMARK(BM_StartCli)->UseRealTime();

// clone() with the container's namespaces, child exits at once, parent reaps it.
void CloneAndReap(benchmark::State& st, unsigned long flags) {
  if (::geteuid() != 0) {
    st.SkipWithError("needs root");
    return;
  }
  for (auto _ : st) {
    long pid = ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
    if (pid == 0) ::_exit(0);
    if (pid < 0) {
      st.SkipWithError("clone failed");
      return;
    }
    ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
  }
}

void BM_CloneNamespaces(benchmark::State& st) {
  CloneAndReap(st, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET);
}
BENCHMARK(BM_CloneNamespaces)->UseRealTime();

void BM_CloneNamespacesWithoutNet(benchmark::State& st) {
  CloneAndReap(st, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID);
}
BENCHMARK(BM_CloneNamespacesWithoutNet)->UseRealTime();

void BM_ForkOnly(benchmark::State& st) { CloneAndReap(st, 0); }
BENCHMARK(BM_ForkOnly)->UseRealTime();

}  // namespace
}  // namespace mydocker
