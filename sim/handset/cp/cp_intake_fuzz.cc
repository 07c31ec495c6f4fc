// Fuzzes the CP client's push intake with hostile SMS segments. Input: a
// sequence of records [control][length][length octets]; control bits 0-1
// pick one of four originators, bits 2-6 advance the clock (seconds), bit 7
// runs Expire() before the segment. Invariants: nothing crashes; every
// outcome serialises; an accepted outcome names its origin and a rejected
// one its rule; pending datagrams stay bounded; everything is expired in
// the end.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "codec/bytes.h"
#include "sim/handset/cp/cp_client.h"

namespace cp = omaiop::sim::handset::cp;

namespace {

void Check(const cp::PushOutcome& o) {
  if (o.accepted && !o.origin) std::abort();
  if (!o.accepted && o.reject_rule.empty()) std::abort();
  (void)o.ToJson().dump(-1, ' ', false,
                        nlohmann::json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  cp::CpClientOptions options;
  options.max_pending_datagrams = 8;
  options.reassembly_timeout = std::chrono::seconds(60);
  cp::CpClient client(options);
  client.SetImsiProvider(
      [] { return omaiop::codec::Result<std::string>("262011234567890"); });
  cp::ScriptedUser user;
  for (int i = 0; i < 64; ++i) user.Push(i % 2 ? "1234" : "0000");
  client.SetUserAgent(&user);

  static const char* const kSenders[] = {"+1", "+2", "+3", "+4"};
  cp::SmsTime now{};
  std::size_t i = 0;
  while (i + 2 <= size) {
    const std::uint8_t control = data[i];
    const std::size_t len = std::min<std::size_t>(data[i + 1], size - i - 2);
    omaiop::codec::ByteView seg(data + i + 2, len);
    i += 2 + len;
    now += std::chrono::seconds((control >> 2) & 0x1F);
    if (control & 0x80)
      for (const auto& o : client.Expire(now)) Check(o);
    if (auto o = client.OnSmsSegment(seg, {kSenders[control & 3], "+9", now}))
      Check(*o);
    if (client.pending_datagrams() > options.max_pending_datagrams)
      std::abort();
  }
  for (const auto& o : client.Expire(now + std::chrono::hours(1))) Check(o);
  if (client.pending_datagrams() != 0) std::abort();
  (void)client.StateJson().dump(-1, ' ', false,
                                nlohmann::json::error_handler_t::replace);
  return 0;
}
