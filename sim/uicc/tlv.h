// Appends the simple TLVs of the FCP and EF.DIR templates the card emits
// (ISO/IEC 7816-4 §5.2), over codec/ber_tlv's tag and length encoders.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "codec/ber_tlv.h"
#include "codec/bytes.h"

namespace omaiop::sim::uicc::internal {

// Appends a definite length: 1 byte below 128, else 81 xx / 82 xx xx. Card
// templates never exceed 64 KiB, so the encoder cannot refuse the length.
inline void AppendBerLength(codec::Bytes& out, std::size_t length) {
  (void)codec::AppendLength(out, length);
}

// Appends a tag, its length and value.
inline void AppendTlv(codec::Bytes& out, std::uint8_t tag,
                      codec::ByteView value) {
  codec::AppendTag(out, tag);
  (void)codec::AppendLength(out, value.size());
  out.insert(out.end(), value.begin(), value.end());
}
inline void AppendTlv(codec::Bytes& out, std::uint8_t tag,
                      std::initializer_list<std::uint8_t> value) {
  AppendTlv(out, tag, codec::ByteView(value.begin(), value.size()));
}

}  // namespace omaiop::sim::uicc::internal
