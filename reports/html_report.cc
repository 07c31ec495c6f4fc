#include "reports/html_report.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "reports/text.h"

namespace omaiop::reports {
namespace {

using internal::HtmlEscape;
using internal::Sha256Base64;

constexpr char kCss[] = R"css(
:root{--pass:#1a7f37;--fail:#cf222e;--inconc:#bf8700;--error:#8250df;--none:#6e7781}
body{font:14px/1.45 system-ui,sans-serif;margin:0 2em 3em;color:#1f2328}
h1{margin:.6em 0 .2em}h2{border-bottom:1px solid #d0d7de;margin-top:1.6em}
table{border-collapse:collapse;margin:.4em 0}
td,th{border:1px solid #d0d7de;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.v{display:inline-block;min-width:3.5em;text-align:center;border-radius:3px;color:#fff;font-weight:600;padding:0 4px}
.v-pass{background:var(--pass)}.v-fail{background:var(--fail)}.v-inconc{background:var(--inconc)}
.v-error{background:var(--error)}.v-none{background:var(--none)}
ul.counts{list-style:none;padding:0;display:flex;gap:1em}
ul.counts li{border:1px solid #d0d7de;border-radius:4px;padding:.3em .8em}
ul.counts .n{font-size:1.6em;font-weight:700;margin-left:.4em}
article.case{border:1px solid #d0d7de;border-radius:6px;padding:0 1em 1em;margin:1.2em 0}
article.case[data-verdict=fail]{border-left:6px solid var(--fail)}
article.case[data-verdict=error]{border-left:6px solid var(--error)}
article.case[data-verdict=inconc]{border-left:6px solid var(--inconc)}
article.case[data-verdict=pass]{border-left:6px solid var(--pass)}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:2px 1em}
dl.meta dt{font-weight:600}dl.meta dd{margin:0}
pre{background:#f6f8fa;padding:.5em;overflow-x:auto;font:12px/1.35 ui-monospace,monospace}
pre.hex mark{background:#ffb3b8;outline:1px solid var(--fail)}
td.hexcell{font:12px ui-monospace,monospace;word-break:break-all}
tr.bad td{background:#fff0f0}
svg.msc text{font:11px system-ui,sans-serif}
svg.msc .life{stroke:#8c959f;stroke-dasharray:4 3}
svg.msc .head{fill:#ddf4ff;stroke:#54aeff}
svg.msc .msg{stroke:#1f2328;stroke-width:1.2}
svg.msc .msg.bad{stroke:var(--fail);stroke-width:2}
svg.msc .note{fill:#fff8c5;stroke:#d4a72c}
svg.msc .note.bad{fill:#ffebe9;stroke:var(--fail)}
.hidden{display:none}
#filter label{margin-right:1em}
.reason{font-weight:600}
)css";

// Checks the summary against the articles (a report must not claim better
// than its evidence) and wires the verdict filter. Console errors are what
// the e2e test looks for.
constexpr char kJs[] = R"js(
(function () {
  'use strict';
  var verdicts = ['none', 'pass', 'inconc', 'fail', 'error'];
  var ok = true;
  var total = 0;
  verdicts.forEach(function (v) {
    var el = document.getElementById('count-' + v);
    var shown = el ? parseInt(el.getAttribute('data-count'), 10) : NaN;
    var actual = document.querySelectorAll(
        'article.case[data-verdict="' + v + '"]').length;
    total += actual;
    if (shown !== actual) {
      ok = false;
      console.error('omaiop report: summary says ' + shown + ' ' + v +
                    ' but ' + actual + ' cases have it');
    }
  });
  var t = document.getElementById('count-total');
  if (!t || parseInt(t.getAttribute('data-count'), 10) !== total) {
    ok = false;
    console.error('omaiop report: total does not match the cases');
  }
  document.body.setAttribute('data-selfcheck', ok ? 'ok' : 'mismatch');
  var boxes = document.querySelectorAll('#filter input[data-filter]');
  function apply() {
    var show = {};
    boxes.forEach(function (b) { show[b.getAttribute('data-filter')] = b.checked; });
    document.querySelectorAll('[data-verdict].filterable').forEach(function (el) {
      el.classList.toggle('hidden', !show[el.getAttribute('data-verdict')]);
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
})();
)js";

std::string V(Verdict v) {
  const std::string n(VerdictName(v));
  return "<span class=\"v v-" + n + "\">" + n + "</span>";
}

// At most `max` bytes, cut on a UTF-8 character boundary, with an ellipsis.
std::string Truncate(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "\u2026";
}

std::string RelMs(std::uint64_t t, std::uint64_t start) {
  char buf[48];
  const double ms = t >= start ? (t - start) / 1000.0
                               : -static_cast<double>(start - t) / 1000.0;
  std::snprintf(buf, sizeof buf, "%+.3f ms", ms);
  return buf;
}

std::string Duration(std::uint64_t us) {
  char buf[48];
  if (us >= 1000000)
    std::snprintf(buf, sizeof buf, "%.3f s", us / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.3f ms", us / 1e3);
  return buf;
}

// Per-byte highlight index (-1 for none) over `size` bytes.
std::vector<int> Marks(const TraceEntry& e, bool response, std::size_t size) {
  std::vector<int> m(size, -1);
  for (std::size_t i = 0; i < e.highlights.size(); ++i) {
    const Highlight& h = e.highlights[i];
    if (h.in_response != response) continue;
    for (std::size_t k = h.offset; k < h.offset + h.length && k < size; ++k)
      m[k] = static_cast<int>(i);
  }
  return m;
}

// A hex dump (offset, 16 bytes, ASCII) with the highlighted bytes in <mark>.
std::string HexDumpHtml(const TraceEntry& e, bool response,
                        std::size_t max_bytes) {
  const codec::Bytes& b = response ? e.response : e.raw;
  const std::size_t n = std::min(b.size(), max_bytes);
  const std::vector<int> marks = Marks(e, response, b.size());
  std::string out = "<pre class=\"hex\">";
  char buf[16];
  for (std::size_t line = 0; line < n; line += 16) {
    std::snprintf(buf, sizeof buf, "%08zX  ", line);
    out += buf;
    int open = -1;
    std::string ascii;
    for (std::size_t i = line; i < line + 16; ++i) {
      if (i >= n) {
        out += "   ";
        continue;
      }
      const int m = marks[i];
      if (m != open) {
        if (open >= 0) out += "</mark>";
        if (m >= 0)
          out += "<mark title=\"" + HtmlEscape(e.highlights[m].why) + "\">";
        open = m;
      }
      std::snprintf(buf, sizeof buf, "%02X", b[i]);
      out += buf;
      const bool last_marked = open >= 0 && (i + 1 >= n || i + 1 == line + 16 ||
                                             marks[i + 1] != open);
      if (last_marked) {
        out += "</mark>";
        open = -1;
      }
      out += " ";
      ascii += (b[i] >= 0x20 && b[i] < 0x7F) ? static_cast<char>(b[i]) : '.';
    }
    out += " |" + HtmlEscape(ascii) + "|\n";
  }
  if (b.size() > n)
    out += "\u2026 " + std::to_string(b.size() - n) + " more bytes\n";
  out += "</pre>";
  return out;
}

std::string HighlightList(const TraceEntry& e) {
  if (e.highlights.empty()) return "";
  std::string out = "<ul class=\"highlights\">";
  for (const Highlight& h : e.highlights) {
    out += "<li>" + std::string(h.in_response ? "response" : "bytes") + " " +
           std::to_string(h.offset) + "\u2013" +
           std::to_string(h.offset + h.length) + " (" +
           std::to_string(h.length) + " octets): " + HtmlEscape(h.why) +
           "</li>";
  }
  return out + "</ul>";
}

bool IsMessage(const TraceEntry& e) {
  return e.direction != Direction::kNone && !e.peer.empty() &&
         e.peer != e.source;
}

// The message sequence chart: a lifeline per endpoint, an arrow per message,
// decisions and local events as notes on their lifeline.
std::string SequenceChart(const CaseResult& c, std::size_t case_no,
                          std::size_t max_rows) {
  std::vector<std::string> lanes;
  auto lane = [&](const std::string& name) {
    auto it = std::find(lanes.begin(), lanes.end(), name);
    if (it != lanes.end()) return static_cast<std::size_t>(it - lanes.begin());
    lanes.push_back(name);
    return lanes.size() - 1;
  };
  const std::size_t rows = std::min(c.trace.size(), max_rows);
  for (std::size_t i = 0; i < rows; ++i) {
    lane(c.trace[i].source);
    if (IsMessage(c.trace[i])) lane(c.trace[i].peer);
  }
  if (lanes.empty()) return "<p>No trace entries.</p>";
  constexpr int kLane = 220, kLeft = 90, kTop = 50, kRow = 34;
  auto x = [&](std::size_t i) { return kLeft + static_cast<int>(i) * kLane; };
  const int width = x(lanes.size() - 1) + kLeft;
  const int height = kTop + static_cast<int>(rows) * kRow + 20;
  const std::string marker = "arr-" + std::to_string(case_no);
  std::ostringstream s;
  s << "<svg class=\"msc\" xmlns=\"http://www.w3.org/2000/svg\" width=\""
    << width << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << " "
    << height << "\" role=\"img\" aria-label=\"message sequence chart\">"
    << "<defs><marker id=\"" << marker
    << "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
       "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,"
       "10z\" fill=\"#1f2328\"/></marker></defs>";
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    s << "<line class=\"life\" x1=\"" << x(i) << "\" y1=\"34\" x2=\"" << x(i)
      << "\" y2=\"" << height - 5 << "\"/>"
      << "<rect class=\"head\" x=\"" << x(i) - 70 << "\" y=\"6\" width=\"140\" "
      << "height=\"26\" rx=\"4\"/><text x=\"" << x(i)
      << "\" y=\"23\" text-anchor=\"middle\">"
      << HtmlEscape(Truncate(lanes[i], 24)) << "</text>";
  }
  for (std::size_t r = 0; r < rows; ++r) {
    const TraceEntry& e = c.trace[r];
    const int y = kTop + static_cast<int>(r) * kRow + 14;
    const bool bad = !e.highlights.empty();
    const std::string label =
        RelMs(e.time_us, c.started_us) + " " + e.kind + ": " + e.summary;
    s << "<a href=\"#case-" << case_no << "-e" << r + 1 << "\"><g>"
      << "<title>" << HtmlEscape(label) << (e.rule.empty() ? "" : " [")
      << HtmlEscape(e.rule) << (e.rule.empty() ? "" : "]") << "</title>";
    if (IsMessage(e)) {
      const std::size_t from =
          lane(e.direction == Direction::kOut ? e.source : e.peer);
      const std::size_t to =
          lane(e.direction == Direction::kOut ? e.peer : e.source);
      s << "<line class=\"msg" << (bad ? " bad" : "") << "\" x1=\"" << x(from)
        << "\" y1=\"" << y << "\" x2=\"" << x(to) << "\" y2=\"" << y
        << "\" marker-end=\"url(#" << marker << ")\"/>"
        << "<text x=\"" << std::min(x(from), x(to)) + 6 << "\" y=\"" << y - 4
        << "\">"
        // ~6 px per character at 11 px: keep the label over its arrow.
        << HtmlEscape(Truncate(
               label,
               std::max<std::size_t>(24, static_cast<std::size_t>(
                                             std::abs(x(to) - x(from)) / 6))))
        << "</text>";
    } else {
      const std::size_t at = lane(e.source);
      std::string note = e.kind == kind::kDecision && !e.rule.empty()
                             ? e.summary + " [" + e.rule + "]"
                             : e.kind + ": " + e.summary;
      s << "<rect class=\"note" << (bad ? " bad" : "") << "\" x=\""
        << x(at) - 80 << "\" y=\"" << y - 13
        << "\" width=\"160\" height=\"20\"/>"
        << "<text x=\"" << x(at) << "\" y=\"" << y + 1
        << "\" text-anchor=\"middle\">" << HtmlEscape(Truncate(note, 30))
        << "</text>";
    }
    s << "</g></a>";
  }
  s << "</svg>";
  if (c.trace.size() > rows)
    s << "<p>" << c.trace.size() - rows
      << " further entries are in the trace table.</p>";
  return s.str();
}

std::string StepsTable(const CaseResult& c) {
  if (c.steps.empty()) return "<p>No steps ran.</p>";
  std::string out =
      "<table class=\"steps\"><thead><tr><th>#</th><th>Step</th><th>"
      "Description</th><th>Verdict</th><th>Reason</th><th>Rule</th><th>"
      "Duration</th></tr></thead><tbody>";
  for (const StepResult& s : c.steps) {
    out += std::string("<tr") +
           (s.verdict >= Verdict::kInconc ? " class=\"bad\"" : "") + "><td>" +
           std::to_string(s.index) + "</td><td>" + HtmlEscape(s.kind) +
           "</td><td>" + HtmlEscape(s.description) + "</td><td>" +
           V(s.verdict) + "</td><td>" + HtmlEscape(s.reason) + "</td><td>" +
           HtmlEscape(s.rule) + "</td><td>" + Duration(s.duration_us) +
           "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string TraceTable(const CaseResult& c, std::size_t case_no,
                       const HtmlOptions& o) {
  if (c.trace.empty()) return "<p>No trace entries.</p>";
  std::string out =
      "<table class=\"trace\"><thead><tr><th>#</th><th>Time</th><th>Source"
      "</th><th>Dir</th><th>Peer</th><th>Kind</th><th>Summary</th><th>Rule"
      "</th></tr></thead><tbody>";
  for (std::size_t i = 0; i < c.trace.size(); ++i) {
    const TraceEntry& e = c.trace[i];
    const bool bad = !e.highlights.empty();
    out += "<tr id=\"case-" + std::to_string(case_no) + "-e" +
           std::to_string(i + 1) + "\"" + (bad ? " class=\"bad\"" : "") +
           "><td>" + std::to_string(i + 1) + "</td><td title=\"" +
           FormatTimeUtc(e.time_us) + "\">" + RelMs(e.time_us, c.started_us) +
           "</td><td>" + HtmlEscape(e.source) + "</td><td>" +
           std::string(DirectionName(e.direction)) + "</td><td>" +
           HtmlEscape(e.peer) + "</td><td>" + HtmlEscape(e.kind) + "</td><td>" +
           HtmlEscape(e.summary);
    const bool has_detail =
        !e.raw.empty() || !e.response.empty() || e.decoded.has_value();
    if (has_detail) {
      out += std::string("<details") + (bad ? " open" : "") +
             "><summary>bytes and decoding</summary>";
      if (bad)
        out += "<p class=\"reason\">Offending bytes:</p>" + HighlightList(e);
      if (e.decoded)
        out += "<p>Decoded:</p><pre class=\"decoded\">" +
               HtmlEscape(*e.decoded) + "</pre>";
      if (!e.raw.empty())
        out += "<p>" + std::to_string(e.raw.size()) + " octets" +
               (e.kind == kind::kApdu ? " (C-APDU)" : "") + ":</p>" +
               HexDumpHtml(e, false, o.max_dump_bytes);
      if (!e.response.empty())
        out += "<p>Response, " + std::to_string(e.response.size()) +
               " octets:</p>" + HexDumpHtml(e, true, o.max_dump_bytes);
      out += "</details>";
    }
    out += "</td><td>" + HtmlEscape(e.rule) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

// Hex with the highlighted bytes marked, for table cells.
std::string HexCell(const TraceEntry& e, bool response, std::size_t from,
                    std::size_t to) {
  const codec::Bytes& b = response ? e.response : e.raw;
  const std::vector<int> marks = Marks(e, response, b.size());
  std::string out;
  char buf[4];
  for (std::size_t i = from; i < to && i < b.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%02X", b[i]);
    if (marks[i] >= 0)
      out += "<mark title=\"" + HtmlEscape(e.highlights[marks[i]].why) + "\">" +
             buf + "</mark>";
    else
      out += buf;
  }
  return out;
}

std::string ApduTable(const CaseResult& c, std::size_t case_no) {
  std::string rows;
  std::size_t n = 0;
  for (std::size_t i = 0; i < c.trace.size(); ++i) {
    const TraceEntry& e = c.trace[i];
    if (e.kind != kind::kApdu) continue;
    ++n;
    const std::size_t rsize = e.response.size();
    const std::size_t data_end = rsize >= 2 ? rsize - 2 : rsize;
    rows += std::string("<tr") +
            (e.highlights.empty() ? "" : " class=\"bad\"") +
            "><td><a href=\"#case-" + std::to_string(case_no) + "-e" +
            std::to_string(i + 1) + "\">" + std::to_string(i + 1) +
            "</a></td><td>" + RelMs(e.time_us, c.started_us) +
            "</td><td class=\"hexcell\">" + HexCell(e, false, 0, e.raw.size()) +
            "</td><td class=\"hexcell\">" + HexCell(e, true, 0, data_end) +
            "</td><td class=\"hexcell\">" +
            (rsize >= 2 ? HexCell(e, true, data_end, rsize) : "") +
            "</td><td>" + HtmlEscape(e.summary) + "</td></tr>";
  }
  if (n == 0) return "";
  return "<h4>APDU trace</h4><table class=\"apdu\"><thead><tr><th>#</th><th>"
         "Time</th><th>Command</th><th>Response data</th><th>SW</th><th>"
         "Summary</th></tr></thead><tbody>" +
         rows + "</tbody></table>";
}

std::string Meta(const std::string& label, const std::string& html) {
  return "<dt>" + label + "</dt><dd>" + html + "</dd>";
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v)
    out += (out.empty() ? "" : ", ") + HtmlEscape(s);
  return out.empty() ? "\u2014" : out;
}

std::string CaseArticle(const CaseResult& c, std::size_t no,
                        const HtmlOptions& o) {
  const std::string v(VerdictName(c.verdict));
  std::string out = "<article class=\"case filterable\" id=\"case-" +
                    std::to_string(no) + "\" data-verdict=\"" + v +
                    "\" data-case-id=\"" + HtmlEscape(c.id) + "\"><h3>" +
                    V(c.verdict) + " " + HtmlEscape(c.id) + " \u2014 " +
                    HtmlEscape(c.title) + "</h3><dl class=\"meta\">";
  out += Meta("Verdict reason",
              "<span class=\"reason\">" + HtmlEscape(c.reason) + "</span>");
  if (!c.rule.empty()) out += Meta("Rule", HtmlEscape(c.rule));
  if (!c.applicability.empty())
    out += Meta("Applicability", HtmlEscape(c.applicability));
  out += Meta("Purpose", HtmlEscape(c.purpose));
  out += Meta("Requirements", Joined(c.requirements));
  out += Meta("Spec references", Joined(c.spec_refs));
  if (!c.role.empty()) out += Meta("Role", HtmlEscape(c.role));
  if (!c.iut.empty()) out += Meta("IUT", HtmlEscape(c.iut));
  out += Meta("Started", FormatTimeUtc(c.started_us));
  out += Meta("Duration", Duration(c.duration_us));
  out += "</dl><h4>Steps</h4>" + StepsTable(c);
  if (!c.trace.empty()) {
    out += "<h4>Message sequence chart</h4>" +
           SequenceChart(c, no, o.max_chart_entries);
    out += ApduTable(c, no);
    out += "<h4>Trace</h4>" + TraceTable(c, no, o);
  }
  return out + "</article>";
}

}  // namespace

std::string RenderHtmlReport(const Campaign& c, const HtmlOptions& o) {
  const VerdictCounts counts = c.Counts();
  const std::string css_hash = Sha256Base64(kCss);
  const std::string js_hash = Sha256Base64(kJs);
  std::string h;
  h.reserve(64 * 1024);
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  // Nothing may load from anywhere; only this file's own style and script
  // run (an injected <script> or on* handler would be blocked and logged).
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
       "'none'; style-src 'sha256-" +
       css_hash + "'; script-src 'sha256-" + js_hash +
       "'; img-src data:; base-uri 'none'; form-action 'none'\">";
  h += "<meta name=\"viewport\" content=\"width=device-width, "
       "initial-scale=1\">";
  h += "<meta name=\"generator\" content=\"" + HtmlEscape(c.tool) + " " +
       HtmlEscape(c.version) + "\">";
  h += "<title>" + HtmlEscape(o.title) + " \u2014 " + HtmlEscape(c.iut.name) +
       "</title><style>" + kCss + "</style></head><body>";
  h += "<header><h1>" + HtmlEscape(o.title) + "</h1><p>IUT <b>" +
       HtmlEscape(c.iut.name) + "</b> (adapter " + HtmlEscape(c.iut.adapter) +
       ") \u00b7 " + HtmlEscape(c.tool) + " " + HtmlEscape(c.version) +
       " \u00b7 " + FormatTimeUtc(c.started_us) + " \u2013 " +
       FormatTimeUtc(c.finished_us) + "</p></header>";

  // Summary.
  const std::string overall(VerdictName(c.Overall()));
  h += "<section id=\"summary\"><h2>Summary</h2><p>Overall verdict "
       "<span id=\"overall-verdict\" data-verdict=\"" +
       overall + "\" class=\"v v-" + overall + "\">" + overall +
       "</span></p><ul class=\"counts\">";
  for (Verdict v : kAllVerdicts) {
    const std::string n(VerdictName(v));
    const std::string k = std::to_string(Count(counts, v));
    h += "<li>" + V(v) + "<span class=\"n\" id=\"count-" + n +
         "\" data-verdict=\"" + n + "\" data-count=\"" + k + "\">" + k +
         "</span></li>";
  }
  h += "<li>total<span class=\"n\" id=\"count-total\" data-count=\"" +
       std::to_string(c.cases.size()) + "\">" + std::to_string(c.cases.size()) +
       "</span></li></ul><div id=\"filter\">Show: ";
  for (Verdict v : kAllVerdicts) {
    const std::string n(VerdictName(v));
    h += "<label><input type=\"checkbox\" checked data-filter=\"" + n + "\"> " +
         n + "</label>";
  }
  h += "</div></section>";

  // Requirement coverage: requirement -> cases -> verdicts.
  std::map<std::string, std::vector<std::size_t>> by_req;
  for (std::size_t i = 0; i < c.cases.size(); ++i) {
    if (c.cases[i].requirements.empty()) by_req["(none)"].push_back(i);
    for (const std::string& r : c.cases[i].requirements) {
      auto& v = by_req[r];
      if (std::find(v.begin(), v.end(), i) == v.end()) v.push_back(i);
    }
  }
  h += "<section id=\"requirements\"><h2>Requirement coverage</h2>";
  h += "<table id=\"requirements-table\"><thead><tr><th>Requirement</th><th>"
       "Verdict</th><th>Test cases</th></tr></thead><tbody>";
  for (const auto& [req, idx] : by_req) {
    Verdict worst = Verdict::kNone;
    std::string cases;
    for (std::size_t i : idx) {
      worst = Worse(worst, c.cases[i].verdict);
      cases += "<a href=\"#case-" + std::to_string(i + 1) + "\">" +
               HtmlEscape(c.cases[i].id) + "</a> " + V(c.cases[i].verdict) +
               " ";
    }
    h += "<tr data-requirement=\"" + HtmlEscape(req) + "\" data-verdict=\"" +
         std::string(VerdictName(worst)) + "\"><td>" + HtmlEscape(req) +
         "</td><td>" + V(worst) + "</td><td>" + cases + "</td></tr>";
  }
  h += "</tbody></table></section>";

  // Index of cases.
  h += "<section id=\"cases\"><h2>Test cases</h2><table id=\"cases-table\">"
       "<thead><tr><th>ID</th><th>Title</th><th>Verdict</th><th>Reason</th>"
       "<th>Duration</th></tr></thead><tbody>";
  for (std::size_t i = 0; i < c.cases.size(); ++i) {
    const CaseResult& cr = c.cases[i];
    h += "<tr class=\"filterable\" data-verdict=\"" +
         std::string(VerdictName(cr.verdict)) + "\"><td><a href=\"#case-" +
         std::to_string(i + 1) + "\">" + HtmlEscape(cr.id) + "</a></td><td>" +
         HtmlEscape(cr.title) + "</td><td>" + V(cr.verdict) + "</td><td>" +
         HtmlEscape(cr.verdict == Verdict::kNone && !cr.applicability.empty()
                        ? cr.applicability
                        : cr.reason) +
         "</td><td>" + Duration(cr.duration_us) + "</td></tr>";
  }
  h += "</tbody></table></section><section id=\"details\"><h2>Details</h2>";
  for (std::size_t i = 0; i < c.cases.size(); ++i)
    h += CaseArticle(c.cases[i], i + 1, o);
  h += "</section><script>";
  h += kJs;
  h += "</script></body></html>\n";
  return h;
}

}  // namespace omaiop::reports
