// A tiny BER-TLV appender (ISO/IEC 7816-4 §5.2) for the FCP and EF.DIR
// templates the card emits. TODO: move to codec/ber_tlv once that lands; it
// is local so the card does not depend on the codec being written alongside.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "codec/bytes.h"

namespace omaiop::sim::uicc::internal {

// Appends a definite length: 1 byte below 128, else 81 xx / 82 xx xx.
inline void AppendBerLength(codec::Bytes& out, std::size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<std::uint8_t>(length));
  } else if (length <= 0xFF) {
    out.push_back(0x81);
    out.push_back(static_cast<std::uint8_t>(length));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<std::uint8_t>(length >> 8));
    out.push_back(static_cast<std::uint8_t>(length & 0xFF));
  }
}

// Appends a single-byte tag, its length and value.
inline void AppendTlv(codec::Bytes& out, std::uint8_t tag,
                      codec::ByteView value) {
  out.push_back(tag);
  AppendBerLength(out, value.size());
  out.insert(out.end(), value.begin(), value.end());
}
inline void AppendTlv(codec::Bytes& out, std::uint8_t tag,
                      std::initializer_list<std::uint8_t> value) {
  AppendTlv(out, tag, codec::ByteView(value.begin(), value.size()));
}

}  // namespace omaiop::sim::uicc::internal
