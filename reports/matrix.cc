#include "reports/matrix.h"

#include <algorithm>
#include <map>

#include "reports/text.h"

namespace omaiop::reports {
namespace {

using internal::HtmlEscape;
using internal::Sha256Base64;

constexpr char kMatrixCss[] = R"css(
body{font:14px/1.45 system-ui,sans-serif;margin:0 2em 3em;color:#1f2328}
table{border-collapse:collapse}
td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
th{background:#f6f8fa}
td.cell{text-align:center;font-weight:600;color:#fff}
td.v-pass{background:#1a7f37}td.v-fail{background:#cf222e}
td.v-inconc{background:#bf8700}td.v-error{background:#8250df}
td.v-none{background:#6e7781}td.v-not_run{background:#fff;color:#6e7781;font-weight:400}
)css";

std::string CellName(const MatrixCell& c) {
  return c.run ? std::string(VerdictName(c.verdict)) : "not_run";
}

}  // namespace

Matrix BuildMatrix(const std::vector<NamedCampaign>& campaigns) {
  Matrix m;
  std::map<std::string, std::size_t> column_of;
  for (const NamedCampaign& nc : campaigns) {
    const std::string name =
        nc.campaign.iut.name.empty() ? nc.file : nc.campaign.iut.name;
    if (!column_of.count(name)) {
      column_of[name] = m.columns.size();
      m.columns.push_back({name, nc.campaign.iut.adapter, {}, {}, 0});
    }
    m.columns[column_of[name]].files.push_back(nc.file);
  }
  std::map<std::string, MatrixRow> rows;
  for (const NamedCampaign& nc : campaigns) {
    const std::size_t col =
        column_of[nc.campaign.iut.name.empty() ? nc.file
                                               : nc.campaign.iut.name];
    for (const CaseResult& c : nc.campaign.cases) {
      MatrixRow& row = rows[c.id];
      if (row.cells.empty()) {
        row.id = c.id;
        row.title = c.title;
        row.requirements = c.requirements;
        row.cells.resize(m.columns.size());
      }
      MatrixCell& cell = row.cells[col];
      if (cell.run) {
        m.notes.push_back(c.id + " ran more than once for " +
                          m.columns[col].iut + "; the worse verdict is kept");
        if (Worse(cell.verdict, c.verdict) == cell.verdict) continue;
      }
      cell.run = true;
      cell.verdict = c.verdict;
      cell.reason = c.verdict == Verdict::kNone && !c.applicability.empty()
                        ? c.applicability
                        : c.reason;
    }
  }
  for (auto& [id, row] : rows) {
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
      if (row.cells[i].run)
        ++m.columns[i].counts[static_cast<std::size_t>(row.cells[i].verdict)];
      else
        ++m.columns[i].not_run;
    }
    m.rows.push_back(std::move(row));
  }
  return m;
}

nlohmann::json MatrixToJson(const Matrix& m) {
  nlohmann::json iuts = nlohmann::json::array();
  for (const MatrixColumn& c : m.columns) {
    nlohmann::json counts = nlohmann::json::object();
    for (Verdict v : kAllVerdicts)
      counts[std::string(VerdictName(v))] = Count(c.counts, v);
    counts["not_run"] = c.not_run;
    iuts.push_back({{"name", c.iut},
                    {"adapter", c.adapter},
                    {"files", c.files},
                    {"counts", counts}});
  }
  nlohmann::json cases = nlohmann::json::array();
  for (const MatrixRow& r : m.rows) {
    nlohmann::json results = nlohmann::json::object();
    for (std::size_t i = 0; i < r.cells.size(); ++i) {
      nlohmann::json cell = {{"verdict", CellName(r.cells[i])}};
      if (r.cells[i].run) cell["reason"] = r.cells[i].reason;
      results[m.columns[i].iut] = cell;
    }
    cases.push_back({{"id", r.id},
                     {"title", r.title},
                     {"requirements", r.requirements},
                     {"results", results}});
  }
  return {{"schema", "omaiop-matrix/1"},
          {"iuts", iuts},
          {"cases", cases},
          {"notes", m.notes}};
}

std::string RenderMatrixHtml(const Matrix& m) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
      "'none'; style-src 'sha256-" +
      Sha256Base64(kMatrixCss) +
      "'; base-uri 'none'; form-action 'none'\"><title>omaiop "
      "interoperability matrix</title><style>" +
      kMatrixCss +
      "</style></head><body><h1>Interoperability matrix</h1>"
      "<table id=\"matrix\"><thead><tr><th>Test case</th><th>Title</th>";
  for (const MatrixColumn& c : m.columns)
    h += "<th data-iut=\"" + HtmlEscape(c.iut) + "\" title=\"" +
         HtmlEscape(c.adapter) + "\">" + HtmlEscape(c.iut) + "</th>";
  h += "</tr></thead><tbody>";
  for (const MatrixRow& r : m.rows) {
    h += "<tr data-case=\"" + HtmlEscape(r.id) + "\"><td>" + HtmlEscape(r.id) +
         "</td><td>" + HtmlEscape(r.title) + "</td>";
    for (std::size_t i = 0; i < r.cells.size(); ++i) {
      const std::string name = CellName(r.cells[i]);
      h += "<td class=\"cell v-" + name + "\" data-iut=\"" +
           HtmlEscape(m.columns[i].iut) + "\" data-case=\"" + HtmlEscape(r.id) +
           "\" data-verdict=\"" + name + "\" title=\"" +
           HtmlEscape(r.cells[i].reason) + "\">" +
           (r.cells[i].run ? name : "not run") + "</td>";
    }
    h += "</tr>";
  }
  h += "</tbody><tfoot>";
  for (Verdict v : kAllVerdicts) {
    const std::string n(VerdictName(v));
    h += "<tr><th colspan=\"2\">" + n + "</th>";
    for (const MatrixColumn& c : m.columns)
      h += "<td data-iut=\"" + HtmlEscape(c.iut) + "\" data-count-verdict=\"" +
           n + "\">" + std::to_string(Count(c.counts, v)) + "</td>";
    h += "</tr>";
  }
  h += "<tr><th colspan=\"2\">not run</th>";
  for (const MatrixColumn& c : m.columns)
    h += "<td data-iut=\"" + HtmlEscape(c.iut) +
         "\" data-count-verdict=\"not_run\">" + std::to_string(c.not_run) +
         "</td>";
  h += "</tr></tfoot></table>";
  if (!m.notes.empty()) {
    h += "<h2>Notes</h2><ul>";
    for (const std::string& n : m.notes) h += "<li>" + HtmlEscape(n) + "</li>";
    h += "</ul>";
  }
  h += "<p>Sources: ";
  for (const MatrixColumn& c : m.columns)
    for (const std::string& f : c.files) h += HtmlEscape(f) + " ";
  return h + "</p></body></html>\n";
}

}  // namespace omaiop::reports
