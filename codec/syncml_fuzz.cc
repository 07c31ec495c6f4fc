// libFuzzer target: SyncML DM XML parse path. Whatever parses must survive
// model -> XML -> model unchanged, and describe without crashing.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codec/syncml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace omaiop::codec;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool lax : {false, true}) {
    SyncMlParseOptions o;
    o.allow_unknown_elements = lax;
    auto m = SyncMlFromXml(text, o);
    if (!m.ok()) continue;
    (void)DescribeSyncMl(*m);
    auto again = SyncMlFromXml(SyncMlToXml(*m));
    if (!again.ok() || !(*again == *m)) std::abort();
  }
  return 0;
}
