// In-process APDU throughput of the virtual UICC (no transport): the
// ceiling a vpcd/PC/SC link can approach (uicc.md §2 measured ~7k APDU/s
// through pcscd).
#include <benchmark/benchmark.h>

#include "codec/bytes.h"
#include "sim/uicc/apdu_engine.h"
#include "sim/uicc/sample_profile.h"

namespace {

using omaiop::codec::Bytes;
using omaiop::codec::ParseHex;
using omaiop::sim::uicc::Card;
using omaiop::sim::uicc::SampleFileSystem;

void BM_SelectReadBinary(benchmark::State& state) {
  Card card(SampleFileSystem());
  const Bytes select = ParseHex("00A40804022FE2").value();  // FCP returned
  const Bytes read = ParseHex("00B000000A").value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(card.Transmit(select));
    benchmark::DoNotOptimize(card.Transmit(read));
  }
  state.counters["APDU/s"] =
      benchmark::Counter(2.0 * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SelectReadBinary);

void BM_SelectByAidNoDataReadBySfi(benchmark::State& state) {
  Card card(SampleFileSystem());
  const Bytes select =
      ParseHex("00A4040C10A0000000871002FF49FF058900000000").value();
  const Bytes read = ParseHex("00B0830004").value();  // EF.AD by SFI
  for (auto _ : state) {
    benchmark::DoNotOptimize(card.Transmit(select));
    benchmark::DoNotOptimize(card.Transmit(read));
  }
  state.counters["APDU/s"] =
      benchmark::Counter(2.0 * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SelectByAidNoDataReadBySfi);

}  // namespace

BENCHMARK_MAIN();
