// What the simulated handset keeps after accepting provisioning documents:
// each stored characteristic tagged with its origin (a context id such as
// "ctx:1", "card:<ICCID>", "ota") so that a card removal or a context
// deletion can take back exactly what it brought (dm.md §2.1: card-derived
// MOs are removed with the card).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/handset/cp/document.h"
#include "sim/handset/cp/trace.h"
#include "sim/handset/cp/validator.h"

namespace omaiop::sim::handset::cp {

// Origin tags (StoredItem::origin, Context::origin).
inline constexpr char kOriginOta[] = "ota";
inline std::string CardOrigin(std::string_view iccid) {
  std::string s = "card:";
  s += iccid;
  return s;
}

// Same kind+id already stored (cp.md §4, ProvUAB-U-C-005).
enum class ConflictPolicy {
  kAppend,         // default: store the new item beside the old one, never
                   // silently overwrite (Windows Mobile behaviour)
  kReplaceSameId,  // replace (MEMORY: the spec lets the device ask the user
                   // first; the simulator answers "yes")
  kRejectSameId,   // keep the old one, refuse the new one
};

struct StorePolicy {
  ConflictPolicy conflict = ConflictPolicy::kAppend;
  // A TPS modifies only its own context (cp.md §2.4, §4): replacing an item
  // of another origin is refused even under kReplaceSameId.
  bool own_origin_only = true;
  // An ACCESS rule that names an application decides its connectivity,
  // overriding the APPLICATION's own TO-NAPID/TO-PROXY. cp.md §1.2 lists the
  // ACCESS parms but not this precedence (UNCERTAIN) -> option.
  bool access_overrides_application_links = true;
};

// Which network access points and proxies an application may use for a
// destination (ProvCont ACCESS, cp.md §1.2): the answer of
// SettingsStore::Connectivity.
struct Connectivity {
  // "access" (an ACCESS rule matched), "application" (its TO-NAPID /
  // TO-PROXY), "default" (no link: any stored NAP/proxy, cp.md §1.2
  // "unlinked apps are bound to the default connectivity").
  std::string decided_by;
  std::vector<std::string> napids, proxy_ids;
  std::vector<std::string> rules;  // ACCESS RULE names that matched
  std::string rule;                // spec citation of the decision
  bool MayUse(std::string_view napid_or_proxy_id) const;
};

struct StoredItem {
  std::string kind;     // NAPDEF PXLOGICAL APPLICATION ACCESS VENDORCONFIG
                        // CLIENTIDENTITY WLAN
  std::string id;       // see ItemId()
  std::string origin;   // "ctx:<n>", "card:<ICCID>", "ota", ...
  Characteristic data;  // validated subtree (PXPHYSICAL/PORT, APPADDR...)
};

// The w7 APPLICATION as a plain DM account record (dm.md §2.1: w7 -> DMAcc;
// the DM tree itself is built elsewhere, later).
struct DmAuth {
  std::string level;  // AAUTHLEVEL (APPSRV = server credentials, CLIENT)
  std::string type, name, secret, data;
};
struct DmAccount {
  std::string server_id;  // PROVIDER-ID
  std::string name;
  std::string addr;       // APPADDR/ADDR (or ADDR parm)
  std::string addr_type;  // APPADDR/ADDRTYPE
  std::string port;       // APPADDR/PORT/PORTNBR
  std::vector<std::string> to_napid, to_proxy;
  bool init = false;  // INIT flag: start a session after provisioning
  std::vector<DmAuth> auths;
  std::string origin;
  std::string source_path;
};

// Identity of an item within its kind: NAPDEF NAPID, PXLOGICAL PROXY-ID,
// APPLICATION APPID[/PROVIDER-ID], ACCESS RULEs joined by ',', VENDORCONFIG
// NAME, CLIENTIDENTITY CLIENT-ID, WLAN PRI-SSID.
std::string ItemId(const Characteristic& c);

std::optional<DmAccount> ToDmAccount(const Characteristic& w7);

class SettingsStore {
 public:
  explicit SettingsStore(StorePolicy policy = {}) : policy_(policy) {}

  // Stores every storable characteristic of an accepted document (BOOTSTRAP
  // is the context manager's business). Returns the number stored.
  std::size_t Apply(const ValidatedDocument& doc, std::string_view origin,
                    EventSink* sink);
  // Removes all items (and DM accounts) of `origin`; returns how many.
  std::size_t RemoveOrigin(std::string_view origin, EventSink* sink);

  const std::vector<StoredItem>& items() const { return items_; }
  const std::vector<DmAccount>& dm_accounts() const { return dm_accounts_; }
  std::vector<const StoredItem*> Find(std::string_view kind,
                                      std::string_view id) const;
  std::vector<const StoredItem*> OfKind(std::string_view kind) const;
  const DmAccount* FindDmAccount(std::string_view server_id) const;
  // Ids later documents may link to (validator KnownIds).
  KnownIds Known() const;
  // The NAPs/proxies application `appid` may use to reach `domain`:`port`
  // (empty = any). An ACCESS rule matches when each of its APPID, DOMAIN and
  // PORTNBR lists is empty or contains the value asked for; TO-NAPID
  // INTERNET stands for every NAPDEF with the INTERNET flag.
  Connectivity ConnectivityFor(std::string_view appid,
                               std::string_view domain = {},
                               std::string_view port = {}) const;

  nlohmann::json ToJson() const;

 private:
  StorePolicy policy_;
  std::vector<StoredItem> items_;
  std::vector<DmAccount> dm_accounts_;
};

nlohmann::json CharacteristicToJson(const Characteristic& c);

}  // namespace omaiop::sim::handset::cp
