#include "codec/wbxml.h"

#include <libxml/tree.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include "codec/byte_reader.h"

namespace omaiop::codec {

namespace {

// Clauses of WAP-192-WBXML-20010725-a (WBXML 1.3).
constexpr char kRuleMb[] = "WBXML 1.3 §5.1";
constexpr char kRuleGrammar[] = "WBXML 1.3 §5.3";
constexpr char kRuleVersion[] = "WBXML 1.3 §5.4";
constexpr char kRulePublicId[] = "WBXML 1.3 §5.5";
constexpr char kRuleCharset[] = "WBXML 1.3 §5.6";
constexpr char kRuleStrtbl[] = "WBXML 1.3 §5.7";
constexpr char kRuleTag[] = "WBXML 1.3 §5.8.2";
constexpr char kRuleAttr[] = "WBXML 1.3 §5.8.3";
constexpr char kRuleString[] = "WBXML 1.3 §5.8.4.1";
constexpr char kRuleExt[] = "WBXML 1.3 §5.8.4.2";
constexpr char kRuleEntity[] = "WBXML 1.3 §5.8.4.3";
constexpr char kRulePi[] = "WBXML 1.3 §5.8.4.4";
constexpr char kRuleLiteral[] = "WBXML 1.3 §5.8.4.5";
constexpr char kRuleOpaque[] = "WBXML 1.3 §5.8.4.6";
constexpr char kRuleSwitch[] = "WBXML 1.3 §5.8.4.7.1";
constexpr char kRuleEnd[] = "WBXML 1.3 §5.8.4.7.2";

std::string HexN(std::uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%02X", v);
  return b;
}

std::string Placeholder(const char* kind, unsigned page, unsigned token) {
  char b[48];
  std::snprintf(b, sizeof b, "unknown_%s_p%u_0x%02x", kind, page, token);
  return b;
}

const WbxmlLanguage& EmptyLanguage() {
  static const WbxmlLanguage lang("unknown", 0, "", "", {}, {}, {}, {});
  return lang;
}

bool IsXmlChar(std::uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Decodes one UTF-8 sequence at s[i]; returns its length or 0 if malformed.
std::size_t Utf8Next(ByteView s, std::size_t i, std::uint32_t* cp) {
  std::uint8_t b = s[i];
  std::size_t n;
  std::uint32_t c;
  if (b < 0x80) {
    *cp = b;
    return 1;
  } else if ((b & 0xE0) == 0xC0) {
    n = 2, c = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, c = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, c = b & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((s[i + k] & 0xC0) != 0x80) return 0;
    c = c << 6 | (s[i + k] & 0x3F);
  }
  static const std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return n;
}

void AppendUtf8(std::string& out, std::uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | c >> 6);
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | c >> 12);
    out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | c >> 18);
    out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Position of the first byte that is not UTF-8 carrying XML characters, or
// npos. With `cdata_safe`, CR (normalised away by XML parsers) and "]]>" are
// rejected too.
std::size_t FirstNonXmlText(ByteView s, bool cdata_safe) {
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t c;
    std::size_t n = Utf8Next(s, i, &c);
    if (n == 0 || !IsXmlChar(c) || (cdata_safe && c == 0xD)) return i;
    if (cdata_safe && c == ']' && i + 2 < s.size() && s[i + 1] == ']' &&
        s[i + 2] == '>')
      return i;
    i += n;
  }
  return std::string::npos;
}

const char kB64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(ByteView d) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < d.size(); i += 3) {
    std::uint32_t v = d[i] << 16 | d[i + 1] << 8 | d[i + 2];
    for (int k = 3; k >= 0; --k) out += kB64[v >> (6 * k) & 0x3F];
  }
  if (i < d.size()) {
    std::uint32_t v = d[i] << 16 | (i + 1 < d.size() ? d[i + 1] << 8 : 0);
    out += kB64[v >> 18 & 0x3F];
    out += kB64[v >> 12 & 0x3F];
    out += i + 1 < d.size() ? kB64[v >> 6 & 0x3F] : '=';
    out += '=';
  }
  return out;
}

