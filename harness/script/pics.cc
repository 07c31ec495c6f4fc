#include "harness/script/pics.h"

#include <algorithm>

namespace omaiop::harness::script {
namespace {

constexpr char kRule[] = "omaiop PICS expression (ISO/IEC 9646-7 style)";
// Hostile input: "((((..." must not exhaust the stack.
constexpr int kMaxDepth = 64;

bool ItemChar(char c, bool first) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_') return true;
  return !first && ((c >= '0' && c <= '9') || c == '.' || c == ':' ||
                    c == '/' || c == '-');
}

struct Token {
  enum class T {
    kEnd,
    kWord,
    kQuoted,
    kLParen,
    kRParen,
    kEq,
    kNe,
    kNot,
    kAnd,
    kOr
  };
  T t = T::kEnd;
  std::string text;
  std::size_t at = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  codec::Result<PicsExpr> Parse() {
    OMAIOP_RETURN_IF_ERROR(Next());
    OMAIOP_ASSIGN_OR_RETURN(PicsExpr e, Or(0));
    if (tok_.t != Token::T::kEnd)
      return codec::Error("unexpected '" + tok_.text +
                              "' after a complete "
                              "expression",
                          tok_.at, kRule);
    return e;
  }

 private:
  codec::Status Next() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' ||
                                s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
    tok_ = Token{};
    tok_.at = pos_;
    if (pos_ >= s_.size()) {
      tok_.text = "end of expression";
      return codec::OkStatus();
    }
    const char c = s_[pos_];
    auto two = [&](char a, char b) {
      return c == a && pos_ + 1 < s_.size() && s_[pos_ + 1] == b;
    };
    if (c == '(' || c == ')') {
      tok_.t = c == '(' ? Token::T::kLParen : Token::T::kRParen;
      tok_.text = std::string(1, c);
      ++pos_;
    } else if (two('!', '=')) {
      tok_.t = Token::T::kNe;
      tok_.text = std::string(s_.substr(pos_, 2));
      pos_ += 2;
    } else if (c == '!') {
      tok_.t = Token::T::kNot;
      tok_.text = std::string(s_.substr(pos_, 1));
      ++pos_;
    } else if (c == '=') {
      tok_.t = Token::T::kEq;
      const std::size_t len = two('=', '=') ? 2 : 1;
      tok_.text = std::string(s_.substr(pos_, len));
      pos_ += len;
    } else if (two('&', '&')) {
      tok_.t = Token::T::kAnd;
      tok_.text = std::string(s_.substr(pos_, 2));
      pos_ += 2;
    } else if (two('|', '|')) {
      tok_.t = Token::T::kOr;
      tok_.text = std::string(s_.substr(pos_, 2));
      pos_ += 2;
    } else if (c == '"') {
      const std::size_t end = s_.find('"', pos_ + 1);
      if (end == std::string_view::npos)
        return codec::Error("unterminated quoted value", pos_, kRule);
      tok_.t = Token::T::kQuoted;
      tok_.text = std::string(s_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
    } else if (ItemChar(c, true) || (c >= '0' && c <= '9')) {
      std::size_t e = pos_ + 1;
      while (e < s_.size() && ItemChar(s_[e], false)) ++e;
      tok_.text = std::string(s_.substr(pos_, e - pos_));
      pos_ = e;
      if (tok_.text == "and")
        tok_.t = Token::T::kAnd;
      else if (tok_.text == "or")
        tok_.t = Token::T::kOr;
      else if (tok_.text == "not")
        tok_.t = Token::T::kNot;
      else
        tok_.t = Token::T::kWord;
    } else {
      return codec::Error(std::string("unexpected character '") + c + "'", pos_,
                          kRule);
    }
    return codec::OkStatus();
  }

  codec::Result<PicsExpr> Binary(int depth, bool is_or) {
    OMAIOP_ASSIGN_OR_RETURN(PicsExpr first,
                            is_or ? Binary(depth, false) : Unary(depth));
    const Token::T op = is_or ? Token::T::kOr : Token::T::kAnd;
    if (tok_.t != op) return first;
    PicsExpr e;
    e.kind = is_or ? PicsExpr::Kind::kOr : PicsExpr::Kind::kAnd;
    e.operands.push_back(std::move(first));
    while (tok_.t == op) {
      OMAIOP_RETURN_IF_ERROR(Next());
      OMAIOP_ASSIGN_OR_RETURN(PicsExpr next,
                              is_or ? Binary(depth, false) : Unary(depth));
      e.operands.push_back(std::move(next));
    }
    return e;
  }
  codec::Result<PicsExpr> Or(int depth) { return Binary(depth, true); }

