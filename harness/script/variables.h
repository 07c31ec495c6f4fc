// ${NAME} substitution (SIPp-style variables) shared by test cases and IUT
// trigger templates. "$$" is a literal '$'; a '$' not followed by '{' or '$'
// is kept as is. NAME: [A-Za-z_][A-Za-z0-9_.]*.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "codec/result.h"

namespace omaiop::harness::script {

using VariableMap = std::map<std::string, std::string, std::less<>>;

// The names referenced in `text`, in order (duplicates kept). An unterminated
// "${" or an invalid name is reported as a Diagnostic with its byte offset.
codec::Result<std::vector<std::string>> ReferencedVariables(
    std::string_view text);

// Replaces every ${NAME}. On an undefined name returns a Diagnostic whose
// `what` names the variable; the caller adds file and line.
codec::Result<std::string> SubstituteVariables(std::string_view text,
                                               const VariableMap& vars);

}  // namespace omaiop::harness::script