std::optional<Bytes> Unbase64(std::string_view s) {
  Bytes out;
  std::uint32_t acc = 0;
  int bits = 0, pad = 0;
  for (char ch : s) {
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') continue;
    if (ch == '=') {
      ++pad;
      continue;
    }
    const char* p = std::strchr(kB64, ch);
    if (p == nullptr || ch == 0 || pad) return std::nullopt;
    acc = acc << 6 | static_cast<std::uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return out;
}

std::string CharsetName(std::uint32_t mib) {
  switch (mib) {
    case 0:
      return "unknown";
    case 3:
      return "US-ASCII";
    case 4:
      return "ISO-8859-1";
    case 106:
      return "UTF-8";
    default:
      return "MIBenum " + std::to_string(mib);
  }
}

// ---------------------------------------------------------------------------
// Tokenizer

class Tokenizer {
 public:
  // describe: fill WbxmlToken::meaning (DecodeWbxml does not need it).
  Tokenizer(ByteView data, const WbxmlDecodeOptions& o, std::size_t base,
            bool describe)
      : r_(data, base), opt_(o), describe_(describe) {}

  Result<WbxmlTokens> Run() {
    // Most tokens take 2+ octets; avoids moving tokens while the vector grows.
    out_.tokens.reserve(r_.remaining() / 3 + 4);
    if (auto s = Header(); !s.ok()) return s.error();
    if (auto s = Body(); !s.ok()) return s.error();
    out_.language = lang_;
    return std::move(out_);
  }

 private:
  Status Warn(Diagnostic d) {
    if (opt_.strict) return d;
    out_.warnings.push_back(std::move(d));
    return OkStatus();
  }

  Status Header() {
    WbxmlHeader& h = out_.header;
    h.offset = r_.offset();
    OMAIOP_ASSIGN_OR_RETURN(h.version, r_.U8("WBXML version", kRuleVersion));
    if (h.version == 0x00) {
      return Error(
          "unsupported WBXML version 0x00 (1.0, which has no charset "
          "field); supported: 0x01..0x03 (1.1..1.3)",
          h.offset, kRuleVersion);
    }
    if (h.version > 0x03) {
      OMAIOP_RETURN_IF_ERROR(
          Warn(Error("unsupported WBXML version " + ToHexLiteral(h.version) +
                         " (" + std::to_string((h.version >> 4) + 1) + "." +
                         std::to_string(h.version & 0x0F) +
                         "); supported: 0x01..0x03; decoding as 1.3",
                     h.offset, kRuleVersion)));
    }
    h.public_id_offset = r_.offset();
    OMAIOP_ASSIGN_OR_RETURN(h.public_id, r_.Uintvar("publicid", kRuleMb));
    if (h.public_id == 0) {
      OMAIOP_ASSIGN_OR_RETURN(auto idx,
                              r_.Uintvar("publicid string index", kRuleMb));
      h.public_id_index = idx;
    }
    h.charset_offset = r_.offset();
    OMAIOP_ASSIGN_OR_RETURN(h.charset, r_.Uintvar("charset", kRuleMb));
    if (h.charset != 106 && h.charset != 0 && h.charset != 3 &&
        h.charset != 4) {
      OMAIOP_RETURN_IF_ERROR(
          Warn(Error("unsupported charset " + CharsetName(h.charset) +
                         "; supported: UTF-8 (106), US-ASCII (3), ISO-8859-1 "
                         "(4); decoding as UTF-8",
                     h.charset_offset, kRuleCharset)));
    }
    std::size_t len_off = r_.offset();
    OMAIOP_ASSIGN_OR_RETURN(auto len,
                            r_.Uintvar("string table length", kRuleMb));
    h.string_table_offset = r_.offset();
    if (len > r_.remaining()) {
      return Error("string table length " + std::to_string(len) +
                       " exceeds the " + std::to_string(r_.remaining()) +
                       " octet(s) left in the document",
                   len_off, kRuleStrtbl);
    }
    OMAIOP_ASSIGN_OR_RETURN(auto tbl,
                            r_.Take(len, "string table", kRuleStrtbl));
    h.string_table.assign(tbl.begin(), tbl.end());
    h.body_offset = r_.offset();
    if (h.public_id_index) {
      OMAIOP_ASSIGN_OR_RETURN(
          h.public_id_string,
          TableString(*h.public_id_index, h.public_id_offset + 1, "publicid"));
    }
    if (opt_.language) {
      lang_ = opt_.language;
    } else {
      lang_ = h.public_id_index ? LanguageForPublicIdString(h.public_id_string)
                                : LanguageForPublicId(h.public_id);
      if (lang_ == nullptr) {
        std::string id = h.public_id_index ? "\"" + h.public_id_string + "\""
                                           : HexN(h.public_id);
        OMAIOP_RETURN_IF_ERROR(
            Warn(Error("unknown document public id " + id +
                           ": no language table (force one with "
                           "WbxmlDecodeOptions::language)",
                       h.public_id_offset, kRulePublicId)));
        lang_ = &EmptyLanguage();
      }
    }
    return OkStatus();
  }

  // A string from the table: index must fall inside it and the string must
  // be 0x00-terminated inside it.
  Result<std::string> TableString(std::uint32_t index, std::size_t at,
                                  const char* what) {
    const Bytes& t = out_.header.string_table;
    if (index >= t.size()) {
      return Error(std::string(what) + ": string table offset " +
                       std::to_string(index) + " is past the end of the " +
                       std::to_string(t.size()) + "-octet string table",
                   at, kRuleStrtbl);
    }
    auto end = std::find(t.begin() + index, t.end(), 0);
    if (end == t.end()) {
      return Error(std::string(what) + ": string at string table offset " +
                       std::to_string(index) +
                       " has no 0x00 terminator inside the table",
                   at, kRuleStrtbl);
    }
    ByteView s(t.data() + index,
               static_cast<std::size_t>(end - t.begin()) - index);
    return Text(s, at);
  }

  // Converts document-charset bytes to UTF-8 text XML can carry.
  Result<std::string> Text(ByteView s, std::size_t at) {
    if (out_.header.charset == 4) {  // ISO-8859-1 → UTF-8
      std::string out;
      for (auto b : s) AppendUtf8(out, b);
      s = AsBytes(out);
      if (FirstNonXmlText(s, false) == std::string::npos) return out;
      return Sanitize(s, at);
    }
    if (out_.header.charset == 3) {  // US-ASCII: 7-bit only
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] >= 0x80) {
          OMAIOP_RETURN_IF_ERROR(Warn(
              Error("octet " + ToHexLiteral(s[i]) + " at string position " +
                        std::to_string(i) + " in a US-ASCII document",
                    at, kRuleCharset)));
          break;
        }
      }
    }
    if (FirstNonXmlText(s, false) == std::string::npos) return AsString(s);
    return Sanitize(s, at);
  }

  Result<std::string> Sanitize(ByteView s, std::size_t at) {
    std::size_t bad = FirstNonXmlText(s, false);
    OMAIOP_RETURN_IF_ERROR(
        Warn(Error("string is not UTF-8 text XML 1.0 can carry (octet " +
                       ToHexLiteral(s[bad]) + " at string position " +
                       std::to_string(bad) + "); replaced with U+FFFD",
                   at, kRuleCharset)));
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
      std::uint32_t c;
      std::size_t n = Utf8Next(s, i, &c);
      if (n == 0 || !IsXmlChar(c)) {
        out += "\xEF\xBF\xBD";
        i += n ? n : 1;
      } else {
        out.append(reinterpret_cast<const char*>(s.data() + i), n);
        i += n;
      }
    }
    return out;
  }

  WbxmlToken& Push(WbxmlTokenKind kind, std::size_t off, std::uint8_t code,
                   bool attr) {
    WbxmlToken& t = out_.tokens.emplace_back();
    t.kind = kind;
    t.offset = off;
    t.code = code;
    t.attribute_space = attr;
    t.page = attr ? attr_page_ : tag_page_;
    t.depth = static_cast<int>(stack_.size());
    return t;
  }
  void Close(WbxmlToken& t) { t.length = r_.offset() - t.offset; }
  // Tokens are appended to a vector; references die on growth.
  void CloseLast() { Close(out_.tokens.back()); }

  Status SwitchPage(std::size_t off, bool attr) {
    OMAIOP_ASSIGN_OR_RETURN(auto page, r_.U8("SWITCH_PAGE page", kRuleSwitch));
    (attr ? attr_page_ : tag_page_) = page;
    auto& t = Push(WbxmlTokenKind::kSwitchPage, off, 0x00, attr);
    t.number = page;
    if (describe_)
      t.meaning = std::string("SWITCH_PAGE to ") +
                  (attr ? "attribute" : "tag") + " code page " +
                  std::to_string(page);
    CloseLast();
    bool known = attr ? lang_->HasAttrPage(page) : lang_->HasTagPage(page);
    if (!known) {
      out_.tokens.back().known = false;
      return Warn(Error(
          std::string("SWITCH_PAGE to ") + (attr ? "attribute" : "tag") +
              " code page " + std::to_string(page) + " which language " +
              lang_->name() + " does not define",
          off,
          std::string(kRuleSwitch) + " / " + lang_->name() + " code pages"));
    }
    return OkStatus();
  }

  // STR_I, STR_T, ENTITY, OPAQUE, EXT_*: shared by content and attributes.
  // Returns false in *handled when `code` is none of these.
  Status Common(std::uint8_t code, std::size_t off, bool attr, bool* handled) {
    using namespace wbxml_token;
    *handled = true;
    switch (code) {
      case kStrI: {
        OMAIOP_ASSIGN_OR_RETURN(auto s,
                                r_.CString("STR_I string", kRuleString));
        OMAIOP_ASSIGN_OR_RETURN(auto text, Text(s, off + 1));
        auto& t = Push(WbxmlTokenKind::kStrI, off, code, attr);
        t.text = std::move(text);
        if (describe_) t.meaning = "STR_I \"" + t.text + "\"";
        CloseLast();
        return OkStatus();
      }
      case kStrT: {
        OMAIOP_ASSIGN_OR_RETURN(auto idx, r_.Uintvar("STR_T index", kRuleMb));
        OMAIOP_ASSIGN_OR_RETURN(auto text, TableString(idx, off + 1, "STR_T"));
        // Each reference copies its string: bound the total so that a small
        // document cannot expand a long table string a million times.
        table_text_ += text.size();
        if (table_text_ > opt_.max_table_text) {
          return Error("STR_T references expand to more than " +
                           std::to_string(opt_.max_table_text) +
                           " octets of text (decoder limit)",
                       off, kRuleStrtbl);
        }
        auto& t = Push(WbxmlTokenKind::kStrT, off, code, attr);
        t.number = idx;
        t.text = std::move(text);
        if (describe_)
          t.meaning = "STR_T [" + std::to_string(idx) + "] \"" + t.text + "\"";
        CloseLast();
        return OkStatus();
      }
      case kEntity: {
        OMAIOP_ASSIGN_OR_RETURN(auto cp, r_.Uintvar("ENTITY code", kRuleMb));
        std::string text;
        if (!IsXmlChar(cp)) {
          OMAIOP_RETURN_IF_ERROR(Warn(Error(
              "ENTITY " + HexN(cp) + " is not a character XML 1.0 can carry",
              off + 1, kRuleEntity)));
          text = "\xEF\xBF\xBD";
        } else {
          AppendUtf8(text, cp);
        }
        auto& t = Push(WbxmlTokenKind::kEntity, off, code, attr);
        t.number = cp;
        t.text = std::move(text);
        if (describe_) t.meaning = "ENTITY &#" + std::to_string(cp) + ";";
        CloseLast();
        return OkStatus();
      }
      case kOpaque: {
        OMAIOP_ASSIGN_OR_RETURN(auto len, r_.Uintvar("OPAQUE length", kRuleMb));
        if (len > r_.remaining()) {
          return Error("OPAQUE length " + std::to_string(len) +
                           " exceeds the " + std::to_string(r_.remaining()) +
                           " octet(s) left in the document",
                       off + 1, kRuleOpaque);
        }
        OMAIOP_ASSIGN_OR_RETURN(auto d,
                                r_.Take(len, "OPAQUE data", kRuleOpaque));
        auto& t = Push(WbxmlTokenKind::kOpaque, off, code, attr);
        t.data.assign(d.begin(), d.end());
        if (describe_)
          t.meaning = "OPAQUE, " + std::to_string(len) + " octet(s)";
        CloseLast();
        return OkStatus();
      }
      case kExtI0:
      case kExtI1:
      case kExtI2:
      case kExtT0:
      case kExtT1:
      case kExtT2:
      case kExt0:
      case kExt1:
      case kExt2: {
        std::string meaning;
        std::uint32_t number = 0;
        std::string text;
        if (code <= kExtI2) {
          OMAIOP_ASSIGN_OR_RETURN(auto s, r_.CString("EXT_I string", kRuleExt));
          OMAIOP_ASSIGN_OR_RETURN(text, Text(s, off + 1));
          meaning =
              "EXT_I_" + std::to_string(code - kExtI0) + " \"" + text + "\"";
        } else if (code <= kExtT2) {
          OMAIOP_ASSIGN_OR_RETURN(number, r_.Uintvar("EXT_T value", kRuleMb));
          meaning = "EXT_T_" + std::to_string(code - kExtT0) + " " +
                    std::to_string(number);
        } else {
          meaning = "EXT_" + std::to_string(code - kExt0);
        }
        auto& t = Push(WbxmlTokenKind::kExtension, off, code, attr);
        t.text = std::move(text);
        t.number = number;
        if (describe_) t.meaning = meaning;
        t.known = false;
        CloseLast();
        // None of omaiop's languages defines extension tokens.
        return Warn(Error(meaning +
                              ": extension token not defined by language " +
                              lang_->name() + "; ignored",
                          off, kRuleExt));
      }
      default:
        *handled = false;
        return OkStatus();
    }
  }

  // attribute* END after a tag with the attribute bit, or after PI.
  Status Attributes(std::size_t owner_off, bool pi) {
    using namespace wbxml_token;
    bool any = false;
    for (;;) {
      std::size_t off = r_.offset();
      if (r_.empty()) {
        return Error(std::string("missing END of the attribute list of the ") +
                         (pi ? "PI" : "tag") + " at offset " +
                         std::to_string(owner_off),
                     off, pi ? kRulePi : kRuleEnd);
      }
      std::uint8_t code = r_.peek();
      r_.Skip(1);
      if (code == kSwitchPage) {
        OMAIOP_RETURN_IF_ERROR(SwitchPage(off, true));
        continue;
      }
      if (code == kEnd) {
        auto& t = Push(WbxmlTokenKind::kEnd, off, code, true);
        if (describe_)
          t.meaning = pi ? "END (of PI)" : "END (of attribute list)";
        CloseLast();
        if (!any) {
          return Warn(
              Error("empty attribute list: the attribute bit is set "
                    "but END follows at once",
                    off, kRuleGrammar));
        }
        return OkStatus();
      }
      if (code == kLiteral) {
        OMAIOP_ASSIGN_OR_RETURN(auto idx, r_.Uintvar("LITERAL index", kRuleMb));
        OMAIOP_ASSIGN_OR_RETURN(auto name,
                                TableString(idx, off + 1, "LITERAL attribute"));
        if (xmlValidateName(reinterpret_cast<const xmlChar*>(name.c_str()),
                            0)) {
          return Error(
              "LITERAL attribute name \"" + name + "\" is not an XML name",
              off + 1, kRuleLiteral);
        }
        auto& t = Push(WbxmlTokenKind::kAttrStart, off, code, true);
        t.literal = true;
        t.number = idx;
        t.name = std::move(name);
        if (describe_) t.meaning = "LITERAL attribute " + t.name;
        CloseLast();
        any = true;
        continue;
      }
      if (code == kPi || code == kLiteralC || code == kLiteralA ||
          code == kLiteralAc) {
        return Error("token " + ToHexLiteral(code) +
                         " is not allowed in an attribute list",
                     off, kRuleAttr);
      }
      bool handled;
      if (!any && (code >= 0x80 || code == kStrI || code == kEntity)) {
        return Error("attribute value token " + ToHexLiteral(code) +
                         " before any attribute start",
                     off, kRuleAttr);
      }
      OMAIOP_RETURN_IF_ERROR(Common(code, off, true, &handled));
      if (handled) continue;
      if (code < 0x80) {  // ATTRSTART
        const WbxmlAttrStartToken* a = lang_->AttrStart(attr_page_, code);
        auto& t = Push(WbxmlTokenKind::kAttrStart, off, code, true);
        CloseLast();
        any = true;
        if (a) {
          t.name = a->name;
          t.text = a->value_prefix;
          if (describe_)
            t.meaning = std::string("attribute ") + a->name +
                        (*a->value_prefix ? std::string("=") + a->value_prefix
                                          : std::string("="));
        } else {
          t.known = false;
          t.name = Placeholder("attr", attr_page_, code);
          if (describe_)
            t.meaning = "unknown attribute start " + ToHexLiteral(code);
          OMAIOP_RETURN_IF_ERROR(
              Warn(Error("unknown attribute start token " + ToHexLiteral(code) +
                             " on code page " + std::to_string(attr_page_) +
                             " (language " + lang_->name() + ")",
                         off,
                         std::string(kRuleAttr) + " / " + lang_->name() +
                             " attribute start tokens")));
        }
      } else {  // ATTRVALUE
        const WbxmlAttrValueToken* v = lang_->AttrValue(attr_page_, code);
        auto& t = Push(WbxmlTokenKind::kAttrValue, off, code, true);
        CloseLast();
        if (v) {
          t.text = v->value;
          if (describe_)
            t.meaning = std::string("attribute value \"") + v->value + "\"";
        } else {
          t.known = false;
          t.text = Placeholder("value", attr_page_, code);
          if (describe_)
            t.meaning = "unknown attribute value " + ToHexLiteral(code);
          OMAIOP_RETURN_IF_ERROR(
              Warn(Error("unknown attribute value token " + ToHexLiteral(code) +
                             " on code page " + std::to_string(attr_page_) +
                             " (language " + lang_->name() + ")",
                         off,
                         std::string(kRuleAttr) + " / " + lang_->name() +
                             " attribute value tokens")));
        }
      }
    }
  }

  Status Pi(std::size_t off) {
    auto& t = Push(WbxmlTokenKind::kPi, off, wbxml_token::kPi, false);
    if (describe_) t.meaning = "PI";
    CloseLast();
    return Attributes(off, true);
  }

  // One tag token (TAG or LITERAL*) at `off`; code already consumed.
  Status Tag(std::uint8_t code, std::size_t off) {
    using namespace wbxml_token;
    std::uint8_t id = code & 0x3F;
    std::string name;
    bool known = true, literal = false;
    std::uint32_t idx = 0;
    if (id == kLiteral) {
      literal = true;
      OMAIOP_ASSIGN_OR_RETURN(idx, r_.Uintvar("LITERAL index", kRuleMb));
      OMAIOP_ASSIGN_OR_RETURN(name, TableString(idx, off + 1, "LITERAL tag"));
      if (xmlValidateName(reinterpret_cast<const xmlChar*>(name.c_str()), 0)) {
        return Error("LITERAL tag name \"" + name + "\" is not an XML name",
                     off + 1, kRuleLiteral);
      }
    } else if (const WbxmlTagToken* tt = lang_->Tag(tag_page_, id)) {
      name = tt->name;
    } else {
      known = false;
      name = Placeholder("tag", tag_page_, id);
    }
    if (stack_.size() >= opt_.max_depth) {
      return Error("element nesting deeper than " +
                       std::to_string(opt_.max_depth) + " levels",
                   off, kRuleGrammar);
    }
    auto& t = Push(WbxmlTokenKind::kTag, off, code, false);
    t.name = name;
    t.literal = literal;
    t.known = known;
    t.number = idx;
    if (describe_)
      t.meaning = std::string(literal ? "LITERAL tag <" : "tag <") + name +
                  ">" + ((code & kHasAttributes) ? " +attributes" : "") +
                  ((code & kHasContent) ? " +content" : "");
    CloseLast();
    if (!known) {
      OMAIOP_RETURN_IF_ERROR(Warn(Error(
          "unknown tag token " + ToHexLiteral(id) + " on code page " +
              std::to_string(tag_page_) + " (language " + lang_->name() + ")",
          off, std::string(kRuleTag) + " / " + lang_->name() + " tag tokens")));
    }
    if (code & kHasAttributes) OMAIOP_RETURN_IF_ERROR(Attributes(off, false));
    if (code & kHasContent) {
      stack_.push_back({off, name});
    } else if (stack_.empty()) {
      root_done_ = true;
    }
    return OkStatus();
  }

  Status Body() {
    using namespace wbxml_token;
    bool root_seen = false;
    for (;;) {
      std::size_t off = r_.offset();
      if (r_.empty()) {
        if (!stack_.empty()) {
          const Open& o = stack_.back();
          return Error("missing END: element <" + o.name +
                           "> opened at offset " + std::to_string(o.offset) +
                           " (" + std::to_string(stack_.size()) +
                           " element(s) open) at the end of the document",
                       off, kRuleEnd);
        }
        if (!root_seen) {
          return Error("no root element in the body", off, kRuleGrammar);
        }
        return OkStatus();
      }
      std::uint8_t code = r_.peek();
      r_.Skip(1);
      if (root_done_) {
        if (code == kPi) {
          OMAIOP_RETURN_IF_ERROR(Pi(off));
          continue;
        }
        return Error("content after the root element: token " +
                         ToHexLiteral(code) +
                         " (only PIs may follow; body = *pi element *pi)",
                     off, kRuleGrammar);
      }
      if (code == kSwitchPage) {
        OMAIOP_RETURN_IF_ERROR(SwitchPage(off, false));
        continue;
      }
      if (code == kPi) {
        OMAIOP_RETURN_IF_ERROR(Pi(off));
        continue;
      }
      if (code == kEnd) {
        if (stack_.empty()) {
          return Error("END with no open element", off, kRuleEnd);
        }
        auto& t = Push(WbxmlTokenKind::kEnd, off, code, false);
        t.depth = static_cast<int>(stack_.size()) - 1;
        t.name = stack_.back().name;
        if (describe_) t.meaning = "END </" + t.name + ">";
        CloseLast();
        stack_.pop_back();
        if (stack_.empty()) root_done_ = true;
        continue;
      }
      bool is_tag = !(code == kEntity || code == kStrI ||
                      (code >= kExtI0 && code <= kExtI2) ||
                      (code >= kExtT0 && code <= kStrT) ||
                      (code >= kExt0 && code <= kOpaque));
      if (is_tag) {
        root_seen = true;
        OMAIOP_RETURN_IF_ERROR(Tag(code, off));
        continue;
      }
      if (stack_.empty()) {
        return Error("token " + ToHexLiteral(code) +
                         " before the root element (body = *pi element *pi)",
                     off, kRuleGrammar);
      }
      bool handled;
      OMAIOP_RETURN_IF_ERROR(Common(code, off, false, &handled));
    }
  }

  struct Open {
    std::size_t offset;
    std::string name;
  };

  ByteReader r_;
  const WbxmlDecodeOptions& opt_;
  bool describe_;
  const WbxmlLanguage* lang_ = nullptr;
  WbxmlTokens out_;
  std::uint8_t tag_page_ = 0, attr_page_ = 0;
  std::vector<Open> stack_;
  bool root_done_ = false;
  std::size_t table_text_ = 0;
};

