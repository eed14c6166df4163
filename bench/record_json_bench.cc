// Microbenchmarks of the JSON records: encode and decode of a container's state.json and
// config.json, the records every command reads and `run` writes.
#include <benchmark/benchmark.h>

#include <string>

#include "bench_util.h"
#include "mydocker/container_config.h"
#include "mydocker/container_state.h"
#include "mydocker/state_store.h"

namespace mydocker {
namespace {

void BM_StateToJson(benchmark::State& st) {
  ContainerState s = bench::SampleState(NewContainerId(), "web");
  for (auto _ : st) benchmark::DoNotOptimize(StateToJson(s));
}
BENCHMARK(BM_StateToJson);

void BM_StateFromJson(benchmark::State& st) {
  std::string json = StateToJson(bench::SampleState(NewContainerId(), "web"));
  for (auto _ : st) benchmark::DoNotOptimize(StateFromJson(json));
  st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * json.size()));
}
BENCHMARK(BM_StateFromJson);

void BM_ConfigToJson(benchmark::State& st) {
  ContainerConfig c = bench::SampleConfig();
  for (auto _ : st) benchmark::DoNotOptimize(ConfigToJson(c));
}
BENCHMARK(BM_ConfigToJson);

void BM_ConfigFromJson(benchmark::State& st) {
  std::string json = ConfigToJson(bench::SampleConfig());
  for (auto _ : st) benchmark::DoNotOptimize(ConfigFromJson(json));
  st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * json.size()));
}
BENCHMARK(BM_ConfigFromJson);

void BM_NewContainerId(benchmark::State& st) {
  for (auto _ : st) benchmark::DoNotOptimize(NewContainerId());
}
BENCHMARK(BM_NewContainerId);

}  // namespace
}  // namespace mydocker
