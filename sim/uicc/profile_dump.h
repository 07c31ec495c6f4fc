// A human-readable dump of a card profile: identity, ATR, options, PINs,
// the PKCS#15 applications and the file tree with FID, name, type, size or
// records, SFI, access conditions and decoded contents (EF.IMSI/ICCID as
// digits, EF.DIR/ODF/DODF/TokenInfo through the codec/pkcs15 describers,
// WBXML documents decoded back to XML). What `omaiop uicc dump PROFILE`
// prints.
#pragma once

#include <string>

#include "sim/uicc/profile_loader.h"

namespace omaiop::sim::uicc {

struct DumpOptions {
  // Decode WBXML documents to XML (otherwise a hex dump).
  bool decode_wbxml = true;
  // Hex dumps longer than this many bytes are cut (0 = never).
  std::size_t max_hex_bytes = 256;
};

std::string DumpProfile(const Profile& profile,
                        const DumpOptions& options = {});

}  // namespace omaiop::sim::uicc