// ---------------------------------------------------------------------------
// DOM builder

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
const xmlChar* X(const std::string& s) { return X(s.c_str()); }

bool IsSyncMl(const WbxmlLanguage* l) { return l == &SyncMlDmLanguage(); }

class DomBuilder {
 public:
  DomBuilder(WbxmlTokens& t, const WbxmlDecodeOptions& o) : t_(t), opt_(o) {}

  Result<XmlDoc> Run() {
    XmlDoc doc(xmlNewDoc(X("1.0")));
    doc_ = doc.get();
    auto& toks = t_.tokens;
    for (std::size_t i = 0; i < toks.size(); ++i) {
      WbxmlToken& tk = toks[i];
      switch (tk.kind) {
        case WbxmlTokenKind::kTag: {
          xmlNode* n = xmlNewDocNode(doc_, nullptr, X(tk.name), nullptr);
          // Only tokens the language resolves carry their page's namespace;
          // LITERAL names and lenient placeholders have none.
          std::string_view uri = tk.known && !tk.literal
                                     ? t_.language->NamespaceOfPage(tk.page)
                                     : std::string_view();
          if (!uri.empty()) {
            SetNs(n, uri);
          } else if (!stack_.empty()) {
            UndeclareDefaultNs(n, stack_.back());
          }
          if (stack_.empty()) {
            xmlDocSetRootElement(doc_, n);
          } else {
            xmlAddChild(stack_.back(), n);
          }
          if (tk.code & wbxml_token::kHasAttributes) {
            OMAIOP_RETURN_IF_ERROR(Attributes(toks, i, n, nullptr));
          }
          if (tk.code & wbxml_token::kHasContent) stack_.push_back(n);
          break;
        }
        case WbxmlTokenKind::kEnd:
          stack_.pop_back();
          break;
        case WbxmlTokenKind::kStrI:
        case WbxmlTokenKind::kStrT:
        case WbxmlTokenKind::kEntity:
          xmlNodeAddContentLen(stack_.back(), X(tk.text),
                               static_cast<int>(tk.text.size()));
          break;
        case WbxmlTokenKind::kOpaque:
          OMAIOP_RETURN_IF_ERROR(Opaque(tk));
          break;
        case WbxmlTokenKind::kPi: {
          std::string target, value;
          OMAIOP_RETURN_IF_ERROR(Attributes(toks, i, nullptr, &target, &value));
          xmlNode* pi = xmlNewDocPI(doc_, X(target), X(value));
          if (stack_.empty()) {
            xmlNode* root = xmlDocGetRootElement(doc_);
            if (root)
              xmlAddNextSibling(root, pi);
            else
              xmlAddChild(reinterpret_cast<xmlNode*>(doc_), pi);
          } else {
            xmlAddChild(stack_.back(), pi);
          }
          break;
        }
        default:  // SWITCH_PAGE, extensions: no DOM trace
          break;
      }
    }
    return doc;
  }

