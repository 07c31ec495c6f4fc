// Fuzz target: the whole card session (power-on, detection, ICCID, IMSI,
// PKCS#15 location, the four documents, a Config2 write) against a card whose
// every answer comes from the fuzz input: one option byte (see
// DriveFullSession), then a ScriptedReader script. Nothing may crash, hang or
// read out of bounds. Seeds: recorded from the four shipped profiles by
// provsc_test.cc (RecordedSessionsReplay; OMAIOP_WRITE_CARD_SEEDS=1 rewrites).
#include <cstddef>
#include <cstdint>

#include "sim/handset/card/provsc.h"
#include "sim/handset/card/scripted_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace omaiop::sim::handset::card;
  if (size < 1) return 0;
  ScriptedReader reader(omaiop::codec::ByteView(data + 1, size - 1));
  (void)DriveFullSession(reader, data[0]);
  return 0;
}
