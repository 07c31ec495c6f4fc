// Fuzz target for the WBXML codec: hostile bytes must give a Diagnostic, never
// a crash. Decodes strict and lenient, describes, and re-encodes whatever
// decoded; the re-encoding must decode again to an equivalent document.
#include <cstdio>
#include <cstdlib>

#include "codec/wbxml.h"

using namespace omaiop::codec;

namespace {

void Check(bool ok, const char* what, const std::string& detail) {
  if (ok) return;
  std::fprintf(stderr, "wbxml_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  ByteView in(data, size);
  for (bool strict : {true, false}) {
    WbxmlDecodeOptions o;
    o.strict = strict;
    ProtoNode tree = DescribeWbxml(in, o);
    (void)tree;
    auto d = DecodeWbxml(in, o, 7);
    if (!d.ok()) {
      const Diagnostic& e = d.error();
      Check(!e.has_offset() || (e.offset >= 7 && e.offset <= size + 7),
            "error offset outside the input", e.ToString());
      Check(!e.rule.empty(), "error without a rule", e.ToString());
      continue;
    }
    WbxmlEncodeOptions eo;
    eo.literal_unknown_names = true;  // LITERAL names and lenient placeholders
    eo.version = d->header.version <= 3 ? d->header.version : 3;
    auto enc = EncodeWbxml(d->doc.get(), *d->language, eo);
    Check(enc.ok(), "re-encode failed", enc.ok() ? "" : enc.error().ToString());
    WbxmlDecodeOptions again;
    again.strict = strict;
    again.language = d->language;
    auto d2 = DecodeWbxml(*enc, again);
    Check(d2.ok(), "re-encoding does not decode",
          d2.ok() ? "" : d2.error().ToString());
    std::string diff;
    Check(XmlEquivalent(d2->doc.get(), d->doc.get(), &diff),
          "re-encoding decodes to a different document", diff);
  }
  return 0;
}