 private:
  // An element without namespace under one with a default namespace gets
  // xmlns="" so that its serialised form means what the DOM says.
  void UndeclareDefaultNs(xmlNode* n, const xmlNode* parent) {
    if (parent->ns && parent->ns->href && parent->ns->href[0] != 0)
      xmlSetNs(n, xmlNewNs(n, X(""), nullptr));
  }

  void SetNs(xmlNode* n, std::string_view uri) {
    xmlNode* parent = stack_.empty() ? nullptr : stack_.back();
    if (parent && parent->ns &&
        uri == reinterpret_cast<const char*>(parent->ns->href)) {
      xmlSetNs(n, parent->ns);
      return;
    }
    std::string u(uri);
    xmlSetNs(n, xmlNewNs(n, X(u), nullptr));
  }

  // Consumes the attribute tokens after toks[i] up to their END; i is left
  // on that END.
  Status Attributes(std::vector<WbxmlToken>& toks, std::size_t& i, xmlNode* el,
                    std::string* pi_target, std::string* pi_value = nullptr) {
    std::string name, value;
    bool open = false;
    std::size_t name_off = 0;
    auto flush = [&]() -> Status {
      if (!open) return OkStatus();
      if (pi_target) {
        if (pi_target->empty()) {
          *pi_target = name;
          *pi_value = value;
        }
      } else {
        if (xmlHasProp(el, X(name))) {
          Diagnostic d = Error("duplicate attribute " + name + " on <" +
                                   std::string(NodeName(el)) + ">",
                               name_off, kRuleAttr);
          if (opt_.strict) return d;
          t_.warnings.push_back(d);
        }
        xmlSetProp(el, X(name), X(value));
      }
      open = false;
      return OkStatus();
    };
    for (++i; i < toks.size(); ++i) {
      WbxmlToken& tk = toks[i];
      if (tk.kind == WbxmlTokenKind::kEnd) break;
      switch (tk.kind) {
        case WbxmlTokenKind::kAttrStart:
          OMAIOP_RETURN_IF_ERROR(flush());
          name = tk.name;
          value = tk.text;
          name_off = tk.offset;
          open = true;
          break;
        case WbxmlTokenKind::kAttrValue:
        case WbxmlTokenKind::kStrI:
        case WbxmlTokenKind::kStrT:
        case WbxmlTokenKind::kEntity:
          value += tk.text;
          break;
        case WbxmlTokenKind::kOpaque:
          if (FirstNonXmlText(tk.data, false) == std::string::npos) {
            value += AsString(tk.data);
          } else {
            Diagnostic d = Error(
                "OPAQUE in an attribute value is not text XML can carry; "
                "base64 is used",
                tk.offset, kRuleOpaque);
            if (opt_.strict) return d;
            t_.warnings.push_back(d);
            value += Base64(tk.data);
          }
          break;
        default:
          break;
      }
    }
    return flush();
  }

