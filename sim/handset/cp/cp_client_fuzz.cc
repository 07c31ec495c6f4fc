// Fuzzes the CP client core on hostile documents: bytes that look like WBXML
// (version byte 0x01..0x03) are decoded with the codec, anything else parsed
// as XML text. Invariants: nothing crashes; validation is idempotent (a
// validated document validates again without any further drop, merge or
// default); the store accepts it and its JSON serialises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codec/bytes.h"
#include "codec/wbxml.h"
#include "codec/xml.h"
#include "sim/handset/cp/context.h"
#include "sim/handset/cp/settings_store.h"
#include "sim/handset/cp/validator.h"

namespace cp = omaiop::sim::handset::cp;

namespace {

void Check(const cp::Document& doc, const cp::ValidationPolicy& pol) {
  cp::EventSink sink;
  cp::ValidatedDocument v = cp::Validate(doc, pol, &sink);
  cp::EventSink again;
  cp::ValidatedDocument v2 = cp::Validate(v.doc, pol, &again);
  using K = cp::EventKind;
  for (K k : {K::kCharacteristicDropped, K::kParmIgnored, K::kDuplicateIgnored,
              K::kDuplicateRemoved, K::kDuplicateMerged, K::kReferenceDropped,
              K::kDefaultApplied})
    if (again.Count(k) != 0) std::abort();
  if (v2.doc.characteristics.size() != v.doc.characteristics.size())
    std::abort();
  cp::SettingsStore store;
  store.Apply(v, "ota", &sink);
  cp::ContextManager contexts;
  (void)contexts.Bootstrap(v.doc, "ota", &sink);
  (void)store.ToJson().dump(-1, ' ', false,
                            nlohmann::json::error_handler_t::replace);
  store.RemoveOrigin("ota", &sink);
  if (!store.items().empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  omaiop::codec::ByteView bytes(data, size);
  omaiop::codec::XmlDoc xdoc;
  if (size > 0 && data[0] >= 0x01 && data[0] <= 0x03) {
    auto wb = omaiop::codec::DecodeWbxml(bytes);
    if (!wb.ok()) return 0;
    xdoc = std::move(wb->doc);
  } else {
    auto x = omaiop::codec::ParseXml(
        std::string_view(reinterpret_cast<const char*>(data), size));
    if (!x.ok()) return 0;
    xdoc = std::move(*x);
  }
  auto doc = cp::Parse(xdoc.get());
  if (!doc.ok()) return 0;
  Check(*doc, {});
  cp::ValidationPolicy other;
  other.strict_vocabulary = true;
  other.cp10_device = true;
  other.duplicate_ids = cp::DuplicateIdPolicy::kKeepFirst;
  Check(*doc, other);
  return 0;
}
