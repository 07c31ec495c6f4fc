// Typed model of a wap-provisioningdoc (ProvCont; cp.md §1.1): a tree of
// characteristics with parms, each carrying the XML path it came from so that
// every later decision can name the element.
#pragma once

#include <libxml/tree.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/result.h"

namespace omaiop::sim::handset::cp {

struct Parm {
  std::string name;
  std::optional<std::string> value;  // absent for flags (INTERNET, INIT...)
  std::string path;
};

struct Characteristic {
  std::string type;
  std::vector<Parm> parms;
  std::vector<Characteristic> children;
  std::string path;

  const Parm* FindParm(std::string_view name) const;
  bool Has(std::string_view name) const { return FindParm(name) != nullptr; }
  // Value of the first parm `name`, or `def` if absent / valueless.
  std::string Value(std::string_view name, std::string_view def = {}) const;
  std::vector<std::string> Values(std::string_view name) const;
  std::vector<const Characteristic*> Children(std::string_view type) const;
};

struct Document {
  std::string version;  // attribute "version" of the root ("" if absent)
  std::vector<Characteristic> characteristics;
  // Non-fatal structural problems; the offending element was skipped.
  std::vector<codec::Diagnostic> diagnostics;

  std::vector<const Characteristic*> All(std::string_view type) const;
};

// Builds the model. Fails only when the root is not wap-provisioningdoc;
// parms outside a characteristic, characteristics without type and unknown
// elements are skipped and reported in Document::diagnostics with their path.
codec::Result<Document> Parse(const xmlDoc* doc);
// Convenience: ParseXml + Parse.
codec::Result<Document> ParseText(std::string_view xml);

inline constexpr char kRuleDocModel[] = "ProvCont §5 DTD / cp.md §1.1";

}  // namespace omaiop::sim::handset::cp