  codec::Result<PicsExpr> Unary(int depth) {
    if (depth > kMaxDepth)
      return codec::Error(
          "expression nested deeper than " + std::to_string(kMaxDepth), tok_.at,
          kRule);
    if (tok_.t == Token::T::kNot) {
      OMAIOP_RETURN_IF_ERROR(Next());
      OMAIOP_ASSIGN_OR_RETURN(PicsExpr inner, Unary(depth + 1));
      PicsExpr e;
      e.kind = PicsExpr::Kind::kNot;
      e.operands.push_back(std::move(inner));
      return e;
    }
    if (tok_.t == Token::T::kLParen) {
      const std::size_t open = tok_.at;
      OMAIOP_RETURN_IF_ERROR(Next());
      OMAIOP_ASSIGN_OR_RETURN(PicsExpr inner, Or(depth + 1));
      if (tok_.t != Token::T::kRParen)
        return codec::Error("'(' at offset " + std::to_string(open) +
                                " is not closed (found " + tok_.text + ")",
                            tok_.at, kRule);
      OMAIOP_RETURN_IF_ERROR(Next());
      return inner;
    }
    if (tok_.t != Token::T::kWord)
      return codec::Error("expected a PICS item, found '" + tok_.text + "'",
                          tok_.at, kRule);
    if (!ItemChar(tok_.text[0], true))
      return codec::Error(
          "PICS item '" + tok_.text + "' must start with a letter or '_'",
          tok_.at, kRule);
    PicsExpr e;
    e.kind = PicsExpr::Kind::kItem;
    e.item = tok_.text;
    OMAIOP_RETURN_IF_ERROR(Next());
    if (tok_.t == Token::T::kEq || tok_.t == Token::T::kNe) {
      e.kind = tok_.t == Token::T::kEq ? PicsExpr::Kind::kEquals
                                       : PicsExpr::Kind::kNotEquals;
      OMAIOP_RETURN_IF_ERROR(Next());
      if (tok_.t != Token::T::kWord && tok_.t != Token::T::kQuoted)
        return codec::Error(
            "expected a value after '" +
                std::string(e.kind == PicsExpr::Kind::kEquals ? "=" : "!=") +
                "', found '" + tok_.text + "'",
            tok_.at, kRule);
      e.value = tok_.text;
      OMAIOP_RETURN_IF_ERROR(Next());
    }
    return e;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  Token tok_;
};

bool Truthy(std::string_view v) {
  return v == "true" || v == "TRUE" || v == "yes" || v == "1";
}

void CollectItems(const PicsExpr& e, std::vector<std::string>& out) {
  if (!e.item.empty() && std::find(out.begin(), out.end(), e.item) == out.end())
    out.push_back(e.item);
  for (const auto& o : e.operands) CollectItems(o, out);
}

}  // namespace

std::string PicsExpr::ToString() const {
  switch (kind) {
    case Kind::kTrue:
      return "true";
    case Kind::kItem:
      return item;
    case Kind::kEquals:
      return item + "=\"" + value + "\"";
    case Kind::kNotEquals:
      return item + "!=\"" + value + "\"";
    case Kind::kNot:
      return "(not " + operands.at(0).ToString() + ")";
    case Kind::kAnd:
    case Kind::kOr: {
      std::string s = "(";
      for (std::size_t i = 0; i < operands.size(); ++i) {
        if (i) s += kind == Kind::kAnd ? " and " : " or ";
        s += operands[i].ToString();
      }
      return s + ")";
    }
  }
  return "?";
}

std::vector<std::string> PicsExpr::Items() const {
  std::vector<std::string> out;
  CollectItems(*this, out);
  return out;
}

codec::Result<PicsExpr> ParsePics(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return PicsExpr{};
  return Parser(text).Parse();
}

PicsResult EvaluatePics(const PicsExpr& e, const PicsItems& items) {
  using K = PicsExpr::Kind;
  switch (e.kind) {
    case K::kTrue:
      return {true, "no applicability condition"};
    case K::kItem:
    case K::kEquals:
    case K::kNotEquals: {
      auto it = items.find(e.item);
      if (it == items.end())
        return {e.kind == K::kNotEquals,
                e.item + " is not declared by the IUT"};
      const std::string& v = it->second;
      if (e.kind == K::kItem)
        return {Truthy(v), e.item + " is " + (v.empty() ? "\"\"" : v)};
      const bool eq = v == e.value;
      return {e.kind == K::kEquals ? eq : !eq,
              e.item + " is " + v + (eq ? " (=" : " (!=") + e.value + ")"};
    }
    case K::kNot: {
      PicsResult r = EvaluatePics(e.operands.at(0), items);
      return {!r.value, r.reason};
    }
    case K::kAnd:
    case K::kOr: {
      // and: the first false operand decides; or: the first true one. If
      // none decides, every operand contributed: join their reasons.
      const bool decisive = e.kind == K::kOr;
      std::string all;
      for (const auto& o : e.operands) {
        PicsResult r = EvaluatePics(o, items);
        if (r.value == decisive) return r;
        if (!all.empty()) all += "; ";
        all += r.reason;
      }
      return {!decisive, all};
    }
  }
  return {false, "?"};
}

}  // namespace omaiop::harness::script
