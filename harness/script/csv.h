// CSV data sources for test cases (SIPp-style injection of IMSIs, PINs,
// URLs): RFC 4180 quoting ("a ""b""", fields spanning lines), a header row
// that names the columns. Hand-written: no Debian CSV library for C++ is in
// the tree, and the format is small.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "codec/result.h"

namespace omaiop::harness::script {

struct CsvTable {
  std::vector<std::string> columns;            // header row
  std::vector<std::vector<std::string>> rows;  // each rows[i].size() == columns
  std::vector<int> row_lines;                  // 1-based line of each row
};

// Parses CSV text. `name` is used in diagnostics ("data.csv:3"). Errors: an
// unterminated quote, a character after a closing quote, a row whose field
// count differs from the header, an empty or duplicate column name, a column
// name that is not a variable name ([A-Za-z_][A-Za-z0-9_]*). Lines starting
// with '#' are comments (SIPp allows them too); empty lines are skipped.
codec::Result<CsvTable> ParseCsv(std::string_view text, std::string_view name,
                                 char separator = ',');
codec::Result<CsvTable> LoadCsv(const std::string& path, char separator = ',');

}  // namespace omaiop::harness::script
