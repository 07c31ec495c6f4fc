#include "reports/campaign.h"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

namespace omaiop::reports {
namespace {

constexpr char kRuleSchema[] = "reports/schema/results.schema.json";
constexpr std::array<std::string_view, kVerdictCount> kVerdictNames = {
    "none", "pass", "inconc", "fail", "error"};
constexpr std::array<std::string_view, 3> kDirectionNames = {"none", "in",
                                                             "out"};

using Json = nlohmann::json;

// Thrown inside this file only; CampaignFromJson turns it into a Diagnostic.
struct JsonError {
  std::string what;
  std::string path;
};

const Json& Member(const Json& j, const char* key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end()) throw JsonError{"missing member", path + "/" + key};
  return *it;
}
std::string Str(const Json& j, const char* key, const std::string& path,
                bool required = true) {
  if (!required && !j.contains(key)) return "";
  const Json& v = Member(j, key, path);
  if (!v.is_string()) throw JsonError{"not a string", path + "/" + key};
  return v.get<std::string>();
}
std::uint64_t Uint(const Json& j, const char* key, const std::string& path) {
  const Json& v = Member(j, key, path);
  if (!v.is_number_unsigned() &&
      !(v.is_number_integer() && v.get<long long>() >= 0))
    throw JsonError{"not a non-negative integer", path + "/" + key};
  return v.get<std::uint64_t>();
}
std::uint64_t Time(const Json& j, const char* key, const std::string& path) {
  auto t = ParseTimeUtc(Str(j, key, path));
  if (!t.ok()) throw JsonError{t.error().what, path + "/" + key};
  return *t;
}
const Json& Array(const Json& j, const char* key, const std::string& path,
                  bool required = true) {
  static const Json kEmpty = Json::array();
  if (!required && !j.contains(key)) return kEmpty;
  const Json& v = Member(j, key, path);
  if (!v.is_array()) throw JsonError{"not an array", path + "/" + key};
  return v;
}
const Json& Object(const Json& j, const char* key, const std::string& path) {
  const Json& v = Member(j, key, path);
  if (!v.is_object()) throw JsonError{"not an object", path + "/" + key};
  return v;
}
std::vector<std::string> Strings(const Json& j, const char* key,
                                 const std::string& path) {
  std::vector<std::string> out;
  const Json& a = Array(j, key, path, false);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string())
      throw JsonError{"not a string",
                      path + "/" + key + "/" + std::to_string(i)};
    out.push_back(a[i].get<std::string>());
  }
  return out;
}
Verdict VerdictOf(const Json& j, const std::string& path) {
  auto v = ParseVerdict(Str(j, "verdict", path));
  if (!v) throw JsonError{"unknown verdict", path + "/verdict"};
  return *v;
}
codec::Bytes HexOf(const Json& j, const char* key, const std::string& path) {
  if (!j.contains(key)) return {};
  auto b = codec::ParseHex(Str(j, key, path));
  if (!b.ok()) throw JsonError{b.error().what, path + "/" + key};
  return *b;
}

Json EntryJson(const TraceEntry& e) {
  Json j = {{"time", FormatTimeUtc(e.time_us)},
            {"source", e.source},
            {"kind", e.kind},
            {"direction", DirectionName(e.direction)},
            {"summary", e.summary}};
  if (!e.peer.empty()) j["peer"] = e.peer;
  if (!e.rule.empty()) j["rule"] = e.rule;
  if (!e.raw.empty()) j["raw"] = codec::ToHex(e.raw);
  if (!e.response.empty()) j["response"] = codec::ToHex(e.response);
  if (e.decoded) j["decoded"] = *e.decoded;
  if (!e.highlights.empty()) {
    Json hs = Json::array();
    for (const Highlight& h : e.highlights) {
      Json hj = {{"offset", h.offset}, {"length", h.length}, {"why", h.why}};
      if (h.in_response) hj["in_response"] = true;
      hs.push_back(hj);
    }
    j["highlights"] = hs;
  }
  return j;
}

