// omaiop as the push server of a case: the <push> step (plus the run's
// injected faults) composed by sim/servers CpPushServer, and the trace entry
// that shows the WSP push. Shared by the simulated and command adapters.
#pragma once

#include <string>
#include <vector>

#include "codec/result.h"
#include "harness/script/testcase.h"
#include "reports/campaign.h"
#include "sim/servers/cp_push_server.h"

namespace omaiop::harness::adapters {

codec::Result<sim::servers::ComposedPush> ComposeCasePush(
    const script::TestCase& tc, const script::PushStep& p,
    const std::vector<std::string>& extra_faults,
    const sim::servers::CpPushServer& server);

// kind wsp_push, server -> handset, raw = the PDU; the summary names the MAC
// and every fault applied.
reports::TraceEntry WspPushEntry(const sim::servers::ComposedPush& push);

}  // namespace omaiop::harness::adapters
