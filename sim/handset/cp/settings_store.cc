#include "sim/handset/cp/settings_store.h"

#include <algorithm>

namespace omaiop::sim::handset::cp {
namespace {

constexpr char kRuleConflict[] = "ProvUAB-U-C-005 conflicts / cp.md §4";
constexpr char kRuleOwnContext[] =
    "ProvUAB contexts: a TPS modifies only its own context / cp.md §2.4, §4";
constexpr char kRuleDmMap[] = "DM_Bootstrap §3.1 w7 -> DMAcc / dm.md §2.1";

bool Storable(std::string_view type) {
  return type == "NAPDEF" || type == "PXLOGICAL" || type == "APPLICATION" ||
         type == "ACCESS" || type == "VENDORCONFIG" ||
         type == "CLIENTIDENTITY" || type == "WLAN";
}

bool IsDm(const Characteristic& c) {
  return c.type == "APPLICATION" && c.Value("APPID") == "w7";
}

const char* ConflictName(ConflictPolicy p) {
  switch (p) {
    case ConflictPolicy::kAppend:
      return "append";
    case ConflictPolicy::kReplaceSameId:
      return "replace-same-id";
    case ConflictPolicy::kRejectSameId:
      return "reject-same-id";
  }
  return "?";
}

}  // namespace

std::string ItemId(const Characteristic& c) {
  if (c.type == "NAPDEF") return c.Value("NAPID");
  if (c.type == "PXLOGICAL") return c.Value("PROXY-ID");
  if (c.type == "APPLICATION") {
    std::string id = c.Value("APPID");
    if (c.Has("PROVIDER-ID")) {
      id += '/';
      id += c.Value("PROVIDER-ID");
    }
    return id;
  }
  if (c.type == "ACCESS") {
    std::string id;
    for (const auto& r : c.Values("RULE")) id += (id.empty() ? "" : ",") + r;
    return id;
  }
  if (c.type == "VENDORCONFIG") return c.Value("NAME");
  if (c.type == "CLIENTIDENTITY") return c.Value("CLIENT-ID");
  if (c.type == "WLAN") return c.Value("PRI-SSID");
  return {};
}

std::optional<DmAccount> ToDmAccount(const Characteristic& w7) {
  if (!IsDm(w7) || !w7.Has("PROVIDER-ID")) return std::nullopt;
  DmAccount a;
  a.server_id = w7.Value("PROVIDER-ID");
  a.name = w7.Value("NAME");
  a.to_napid = w7.Values("TO-NAPID");
  a.to_proxy = w7.Values("TO-PROXY");
  a.init = w7.Has("INIT");
  a.source_path = w7.path;
  if (auto addrs = w7.Children("APPADDR"); !addrs.empty()) {
    a.addr = addrs[0]->Value("ADDR");
    a.addr_type = addrs[0]->Value("ADDRTYPE");
    if (auto ports = addrs[0]->Children("PORT"); !ports.empty())
      a.port = ports[0]->Value("PORTNBR");
  } else {
    a.addr = w7.Value("ADDR");
  }
  for (const auto* au : w7.Children("APPAUTH"))
    a.auths.push_back(DmAuth{au->Value("AAUTHLEVEL"), au->Value("AAUTHTYPE"),
                             au->Value("AAUTHNAME"), au->Value("AAUTHSECRET"),
                             au->Value("AAUTHDATA")});
  return a;
}

std::size_t SettingsStore::Apply(const ValidatedDocument& vdoc,
                                 std::string_view origin, EventSink* sink) {
  auto emit = [&](EventKind k, const char* rule, const std::string& path,
                  std::string detail) {
    if (sink) sink->Add(k, rule, path, std::move(detail));
  };
  if (vdoc.rejected) return 0;
  std::size_t stored = 0;
  for (const auto& c : vdoc.doc.characteristics) {
    if (!Storable(c.type)) continue;
    StoredItem item{c.type, ItemId(c), std::string(origin), c};
    std::string what = c.type + " '" + item.id + "'";
    std::optional<DmAccount> dm;
    if (IsDm(c)) {
      dm = ToDmAccount(c);
      if (!dm) {
        emit(EventKind::kItemRejected, kRuleDmMap, c.path,
             "w7 APPLICATION without PROVIDER-ID: no DM account (ServerID "
             "missing)");
        continue;
      }
      dm->origin = item.origin;
    }
    auto same = [&](const StoredItem& s) {
      return s.kind == item.kind && s.id == item.id;
    };
    bool exists = std::any_of(items_.begin(), items_.end(), same);
    if (exists && policy_.conflict == ConflictPolicy::kRejectSameId) {
      emit(EventKind::kItemRejected, kRuleConflict, c.path,
           what + " already stored (policy reject-same-id)");
      continue;
    }
    if (exists && policy_.conflict == ConflictPolicy::kReplaceSameId) {
      bool foreign = std::any_of(items_.begin(), items_.end(), [&](auto& s) {
        return same(s) && s.origin != item.origin;
      });
      if (foreign && policy_.own_origin_only) {
        emit(EventKind::kItemRejected, kRuleOwnContext, c.path,
             what + " belongs to another origin; " + std::string(origin) +
                 " may not replace it");
        continue;
      }
      std::erase_if(items_, same);
      if (dm)
        std::erase_if(dm_accounts_, [&](const DmAccount& d) {
          return d.server_id == dm->server_id;
        });
      emit(EventKind::kItemReplaced, kRuleConflict, c.path,
           what + " replaced (policy replace-same-id), origin " + item.origin);
    } else {
      emit(EventKind::kItemAdded, exists ? kRuleConflict : "", c.path,
           what + " stored, origin " + item.origin +
               (exists ? std::string(" (same id exists; policy ") +
                             ConflictName(policy_.conflict) + ")"
                       : ""));
    }
    items_.push_back(std::move(item));
    if (dm) dm_accounts_.push_back(std::move(*dm));
    ++stored;
  }
  return stored;
}

std::size_t SettingsStore::RemoveOrigin(std::string_view origin,
                                        EventSink* sink) {
  std::size_t n = 0;
  for (const auto& s : items_) {
    if (s.origin != origin) continue;
    ++n;
    if (sink)
      sink->Add(EventKind::kItemRemoved,
                "dm.md §2.1 / cp.md §3 (origin removal)", s.data.path,
                s.kind + " '" + s.id + "' removed with origin " + s.origin);
  }
  std::erase_if(items_,
                [&](const StoredItem& s) { return s.origin == origin; });
  std::erase_if(dm_accounts_,
                [&](const DmAccount& d) { return d.origin == origin; });
  return n;
}

std::vector<const StoredItem*> SettingsStore::Find(std::string_view kind,
                                                   std::string_view id) const {
  std::vector<const StoredItem*> out;
  for (const auto& s : items_)
    if (s.kind == kind && s.id == id) out.push_back(&s);
  return out;
}

std::vector<const StoredItem*> SettingsStore::OfKind(
    std::string_view kind) const {
  std::vector<const StoredItem*> out;
  for (const auto& s : items_)
    if (s.kind == kind) out.push_back(&s);
  return out;
}

const DmAccount* SettingsStore::FindDmAccount(
    std::string_view server_id) const {
  for (const auto& d : dm_accounts_)
    if (d.server_id == server_id) return &d;
  return nullptr;
}

KnownIds SettingsStore::Known() const {
  KnownIds k;
  for (const auto& s : items_) {
    if (s.kind == "NAPDEF") {
      k.napids.insert(s.id);
      k.internet_nap |= s.data.Has("INTERNET");
    } else if (s.kind == "PXLOGICAL") {
      k.proxy_ids.insert(s.id);
    } else if (s.kind == "APPLICATION" && s.data.Has("APPREF")) {
      k.apprefs.insert(s.data.Value("APPREF"));
    }
  }
  return k;
}

nlohmann::json CharacteristicToJson(const Characteristic& c) {
  nlohmann::json j;
  j["type"] = c.type;
  j["path"] = c.path;
  j["parms"] = nlohmann::json::array();
  for (const auto& p : c.parms) {
    nlohmann::json pj = {{"name", p.name}};
    if (p.value) pj["value"] = *p.value;
    j["parms"].push_back(std::move(pj));
  }
  if (!c.children.empty()) {
    j["children"] = nlohmann::json::array();
    for (const auto& ch : c.children)
      j["children"].push_back(CharacteristicToJson(ch));
  }
  return j;
}

nlohmann::json SettingsStore::ToJson() const {
  nlohmann::json j;
  j["items"] = nlohmann::json::array();
  for (const auto& s : items_)
    j["items"].push_back({{"kind", s.kind},
                          {"id", s.id},
                          {"origin", s.origin},
                          {"data", CharacteristicToJson(s.data)}});
  j["dm_accounts"] = nlohmann::json::array();
  for (const auto& d : dm_accounts_) {
    nlohmann::json auths = nlohmann::json::array();
    for (const auto& a : d.auths)
      auths.push_back({{"level", a.level},
                       {"type", a.type},
                       {"name", a.name},
                       {"secret", a.secret},
                       {"data", a.data}});
    j["dm_accounts"].push_back({{"server_id", d.server_id},
                                {"name", d.name},
                                {"addr", d.addr},
                                {"addr_type", d.addr_type},
                                {"port", d.port},
                                {"to_napid", d.to_napid},
                                {"to_proxy", d.to_proxy},
                                {"init", d.init},
                                {"auths", auths},
                                {"origin", d.origin},
                                {"source_path", d.source_path}});
  }
  return j;
}

bool Connectivity::MayUse(std::string_view id) const {
  return std::find(napids.begin(), napids.end(), id) != napids.end() ||
         std::find(proxy_ids.begin(), proxy_ids.end(), id) != proxy_ids.end();
}

Connectivity SettingsStore::ConnectivityFor(std::string_view appid,
                                            std::string_view domain,
                                            std::string_view port) const {
  // A list parm matches when absent or when it names the value asked for;
  // an unspecified request value matches any list.
  auto matches = [](const std::vector<std::string>& list, std::string_view v) {
    return list.empty() || v.empty() ||
           std::find(list.begin(), list.end(), v) != list.end();
  };
  auto add_unique = [](std::vector<std::string>& to, const std::string& v) {
    if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
  };
  // TO-NAPID INTERNET = every stored NAPDEF with the INTERNET flag (cp.md
  // §1.2 reference semantics).
  auto add_napid = [&](Connectivity& c, const std::string& napid) {
    if (napid != "INTERNET") return add_unique(c.napids, napid);
    for (const auto* nap : OfKind("NAPDEF"))
      if (nap->data.Has("INTERNET")) add_unique(c.napids, nap->id);
  };
  Connectivity c;
  if (policy_.access_overrides_application_links) {
    for (const auto* access : OfKind("ACCESS")) {
      const Characteristic& a = access->data;
      if (!matches(a.Values("APPID"), appid) ||
          !matches(a.Values("DOMAIN"), domain) ||
          !matches(a.Values("PORTNBR"), port))
        continue;
      for (const auto& r : a.Values("RULE")) add_unique(c.rules, r);
      for (const auto& n : a.Values("TO-NAPID")) add_napid(c, n);
      for (const auto& p : a.Values("TO-PROXY")) add_unique(c.proxy_ids, p);
    }
    if (!c.rules.empty()) {
      c.decided_by = "access";
      c.rule =
          "ProvCont ACCESS (CP 1.1, cp.md §1.2): the matching rules name the "
          "NAPs/proxies the application may use";
      return c;
    }
  }
  for (const auto* app : OfKind("APPLICATION")) {
    if (app->data.Value("APPID") != appid) continue;
    for (const auto& n : app->data.Values("TO-NAPID")) add_napid(c, n);
    for (const auto& p : app->data.Values("TO-PROXY"))
      add_unique(c.proxy_ids, p);
  }
  if (!c.napids.empty() || !c.proxy_ids.empty()) {
    c.decided_by = "application";
    c.rule =
        "ProvCont APPLICATION TO-NAPID/TO-PROXY (cp.md §1.2): the application "
        "uses the NAPs/proxies it links to";
    return c;
  }
  c.decided_by = "default";
  c.rule =
      "cp.md §1.2: an unlinked application is bound to the default "
      "connectivity (every stored NAP/proxy)";
  for (const auto* nap : OfKind("NAPDEF")) add_unique(c.napids, nap->id);
  for (const auto* px : OfKind("PXLOGICAL")) add_unique(c.proxy_ids, px->id);
  return c;
}

}  // namespace omaiop::sim::handset::cp