  Status Opaque(const WbxmlToken& tk) {
    xmlNode* parent = stack_.back();
    if (opt_.decode_embedded && IsSyncMl(t_.language) &&
        NodeName(parent) == "Data" && tk.data.size() > 4) {
      WbxmlDecodeOptions sub;
      sub.strict = true;
      sub.decode_embedded = false;
      sub.max_depth = opt_.max_depth;
      std::size_t data_off = tk.offset + tk.length - tk.data.size();
      auto inner = DecodeWbxml(tk.data, sub, data_off);
      if (inner.ok() && inner->language != &EmptyLanguage() &&
          xmlDocGetRootElement(inner->doc.get())) {
        xmlNode* copy =
            xmlDocCopyNode(xmlDocGetRootElement(inner->doc.get()), doc_, 1);
        xmlAddChild(parent, copy);
        if (copy->ns == nullptr) UndeclareDefaultNs(copy, parent);
        return OkStatus();
      }
    }
    if (FirstNonXmlText(tk.data, true) == std::string::npos) {
      xmlAddChild(parent, xmlNewCDataBlock(doc_, X(AsString(tk.data)),
                                           static_cast<int>(tk.data.size())));
      return OkStatus();
    }
    xmlNode* o = xmlNewDocNode(doc_, nullptr, X("opaque"), nullptr);
    xmlAddChild(parent, o);
    xmlSetNs(o, xmlNewNs(o, X(kOpaqueNs), X("wbxml")));
    std::string b = Base64(tk.data);
    xmlNodeAddContentLen(o, X(b), static_cast<int>(b.size()));
    return OkStatus();
  }

