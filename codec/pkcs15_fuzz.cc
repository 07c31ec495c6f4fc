// libFuzzer target for the PKCS#15 parsers (codec/pkcs15.h): every input is
// fed to the EF.DIR record/file, EF.ODF, EF.DODF and EF.TokenInfo parsers and
// their Describe functions. Whatever parses must survive encode → parse
// unchanged.
#include <cstddef>
#include <cstdint>

#include "codec/pkcs15.h"

namespace p15 = omaiop::codec::pkcs15;
using omaiop::codec::ByteView;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const ByteView in(data, size);

  if (auto rec = p15::ParseDirRecord(in); rec.ok() && rec->has_value()) {
    auto enc = p15::EncodeDirRecord(**rec);
    if (enc.ok()) {
      auto again = p15::ParseDirRecord(*enc);
      if (!again.ok() || !again->has_value() || **again != **rec)
        __builtin_trap();
    }
  }
  if (auto apps = p15::ParseDirFile(in); apps.ok()) {
    (void)p15::FindApplication(*apps, p15::kPkcs15Aid);
  }
  (void)p15::DescribeDirRecord(in);

  if (auto odf = p15::ParseOdf(in); odf.ok()) {
    auto enc = p15::EncodeOdf(*odf);
    if (enc.ok()) {
      auto again = p15::ParseOdf(*enc);
      if (!again.ok() || *again != *odf) __builtin_trap();
    }
    (void)p15::FindOdfEntry(*odf, p15::ObjectKind::kDataObjects);
  }
  (void)p15::DescribeOdf(in);

  if (auto dodf = p15::ParseDodf(in); dodf.ok()) {
    auto enc = p15::EncodeDodf(*dodf);
    if (enc.ok()) {
      auto again = p15::ParseDodf(*enc);
      if (!again.ok() || *again != *dodf) __builtin_trap();
    }
    (void)p15::FindDataObjectByOid(*dodf, p15::kOidDmBootstrap);
  }
  (void)p15::DescribeDodf(in);

  if (auto ti = p15::ParseTokenInfo(in); ti.ok()) {
    auto enc = p15::EncodeTokenInfo(*ti);
    if (enc.ok()) {
      auto again = p15::ParseTokenInfo(*enc);
      if (!again.ok() || *again != *ti) __builtin_trap();
    }
  }
  return 0;
}
