// libFuzzer target: WSP Push parse, describe and re-encode.
#include <cstdint>
#include <cstdlib>

#include "codec/wsp_push.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace omaiop::codec;
  ByteView in(data, size);
  auto p = ParseWspPush(in, 3);
  ProtoNode tree = DescribeWspPush(in, 3);
  // The tree and the parser must agree on whether the PDU is malformed.
  if (p.ok() != tree.notes.empty()) __builtin_trap();
  (void)ParseWspPush(in, 0, {.accept_confirmed_push = true});
  if (!p.ok()) return 0;
  if (p->body_offset - 3 + p->body.size() != size) __builtin_trap();
  // Encoding is canonical: once re-parsed, it is a fixed point.
  Bytes once = EncodeWspPush(*p);
  auto again = ParseWspPush(once);
  if (again.ok() && EncodeWspPush(*again) != once) __builtin_trap();
  return 0;
}
