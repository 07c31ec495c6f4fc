#include "sim/handset/dm/dm_bootstrap.h"

#include <algorithm>
#include <functional>
#include <set>

#include "codec/wbxml.h"
#include "codec/xml.h"
#include "sim/handset/dm/standard_objects.h"

namespace omaiop::sim::handset::dm {
namespace {

// The TNDS text carried in a Data element: embedded XML, XML text, or (in
// WBXML) an OPAQUE holding a TNDS WBXML document.
codec::Result<std::string> TndsText(const codec::DataValue& d) {
  switch (d.kind) {
    case codec::DataValue::Kind::kXml: {
      if (d.xml_elements.size() != 1)
        return codec::PathError("Data must hold exactly one MgmtTree", "Data",
                                "DM_TND 1.2");
      return d.xml_elements[0];
    }
    case codec::DataValue::Kind::kText:
      return d.text;
    case codec::DataValue::Kind::kBinary: {
      auto doc = codec::DecodeWbxml(d.binary);
      if (!doc.ok()) return doc.error();
      return codec::SerializeXml(doc->doc.get(), false, false);
    }
  }
  return codec::PathError("unknown Data kind", "Data", "");
}

bool IsTnds(const std::optional<codec::Meta>& meta,
            const std::optional<codec::DataValue>& data) {
  if (meta && meta->type &&
      (*meta->type == kTndsXmlType || *meta->type == kTndsWbxmlType))
    return true;
  return data && data->kind == codec::DataValue::Kind::kXml;
}

std::string LeafValue(const Tree& tree, const std::string& uri) {
  const Node* n = tree.Find(uri);
  return n && !n->interior() ? n->value : std::string();
}

// Finishes the accounts a bootstrap brought: Type, ACL for the ServerID.
void FinishAccounts(Tree& tree, const std::set<std::string>& before,
                    const BootstrapOptions& o, BootstrapReport* rep) {
  for (const auto& uri : FindDmAccounts(tree)) {
    Node* n = tree.FindMutable(uri);
    if (!n) continue;
    bool ours =
        !before.count(uri) || (!o.origin.empty() && n->origin == o.origin);
    if (!ours) continue;
    rep->accounts.push_back(uri);
    // dm.md §3.6: AAuthSecret and AAuthData are "No Get" in the DMAcc DDF,
    // whoever created them (a bootstrap Add carries no AccessType).
    if (Node* auth = tree.FindMutable(uri + "/AppAuth"))
      for (auto& x : auth->children)
        for (auto& leaf : x->children)
          if (!leaf->interior() &&
              (leaf->name == "AAuthSecret" || leaf->name == "AAuthData"))
            leaf->access &= ~kAccessGet;
    std::string server = LeafValue(tree, uri + "/ServerID");
    if (LeafValue(tree, uri + "/AppID") != "w7")
      rep->warnings.push_back(uri + ": AppID is not w7 (dm.md §3.6)");
    if (server.empty()) {
      rep->warnings.push_back(uri +
                              ": no ServerID, no ACL granted (dm.md §3.6)");
      continue;
    }
    if (o.set_dmacc_type && n->type.empty()) n->type = kDmAccMoId;
    if (o.grant_server_acl && n->acl.empty()) {
      auto acl = Acl::Parse(AccountAcl(server));
      if (acl.ok())
        n->acl = *acl;
      else
        rep->warnings.push_back(uri + ": ServerID " + server +
                                " cannot be written in an ACL");
    }
  }
}

}  // namespace

bool BootstrapReport::ok() const {
  return std::all_of(items.begin(), items.end(), [](const auto& i) {
    return i.code >= 200 && i.code < 300;
  });
}

codec::Result<BootstrapReport> ApplyBootstrap(Tree& tree,
                                              const codec::SyncMlMessage& msg,
                                              const BootstrapOptions& o) {
  BootstrapReport rep;
  auto accs = FindDmAccounts(tree);
  std::set<std::string> before(accs.begin(), accs.end());
  Caller dev = Caller::Device();
  std::function<void(const codec::Command&)> run = [&](const codec::Command&
                                                           cmd) {
    std::string name(codec::CommandName(cmd.type));
    if (cmd.type == codec::CommandType::kAtomic ||
        cmd.type == codec::CommandType::kSequence) {
      for (const auto& ch : cmd.children) run(ch);
      return;
    }
    bool add = cmd.type == codec::CommandType::kAdd;
    if (!add && cmd.type != codec::CommandType::kReplace) {
      rep.items.push_back({name, cmd.cmd_id, "", status::kOptionalNotSupported,
                           name + " is not processed in a bootstrap (dm.md "
                                  "§2.3: Add/Replace of MOs)"});
      return;
    }
    for (const auto& item : cmd.items) {
      BootstrapItemStatus st{name, cmd.cmd_id,
                             item.target ? item.target->loc_uri : "", 0, ""};
      if (!item.target) {
        st.code = status::kBadRequest;
        st.reason = "item without Target";
        rep.items.push_back(st);
        continue;
      }
      const auto& meta = item.meta ? item.meta : cmd.meta;
      OpResult r;
      ParsedUri pu;
      bool inbox = ParseUri(st.uri, {}, {}, &pu).ok() &&
                   pu.segments.size() == 1 && pu.segments[0] == "Inbox";
      if (inbox && IsTnds(meta, item.data) && item.data) {
        // dm.md §2.1/§2.3: embedded TNDS objects into ./Inbox; the nodes go
        // to their real place in the tree.
        auto text = TndsText(*item.data);
        if (!text.ok()) {
          r = {status::kBadRequest, "TNDS: " + text.error().ToString(), {}};
        } else {
          r = tree.AddTnds(dev, *text, ".", o.origin);
        }
      } else {
        Content c;
        if (meta && meta->format) c.format_text = *meta->format;
        if (meta && meta->type) c.type = *meta->type;
        if (item.data) c.data = item.data->AsText();
        c.origin = o.origin;
        if (c.format_text == "b64" && item.data &&
            item.data->kind == codec::DataValue::Kind::kBinary)
          c.format_text = "bin";  // WBXML OPAQUE carries the raw octets
        if (add) {
          r = tree.Add(dev, st.uri, c);
          if (r.code == status::kAlreadyExists && o.re_apply_existing) {
            const Node* n = tree.Find(st.uri);
            bool node_add = c.format_text == "node";
            if (n && n->interior() && node_add)
              r = {status::kOk, "exists; accepted (bootstrap re-applied)", {}};
            else if (n && !n->interior() && !node_add)
              r = tree.Replace(dev, st.uri, c);
          }
        } else {
          r = tree.Replace(dev, st.uri, c);
        }
      }
      st.code = r.code;
      st.reason = r.reason;
      rep.items.push_back(std::move(st));
    }
  };
  for (const auto& cmd : msg.body.commands) run(cmd);
  FinishAccounts(tree, before, o, &rep);
  return rep;
}

codec::Result<BootstrapReport> ApplyBootstrapXml(
    Tree& tree, std::string_view xml, const BootstrapOptions& options) {
  OMAIOP_ASSIGN_OR_RETURN(auto msg, codec::SyncMlFromXml(xml));
  return ApplyBootstrap(tree, msg, options);
}

codec::Result<BootstrapReport> ApplyBootstrapWbxml(
    Tree& tree, codec::ByteView wbxml, const BootstrapOptions& options) {
  OMAIOP_ASSIGN_OR_RETURN(auto doc, codec::DecodeWbxml(wbxml));
  OMAIOP_ASSIGN_OR_RETURN(auto msg, codec::SyncMlFromXmlDoc(doc.doc.get()));
  return ApplyBootstrap(tree, msg, options);
}

void InstallInbox(Tree& tree, std::string origin) {
  tree.RegisterAddHandler(
      "./Inbox",
      [&tree, origin](const Caller& c, std::string_view,
                      const Content& content) -> OpResult {
        if (content.type != kTndsXmlType ||
            (!content.format_text.empty() && content.format_text != "xml"))
          return {status::kUnsupportedFormat,
                  "./Inbox takes Format xml, Type " +
                      std::string(kTndsXmlType) + " (dm.md §2.1)",
                  {}};
        return tree.AddTnds(c, content.data, ".", origin);
      });
}

std::vector<std::string> FindDmAccounts(const Tree& tree) {
  std::vector<std::string> out;
  std::function<void(const Node&, const std::string&)> walk =
      [&](const Node& n, const std::string& uri) {
        for (const auto& ch : n.children) {
          std::string cu =
              uri + "/" +
              EscapeSegment(ch->name, tree.options().uri.percent_decode);
          if (!ch->interior()) continue;
          bool by_type = ch->type == kDmAccMoId;
          bool by_place = uri == "./DMAcc" && ch->Child("AppID");
          if (by_type || by_place)
            out.push_back(cu);
          else
            walk(*ch, cu);
        }
      };
  walk(tree.root(), ".");
  return out;
}

OpResult AddW7Account(Tree& tree, const cp::DmAccount& a,
                      std::string* created_uri) {
  DmAccountConfig c;
  c.server_id = a.server_id;
  c.name = a.name;
  c.addr = a.addr;
  c.addr_type = a.addr_type.empty() ? "URI" : a.addr_type;
  c.port = a.port;
  if (!a.to_napid.empty()) c.pref_con_ref = a.to_napid.front();
  c.origin = a.origin;
  for (const auto& au : a.auths) {
    AppAuthConfig x;
    // CP AAUTHLEVEL -> DM AAuthLevel [R]: APPSRV is the server's
    // credentials (SRVCRED), CLIENT the client's (CLCRED).
    x.level = au.level == "APPSRV"   ? "SRVCRED"
              : au.level == "CLIENT" ? "CLCRED"
                                     : au.level;
    x.type = au.type;
    x.name = au.name;
    x.secret = au.secret;
    x.data = au.data;
    c.auths.push_back(std::move(x));
  }
  // Same level twice would give the same node name: number them instead.
  std::set<std::string> seen;
  bool dup = false;
  for (const auto& x : c.auths) dup |= !seen.insert(x.level).second;
  if (dup)
    for (std::size_t i = 0; i < c.auths.size(); ++i)
      c.auths[i].node_name = std::to_string(i + 1);
  return AddDmAccount(tree, c, created_uri);
}

std::vector<std::string> RemoveAccountsOfOrigin(Tree& tree,
                                                std::string_view origin) {
  std::vector<std::string> removed;
  if (origin.empty()) return removed;
  for (const auto& uri : tree.UrisOfOrigin(origin))
    if (tree.Delete(Caller::Device(), uri).ok()) removed.push_back(uri);
  return removed;
}

}  // namespace omaiop::sim::handset::dm
