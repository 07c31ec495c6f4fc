#include "sim/handset/dm/standard_objects.h"

namespace omaiop::sim::handset::dm {
namespace {

constexpr std::uint8_t kGetOnly = kAccessGet;
constexpr std::uint8_t kGetReplace = kAccessGet | kAccessReplace;
// Leaves and interior nodes of an account a server manages.
constexpr std::uint8_t kManaged =
    kAccessAdd | kAccessCopy | kAccessDelete | kAccessGet | kAccessReplace;

// Builder that stops at the first failure.
struct Builder {
  Tree& tree;
  std::string origin;
  OpResult result;

  bool Interior(const std::string& uri, std::string type, std::string acl,
                bool permanent, std::uint8_t access) {
    if (!result.ok()) return false;
    NodeInit n;
    n.type = std::move(type);
    n.acl = std::move(acl);
    n.permanent = permanent;
    n.access = access;
    n.origin = origin;
    result = tree.DeviceAdd(uri, n);
    return result.ok();
  }
  bool Leaf(const std::string& uri, Format f, std::string value, bool permanent,
            std::uint8_t access, std::string type = "text/plain") {
    if (!result.ok()) return false;
    NodeInit n;
    n.format = f;
    n.type = std::move(type);
    n.value = std::move(value);
    n.permanent = permanent;
    n.access = access;
    n.origin = origin;
    result = tree.DeviceAdd(uri, n);
    if (!result.ok()) result.reason = uri + ": " + result.reason;
    return result.ok();
  }
};

}  // namespace

std::string_view FumoStateName(FumoState s) {
  switch (s) {
    case FumoState::kIdle:
      return "Idle/Start";
    case FumoState::kDownloadFailed:
      return "Download Failed";
    case FumoState::kDownloadProgressing:
      return "Download Progressing";
    case FumoState::kDownloadComplete:
      return "Download Complete";
    case FumoState::kReadyToUpdate:
      return "Ready to Update";
    case FumoState::kUpdateProgressing:
      return "Update Progressing";
    case FumoState::kUpdateFailedHaveData:
      return "Update Failed / Have Data";
    case FumoState::kUpdateFailedNoData:
      return "Update Failed / No Data";
    case FumoState::kUpdateSuccessfulHaveData:
      return "Update Successful / Have Data";
    case FumoState::kUpdateSuccessfulNoData:
      return "Update Successful / No Data";
  }
  return "";
}

bool IsFumoState(int v) { return v >= 10 && v <= 100 && v % 10 == 0; }

std::string AccountNodeName(std::string_view server_id) {
  std::string out;
  for (char c : server_id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    out += ok ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "acc" + out;
  return out;
}

std::string AccountAcl(std::string_view server_id) {
  std::string s(server_id);
  return "Delete=" + s + "&Get=" + s + "&Replace=" + s;
}

OpResult AddDmAccount(Tree& tree, const DmAccountConfig& a,
                      std::string* created_uri) {
  if (a.server_id.empty())
    return OpResult{status::kBadRequest,
                    "DMAcc needs a ServerID (dm.md §3.6: ServerID 1)",
                    {}};
  auto acl = Acl::Parse(AccountAcl(a.server_id));
  if (!acl.ok())
    return OpResult{
        status::kBadRequest,
        "ServerID cannot be written in an ACL: " + acl.error().ToString(),
        {}};
  std::string x =
      "./DMAcc/" +
      (a.node_name.empty() ? AccountNodeName(a.server_id) : a.node_name);
  if (created_uri) *created_uri = x;
  Builder b{tree, a.origin, {}};
  if (!tree.Find("./DMAcc")) b.Interior("./DMAcc", "", "Get=*", true, kGetOnly);
  b.Interior(x, kDmAccMoId, AccountAcl(a.server_id), false, kManaged);
  b.Leaf(x + "/AppID", Format::kChr, "w7", false, kGetOnly);
  b.Leaf(x + "/ServerID", Format::kChr, a.server_id, false, kGetReplace);
  if (!a.name.empty())
    b.Leaf(x + "/Name", Format::kChr, a.name, false, kManaged);
  if (!a.pref_con_ref.empty())
    b.Leaf(x + "/PrefConRef", Format::kChr, a.pref_con_ref, false, kManaged);
  if (!a.addr.empty()) {
    std::string aa = x + "/AppAddr/1";
    b.Interior(x + "/AppAddr", "", "", false, kManaged);
    b.Interior(aa, "", "", false, kManaged);
    b.Leaf(aa + "/Addr", Format::kChr, a.addr, false, kManaged);
    b.Leaf(aa + "/AddrType", Format::kChr, a.addr_type, false, kManaged);
    if (!a.port.empty()) {
      b.Interior(aa + "/Port", "", "", false, kManaged);
      b.Interior(aa + "/Port/1", "", "", false, kManaged);
      b.Leaf(aa + "/Port/1/PortNbr", Format::kChr, a.port, false, kManaged);
    }
  }
  if (!a.aauth_pref.empty())
    b.Leaf(x + "/AAuthPref", Format::kChr, a.aauth_pref, false, kManaged);
  if (!a.auths.empty()) b.Interior(x + "/AppAuth", "", "", false, kManaged);
  for (std::size_t i = 0; i < a.auths.size(); ++i) {
    const auto& au = a.auths[i];
    std::string name = !au.node_name.empty() ? au.node_name
                       : !au.level.empty()   ? AccountNodeName(au.level)
                                             : std::to_string(i + 1);
    std::string p = x + "/AppAuth/" + name;
    b.Interior(p, "", "", false, kManaged);
    b.Leaf(p + "/AAuthLevel", Format::kChr, au.level, false, kManaged);
    b.Leaf(p + "/AAuthType", Format::kChr, au.type, false, kManaged);
    if (!au.name.empty())
      b.Leaf(p + "/AAuthName", Format::kChr, au.name, false, kManaged);
    // dm.md §3.6: AAuthSecret and AAuthData are "No Get".
    constexpr std::uint8_t kNoGet = kAccessAdd | kAccessDelete | kAccessReplace;
    if (!au.secret.empty())
      b.Leaf(p + "/AAuthSecret", Format::kChr, au.secret, false, kNoGet);
    if (!au.data.empty())
      b.Leaf(p + "/AAuthData", Format::kBin, au.data, false, kNoGet,
             "application/octet-stream");
  }
  return b.result;
}

OpResult BuildStandardObjects(Tree& tree, const DeviceConfig& c) {
  tree.set_limits(c.uri_limits);
  Builder b{tree, "factory", {}};
  // DevInfo / DevDetail: Get=* for every server, permanent, read-only.
  b.Interior("./DevInfo", kDevInfoMoId, "Get=*", true, kGetOnly);
  b.Leaf("./DevInfo/DevId", Format::kChr, c.dev_id, true, kGetOnly);
  b.Leaf("./DevInfo/Man", Format::kChr, c.man, true, kGetOnly);
  b.Leaf("./DevInfo/Mod", Format::kChr, c.mod, true, kGetOnly);
  b.Leaf("./DevInfo/DmV", Format::kChr, c.dm_v, true, kGetOnly);
  b.Leaf("./DevInfo/Lang", Format::kChr, c.lang, true, kGetOnly);
  b.Interior("./DevDetail", kDevDetailMoId, "Get=*", true, kGetOnly);
  b.Leaf("./DevDetail/DevTyp", Format::kChr, c.dev_typ, true, kGetOnly);
  b.Leaf("./DevDetail/OEM", Format::kChr, c.oem, true, kGetOnly);
  b.Leaf("./DevDetail/FwV", Format::kChr, c.fw_v, true, kGetOnly);
  b.Leaf("./DevDetail/SwV", Format::kChr, c.sw_v, true, kGetOnly);
  b.Leaf("./DevDetail/HwV", Format::kChr, c.hw_v, true, kGetOnly);
  b.Leaf("./DevDetail/LrgObj", Format::kBool, c.lrg_obj ? "true" : "false",
         true, kGetOnly);
  b.Interior("./DevDetail/URI", "", "", true, kGetOnly);
  // dm.md §3.6: URI/MaxDepth, MaxTotLen, MaxSegLen (0 = unlimited); the
  // values published here are the ones Tree enforces.
  b.Leaf("./DevDetail/URI/MaxDepth", Format::kChr,
         std::to_string(c.uri_limits.max_depth), true, kGetOnly);
  b.Leaf("./DevDetail/URI/MaxTotLen", Format::kChr,
         std::to_string(c.uri_limits.max_tot_len), true, kGetOnly);
  b.Leaf("./DevDetail/URI/MaxSegLen", Format::kChr,
         std::to_string(c.uri_limits.max_seg_len), true, kGetOnly);
  b.Interior("./DMAcc", "", c.dmacc_acl, true, kGetOnly | kAccessAdd);
  b.Interior("./Inbox", "", c.inbox_acl, true, kAccessAdd);
  if (!c.fumo_uri.empty()) {
    // dm.md §4 table: node / access per FUMO 1.0.
    const std::string& f = c.fumo_uri;
    b.Interior(f, kFumoMoId, c.fumo_acl, true, kGetOnly);
    b.Leaf(f + "/PkgName", Format::kChr, c.pkg_name, true, kGetReplace);
    b.Leaf(f + "/PkgVersion", Format::kChr, c.pkg_version, true, kGetReplace);
    b.Interior(f + "/Download", "", "", true, kAccessExec | kAccessGet);
    b.Leaf(f + "/Download/PkgURL", Format::kChr, "", true, kGetReplace);
    b.Interior(f + "/Update", "", "", true, kAccessExec | kAccessGet);
    b.Leaf(f + "/Update/PkgData", Format::kBin, "", true, kAccessReplace,
           "application/octet-stream");
    b.Interior(f + "/DownloadAndUpdate", "", "", true,
               kAccessExec | kAccessGet);
    b.Leaf(f + "/DownloadAndUpdate/PkgURL", Format::kChr, "", true,
           kGetReplace);
    b.Leaf(f + "/State", Format::kInt,
           std::to_string(static_cast<int>(c.fumo_state)), true, kGetOnly);
    b.Interior(f + "/Ext", "", "", true, kGetOnly);
  }
  if (!b.result.ok()) return b.result;
  for (const auto& a : c.accounts)
    if (auto r = AddDmAccount(tree, a); !r.ok()) return r;
  return OpResult{status::kOk, "standard objects built", {}};
}

}  // namespace omaiop::sim::handset::dm
