// Validation of a wap-provisioningdoc as the simulated handset's CP client
// does it (cp.md §1.2 table, §1.4 WLAN, §4 ProvUAB): drops what it cannot use,
// records each decision as a CpEvent, and applies the CPClient defaults.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/handset/cp/document.h"
#include "sim/handset/cp/trace.h"

namespace omaiop::sim::handset::cp {

enum class Card { kOne, kOptional, kAny, kOneOrMore };  // 1 ? * +

enum class Vocab {
  kNone,
  kAddrType,     // IPV4 IPV6 E164 ALPHA APN SCODE TETRA-ITSI MAN
  kAppAddrType,  // kAddrType + APPSRV OBEX (+ policy extras)
  kCallType,
  kAuthType,  // AUTHTYPE / PXAUTH-TYPE
  kService,
  kAuthEntity,
  kAAuthType,  // composed of HTTP- BASIC DIGEST ,
  kBool01,     // PUSHENABLED / PULLENABLED
  kByte,       // CONTEXT-ALLOW: integer 0..255
  kPort,       // PORTNBR: integer 0..65535
  kFlag,       // valueless flag (INTERNET, TRUST, MASTER, T-BIT, INIT...)
};

struct ParmRule {
  std::string_view name;
  Card card;
  Vocab vocab = Vocab::kNone;
  bool cp11 = false;  // added in CP 1.1 (cp.md §1.3 "CP 1.0 -> 1.1 additions")
};
struct ChildRule {
  std::string_view type;
  Card card;
};
struct CharRule {
  std::string_view type;
  std::vector<ChildRule> children;
  std::vector<ParmRule> parms;
  bool open_parms = false;  // VENDORCONFIG / APPLICATION take extra parms
  bool cp11 = false;        // whole characteristic is CP 1.1 (code page 1)
};

// The cp.md §1.2 table (+ §1.4 WLAN) as data. Root is the pseudo type "".
const std::vector<CharRule>& Schema();
const CharRule* FindCharRule(std::string_view type);

enum class DuplicateIdPolicy {
  kKeepFirst,  // later NAPDEF/PXLOGICAL with a known id removed
  kMerge,      // CPClient: PXLOGICALs with the same PROXY-ID (and their
               // PXPHYSICALs with the same PHYSICAL-PROXY-ID) merged
};

struct ValidationPolicy {
  // Out-of-vocabulary values: strict drops the parm, lenient keeps it; both
  // record value_invalid. cp.md §1.2 lists the vocabularies; whether a device
  // must drop unknown values is not stated (UNCERTAIN) -> option.
  bool strict_vocabulary = false;
  DuplicateIdPolicy duplicate_ids = DuplicateIdPolicy::kMerge;
  // A CP 1.0 (WAP-183) device ignores CP 1.1 characteristics and parms
  // (cp.md §1.3: "a 1.0 device meeting page-1 tokens must skip them").
  bool cp10_device = false;
  bool apply_defaults = true;
  // WLAN CR (cp.md §1.4): whether it exists in the device's CP version is
  // UNCERTAIN; a device without WLAN support ignores the subtree.
  bool support_wlan = true;
  // APPADDR ADDRTYPE values beyond cp.md's list. "URI" appears in DM
  // bootstrap (w7) examples (MEMORY, not in cp.md's vocabulary) -> option.
  std::vector<std::string> extra_appaddr_types = {"URI"};
  // CPClient caps PXLOGICAL DOMAIN at 4 (cp.md §1.2); 0 = no cap.
  int max_domains = 4;
};

// Ids defined outside the document (the context's stored settings): links
// may resolve to them (cp.md §4 "within the same document (or existing
// context)").
struct KnownIds {
  std::set<std::string> napids;
  bool internet_nap = false;  // some stored NAPDEF has the INTERNET flag
  std::set<std::string> proxy_ids;
  std::set<std::string> apprefs;
};

struct ValidatedDocument {
  Document doc;  // what survived, defaults applied
  bool rejected = false;
  std::string reject_reason;
};

ValidatedDocument Validate(const Document& doc, const ValidationPolicy& policy,
                           EventSink* sink, const KnownIds* known = nullptr);

}  // namespace omaiop::sim::handset::cp
