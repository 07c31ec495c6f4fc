#include "harness/script/variables.h"

namespace omaiop::harness::script {
namespace {

constexpr char kRule[] = "omaiop variables (${NAME})";

bool NameChar(char c, bool first) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_') return true;
  return !first && ((c >= '0' && c <= '9') || c == '.');
}

// Calls on_text / on_var in order; returns a Diagnostic on a malformed ref.
template <typename OnText, typename OnVar>
codec::Status Scan(std::string_view s, OnText on_text, OnVar on_var) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t d = s.find('$', i);
    if (d == std::string_view::npos) {
      on_text(s.substr(i));
      break;
    }
    on_text(s.substr(i, d - i));
    if (d + 1 < s.size() && s[d + 1] == '$') {
      on_text("$");
      i = d + 2;
      continue;
    }
    if (d + 1 >= s.size() || s[d + 1] != '{') {
      on_text("$");
      i = d + 1;
      continue;
    }
    const std::size_t close = s.find('}', d + 2);
    if (close == std::string_view::npos)
      return codec::Error("unterminated '${' (missing '}')", d, kRule);
    const std::string_view name = s.substr(d + 2, close - d - 2);
    bool valid = !name.empty();
    for (std::size_t k = 0; k < name.size() && valid; ++k)
      valid = NameChar(name[k], k == 0);
    if (!valid)
      return codec::Error("'${" + std::string(name) +
                              "}' is not a variable name "
                              "([A-Za-z_][A-Za-z0-9_.]*)",
                          d, kRule);
    OMAIOP_RETURN_IF_ERROR(on_var(name, d));
    i = close + 1;
  }
  return codec::OkStatus();
}

}  // namespace

codec::Result<std::vector<std::string>> ReferencedVariables(
    std::string_view text) {
  std::vector<std::string> out;
  OMAIOP_RETURN_IF_ERROR(Scan(
      text, [](std::string_view) {},
      [&](std::string_view name, std::size_t) {
        out.emplace_back(name);
        return codec::OkStatus();
      }));
  return out;
}

codec::Result<std::string> SubstituteVariables(std::string_view text,
                                               const VariableMap& vars) {
  std::string out;
  if (text.find('$') == std::string_view::npos) return std::string(text);
  OMAIOP_RETURN_IF_ERROR(Scan(
      text, [&](std::string_view t) { out.append(t); },
      [&](std::string_view name, std::size_t at) -> codec::Status {
        auto it = vars.find(name);
        if (it == vars.end())
          return codec::Error("undefined variable ${" + std::string(name) + "}",
                              at, kRule);
        out += it->second;
        return codec::OkStatus();
      }));
  return out;
}

}  // namespace omaiop::harness::script