TraceEntry EntryFromJson(const Json& j, const std::string& path) {
  if (!j.is_object()) throw JsonError{"not an object", path};
  TraceEntry e;
  e.time_us = Time(j, "time", path);
  e.source = Str(j, "source", path);
  e.peer = Str(j, "peer", path, false);
  e.kind = Str(j, "kind", path);
  auto d = ParseDirection(Str(j, "direction", path));
  if (!d) throw JsonError{"unknown direction", path + "/direction"};
  e.direction = *d;
  e.summary = Str(j, "summary", path);
  e.rule = Str(j, "rule", path, false);
  e.raw = HexOf(j, "raw", path);
  e.response = HexOf(j, "response", path);
  if (j.contains("decoded")) e.decoded = Str(j, "decoded", path);
  const Json& hs = Array(j, "highlights", path, false);
  for (std::size_t i = 0; i < hs.size(); ++i) {
    const std::string hp = path + "/highlights/" + std::to_string(i);
    if (!hs[i].is_object()) throw JsonError{"not an object", hp};
    Highlight h;
    h.offset = Uint(hs[i], "offset", hp);
    h.length = Uint(hs[i], "length", hp);
    h.why = Str(hs[i], "why", hp);
    if (hs[i].contains("in_response")) {
      if (!hs[i]["in_response"].is_boolean())
        throw JsonError{"not a boolean", hp + "/in_response"};
      h.in_response = hs[i]["in_response"].get<bool>();
    }
    const std::size_t size = h.in_response ? e.response.size() : e.raw.size();
    if (h.offset > size || h.length > size - h.offset)
      throw JsonError{"highlight outside the bytes", hp};
    e.highlights.push_back(std::move(h));
  }
  return e;
}

Json CaseJson(const CaseResult& c) {
  Json steps = Json::array();
  for (const StepResult& s : c.steps) {
    Json sj = {{"index", s.index},
               {"kind", s.kind},
               {"description", s.description},
               {"verdict", VerdictName(s.verdict)},
               {"reason", s.reason},
               {"duration_us", s.duration_us}};
    if (!s.rule.empty()) sj["rule"] = s.rule;
    steps.push_back(sj);
  }
  Json trace = Json::array();
  for (const TraceEntry& e : c.trace) trace.push_back(EntryJson(e));
  Json j = {{"id", c.id},
            {"title", c.title},
            {"purpose", c.purpose},
            {"requirements", c.requirements},
            {"spec_refs", c.spec_refs},
            {"role", c.role},
            {"iut", c.iut},
            {"verdict", VerdictName(c.verdict)},
            {"reason", c.reason},
            {"started", FormatTimeUtc(c.started_us)},
            {"duration_us", c.duration_us},
            {"steps", steps},
            {"trace", trace}};
  if (!c.rule.empty()) j["rule"] = c.rule;
  if (!c.applicability.empty()) j["applicability"] = c.applicability;
  return j;
}

CaseResult CaseFromJson(const Json& j, const std::string& path) {
  if (!j.is_object()) throw JsonError{"not an object", path};
  CaseResult c;
  c.id = Str(j, "id", path);
  c.title = Str(j, "title", path);
  c.purpose = Str(j, "purpose", path, false);
  c.requirements = Strings(j, "requirements", path);
  c.spec_refs = Strings(j, "spec_refs", path);
  c.role = Str(j, "role", path, false);
  c.iut = Str(j, "iut", path, false);
  c.verdict = VerdictOf(j, path);
  c.reason = Str(j, "reason", path);
  c.rule = Str(j, "rule", path, false);
  c.applicability = Str(j, "applicability", path, false);
  c.started_us = Time(j, "started", path);
  c.duration_us = Uint(j, "duration_us", path);
  const Json& steps = Array(j, "steps", path);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string sp = path + "/steps/" + std::to_string(i);
    if (!steps[i].is_object()) throw JsonError{"not an object", sp};
    StepResult s;
    const std::uint64_t index = Uint(steps[i], "index", sp);
    if (index > 1000000) throw JsonError{"step index too large", sp};
    s.index = static_cast<int>(index);
    s.kind = Str(steps[i], "kind", sp);
    s.description = Str(steps[i], "description", sp);
    s.verdict = VerdictOf(steps[i], sp);
    s.reason = Str(steps[i], "reason", sp);
    s.rule = Str(steps[i], "rule", sp, false);
    s.duration_us = Uint(steps[i], "duration_us", sp);
    // A step worse than its case would be a verdict upgraded (TTCN-3 §24).
    if (Worse(s.verdict, c.verdict) != c.verdict)
      throw JsonError{"step verdict " + std::string(VerdictName(s.verdict)) +
                          " is worse than the case verdict " +
                          std::string(VerdictName(c.verdict)),
                      sp + "/verdict"};
    c.steps.push_back(std::move(s));
  }
  const Json& trace = Array(j, "trace", path);
  for (std::size_t i = 0; i < trace.size(); ++i)
    c.trace.push_back(
        EntryFromJson(trace[i], path + "/trace/" + std::to_string(i)));
  return c;
}

