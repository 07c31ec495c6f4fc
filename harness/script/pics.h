// PICS applicability expressions (ISO/IEC 9646 style): a test case applies to
// an IUT when its expression over the IUT's PICS items is true.
//
//   expr   := or
//   or     := and ( ("or" | "||") and )*
//   and    := unary ( ("and" | "&&") unary )*
//   unary  := ("not" | "!") unary | "(" expr ")" | atom
//   atom   := ITEM | ITEM "=" VALUE | ITEM "!=" VALUE
//   ITEM   := [A-Za-z_][A-Za-z0-9_.:/-]*     VALUE := ITEM-like word | "quoted"
//
// A bare ITEM is true when the IUT declares it "true" (or "yes"/"1"); an item
// the IUT does not declare is false, and the reason says so.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "codec/result.h"

namespace omaiop::harness::script {

struct PicsExpr {
  enum class Kind { kTrue, kItem, kEquals, kNotEquals, kNot, kAnd, kOr };
  Kind kind = Kind::kTrue;
  std::string item;                // kItem, kEquals, kNotEquals
  std::string value;               // kEquals, kNotEquals
  std::vector<PicsExpr> operands;  // kNot (1), kAnd / kOr (2+)

  // Canonical text, fully parenthesised: "(A and (not B))".
  std::string ToString() const;
  // Every item named, in order of appearance, without duplicates.
  std::vector<std::string> Items() const;
};

// Parses an expression; "" (or only spaces) is Kind::kTrue. Errors carry the
// byte offset in `text` of the offending token.
codec::Result<PicsExpr> ParsePics(std::string_view text);

using PicsItems = std::map<std::string, std::string, std::less<>>;

struct PicsResult {
  bool value = false;
  // Why: the smallest set of facts that decided it, e.g.
  // "CP-SEC-NETWPIN is false" or "CP-MAX-SEGMENTS is not declared by the IUT".
  std::string reason;
};
PicsResult EvaluatePics(const PicsExpr& e, const PicsItems& items);

}  // namespace omaiop::harness::script
