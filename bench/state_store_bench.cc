// Microbenchmarks of the state store with 1, 100 and 1000 containers: list (what `ps` does),
// load, save, and resolving a container by id prefix and by name. The store is on tmpfs (see
// bench_util.h), so the numbers are the CPU and system-call cost of our code;
// BM_SaveState/disk shows what the fsync protocol adds on a real file system.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench_util.h"
#include "mydocker/container.h"
#include "mydocker/state_store.h"

namespace mydocker {
namespace {

struct Filled {
  std::unique_ptr<StateStore> store;
  std::vector<std::string> ids;
};

// One store per container count, filled on first use (records written by StateStore::Create,
// as `run` does) and removed when the process exits.
Filled& StoreWith(int n) {
  static std::map<int, Filled> stores;
  auto it = stores.find(n);
  if (it != stores.end()) return it->second;
  Filled& f = stores[n];
  f.store = StateStore::Open(bench::TempDir(bench::FastDir(), "store")).value();
  for (int i = 0; i < n; ++i) {
    ContainerState s = bench::SampleState(NewContainerId(), absl::StrCat("c", i));
    bench::Check(f.store->Create(s, bench::SampleConfig()), "create");
    f.ids.push_back(s.id);
  }
  return f;
}

void BM_List(benchmark::State& st) {
  Filled& f = StoreWith(static_cast<int>(st.range(0)));
  for (auto _ : st) {
    auto states = f.store->List();
    benchmark::DoNotOptimize(states);
  }
  st.SetComplexityN(st.range(0));
}
BENCHMARK(BM_List)->Arg(1)->Arg(100)->Arg(1000)->Complexity();

// What `ps` pays per container on top of List: the liveness check of init and monitor.
void BM_ListReconciled(benchmark::State& st) {
  Filled& f = StoreWith(static_cast<int>(st.range(0)));
  for (auto _ : st) {
    auto states = f.store->List();
    for (ContainerState& s : *states) benchmark::DoNotOptimize(ReconcileState(std::move(s)));
  }
  st.SetComplexityN(st.range(0));
}
BENCHMARK(BM_ListReconciled)->Arg(1)->Arg(100)->Arg(1000)->Complexity();

void BM_LoadState(benchmark::State& st) {
  Filled& f = StoreWith(static_cast<int>(st.range(0)));
  for (auto _ : st) benchmark::DoNotOptimize(f.store->LoadState(f.ids.back()));
}
BENCHMARK(BM_LoadState)->Arg(1)->Arg(1000);

void BM_ResolvePrefix(benchmark::State& st) {
  Filled& f = StoreWith(static_cast<int>(st.range(0)));
  const std::string prefix = f.ids.back().substr(0, 12);
  for (auto _ : st) benchmark::DoNotOptimize(f.store->Resolve(prefix));
  st.SetComplexityN(st.range(0));
}
BENCHMARK(BM_ResolvePrefix)->Arg(1)->Arg(100)->Arg(1000)->Complexity();

void BM_ResolveName(benchmark::State& st) {
  Filled& f = StoreWith(static_cast<int>(st.range(0)));
  const std::string name = absl::StrCat("c", st.range(0) - 1);
  for (auto _ : st) benchmark::DoNotOptimize(f.store->Resolve(name));
}
BENCHMARK(BM_ResolveName)->Arg(1)->Arg(1000);

// Arg 0: tmpfs; arg 1: a real disk, where the fsyncs of the atomic replace dominate.
void BM_SaveState(benchmark::State& st) {
  static std::unique_ptr<StateStore> stores[2];
  static ContainerState states[2];
  int disk = static_cast<int>(st.range(0));
  if (!stores[disk]) {
    stores[disk] =
        StateStore::Open(bench::TempDir(disk ? bench::DiskDir() : bench::FastDir(), "save"))
            .value();
    states[disk] = bench::SampleState(NewContainerId(), "saved");
    bench::Check(stores[disk]->Create(states[disk], bench::SampleConfig()), "create");
  }
  for (auto _ : st) bench::Check(stores[disk]->SaveState(states[disk]), "save");
  st.SetLabel(disk ? bench::DiskDir() : bench::FastDir());
}
BENCHMARK(BM_SaveState)->Arg(0)->Arg(1)->UseRealTime();

// Create + Remove of one container's records: the state-store part of `run --rm`.
void BM_CreateRemove(benchmark::State& st) {
  static std::unique_ptr<StateStore> stores[2];
  int disk = static_cast<int>(st.range(0));
  if (!stores[disk]) {
    stores[disk] =
        StateStore::Open(bench::TempDir(disk ? bench::DiskDir() : bench::FastDir(), "create"))
            .value();
  }
  for (auto _ : st) {
    ContainerState s = bench::SampleState(NewContainerId(), "tmp");
    bench::Check(stores[disk]->Create(s, bench::SampleConfig()), "create");
    bench::Check(stores[disk]->Remove(s.id), "remove");
  }
  st.SetLabel(disk ? bench::DiskDir() : bench::FastDir());
}
BENCHMARK(BM_CreateRemove)->Arg(0)->Arg(1)->UseRealTime();

}  // namespace
}  // namespace mydocker
