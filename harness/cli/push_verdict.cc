#include "harness/cli/push_verdict.h"

#include <algorithm>

namespace omaiop::cli {

namespace {

using nlohmann::json;

std::string MacCheck(const codec::Dissection& d) {
  if (!d.security || d.security->method == "none") return "absent";
  if (!d.security->mac_ok) return "not-checked";
  return *d.security->mac_ok ? "match" : "mismatch";
}

// Until the handset CP client is wired in: accept what decodes cleanly and
// whose MAC does not fail (a MAC that cannot be checked for lack of key
// material is reported as such, not held against the push).
class DecodeVerdict : public PushVerdictSource {
 public:
  json Verdict(const sim::smsc::ArrivedPush& push,
               const codec::Dissection& d) override {
    json j;
    j["sender"] = push.source_addr;
    j["destination"] = push.destination_addr;
    j["sec_method"] = d.security ? d.security->method : "none";
    const std::string mac = MacCheck(d);
    j["mac_check"] = mac;
    json rule = nullptr;
    if (!push.complete) {
      rule =
          "SMS concatenation: every segment 1..n must arrive (3GPP TS 23.040 "
          "§9.2.3.24.1)";
    } else if (!d.errors.empty()) {
      const auto& e = d.errors.front();
      rule = e.rule.empty() ? e.what : e.rule;
    } else if (mac == "mismatch") {
      rule =
          "ProvBoot: a device must discard a document whose MAC does not "
          "verify (cp.md §2.1, §2.4 B-C-006)";
    }
    j["accepted"] = rule.is_null();
    j["rule"] = rule;
    j["settings_applied"] = nullptr;  // unknown without the handset client
    j["verdict_source"] = "decode";
    return j;
  }
};

}  // namespace

std::unique_ptr<PushVerdictSource> MakePushVerdictSource(
    const PushVerdictOptions&) {
  return std::make_unique<DecodeVerdict>();
}

codec::Dissection DissectPush(const sim::smsc::ArrivedPush& push,
                              const PushVerdictOptions& options) {
  codec::DissectOptions o;
  const bool udh = std::all_of(push.segments.begin(), push.segments.end(),
                               [](const auto& s) { return s.udhi; });
  o.format = udh ? codec::InputFormat::kSms : codec::InputFormat::kAuto;
  o.imsi = options.imsi;
  const auto segments = push.user_data();
  if (options.pins.empty()) return codec::Dissect(segments, o);
  std::optional<codec::Dissection> first;
  for (const auto& pin : options.pins) {
    o.pin = pin;
    codec::Dissection d = codec::Dissect(segments, o);
    if (d.security && d.security->mac_ok && *d.security->mac_ok) return d;
    if (!first) first = std::move(d);
  }
  return *first;
}

}  // namespace omaiop::cli
