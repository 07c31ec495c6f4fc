// libFuzzer target: hostile test-case XML through the whole loader (well-
// formedness, schema, model building, PICS parsing, variable checks) and, when
// it loads, expansion of its runs. Data files are not read (hostile paths).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness/script/testcase.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace omaiop::harness::script;
  LoadOptions o;
  o.load_data_files = false;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto tc = LoadTestCaseFromString(text, "fuzz.xml", "/nonexistent", o);
  if (tc.ok()) {
    auto runs = Expand(*tc, {{{"IUT.x", "y"}}, 0});
    (void)runs;
    (void)ParsePics(tc->header.applicability_text);
  }
  return 0;
}
