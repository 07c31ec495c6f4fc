// Fuzzes the state file parser. The input is used twice: as a whole file,
// and as the body of a file whose checksum is made to match (so that the
// line parser is reached, not only the integrity check). Invariants: a
// parsed state serialises to text that parses to the same state, and
// overlaying it onto the sample card never breaks the card's own state
// (it still serialises and parses).
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "codec/bytes.h"
#include "sim/uicc/sample_profile.h"
#include "sim/uicc/state_store.h"

namespace uicc = omaiop::sim::uicc;

namespace {

void Check(std::string_view text) {
  auto state = uicc::ParseState(text);
  if (!state.ok()) return;
  const std::string again = uicc::SerializeState(*state);
  auto reparsed = uicc::ParseState(again);
  if (!reparsed.ok() || !(*reparsed == *state)) std::abort();
  static const auto* kTree = new auto(uicc::SampleFileSystem());
  uicc::FileSystem fs = *kTree;
  uicc::PinStore pins = uicc::PinStore::Default();
  (void)uicc::ApplyState(*state, fs, pins);
  if (!uicc::ParseState(uicc::SerializeState(uicc::CaptureState(fs, pins)))
           .ok())
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  Check(input);
  std::string body = "omaiop-uicc-state 1\n" + input;
  if (!body.empty() && body.back() != '\n') body += '\n';
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), md, &len, EVP_sha256(), nullptr);
  Check(body + "sha256 " +
        omaiop::codec::ToHex(omaiop::codec::ByteView(md, len)) + "\n");
  return 0;
}
