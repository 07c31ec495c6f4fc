#include "codec/bytes.h"

#include <cctype>
#include <cstdio>

namespace omaiop::codec {

std::string ToHex(ByteView data, HexCase hex_case, std::string_view separator) {
  static constexpr char kUpper[] = "0123456789ABCDEF";
  static constexpr char kLower[] = "0123456789abcdef";
  const char* digits = hex_case == HexCase::kUpper ? kUpper : kLower;
  std::string out;
  out.reserve(data.size() * (2 + separator.size()));
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (i > 0) out += separator;
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0x0F];
  }
  return out;
}

std::string ToHexLiteral(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%02X", v);
  return buf;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<Bytes> ParseHex(std::string_view text) {
  Bytes out;
  out.reserve(text.size() / 2);
  std::size_t i = 0;
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    i = 2;
  int high = -1;
  std::size_t high_at = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ':' || c == '-') {
      if (high >= 0)
        return Error("hex octet split by a separator", high_at, "hex text");
      continue;
    }
    int v = HexValue(c);
    if (v < 0) {
      return Error(std::string("not a hex digit: '") + c + "'", i, "hex text");
    }
    if (high < 0) {
      high = v;
      high_at = i;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) return Error("odd number of hex digits", high_at, "hex text");
  return out;
}

std::string HexDump(ByteView data, std::size_t base_offset) {
  std::string out;
  char buf[16];
  for (std::size_t line = 0; line < data.size(); line += 16) {
    std::snprintf(buf, sizeof buf, "%04zx  ", base_offset + line);
    out += buf;
    for (std::size_t i = 0; i < 16; ++i) {
      if (line + i < data.size()) {
        std::snprintf(buf, sizeof buf, "%02x ", data[line + i]);
        out += buf;
      } else {
        out += "   ";
      }
      if (i == 7) out += ' ';
    }
    out += ' ';
    for (std::size_t i = 0; i < 16 && line + i < data.size(); ++i) {
      unsigned char c = data[line + i];
      out += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '.';
    }
    out += '\n';
  }
  return out;
}

}  // namespace omaiop::codec