  WbxmlTokens& t_;
  const WbxmlDecodeOptions& opt_;
  xmlDoc* doc_ = nullptr;
  std::vector<xmlNode*> stack_;
};

// ---------------------------------------------------------------------------
// Encoder

std::size_t MbSize(std::uint32_t v) {
  std::size_t n = 1;
  while (v >>= 7) ++n;
  return n;
}

bool AllWhitespace(const char* s) {
  for (; s && *s; ++s)
    if (!std::strchr(" \t\r\n", *s)) return false;
  return true;
}

class Encoder {
 public:
  Encoder(const WbxmlLanguage& l, const WbxmlEncodeOptions& o)
      : lang_(l), opt_(o) {}

  Result<Bytes> Run(const xmlDoc* doc) {
    const xmlNode* root = xmlDocGetRootElement(const_cast<xmlDoc*>(doc));
    if (!root) return PathError("document has no root element", "/", "XML 1.0");
    bool pid_string = opt_.public_id_as_string || lang_.public_id() == 0;
    // Pass 1 counts strings; pass 2 writes with the string table.
    for (int pass = 0; pass < 2; ++pass) {
      w_ = WbxmlWriter();
      tag_page_ = attr_page_ = 0;
      table_.clear();
      index_.clear();
      if (pid_string) Intern(lang_.public_id_string());
      if (pass == 1 && opt_.use_string_table) {
        for (const auto& s : order_) {
          std::size_t n = counts_[s];
          std::size_t len = s.size();
          // Worth it when the table copy plus references beat inline copies.
          if (n >= 2 &&
              n * (len + 2) > len + 1 + n * (1 + MbSize(table_.size())))
            Intern(s);
        }
      }
      counting_ = pass == 0;
      OMAIOP_RETURN_IF_ERROR(Element(root, nullptr));
      if (pass == 1 || !opt_.use_string_table) break;
    }
    WbxmlWriter out;
    out.Version(opt_.version);
    if (pid_string)
      out.PublicIdIndex(0);
    else
      out.PublicId(lang_.public_id());
    out.Charset(opt_.charset).StringTable(table_).Raw(w_.bytes());
    return out.Take();
  }

 private:
  std::uint32_t Intern(const std::string& s) {
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    auto idx = static_cast<std::uint32_t>(table_.size());
    table_ += s;
    table_ += '\0';
    index_[s] = idx;
    return idx;
  }

  void String(const std::string& s) {
    if (counting_) {
      if (counts_[s]++ == 0) order_.push_back(s);
    } else if (auto it = index_.find(s);
               it != index_.end() && opt_.use_string_table) {
      w_.StrT(it->second);
      return;
    }
    w_.StrI(s);
  }

  void TagPage(std::uint8_t p) {
    if (p != tag_page_) w_.SwitchPage(p);
    tag_page_ = p;
  }
  void AttrPage(std::uint8_t p) {
    if (p != attr_page_) w_.SwitchPage(p);
    attr_page_ = p;
  }

  static bool Significant(const xmlNode* c, bool skip_ws) {
    if (c->type == XML_ELEMENT_NODE || c->type == XML_CDATA_SECTION_NODE)
      return true;
    if (c->type == XML_TEXT_NODE)
      return !(skip_ws &&
               AllWhitespace(reinterpret_cast<const char*>(c->content)));
    if (c->type == XML_ENTITY_REF_NODE) return true;
    return false;
  }

