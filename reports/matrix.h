// The interoperability matrix of `omaiop report merge`: test cases x IUTs,
// as test fests publish it. Campaigns of the same IUT name (e.g. shards of
// one run) fill one column; a case a column never ran shows as "not run".
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/campaign.h"

namespace omaiop::reports {

struct NamedCampaign {
  std::string file;  // where it came from (shown in the matrix)
  Campaign campaign;
};

struct MatrixColumn {
  std::string iut;  // the campaign's iut.name (file name if empty)
  std::string adapter;
  std::vector<std::string> files;
  VerdictCounts counts{};
  std::size_t not_run = 0;
};

struct MatrixCell {
  bool run = false;
  Verdict verdict = Verdict::kNone;
  std::string reason;
};

struct MatrixRow {
  std::string id;
  std::string title;
  std::vector<std::string> requirements;
  std::vector<MatrixCell> cells;  // one per column
};

struct Matrix {
  std::vector<MatrixColumn> columns;
  std::vector<MatrixRow> rows;     // sorted by case ID
  std::vector<std::string> notes;  // e.g. a case found twice for one IUT
};

// A case found twice for one IUT keeps the worse verdict (TTCN-3: verdicts
// only get worse) and adds a note.
Matrix BuildMatrix(const std::vector<NamedCampaign>& campaigns);

// {"schema":"omaiop-matrix/1","iuts":[...],"cases":[{"id",...,"results":
// {"<iut>":{"verdict"|"not_run"...}}}],"notes":[...]}
nlohmann::json MatrixToJson(const Matrix& m);

// One self-contained HTML file (same CSP discipline as the report). Cells
// carry data-iut/data-case/data-verdict ("not_run" when not run).
std::string RenderMatrixHtml(const Matrix& m);

}  // namespace omaiop::reports
