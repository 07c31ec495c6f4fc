// The standard objects a DM 1.2 handset ships with (dm.md §3.6, FUMO §4):
// ./DevInfo, ./DevDetail (with the URI limits the tree enforces), ./DMAcc
// accounts in the DM 1.2 structure, ./Inbox and a FUMO instance, with the
// ACLs and AccessTypes a device would ship.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/handset/dm/tree.h"

namespace omaiop::sim::handset::dm {

// MO identifiers (Type of the MO root; dm.md §3.6, §4).
inline constexpr char kDmAccMoId[] = "urn:oma:mo:oma-dm-dmacc:1.0";
inline constexpr char kDevInfoMoId[] = "urn:oma:mo:oma-dm-devinfo:1.0";
inline constexpr char kDevDetailMoId[] = "urn:oma:mo:oma-dm-devdetail:1.0";
inline constexpr char kFumoMoId[] = "urn:oma:mo:oma-fumo:1.0";

// FUMO State values (dm.md §4).
enum class FumoState : int {
  kIdle = 10,
  kDownloadFailed = 20,
  kDownloadProgressing = 30,
  kDownloadComplete = 40,
  kReadyToUpdate = 50,
  kUpdateProgressing = 60,
  kUpdateFailedHaveData = 70,
  kUpdateFailedNoData = 80,
  kUpdateSuccessfulHaveData = 90,
  kUpdateSuccessfulNoData = 100,
};
std::string_view FumoStateName(FumoState s);
bool IsFumoState(int v);

// AppAuth/<x> (dm.md §3.6). Level: CLCRED / SRVCRED / OBEX (/ HTTP);
// Type: BASIC / DIGEST / HMAC (/ HTTP-BASIC ...). The value lists are [R]
// (image tables in the source), so values are not restricted here.
struct AppAuthConfig {
  std::string node_name;  // <x>; "" = the level name
  std::string level, type, name, secret, data;
};
struct DmAccountConfig {
  std::string node_name;  // <x> under ./DMAcc; "" = derived from ServerID
  std::string server_id;
  std::string name;
  std::string pref_con_ref;
  std::string addr;
  std::string addr_type = "URI";
  std::string port;  // "" = no Port subtree
  std::string aauth_pref;
  std::vector<AppAuthConfig> auths;
  std::string origin;  // "factory", "card:<ICCID>", "cp:<ctx>" ...
};

struct DeviceConfig {
  // DevInfo
  std::string dev_id = "IMEI:490154203237518";
  std::string man = "omaiop";
  std::string mod = "SimHandset";
  std::string dm_v = "1.2";
  std::string lang = "en-US";
  // DevDetail
  std::string dev_typ = "phone";
  std::string oem = "omaiop";
  std::string fw_v = "1.0.0";
  std::string sw_v = "1.0.0";
  std::string hw_v = "1.0";
  bool lrg_obj = true;  // dm.md §3.3: LrgObj advertises large-object support
  UriLimits uri_limits{16, 256, 64};
  // FUMO instance (dm.md §4); "" = none.
  std::string fumo_uri = "./FUMO";
  std::string pkg_name, pkg_version;
  FumoState fumo_state = FumoState::kIdle;
  // ACL of the FUMO instance (device policy, not from the spec).
  std::string fumo_acl = "Get=*&Replace=*&Exec=*";
  // ACL of ./DMAcc: servers may list account names; each account is
  // readable only by its own ServerID (device policy).
  std::string dmacc_acl = "Get=*";
  // ACL of ./Inbox: any server may Add a TNDS into it (dm.md §2.1, DM 1.2
  // bootstrap; who may is "out of scope", hence configurable).
  std::string inbox_acl = "Add=*";
  std::vector<DmAccountConfig> accounts;
};

// Node name for an account: ServerID with characters outside [A-Za-z0-9_-.]
// replaced by '_' (the device chooses dynamic names; dm.md §2.1).
std::string AccountNodeName(std::string_view server_id);

// Builds every standard object into `tree` and sets the tree's URI limits to
// config.uri_limits. Returns the first failure (or 200).
OpResult BuildStandardObjects(Tree& tree, const DeviceConfig& config);

// Adds ./DMAcc/<x> for one account; its ACL grants Delete/Get/Replace to
// that ServerID only (dm.md §2.1: "mapped nodes get Get/Replace/Delete for
// the ServerID"), so no other server can read it. AAuthSecret
// and AAuthData have no Get in their AccessType (dm.md §3.6 "No Get").
OpResult AddDmAccount(Tree& tree, const DmAccountConfig& account,
                      std::string* created_uri = nullptr);

// The ACL an account subtree gets for its server.
std::string AccountAcl(std::string_view server_id);

}  // namespace omaiop::sim::handset::dm