  Status Element(const xmlNode* n, const xmlNode* parent) {
    std::string_view ns =
        n->ns && n->ns->href ? reinterpret_cast<const char*>(n->ns->href) : "";
    if (ns == kOpaqueNs && NodeName(n) == "opaque") {
      auto bytes = Unbase64(NodeText(n));
      if (!bytes)
        return PathError("wbxml:opaque content is not base64", NodePath(n),
                         "omaiop WBXML DOM mapping");
      w_.Opaque(*bytes);
      return OkStatus();
    }
    if (opt_.embed_foreign_roots && parent && &lang_ == &SyncMlDmLanguage() &&
        NodeName(parent) == "Data") {
      const WbxmlLanguage* sub = LanguageForRootElement(NodeName(n), ns);
      bool ns_fits = ns.empty() ? sub && sub->namespaces().empty()
                                : sub && sub->PageOfNamespace(ns).has_value();
      if (sub && sub != &lang_ && ns_fits) {
        XmlDoc tmp(xmlNewDoc(X("1.0")));
        xmlDocSetRootElement(
            tmp.get(), xmlDocCopyNode(const_cast<xmlNode*>(n), tmp.get(), 1));
        WbxmlEncodeOptions so = opt_;
        so.embed_foreign_roots = false;
        auto inner = EncodeWbxml(tmp.get(), *sub, so);
        if (!inner.ok()) {
          Diagnostic d = inner.error();
          d.path = NodePath(n) + d.path;
          return d;
        }
        w_.Opaque(*inner);
        return OkStatus();
      }
    }
    std::optional<std::uint8_t> ns_page;
    if (!ns.empty()) ns_page = lang_.PageOfNamespace(ns);
    const WbxmlTagToken* tag = lang_.FindTag(NodeName(n), ns_page, tag_page_);
    bool has_attrs = n->properties != nullptr;
    bool has_content = false;
    for (const xmlNode* c = n->children; c; c = c->next)
      if (Significant(c, opt_.skip_whitespace_text)) has_content = true;
    std::uint8_t flags = (has_attrs ? wbxml_token::kHasAttributes : 0) |
                         (has_content ? wbxml_token::kHasContent : 0);
    if (tag) {
      TagPage(tag->page);
      w_.Byte(tag->token | flags);
    } else if (opt_.literal_unknown_names) {
      std::string name(NodeName(n));
      w_.Byte(wbxml_token::kLiteral | flags).MbUint32(Intern(name));
    } else {
      return PathError(
          "element <" + std::string(NodeName(n)) +
              (ns.empty() ? "" : "> (namespace " + std::string(ns) + ")") +
              (ns.empty() ? ">" : "") + " is not in language " + lang_.name(),
          NodePath(n), std::string(kRuleTag) + " / " + lang_.name());
    }
    if (has_attrs) {
      for (const xmlAttr* a = n->properties; a; a = a->next)
        OMAIOP_RETURN_IF_ERROR(Attribute(n, a));
      w_.End();
    }
    if (has_content) {
      for (const xmlNode* c = n->children; c; c = c->next) {
        if (!Significant(c, opt_.skip_whitespace_text)) continue;
        if (c->type == XML_ELEMENT_NODE) {
          OMAIOP_RETURN_IF_ERROR(Element(c, n));
        } else if (c->type == XML_CDATA_SECTION_NODE) {
          const char* s = reinterpret_cast<const char*>(c->content);
          w_.Opaque(AsBytes(s ? s : ""));
        } else if (c->type == XML_TEXT_NODE) {
          String(reinterpret_cast<const char*>(c->content));
        } else {
          return PathError("entity reference in content cannot be encoded",
                           NodePath(n), kRuleEntity);
        }
      }
      w_.End();
    }
    return OkStatus();
  }

  Status Attribute(const xmlNode* el, const xmlAttr* a) {
    std::string name = reinterpret_cast<const char*>(a->name);
    xmlChar* raw = xmlNodeListGetString(el->doc, a->children, 1);
    std::string value = raw ? reinterpret_cast<const char*>(raw) : "";
    xmlFree(raw);
    const WbxmlAttrStartToken* best = nullptr;
    std::size_t best_len = 0;
    for (const WbxmlAttrStartToken* s : lang_.AttrStartsNamed(name)) {
      std::size_t len = std::strlen(s->value_prefix);
      if (len > 0 && !opt_.tokenize_attribute_values) continue;
      if (value.compare(0, len, s->value_prefix) != 0) continue;
      if (!best || len > best_len ||
          (len == best_len && s->page == attr_page_ &&
           best->page != attr_page_)) {
        best = s;
        best_len = len;
      }
    }
    if (best) {
      AttrPage(best->page);
      w_.AttrStart(best->token);
    } else if (opt_.literal_unknown_names) {
      w_.Byte(wbxml_token::kLiteral).MbUint32(Intern(name));
    } else {
      return PathError("attribute " + name + "=\"" + value +
                           "\" is not in language " + lang_.name(),
                       NodePath(el) + "/@" + name,
                       std::string(kRuleAttr) + " / " + lang_.name());
    }
    std::string_view rest(value);
    rest.remove_prefix(best_len);
    while (!rest.empty()) {
      const WbxmlAttrValueToken* tok = nullptr;
      if (opt_.tokenize_attribute_values) {
        for (const WbxmlAttrValueToken* v :
             lang_.AttrValuesOnPage(attr_page_)) {
          if (rest.substr(0, std::strlen(v->value)) == v->value) {
            tok = v;
            break;
          }
        }
      }
      if (!tok) {
        String(std::string(rest));
        break;
      }
      w_.AttrValue(tok->token);
      rest.remove_prefix(std::strlen(tok->value));
    }
    return OkStatus();
  }

  const WbxmlLanguage& lang_;
  const WbxmlEncodeOptions& opt_;
  WbxmlWriter w_;
  std::string table_;
  std::map<std::string, std::uint32_t> index_;
  std::map<std::string, std::size_t> counts_;
  std::vector<std::string> order_;
  bool counting_ = false;
  std::uint8_t tag_page_ = 0, attr_page_ = 0;
};

}  // namespace

Result<WbxmlTokens> TokenizeWbxml(ByteView data,
                                  const WbxmlDecodeOptions& options,
                                  std::size_t base_offset) {
  return Tokenizer(data, options, base_offset, true).Run();
}

Result<WbxmlDocument> DecodeWbxml(ByteView data,
                                  const WbxmlDecodeOptions& options,
                                  std::size_t base_offset) {
  OMAIOP_ASSIGN_OR_RETURN(WbxmlTokens t,
                          Tokenizer(data, options, base_offset, false).Run());
  OMAIOP_ASSIGN_OR_RETURN(XmlDoc doc, DomBuilder(t, options).Run());
  WbxmlDocument out;
  out.header = std::move(t.header);
  out.language = t.language;
  out.doc = std::move(doc);
  out.warnings = std::move(t.warnings);
  return out;
}

Result<Bytes> EncodeWbxml(const xmlDoc* doc, const WbxmlLanguage& language,
                          const WbxmlEncodeOptions& options) {
  if (doc == nullptr) return PathError("no document", "/", "XML 1.0");
  return Encoder(language, options).Run(doc);
}

namespace {

ProtoNode DescribeTokens(const WbxmlTokens& t, bool nested);

// An OPAQUE holding a whole WBXML document of a known language (TNDS in a
// SyncML <Data>) is shown as a subtree; one level deep only.
void DescribeEmbedded(ProtoNode& n, const WbxmlToken& tk) {
  WbxmlDecodeOptions o;
  auto inner =
      TokenizeWbxml(tk.data, o, tk.offset + tk.length - tk.data.size());
  if (inner.ok()) n.children.push_back(DescribeTokens(*inner, true));
}

}  // namespace

