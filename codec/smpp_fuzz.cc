// libFuzzer target: SMPP 3.4 PDU parsing, dissection, and the parse ->
// encode round trip (every field is kept, so encoding must be exact).
#include <cstdint>

#include "codec/smpp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace omaiop::codec;
  ByteView in(data, size);
  (void)ParseSmppHeader(in, 0);
  DescribeSmppPdu(in, 3);
  std::uint32_t status = 0;
  auto pdu = ParseSmppPdu(in, 0, &status);
  if (!pdu.ok()) return 0;
  SummarizeSmppPdu(*pdu);
  Bytes again = EncodeSmppPdu(*pdu);
  auto re = ParseSmppPdu(again);
  if (!re.ok() || !(*re == *pdu)) __builtin_trap();
  // Error responses may legally drop an empty body, otherwise exact.
  if (again != Bytes(in.begin(), in.end()) && pdu->command_status == 0)
    __builtin_trap();
  return 0;
}
