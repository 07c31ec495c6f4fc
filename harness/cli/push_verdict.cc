#include "harness/cli/push_verdict.h"

#include <algorithm>
#include <mutex>

#include "sim/handset/cp/cp_client.h"

namespace omaiop::cli {

namespace {

using nlohmann::json;

std::string MacCheck(const codec::Dissection& d) {
  if (!d.security || d.security->method == "none") return "absent";
  if (!d.security->mac_ok) return "not-checked";
  return *d.security->mac_ok ? "match" : "mismatch";
}

// The decode-only verdict: used for a push the handset cannot judge (it did
// not arrive as UDH segments, or segments are missing), so the line still
// says what was wrong with the bytes.
json DecodeVerdictJson(const sim::smsc::ArrivedPush& push,
                       const codec::Dissection& d) {
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
  j["settings_applied"] = nullptr;
  j["verdict_source"] = "decode";
  return j;
}

// The user at the handset knows the PINs given with --pin and types them in
// order, then cancels (cp.md §4 "Security UI").
class PinListUser : public sim::handset::cp::UserAgent {
 public:
  explicit PinListUser(std::vector<std::string> pins)
      : pins_(std::move(pins)) {}
  std::optional<std::string> EnterPin(
      int attempt, const sim::handset::cp::PinRequest&) override {
    if (attempt < 1 || static_cast<std::size_t>(attempt) > pins_.size())
      return std::nullopt;
    return pins_[attempt - 1];
  }

 private:
  std::vector<std::string> pins_;
};

// The simulated handset judges every push: one CpClient for the whole serve
// run, so a bootstrap's context makes later TPS pushes trusted, as on a real
// handset.
class HandsetVerdict : public PushVerdictSource {
 public:
  explicit HandsetVerdict(const PushVerdictOptions& options)
      : user_(options.pins) {
    client_.SetUserAgent(&user_);
    if (options.imsi) {
      const std::string imsi = *options.imsi;
      client_.SetImsiProvider(
          [imsi]() -> codec::Result<std::string> { return imsi; });
    } else {
      client_.SetImsiProvider([]() -> codec::Result<std::string> {
        return codec::Error(
            "no IMSI: start `omaiop smsc serve` with --imsi to judge NETWPIN "
            "and USERNETWPIN pushes",
            0, "ProvBoot: NETWPIN key = IMSI of the card (cp.md §2.1)");
      });
    }
  }

  json Verdict(const sim::smsc::ArrivedPush& push,
               const codec::Dissection& d) override {
    const bool udh = std::all_of(push.segments.begin(), push.segments.end(),
                                 [](const auto& s) { return s.udhi; });
    if (!push.complete || !udh || push.segments.empty())
      return DecodeVerdictJson(push, d);
    std::lock_guard lock(mu_);
    sim::handset::cp::SmsMeta meta;
    meta.originator = push.source_addr;
    meta.destination = push.destination_addr;
    meta.time = std::chrono::system_clock::now();
    std::optional<sim::handset::cp::PushOutcome> outcome;
    for (const auto& ud : push.user_data()) {
      auto o = client_.OnSmsSegment(ud, meta);
      if (o) outcome = std::move(o);
    }
    if (!outcome) return DecodeVerdictJson(push, d);
    const json h = outcome->ToJson();
    json j;
    j["sender"] = push.source_addr;
    j["destination"] = push.destination_addr;
    j["sec_method"] = h.value("sec", "none");
    const std::string mac = h.value("mac_check", "none");
    j["mac_check"] = mac == "verified"   ? "match"
                     : mac == "none"     ? "absent"
                     : mac == "mismatch" ? "mismatch"
                                         : mac;  // "malformed"
    j["accepted"] = h.value("accepted", false);
    j["rule"] = h.contains("reject_rule") ? h["reject_rule"] : json(nullptr);
    j["settings_applied"] =
        h.contains("settings_applied") ? h["settings_applied"] : json::array();
    j["verdict_source"] = "handset";
    j["handset"] = h;
    return j;
  }

 private:
  std::mutex mu_;
  PinListUser user_;
  sim::handset::cp::CpClient client_;
};

}  // namespace

std::unique_ptr<PushVerdictSource> MakePushVerdictSource(
    const PushVerdictOptions& options) {
  return std::make_unique<HandsetVerdict>(options);
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
