#include "harness/adapters/common/compose_push.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include "harness/adapters/common/handset_judge.h"
#include "sim/servers/faults.h"

namespace omaiop::harness::adapters {

namespace servers = sim::servers;

codec::Result<servers::ComposedPush> ComposeCasePush(
    const script::TestCase& tc, const script::PushStep& p,
    const std::vector<std::string>& extra_faults,
    const servers::CpPushServer& server) {
  std::ifstream in(script::ResolveCasePath(tc, p.document), std::ios::binary);
  if (!in)
    return codec::Error("cannot read push document " + p.document, 0,
                        "test case");
  std::ostringstream text;
  text << in.rdbuf();
  servers::ComposeOptions o;
  if (p.sec != "none") {
    o.sec = SecByName(p.sec);
    if (!o.sec) return codec::Error("unknown sec " + p.sec, 0, "test case");
  }
  o.imsi = p.imsi;
  o.pin = p.pin;
  if (!p.initiator.empty()) o.initiator_uri = p.initiator;
  o.initiator_authenticated = p.authenticated;
  std::vector<std::string> names = p.faults;
  names.insert(names.end(), extra_faults.begin(), extra_faults.end());
  for (const auto& n : names) {
    auto f = servers::FaultByName(n);
    if (!f) return codec::Error("unknown fault " + n, 0, "omaiop cp faults");
    if (std::find(o.faults.begin(), o.faults.end(), *f) == o.faults.end())
      o.faults.push_back(*f);
  }
  return server.Compose(text.str(), o);
}

reports::TraceEntry WspPushEntry(const servers::ComposedPush& push) {
  reports::TraceEntry e =
      MakeEntry(reports::source::kServer, reports::source::kHandset,
                reports::kind::kWspPush, reports::Direction::kOut,
                "WSP push, " + std::to_string(push.wsp_pdu.size()) + " bytes" +
                    (push.mac.empty() ? "" : ", MAC " + push.mac));
  for (const auto& f : push.applied)
    e.summary += std::string(", fault ") +
                 std::string(servers::InfoOf(f.id).name) + " (" + f.detail +
                 ")";
  e.raw = push.wsp_pdu;
  return e;
}

}  // namespace omaiop::harness::adapters
