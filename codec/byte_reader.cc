#include "codec/byte_reader.h"

#include <string>

namespace omaiop::codec {

Diagnostic ByteReader::Truncated(std::size_t need, std::string_view what,
                                 std::string_view rule) const {
  return Error("truncated " + std::string(what) + ": need " +
                   std::to_string(need) + " octet(s), " +
                   std::to_string(remaining()) + " left",
               offset(), std::string(rule));
}

Result<std::uint8_t> ByteReader::U8(std::string_view what,
                                    std::string_view rule) {
  if (remaining() < 1) return Truncated(1, what, rule);
  return data_[pos_++];
}

Result<std::uint16_t> ByteReader::U16BE(std::string_view what,
                                        std::string_view rule) {
  if (remaining() < 2) return Truncated(2, what, rule);
  std::uint16_t v =
      static_cast<std::uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
  pos_ += 2;
  return v;
}

Result<std::uint32_t> ByteReader::U32BE(std::string_view what,
                                        std::string_view rule) {
  if (remaining() < 4) return Truncated(4, what, rule);
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | data_[pos_ + i];
  pos_ += 4;
  return v;
}

Result<ByteView> ByteReader::Take(std::size_t n, std::string_view what,
                                  std::string_view rule) {
  if (remaining() < n) return Truncated(n, what, rule);
  ByteView v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}

Result<std::uint32_t> ByteReader::Uintvar(std::string_view what,
                                          std::string_view rule) {
  const std::size_t start = offset();
  std::uint64_t v = 0;
  for (int i = 0; i < 5; ++i) {
    if (empty()) {
      return Error("truncated " + std::string(what) +
                       ": uintvar continuation bit set on the last octet",
                   start, std::string(rule));
    }
    std::uint8_t b = data_[pos_++];
    v = v << 7 | (b & 0x7F);
    if ((b & 0x80) == 0) {
      if (v > 0xFFFFFFFFu) {
        return Error(std::string(what) + ": uintvar exceeds 32 bits", start,
                     std::string(rule));
      }
      return static_cast<std::uint32_t>(v);
    }
  }
  return Error(std::string(what) + ": uintvar longer than 5 octets", start,
               std::string(rule));
}

Result<ByteView> ByteReader::CString(std::string_view what,
                                     std::string_view rule) {
  for (std::size_t i = pos_; i < data_.size(); ++i) {
    if (data_[i] == 0) {
      ByteView v = data_.subspan(pos_, i - pos_);
      pos_ = i + 1;
      return v;
    }
  }
  return Error("unterminated " + std::string(what) +
                   ": no 0x00 before the end of the data",
               offset(), std::string(rule));
}

void AppendUintvar(Bytes& out, std::uint32_t v) {
  std::uint8_t tmp[5];
  int n = 0;
  do {
    tmp[n++] = v & 0x7F;
    v >>= 7;
  } while (v != 0);
  while (n > 0) {
    std::uint8_t b = tmp[--n];
    out.push_back(n > 0 ? (b | 0x80) : b);
  }
}

}  // namespace omaiop::codec