Json CountsJson(const VerdictCounts& counts) {
  Json j = Json::object();
  std::size_t total = 0;
  for (Verdict v : kAllVerdicts) {
    j[std::string(VerdictName(v))] = Count(counts, v);
    total += Count(counts, v);
  }
  j["total"] = total;
  return j;
}

}  // namespace

std::string_view VerdictName(Verdict v) {
  const auto i = static_cast<std::size_t>(v);
  return i < kVerdictNames.size() ? kVerdictNames[i] : "error";
}
std::optional<Verdict> ParseVerdict(std::string_view name) {
  for (Verdict v : kAllVerdicts)
    if (VerdictName(v) == name) return v;
  return std::nullopt;
}
std::string_view DirectionName(Direction d) {
  const auto i = static_cast<std::size_t>(d);
  return i < kDirectionNames.size() ? kDirectionNames[i] : "none";
}
std::optional<Direction> ParseDirection(std::string_view name) {
  for (std::size_t i = 0; i < kDirectionNames.size(); ++i)
    if (kDirectionNames[i] == name) return static_cast<Direction>(i);
  return std::nullopt;
}

VerdictCounts Campaign::Counts() const {
  VerdictCounts counts{};
  for (const CaseResult& c : cases)
    ++counts[static_cast<std::size_t>(c.verdict)];
  return counts;
}
Verdict Campaign::Overall() const {
  Verdict v = Verdict::kNone;
  for (const CaseResult& c : cases) v = Worse(v, c.verdict);
  return v;
}

std::string FormatTimeUtc(std::uint64_t time_us) {
  const std::time_t secs = static_cast<std::time_t>(time_us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<unsigned>(time_us % 1000000));
  return buf;
}

