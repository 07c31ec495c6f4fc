// ByteReader: bounds-checked reading of hostile bytes. Every read either
// succeeds or returns a Diagnostic naming the absolute offset of the byte that
// broke the rule, what was expected, and the clause the caller supplies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "codec/bytes.h"
#include "codec/result.h"

namespace omaiop::codec {

class ByteReader {
 public:
  // base_offset: where data[0] sits in the outermost input, so that nested
  // parsers (WBXML inside WSP inside SMS) report offsets a user can find.
  explicit ByteReader(ByteView data, std::size_t base_offset = 0)
      : data_(data), base_(base_offset) {}

  std::size_t offset() const { return base_ + pos_; }  // absolute
  std::size_t position() const { return pos_; }        // relative to data
  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ >= data_.size(); }
  ByteView rest() const { return data_.subspan(pos_); }
  ByteView data() const { return data_; }
  std::size_t base_offset() const { return base_; }

  // Next octet without consuming it; only valid when !empty().
  std::uint8_t peek() const { return data_[pos_]; }

  Result<std::uint8_t> U8(std::string_view what, std::string_view rule);
  Result<std::uint16_t> U16BE(std::string_view what, std::string_view rule);
  Result<std::uint32_t> U32BE(std::string_view what, std::string_view rule);
  Result<ByteView> Take(std::size_t n, std::string_view what,
                        std::string_view rule);
  // Variable-length unsigned integer, 7 bits per octet, MSB = continuation:
  // WSP "uintvar" (WAP-230-WSP §8.1.2) and WBXML "mb_u_int32" (WBXML 1.3 §5.1).
  // At most 5 octets and 32 bits; a continuation bit on the last available
  // octet is reported as truncated.
  Result<std::uint32_t> Uintvar(std::string_view what, std::string_view rule);
  // Octets up to (not including) a 0x00 terminator, which is consumed.
  Result<ByteView> CString(std::string_view what, std::string_view rule);
  void Skip(std::size_t n) { pos_ = n > remaining() ? data_.size() : pos_ + n; }

 private:
  Diagnostic Truncated(std::size_t need, std::string_view what,
                       std::string_view rule) const;

  ByteView data_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

// Appends a uintvar / mb_u_int32 encoding of v (minimal length).
void AppendUintvar(Bytes& out, std::uint32_t v);

}  // namespace omaiop::codec
