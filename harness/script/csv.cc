#include "harness/script/csv.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace omaiop::harness::script {
namespace {

constexpr char kRule[] = "RFC 4180 (CSV)";

bool IsVarName(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string Where(std::string_view name, int line) {
  return std::string(name) + ":" + std::to_string(line);
}

}  // namespace

codec::Result<CsvTable> ParseCsv(std::string_view text, std::string_view name,
                                 char separator) {
  CsvTable t;
  std::size_t i = 0;
  int line = 1;
  bool have_header = false;
  while (i < text.size()) {
    // Skip blank lines and comment lines.
    if (text[i] == '\n' || text[i] == '\r') {
      if (text[i] == '\n') ++line;
      ++i;
      continue;
    }
    if (text[i] == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    const int row_line = line;
    std::vector<std::string> fields;
    std::string field;
    bool end_of_row = false;
    while (!end_of_row) {
      field.clear();
      if (i < text.size() && text[i] == '"') {
        ++i;
        const int quote_line = line;
        bool closed = false;
        while (i < text.size()) {
          const char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field.push_back('"');
              ++i;
            } else {
              closed = true;
              break;
            }
          } else {
            if (c == '\n') ++line;
            field.push_back(c);
          }
        }
        if (!closed)
          return codec::PathError("unterminated quoted field",
                                  Where(name, quote_line), kRule);
        if (i < text.size() && text[i] != separator && text[i] != '\n' &&
            text[i] != '\r')
          return codec::PathError(
              std::string("unexpected '") + text[i] + "' after a closing quote",
              Where(name, line), kRule);
      } else {
        while (i < text.size() && text[i] != separator && text[i] != '\n' &&
               text[i] != '\r') {
          if (text[i] == '"')
            return codec::PathError(
                "a quote inside an unquoted field (quote the whole field and "
                "double the quote)",
                Where(name, line), kRule);
          field.push_back(text[i++]);
        }
      }
      fields.push_back(field);
      if (i < text.size() && text[i] == separator) {
        ++i;
      } else {
        if (i < text.size() && text[i] == '\r') ++i;
        if (i < text.size() && text[i] == '\n') {
          ++i;
          ++line;
        }
        end_of_row = true;
      }
    }
    if (!have_header) {
      std::set<std::string> seen;
      for (const auto& c : fields) {
        if (!IsVarName(c))
          return codec::PathError("column name '" + c +
                                      "' is not a variable name "
                                      "([A-Za-z_][A-Za-z0-9_]*)",
                                  Where(name, row_line), kRule);
        if (!seen.insert(c).second)
          return codec::PathError("duplicate column '" + c + "'",
                                  Where(name, row_line), kRule);
      }
      t.columns = std::move(fields);
      have_header = true;
      continue;
    }
    if (fields.size() != t.columns.size())
      return codec::PathError("row has " + std::to_string(fields.size()) +
                                  " fields, the header has " +
                                  std::to_string(t.columns.size()),
                              Where(name, row_line), kRule);
    t.rows.push_back(std::move(fields));
    t.row_lines.push_back(row_line);
  }
  if (!have_header)
    return codec::PathError("no header row", Where(name, 1), kRule);
  return t;
}

codec::Result<CsvTable> LoadCsv(const std::string& path, char separator) {
  std::error_code ec;
  // Not /dev/zero or a FIFO; data files are small.
  if (!std::filesystem::is_regular_file(path, ec))
    return codec::PathError("not a regular file (or missing)", path, kRule);
  if (std::filesystem::file_size(path, ec) > (16u << 20))
    return codec::PathError("CSV file larger than 16 MiB", path, kRule);
  std::ifstream in(path, std::ios::binary);
  if (!in) return codec::PathError("cannot open CSV file", path, kRule);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseCsv(ss.str(), path, separator);
}

}  // namespace omaiop::harness::script
