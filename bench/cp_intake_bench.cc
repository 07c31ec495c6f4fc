// The simulated handset's CP intake (sim/handset/cp/cp_client: reassembly,
// WSP, SEC/MAC, WBXML, validation, contexts, settings store) against an
// anchor measured in the same run: `omaiop decode`'s path over the same SMS
// segments with the same key material (codec::Dissect: reassembly, WSP,
// MAC check, WBXML to XML), which stores and validates nothing.
// scripts/bench cp prints the ours/decode ratio per case: what a handset's
// judgement costs on top of reading the bytes.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "codec/dissect.h"
#include "sim/handset/cp/cp_client.h"
#include "sim/servers/cp_push_server.h"

namespace {

using omaiop::codec::Bytes;
namespace cp = omaiop::sim::handset::cp;
namespace servers = omaiop::sim::servers;

constexpr char kImsi[] = "262011234567890";
constexpr char kPin[] = "1234";

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(OMAIOP_SOURCE_DIR) + "/fixtures/cp/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Case {
  std::string doc;
  omaiop::codec::SecMethod sec;
};

std::vector<Bytes> Compose(const Case& c) {
  servers::ComposeOptions o;
  o.sec = c.sec;
  o.imsi = kImsi;
  o.pin = kPin;
  auto p = servers::CpPushServer().Compose(Fixture(c.doc), o);
  return p.ok() ? p->segments : std::vector<Bytes>{};
}

std::int64_t TotalBytes(const std::vector<Bytes>& segs) {
  std::int64_t n = 0;
  for (const auto& s : segs) n += static_cast<std::int64_t>(s.size());
  return n;
}

void Ours(benchmark::State& state, Case c) {
  const auto segs = Compose(c);
  if (segs.empty()) return state.SkipWithError("compose failed");
  for (auto _ : state) {
    // A fresh handset per push, as the anchor keeps no state either.
    cp::CpClient client;
    cp::ScriptedUser user({std::optional<std::string>(kPin)});
    client.SetUserAgent(&user);
    client.SetImsiProvider([]() -> omaiop::codec::Result<std::string> {
      return std::string(kImsi);
    });
    std::optional<cp::PushOutcome> out;
    for (const auto& s : segs)
      if (auto o = client.OnSmsSegment(s, {"1234", "491700000001", {}}))
        out = o;
    if (!out || !out->accepted) return state.SkipWithError("not accepted");
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * TotalBytes(segs));
}

void Decode(benchmark::State& state, Case c) {
  const auto segs = Compose(c);
  if (segs.empty()) return state.SkipWithError("compose failed");
  omaiop::codec::DissectOptions o;
  o.format = omaiop::codec::InputFormat::kSms;
  o.imsi = kImsi;
  o.pin = kPin;
  for (auto _ : state) {
    auto d = omaiop::codec::Dissect(segs, o);
    if (!d.security || !d.security->mac_ok || !*d.security->mac_ok)
      return state.SkipWithError("MAC did not verify");
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(state.iterations() * TotalBytes(segs));
}

int Register() {
  using omaiop::codec::SecMethod;
  const std::vector<std::pair<std::string, Case>> cases = {
      {"bootstrap_netwpin", {"bootstrap.xml", SecMethod::kNetwPin}},
      {"napdef_proxy_netwpin", {"napdef_gprs_proxy.xml", SecMethod::kNetwPin}},
      {"browser_userpin", {"browser_w2.xml", SecMethod::kUserPin}},
      {"access_rule_userpin", {"access_rule.xml", SecMethod::kUserPin}},
  };
  for (const auto& [name, c] : cases) {
    benchmark::RegisterBenchmark(("cp_intake/" + name + "/ours").c_str(), Ours,
                                 c);
    benchmark::RegisterBenchmark(("cp_intake/" + name + "/decode").c_str(),
                                 Decode, c);
  }
  return 0;
}
const int registered = Register();

}  // namespace

BENCHMARK_MAIN();