ProtoNode DescribeWbxml(const WbxmlTokens& t) {
  return DescribeTokens(t, false);
}

namespace {

ProtoNode DescribeTokens(const WbxmlTokens& t, bool nested) {
  const WbxmlHeader& h = t.header;
  ProtoNode root{"WBXML", t.language ? t.language->name() : "", h.offset, 0, {},
                 {}};
  root.Add("Version",
           ToHexLiteral(h.version) + " (WBXML " +
               std::to_string((h.version >> 4) + 1) + "." +
               std::to_string(h.version & 0x0F) + ")",
           h.offset, 1);
  std::string pid = h.public_id_index ? "string table [" +
                                            std::to_string(*h.public_id_index) +
                                            "] \"" + h.public_id_string + "\""
                                      : HexN(h.public_id);
  root.Add("Public ID", pid, h.public_id_offset,
           h.charset_offset - h.public_id_offset);
  root.Add("Charset",
           std::to_string(h.charset) + " (" + CharsetName(h.charset) + ")",
           h.charset_offset, MbSize(h.charset));
  ProtoNode& st = root.Add("String table",
                           std::to_string(h.string_table.size()) + " octet(s)",
                           h.string_table_offset, h.string_table.size());
  for (std::size_t i = 0; i < h.string_table.size();) {
    auto end = std::find(h.string_table.begin() + i, h.string_table.end(), 0);
    std::size_t len =
        static_cast<std::size_t>(end - h.string_table.begin()) - i;
    std::string label = "[";  // (not "[" + ...: GCC 12 -Wrestrict false alarm)
    label += std::to_string(i);
    label += ']';
    bool terminated = end != h.string_table.end();
    st.Add(std::move(label),
           std::string(reinterpret_cast<const char*>(h.string_table.data() + i),
                       len),
           h.string_table_offset + i, len + (terminated ? 1 : 0));
    i += len + 1;
  }
  ProtoNode body{"Body", "", h.body_offset, 0, {}, {}};
  // A tag's attributes and content nest under it; a PI's attribute under it.
  struct Frame {
    ProtoNode* node;
    bool content;
  };
  std::vector<Frame> stack{{&body, true}};
  for (const WbxmlToken& tk : t.tokens) {
    char code[8];
    std::snprintf(code, sizeof code, "%02X", tk.code);
    std::string name =
        std::string(code) + (tk.attribute_space ? " (attr)" : "");
    ProtoNode& n =
        stack.back().node->Add(name, tk.meaning, tk.offset, tk.length);
    if (tk.kind == WbxmlTokenKind::kOpaque && !tk.data.empty()) {
      n.Add("data", ToHex(tk.data, HexCase::kUpper, " "),
            tk.offset + tk.length - tk.data.size(), tk.data.size());
      if (!nested && tk.data.size() > 4) DescribeEmbedded(n, tk);
    }
    if (tk.kind == WbxmlTokenKind::kTag) {
      bool content = tk.code & wbxml_token::kHasContent;
      if (content || (tk.code & wbxml_token::kHasAttributes))
        stack.push_back({&n, content});
    } else if (tk.kind == WbxmlTokenKind::kPi) {
      stack.push_back({&n, false});
    } else if (tk.kind == WbxmlTokenKind::kEnd && stack.size() > 1) {
      if (!tk.attribute_space || !stack.back().content) stack.pop_back();
    }
  }
  if (!t.tokens.empty()) {
    const WbxmlToken& last = t.tokens.back();
    body.length = last.offset + last.length - h.body_offset;
  }
  root.length = body.offset + body.length - h.offset;
  root.children.push_back(std::move(body));
  root.notes = t.warnings;
  return root;
}

}  // namespace

ProtoNode DescribeWbxml(ByteView data, const WbxmlDecodeOptions& options,
                        std::size_t base_offset) {
  WbxmlDecodeOptions o = options;
  o.strict = false;
  auto t = TokenizeWbxml(data, o, base_offset);
  if (t.ok()) return DescribeWbxml(*t);
  ProtoNode n{"WBXML", "malformed", base_offset, data.size(), {}, {}};
  n.notes.push_back(t.error());
  return n;
}

// ---------------------------------------------------------------------------
// WbxmlWriter

WbxmlWriter& WbxmlWriter::MbUint32(std::uint32_t v) {
  AppendUintvar(out_, v);
  return *this;
}
WbxmlWriter& WbxmlWriter::PublicIdIndex(std::uint32_t index) {
  Byte(0x00);
  return MbUint32(index);
}
WbxmlWriter& WbxmlWriter::StringTable(ByteView table) {
  MbUint32(static_cast<std::uint32_t>(table.size()));
  return Raw(table);
}
WbxmlWriter& WbxmlWriter::Header(std::uint8_t version, std::uint32_t public_id,
                                 std::uint32_t charset,
                                 std::string_view string_table) {
  return Version(version).PublicId(public_id).Charset(charset).StringTable(
      string_table);
}
WbxmlWriter& WbxmlWriter::SwitchPage(std::uint8_t page) {
  return Byte(wbxml_token::kSwitchPage).Byte(page);
}
WbxmlWriter& WbxmlWriter::Tag(std::uint8_t tag, bool attributes, bool content) {
  return Byte(static_cast<std::uint8_t>(
      tag | (attributes ? wbxml_token::kHasAttributes : 0) |
      (content ? wbxml_token::kHasContent : 0)));
}
WbxmlWriter& WbxmlWriter::LiteralTag(std::uint32_t index, bool attributes,
                                     bool content) {
  return Tag(wbxml_token::kLiteral, attributes, content).MbUint32(index);
}
WbxmlWriter& WbxmlWriter::LiteralAttr(std::uint32_t index) {
  return Byte(wbxml_token::kLiteral).MbUint32(index);
}
WbxmlWriter& WbxmlWriter::StrI(std::string_view s) {
  Byte(wbxml_token::kStrI).Raw(AsBytes(s));
  return Byte(0x00);
}
WbxmlWriter& WbxmlWriter::StrT(std::uint32_t index) {
  return Byte(wbxml_token::kStrT).MbUint32(index);
}
WbxmlWriter& WbxmlWriter::Entity(std::uint32_t code_point) {
  return Byte(wbxml_token::kEntity).MbUint32(code_point);
}
WbxmlWriter& WbxmlWriter::Opaque(ByteView data) {
  Byte(wbxml_token::kOpaque).MbUint32(static_cast<std::uint32_t>(data.size()));
  return Raw(data);
}

}  // namespace omaiop::codec
