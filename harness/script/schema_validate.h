// libxml2 XML Schema validation with a diagnostic that names the file, the
// line and the element path of the first violation, and the schema's own
// message as the rule (shared by test cases and IUT descriptions).
#pragma once

#include <libxml/tree.h>

#include <string>
#include <string_view>

#include "codec/result.h"

namespace omaiop::harness::script {

struct SchemaSource {
  std::string_view name;      // "testcase.xsd", used in the rule
  std::string_view embedded;  // schema text compiled in
  std::string path;           // if set, read the schema from this file
};

// Validates `doc` (parsed from `file`). On failure: what = "<kind> does not
// match the schema: <libxml2 message>", path = "file:line /xpath", rule =
// "<schema name>: <message>".
codec::Status ValidateAgainstSchema(const xmlDoc* doc, const std::string& file,
                                    const SchemaSource& schema,
                                    std::string_view kind);

}  // namespace omaiop::harness::script
