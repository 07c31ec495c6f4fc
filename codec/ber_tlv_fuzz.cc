// libFuzzer target for the BER-TLV parser (codec/ber_tlv.h). Besides "never
// crash", it checks two invariants on inputs that parse as strict DER with no
// filler: re-encoding the tree with TlvBuilder reproduces the input octet for
// octet, and the lenient parser agrees on the tree shape.
#include <cstddef>
#include <cstdint>

#include "codec/ber_tlv.h"

namespace {

using omaiop::codec::BerTlvOptions;
using omaiop::codec::Bytes;
using omaiop::codec::ByteView;
using omaiop::codec::Tlv;
using omaiop::codec::TlvBuilder;

void Rebuild(TlvBuilder& b, const Tlv& t) {
  if (t.constructed()) {
    b.Open(t.tag);
    for (const Tlv& c : t.children) Rebuild(b, c);
    b.Close();
  } else {
    b.Add(t.tag, t.value);
  }
}

std::size_t Count(const std::vector<Tlv>& tlvs) {
  std::size_t n = 0;
  omaiop::codec::ForEachTlv(tlvs, [&](const Tlv&, std::size_t) { ++n; });
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const ByteView in(data, size);
  BerTlvOptions lenient;
  auto loose = omaiop::codec::ParseTlvs(in, lenient, 7);
  (void)omaiop::codec::DescribeTlvs(in, lenient);
  if (loose.ok()) {
    for (const Tlv& t : *loose) {
      (void)t.FindPath({0x30, 0x04});
      (void)omaiop::codec::DescribeTlv(t);
    }
  }

  BerTlvOptions strict;
  strict.strict_der = true;
  strict.allow_padding = false;
  auto der = omaiop::codec::ParseTlvs(in, strict);
  if (der.ok()) {
    TlvBuilder b;
    for (const Tlv& t : *der) Rebuild(b, t);
    auto out = b.Finish();
    if (!out.ok() || *out != Bytes(in.begin(), in.end())) __builtin_trap();
    if (!loose.ok() || Count(*loose) != Count(*der)) __builtin_trap();
  }
  return 0;
}
