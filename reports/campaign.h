// The finished campaign as plain value types: what the harness runner fills
// and every writer in reports/ (JSON, JUnit, HTML, pcap, IOP matrix) reads.
// JSON form: reports/schema/results.schema.json (documented there).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/result.h"

namespace omaiop::reports {

// TTCN-3 verdicts (ETSI ES 201 873-1 §24): none < pass < inconc < fail <
// error. A verdict can only get worse: combine with Worse(), never assign a
// better one.
enum class Verdict : int { kNone = 0, kPass, kInconc, kFail, kError };
inline constexpr std::size_t kVerdictCount = 5;
inline constexpr std::array<Verdict, kVerdictCount> kAllVerdicts = {
    Verdict::kNone, Verdict::kPass, Verdict::kInconc, Verdict::kFail,
    Verdict::kError};

constexpr Verdict Worse(Verdict a, Verdict b) { return a < b ? b : a; }
// "none", "pass", "inconc", "fail", "error".
std::string_view VerdictName(Verdict v);
std::optional<Verdict> ParseVerdict(std::string_view name);

// Seen from the trace entry's `source`: kOut = source sent it to `peer`,
// kIn = source received it from `peer`, kNone = local (decision, note).
enum class Direction : int { kNone = 0, kIn, kOut };
std::string_view DirectionName(Direction d);  // "none", "in", "out"
std::optional<Direction> ParseDirection(std::string_view name);

// Conventional source and kind names (free strings: writers accept any).
namespace source {
inline constexpr char kHandset[] = "handset";
inline constexpr char kUicc[] = "uicc";
inline constexpr char kSmsc[] = "smsc";
inline constexpr char kServer[] = "server";
inline constexpr char kUser[] = "user";
inline constexpr char kHarness[] = "harness";
}  // namespace source
namespace kind {
inline constexpr char kApdu[] = "apdu";  // raw = C-APDU, response = R-APDU
inline constexpr char kSmsSegment[] = "sms_segment";  // raw = SMS TPDU
inline constexpr char kSmppPdu[] = "smpp_pdu";
inline constexpr char kWspPush[] = "wsp_push";  // raw = connectionless WSP PDU
inline constexpr char kHttp[] = "http";  // raw = request, response = reply
inline constexpr char kDmMessage[] = "dm_message";
inline constexpr char kUserAction[] = "user_action";
inline constexpr char kDecision[] = "decision";  // rule names the spec rule
}  // namespace kind

// "The offending bytes": [offset, offset+length) of raw (or of response when
// in_response), and why they offend.
struct Highlight {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::string why;
  bool in_response = false;
};

struct TraceEntry {
  std::uint64_t time_us = 0;  // UTC, microseconds since the Unix epoch
  std::string source;         // who recorded it: source::k...
  std::string peer;           // the other end ("" if none)
  std::string kind;           // kind::k...
  Direction direction = Direction::kNone;
  std::string summary;  // one line
  std::string rule;     // spec rule, for decisions and findings
  codec::Bytes raw;
  codec::Bytes response;               // apdu R-APDU, http reply (optional)
  std::optional<std::string> decoded;  // decoder output (tshark -V style)
  std::vector<Highlight> highlights;
};

struct StepResult {
  int index = 0;     // 1-based, in script order
  std::string kind;  // step type from the script ("push", "expect_status"...)
  std::string description;
  Verdict verdict = Verdict::kNone;
  std::string reason;  // why this verdict; names the rule
  std::string rule;    // the spec rule alone (e.g. "CP-Security §5.3")
  std::uint64_t duration_us = 0;
};

struct CaseResult {
  std::string id;  // ETS-style, e.g. "CP-BOOT-SEC-003"
  std::string title;
  std::string purpose;
  std::vector<std::string> requirements;  // requirement IDs
  std::vector<std::string> spec_refs;     // "OMA-WAP-ProvBoot §5.3"
  std::string role;                       // which side omaiop plays
  std::string iut;                        // IUT name for this case
  Verdict verdict = Verdict::kNone;
  std::string reason;  // names the rule
  std::string rule;
  std::string applicability;  // why verdict none (case not applicable)
  std::vector<StepResult> steps;
  std::vector<TraceEntry> trace;
  std::uint64_t started_us = 0;  // UTC µs
  std::uint64_t duration_us = 0;
};

struct Iut {
  std::string name;
  std::string adapter;  // "simulated", "smpp_push_server", ...
};

using VerdictCounts = std::array<std::size_t, kVerdictCount>;  // by Verdict

struct Campaign {
  std::string tool = "omaiop";
  std::string version;
  std::uint64_t started_us = 0;
  std::uint64_t finished_us = 0;
  Iut iut;
  std::vector<CaseResult> cases;

  VerdictCounts Counts() const;
  Verdict Overall() const;  // worst case verdict; kNone when empty
};

inline std::size_t Count(const VerdictCounts& c, Verdict v) {
  return c[static_cast<std::size_t>(v)];
}

// "2026-11-21T23:25:00.123456Z" (RFC 3339, UTC, always 6 fraction digits).
std::string FormatTimeUtc(std::uint64_t time_us);
codec::Result<std::uint64_t> ParseTimeUtc(std::string_view text);

// JSON (schema "omaiop-results/1"). FromJson checks every type and that the
// stored counts equal the cases' verdicts; errors carry the JSON path.
inline constexpr char kResultsSchemaId[] = "omaiop-results/1";
nlohmann::json ToJson(const Campaign& c);
codec::Result<Campaign> CampaignFromJson(const nlohmann::json& j);
std::string ToJsonText(const Campaign& c);  // pretty, invalid UTF-8 replaced
codec::Result<Campaign> ParseCampaignJson(std::string_view text);
codec::Status WriteCampaignJson(const std::string& path, const Campaign& c);
codec::Result<Campaign> ReadCampaignJson(const std::string& path);

}  // namespace omaiop::reports
