// Byte buffers and hexadecimal text, shared by every codec.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/result.h"

namespace omaiop::codec {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

enum class HexCase { kUpper, kLower };

// "0B84" (or with a separator: "0B 84").
std::string ToHex(ByteView data, HexCase hex_case = HexCase::kUpper,
                  std::string_view separator = "");

// "0x0B", "0x1201": a number as a C-style hex literal, at least two digits.
std::string ToHexLiteral(std::uint32_t v);

// Parses hex text. Accepts upper/lower case, whitespace, ':' and '-' between
// octets and an optional leading "0x". An odd digit count or a non-hex
// character is an error naming its character offset.
Result<Bytes> ParseHex(std::string_view text);

// Classic 16-octets-per-line dump with offsets and ASCII, for human output.
std::string HexDump(ByteView data, std::size_t base_offset = 0);

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string AsString(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace omaiop::codec