codec::Result<std::uint64_t> ParseTimeUtc(std::string_view text) {
  // Exactly the form FormatTimeUtc writes: YYYY-MM-DDTHH:MM:SS.ffffffZ.
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  bool ok = text.size() == kShape.size();
  for (std::size_t i = 0; ok && i < kShape.size(); ++i)
    ok = kShape[i] == 'd' ? (text[i] >= '0' && text[i] <= '9')
                          : text[i] == kShape[i];
  if (!ok) {
    return codec::Error("time '" + std::string(text.substr(0, 40)) +
                            "' is not YYYY-MM-DDTHH:MM:SS.ffffffZ",
                        codec::Diagnostic::kNoOffset, "RFC 3339 §5.6");
  }
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v * 10 + (text[at + i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  const int year = tm.tm_year + 1900;
  if (year < 1970 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
      tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59) {
    return codec::Error("time '" + std::string(text) + "' is out of range",
                        codec::Diagnostic::kNoOffset, "RFC 3339 §5.6");
  }
  const std::time_t secs = timegm(&tm);
  if (secs < 0)
    return codec::Error("time before 1970", codec::Diagnostic::kNoOffset,
                        "RFC 3339 §5.6");
  const std::uint64_t us = static_cast<std::uint64_t>(secs) * 1000000 +
                           static_cast<std::uint64_t>(num(20, 6));
  // timegm normalises 31 February; only a date that exists round-trips.
  if (FormatTimeUtc(us) != text)
    return codec::Error("time '" + std::string(text) + "' is not a real date",
                        codec::Diagnostic::kNoOffset, "RFC 3339 §5.7");
  return us;
}

nlohmann::json ToJson(const Campaign& c) {
  Json cases = Json::array();
  for (const CaseResult& cr : c.cases) cases.push_back(CaseJson(cr));
  return Json{{"schema", kResultsSchemaId},
              {"tool", c.tool},
              {"version", c.version},
              {"started", FormatTimeUtc(c.started_us)},
              {"finished", FormatTimeUtc(c.finished_us)},
              {"iut", {{"name", c.iut.name}, {"adapter", c.iut.adapter}}},
              {"verdict", VerdictName(c.Overall())},
              {"counts", CountsJson(c.Counts())},
              {"cases", cases}};
}

codec::Result<Campaign> CampaignFromJson(const nlohmann::json& j) {
  try {
    if (!j.is_object()) throw JsonError{"not an object", ""};
    if (Str(j, "schema", "") != kResultsSchemaId)
      throw JsonError{"schema is not " + std::string(kResultsSchemaId),
                      "/schema"};
    Campaign c;
    c.tool = Str(j, "tool", "");
    c.version = Str(j, "version", "");
    c.started_us = Time(j, "started", "");
    c.finished_us = Time(j, "finished", "");
    const Json& iut = Object(j, "iut", "");
    c.iut.name = Str(iut, "name", "/iut");
    c.iut.adapter = Str(iut, "adapter", "/iut");
    const Json& cases = Array(j, "cases", "");
    for (std::size_t i = 0; i < cases.size(); ++i)
      c.cases.push_back(CaseFromJson(cases[i], "/cases/" + std::to_string(i)));
    // The stored summary must agree with the cases (a hand-edited or
    // truncated file must not report a better campaign than its evidence).
    const Json& counts = Object(j, "counts", "");
    const VerdictCounts actual = c.Counts();
    for (Verdict v : kAllVerdicts) {
      const std::string name(VerdictName(v));
      if (Uint(counts, name.c_str(), "/counts") != Count(actual, v))
        throw JsonError{"count does not match the cases (" +
                            std::to_string(Count(actual, v)) + ")",
                        "/counts/" + name};
    }
    if (Uint(counts, "total", "/counts") != c.cases.size())
      throw JsonError{"total does not match the number of cases",
                      "/counts/total"};
    auto overall = ParseVerdict(Str(j, "verdict", ""));
    if (!overall || *overall != c.Overall())
      throw JsonError{"overall verdict does not match the cases", "/verdict"};
    return c;
  } catch (const JsonError& e) {
    return codec::PathError("results JSON: " + e.what,
                            e.path.empty() ? "/" : e.path, kRuleSchema);
  } catch (const nlohmann::json::exception& e) {
    return codec::PathError(std::string("results JSON: ") + e.what(), "/",
                            kRuleSchema);
  }
}

std::string ToJsonText(const Campaign& c) {
  return ToJson(c).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

codec::Result<Campaign> ParseCampaignJson(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return codec::Error("results JSON is not well-formed JSON",
                        codec::Diagnostic::kNoOffset, "RFC 8259");
  }
  return CampaignFromJson(j);
}

codec::Status WriteCampaignJson(const std::string& path, const Campaign& c) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << ToJsonText(c);
  out.close();
  if (!out)
    return codec::Error("cannot write " + path, codec::Diagnostic::kNoOffset,
                        "I/O");
  return codec::OkStatus();
}

codec::Result<Campaign> ReadCampaignJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return codec::Error("cannot read " + path, codec::Diagnostic::kNoOffset,
                        "I/O");
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = ParseCampaignJson(ss.str());
  if (!c.ok()) {
    codec::Diagnostic d = c.error();
    d.what = path + ": " + d.what;
    return d;
  }
  return c;
}

}  // namespace omaiop::reports
