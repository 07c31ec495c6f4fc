#include "codec/syncml.h"

#include <libxml/tree.h>

#include <charconv>
#include <functional>

#include "codec/dm_auth.h"

namespace omaiop::codec {

namespace {

// Section numbers of OMA-TS-DM_RepPro-V1_2 were not verified; rules name the
// document and the element whose definition applies.
std::string RepPro(std::string_view element) {
  return "OMA-TS-DM_RepPro-V1_2 <" + std::string(element) + ">";
}
constexpr const char* kCredInCommandRule = "OMA-TS-DM_Protocol-V1_2 §4.1.1.6";

bool IsDecimal(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string NsHref(const xmlNode* n) {
  return n && n->ns && n->ns->href ? reinterpret_cast<const char*>(n->ns->href)
                                   : "";
}

bool HasElementChild(const xmlNode* n) {
  return FirstChildElement(n) != nullptr;
}

// Serialises an element as a standalone document whose root declares every
// namespace the subtree uses (xmlDocCopyNode hoists out-of-scope ones).
std::string StandaloneElement(const xmlNode* n) {
  xmlDoc* d = xmlNewDoc(BAD_CAST "1.0");
  xmlNode* copy = xmlDocCopyNode(const_cast<xmlNode*>(n), d, 1);
  xmlDocSetRootElement(d, copy);
  xmlReconciliateNs(d, copy);
  XmlDoc owner(d);
  return TrimXmlSpace(SerializeXml(d, /*pretty=*/false, /*declaration=*/false));
}

const CommandType kAllTypes[] = {
    CommandType::kAdd,      CommandType::kAlert,   CommandType::kAtomic,
    CommandType::kCopy,     CommandType::kDelete,  CommandType::kExec,
    CommandType::kGet,      CommandType::kReplace, CommandType::kResults,
    CommandType::kSequence, CommandType::kStatus};

bool IsContainer(CommandType t) {
  return t == CommandType::kAtomic || t == CommandType::kSequence;
}

// --- parser
// -------------------------------------------------------------------

class Parser {
 public:
  Parser(const SyncMlParseOptions& o, std::vector<Diagnostic>* warnings)
      : opt_(o), warnings_(warnings) {}

  Result<SyncMlMessage> Message(const xmlNode* root) {
    if (root == nullptr)
      return PathError("document has no root element", "/", RepPro("SyncML"));
    if (NodeName(root) != "SyncML")
      return PathError("root element is <" + std::string(NodeName(root)) +
                           ">, expected <SyncML>",
                       NodePath(root), RepPro("SyncML"));
    std::string ns = NsHref(root);
    if (!ns.empty() && ns != kSyncMl12Ns)
      Warn(root,
           "namespace is '" + ns + "', DM 1.2 uses '" +
               std::string(kSyncMl12Ns) + "'",
           RepPro("SyncML"));
    SyncMlMessage m;
    const xmlNode* hdr = nullptr;
    const xmlNode* body = nullptr;
    for (const xmlNode* c = FirstChildElement(root); c;
         c = NextSiblingElement(c)) {
      auto name = NodeName(c);
      if (name == "SyncHdr" || name == "SyncBody") {
        const xmlNode*& slot = name == "SyncHdr" ? hdr : body;
        if (slot) return Dup(c, RepPro("SyncML"));
        if (name == "SyncBody" && hdr == nullptr)
          return PathError("<SyncBody> before <SyncHdr>", NodePath(c),
                           RepPro("SyncML"));
        slot = c;
      } else {
        OMAIOP_RETURN_IF_ERROR(Unknown(c, "SyncML"));
      }
    }
    if (!hdr) return Missing(root, "SyncHdr", RepPro("SyncML"));
    if (!body) return Missing(root, "SyncBody", RepPro("SyncML"));
    OMAIOP_ASSIGN_OR_RETURN(m.hdr, Header(hdr));
    OMAIOP_ASSIGN_OR_RETURN(m.body, Body(body));
    return m;
  }

 private:
  using Str = std::optional<std::string>;

  void Warn(const xmlNode* n, std::string what, std::string rule) {
    if (warnings_)
      warnings_->push_back(
          PathError(std::move(what), NodePath(n), std::move(rule)));
  }
  static Diagnostic Dup(const xmlNode* n, std::string rule) {
    return PathError("duplicate <" + std::string(NodeName(n)) + ">",
                     NodePath(n), std::move(rule));
  }
  static Diagnostic Missing(const xmlNode* parent, std::string_view child,
                            std::string rule) {
    return PathError("missing " + std::string(child), NodePath(parent),
                     std::move(rule));
  }
  Status Unknown(const xmlNode* n, std::string_view parent) {
    std::string what = "element <" + std::string(NodeName(n)) +
                       "> is not allowed in <" + std::string(parent) +
                       "> of a DM 1.2 message";
    if (!opt_.allow_unknown_elements)
      return PathError(what, NodePath(n), RepPro(parent));
    Warn(n, what + " (skipped)", RepPro(parent));
    return OkStatus();
  }

  // Text-only element, whitespace-trimmed.
  Result<std::string> Leaf(const xmlNode* n) {
    if (const xmlNode* e = FirstChildElement(n))
      return PathError("<" + std::string(NodeName(n)) +
                           "> must hold text, found element <" +
                           std::string(NodeName(e)) + ">",
                       NodePath(n), RepPro(NodeName(n)));
    return TrimXmlSpace(NodeText(n));
  }
  Status SetOnce(Str& slot, const xmlNode* n, std::string_view parent) {
    if (slot) return Dup(n, RepPro(parent));
    OMAIOP_ASSIGN_OR_RETURN(slot, Leaf(n));
    return OkStatus();
  }
  Status Flag(bool& flag, bool& seen, const xmlNode* n,
              std::string_view parent) {
    if (seen) return Dup(n, RepPro(parent));
    seen = true;
    if (HasElementChild(n) || !TrimXmlSpace(NodeText(n)).empty())
      return PathError("<" + std::string(NodeName(n)) + "> must be empty",
                       NodePath(n), RepPro(NodeName(n)));
    flag = true;
    return OkStatus();
  }

  Result<LocInfo> Loc(const xmlNode* n) {
    Str uri, name;
    for (const xmlNode* c = FirstChildElement(n); c;
         c = NextSiblingElement(c)) {
      auto cn = NodeName(c);
      if (cn == "LocURI") {
        OMAIOP_RETURN_IF_ERROR(SetOnce(uri, c, NodeName(n)));
      } else if (cn == "LocName") {
        OMAIOP_RETURN_IF_ERROR(SetOnce(name, c, NodeName(n)));
      } else {
        OMAIOP_RETURN_IF_ERROR(Unknown(c, NodeName(n)));
      }
    }
    if (!uri) return Missing(n, "LocURI", RepPro(NodeName(n)));
    if (uri->empty())
      return PathError("empty LocURI", NodePath(n), RepPro("LocURI"));
    return LocInfo{*uri, name};
  }

  Result<Meta> MetaOf(const xmlNode* n) {
    Meta m;
    for (const xmlNode* c = FirstChildElement(n); c;
         c = NextSiblingElement(c)) {
      auto cn = NodeName(c);
      Str* slot = cn == "Format"       ? &m.format
                  : cn == "Type"       ? &m.type
                  : cn == "Mark"       ? &m.mark
                  : cn == "Size"       ? &m.size
                  : cn == "Version"    ? &m.version
                  : cn == "NextNonce"  ? &m.next_nonce
                  : cn == "MaxMsgSize" ? &m.max_msg_size
                  : cn == "MaxObjSize" ? &m.max_obj_size
                                       : nullptr;
      if (slot) {
        OMAIOP_RETURN_IF_ERROR(SetOnce(*slot, c, "Meta"));
      } else if (cn == "EMI") {
        OMAIOP_ASSIGN_OR_RETURN(auto v, Leaf(c));
        m.emi.push_back(std::move(v));
      } else {
        OMAIOP_RETURN_IF_ERROR(Unknown(c, "Meta"));
      }
    }
    return m;
  }

  Result<DataValue> Data(const xmlNode* n) {
    DataValue d;
    bool has_elem = HasElementChild(n);
    if (!has_elem) {
      d.kind = DataValue::Kind::kText;
      d.text = NodeText(n);  // kept verbatim: b64 or chr values may matter
      return d;
    }
    d.kind = DataValue::Kind::kXml;
    for (const xmlNode* c = n->children; c; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) {
        d.xml_elements.push_back(StandaloneElement(c));
      } else if ((c->type == XML_TEXT_NODE ||
                  c->type == XML_CDATA_SECTION_NODE) &&
                 !TrimXmlSpace(NodeText(c)).empty()) {
        return PathError("<Data> mixes text and elements", NodePath(n),
                         RepPro("Data"));
      }
    }
    return d;
  }

  Result<Item> ItemOf(const xmlNode* n) {
    Item it;
    bool seen_more = false;
    for (const xmlNode* c = FirstChildElement(n); c;
         c = NextSiblingElement(c)) {
      auto cn = NodeName(c);
      if (cn == "Target" || cn == "Source") {
        auto& slot = cn == "Target" ? it.target : it.source;
        if (slot) return Dup(c, RepPro("Item"));
        OMAIOP_ASSIGN_OR_RETURN(slot, Loc(c));
      } else if (cn == "Meta") {
        if (it.meta) return Dup(c, RepPro("Item"));
        OMAIOP_ASSIGN_OR_RETURN(it.meta, MetaOf(c));
      } else if (cn == "Data") {
        if (it.data) return Dup(c, RepPro("Item"));
        OMAIOP_ASSIGN_OR_RETURN(it.data, Data(c));
      } else if (cn == "MoreData") {
        OMAIOP_RETURN_IF_ERROR(Flag(it.more_data, seen_more, c, "Item"));
      } else {
        OMAIOP_RETURN_IF_ERROR(Unknown(c, "Item"));
      }
    }
    return it;
  }

  Result<Cred> CredOf(const xmlNode* n) {
    Cred cr;
    Str data;
    for (const xmlNode* c = FirstChildElement(n); c;
         c = NextSiblingElement(c)) {
      auto cn = NodeName(c);
      if (cn == "Meta") {
        if (cr.meta) return Dup(c, RepPro("Cred"));
        OMAIOP_ASSIGN_OR_RETURN(cr.meta, MetaOf(c));
      } else if (cn == "Data") {
        OMAIOP_RETURN_IF_ERROR(SetOnce(data, c, "Cred"));
      } else {
        OMAIOP_RETURN_IF_ERROR(Unknown(c, "Cred"));
      }
    }
    if (!data) return Missing(n, "Data", RepPro("Cred"));
    cr.data = *data;
    return cr;
  }

  Result<Chal> ChalOf(const xmlNode* n) {
    std::optional<Meta> meta;
    for (const xmlNode* c = FirstChildElement(n); c;
         c = NextSiblingElement(c)) {
      if (NodeName(c) == "Meta") {
        if (meta) return Dup(c, RepPro("Chal"));
        OMAIOP_ASSIGN_OR_RETURN(meta, MetaOf(c));
      } else {
        OMAIOP_RETURN_IF_ERROR(Unknown(c, "Chal"));
      }
    }
    if (!meta) return Missing(n, "Meta", RepPro("Chal"));
    return Chal{*meta};
  }

  Result<SyncHdr> Header(const xmlNode* n) {
    SyncHdr h;
    Str dtd, proto, sid, mid;
    std::optional<LocInfo> target, source;
    bool seen_noresp = false;
    for (const xmlNode* c = FirstChildElement(n); c;
         c = NextSiblingElement(c)) {
      auto cn = NodeName(c);
      if (cn == "VerDTD") {
        OMAIOP_RETURN_IF_ERROR(SetOnce(dtd, c, "SyncHdr"));
      } else if (cn == "VerProto") {
        OMAIOP_RETURN_IF_ERROR(SetOnce(proto, c, "SyncHdr"));
      } else if (cn == "SessionID") {
        OMAIOP_RETURN_IF_ERROR(SetOnce(sid, c, "SyncHdr"));
      } else if (cn == "MsgID") {
        OMAIOP_RETURN_IF_ERROR(SetOnce(mid, c, "SyncHdr"));
      } else if (cn == "Target" || cn == "Source") {
        auto& slot = cn == "Target" ? target : source;
        if (slot) return Dup(c, RepPro("SyncHdr"));
        OMAIOP_ASSIGN_OR_RETURN(slot, Loc(c));
      } else if (cn == "RespURI") {
        OMAIOP_RETURN_IF_ERROR(SetOnce(h.resp_uri, c, "SyncHdr"));
      } else if (cn == "NoResp") {
        OMAIOP_RETURN_IF_ERROR(Flag(h.no_resp, seen_noresp, c, "SyncHdr"));
      } else if (cn == "Cred") {
        if (h.cred) return Dup(c, RepPro("SyncHdr"));
        OMAIOP_ASSIGN_OR_RETURN(h.cred, CredOf(c));
      } else if (cn == "Meta") {
        if (h.meta) return Dup(c, RepPro("SyncHdr"));
        OMAIOP_ASSIGN_OR_RETURN(h.meta, MetaOf(c));
      } else {
        OMAIOP_RETURN_IF_ERROR(Unknown(c, "SyncHdr"));
      }
    }
    if (!dtd) return Missing(n, "VerDTD", RepPro("SyncHdr"));
    if (!proto) return Missing(n, "VerProto", RepPro("SyncHdr"));
    if (!sid) return Missing(n, "SessionID", RepPro("SyncHdr"));
    if (!mid) return Missing(n, "MsgID", RepPro("SyncHdr"));
    if (!target) return Missing(n, "Target", RepPro("SyncHdr"));
    if (!source) return Missing(n, "Source", RepPro("SyncHdr"));
    if (*dtd != "1.2")
      Warn(n, "VerDTD is '" + *dtd + "', DM 1.2 uses '1.2'", RepPro("VerDTD"));
    if (*proto != "DM/1.2")
      Warn(n, "VerProto is '" + *proto + "', DM 1.2 uses 'DM/1.2'",
           RepPro("VerProto"));
    h.ver_dtd = *dtd;
    h.ver_proto = *proto;
    h.session_id = *sid;
    h.msg_id = *mid;
    h.target = *target;
    h.source = *source;
    return h;
  }

  Result<SyncBody> Body(const xmlNode* n) {
    SyncBody b;
    bool seen_final = false;
    for (const xmlNode* c = FirstChildElement(n); c;
         c = NextSiblingElement(c)) {
      auto cn = NodeName(c);
      if (cn == "Final") {
        OMAIOP_RETURN_IF_ERROR(Flag(b.final, seen_final, c, "SyncBody"));
        continue;
      }
      auto t = CommandFromName(cn);
      if (!t) {
        OMAIOP_RETURN_IF_ERROR(Unknown(c, "SyncBody"));
        continue;
      }
      if (seen_final)
        return PathError("<" + std::string(cn) + "> after <Final/>",
                         NodePath(c), RepPro("Final"));
      OMAIOP_ASSIGN_OR_RETURN(auto cmd, CommandOf(c, *t, 0));
      b.commands.push_back(std::move(cmd));
    }
    return b;
  }

  Result<Command> CommandOf(const xmlNode* n, CommandType t, int depth) {
    // Nesting is bounded by the DOM, but keep recursion shallow on hostile
    // input (libxml2 itself limits depth to 256 by default).
    if (depth > 32)
      return PathError("Atomic/Sequence nested deeper than 32", NodePath(n),
                       RepPro(NodeName(n)));
    const std::string name(NodeName(n));
    Command cmd;
    cmd.type = t;
    Str cmd_id;
    bool seen_noresp = false;
    const bool status = t == CommandType::kStatus;
    const bool results = t == CommandType::kResults;
    const bool alert = t == CommandType::kAlert;
    const bool exec = t == CommandType::kExec;
    for (const xmlNode* c = FirstChildElement(n); c;
         c = NextSiblingElement(c)) {
      auto cn = NodeName(c);
      if (cn == "CmdID") {
        OMAIOP_RETURN_IF_ERROR(SetOnce(cmd_id, c, name));
      } else if (cn == "NoResp" && !status && !results) {
        OMAIOP_RETURN_IF_ERROR(Flag(cmd.no_resp, seen_noresp, c, name));
      } else if (cn == "Cred") {
        return PathError(
            "credentials inside a command; DM allows Cred only "
            "in SyncHdr",
            NodePath(c), kCredInCommandRule);
      } else if (cn == "Meta" && !alert && !status) {
        if (cmd.meta) return Dup(c, RepPro(name));
        OMAIOP_ASSIGN_OR_RETURN(cmd.meta, MetaOf(c));
      } else if (cn == "Item" && !IsContainer(t)) {
        OMAIOP_ASSIGN_OR_RETURN(auto it, ItemOf(c));
        cmd.items.push_back(std::move(it));
      } else if (cn == "Data" && (alert || status)) {
        OMAIOP_RETURN_IF_ERROR(SetOnce(cmd.data, c, name));
      } else if (cn == "Correlator" && (alert || exec)) {
        OMAIOP_RETURN_IF_ERROR(SetOnce(cmd.correlator, c, name));
      } else if ((cn == "MsgRef" || cn == "CmdRef") && (status || results)) {
        OMAIOP_RETURN_IF_ERROR(
            SetOnce(cn == "MsgRef" ? cmd.msg_ref : cmd.cmd_ref, c, name));
      } else if (cn == "Cmd" && status) {
        OMAIOP_RETURN_IF_ERROR(SetOnce(cmd.cmd, c, name));
      } else if ((cn == "TargetRef" || cn == "SourceRef") &&
                 (status || results)) {
        auto& v = cn == "TargetRef" ? cmd.target_refs : cmd.source_refs;
        if (results && !v.empty()) return Dup(c, RepPro(name));
        OMAIOP_ASSIGN_OR_RETURN(auto s, Leaf(c));
        v.push_back(std::move(s));
      } else if (cn == "Chal" && status) {
        if (cmd.chal) return Dup(c, RepPro(name));
        OMAIOP_ASSIGN_OR_RETURN(cmd.chal, ChalOf(c));
      } else if (auto nested = CommandFromName(cn); nested && IsContainer(t)) {
        if (*nested == CommandType::kStatus || *nested == CommandType::kResults)
          return PathError("<" + std::string(cn) + "> inside <" + name + ">",
                           NodePath(c), RepPro(name));
        OMAIOP_ASSIGN_OR_RETURN(auto child, CommandOf(c, *nested, depth + 1));
        cmd.children.push_back(std::move(child));
      } else {
        OMAIOP_RETURN_IF_ERROR(Unknown(c, name));
      }
    }
    const std::string rule = RepPro(name);
    if (!cmd_id) return Missing(n, "CmdID", rule);
    if (cmd_id->empty())
      return PathError("empty CmdID", NodePath(n), RepPro("CmdID"));
    cmd.cmd_id = *cmd_id;
    if (status) {
      if (!cmd.msg_ref) return Missing(n, "MsgRef", rule);
      if (!cmd.cmd_ref) return Missing(n, "CmdRef", rule);
      if (!cmd.cmd) return Missing(n, "Cmd", rule);
      if (!cmd.data) return Missing(n, "Data (status code)", rule);
      if (!IsDecimal(*cmd.data) || cmd.data->size() != 3)
        return PathError(
            "status code '" + *cmd.data + "' is not a 3-digit decimal",
            NodePath(n), rule);
    } else if (results) {
      if (!cmd.cmd_ref) return Missing(n, "CmdRef", rule);
      if (cmd.items.empty()) return Missing(n, "Item", rule);
    } else if (alert) {
      if (!cmd.data) return Missing(n, "Data (alert code)", rule);
      if (!IsDecimal(*cmd.data) || cmd.data->size() != 4)
        return PathError(
            "alert code '" + *cmd.data + "' is not a 4-digit decimal",
            NodePath(n), rule);
    } else if (exec) {
      if (cmd.items.size() != 1)
        return PathError("<Exec> must hold exactly one Item, found " +
                             std::to_string(cmd.items.size()),
                         NodePath(n), rule);
    } else if (IsContainer(t)) {
      if (cmd.children.empty()) return Missing(n, "nested command", rule);
    } else if (cmd.items.empty()) {
      return Missing(n, "Item", rule);
    }
    return cmd;
  }

  const SyncMlParseOptions& opt_;
  std::vector<Diagnostic>* warnings_;
};

// --- writer
// -------------------------------------------------------------------

class Writer {
 public:
  Writer(xmlDoc* doc, bool ns) : doc_(doc), use_ns_(ns) {}

  xmlNode* Root() {
    xmlNode* root = xmlNewDocNode(doc_, nullptr, BAD_CAST "SyncML", nullptr);
    xmlDocSetRootElement(doc_, root);
    if (use_ns_) {
      ns_ = xmlNewNs(root, BAD_CAST std::string(kSyncMl12Ns).c_str(), nullptr);
      xmlSetNs(root, ns_);
    }
    return root;
  }

  xmlNode* Elem(xmlNode* parent, const char* name) {
    return xmlNewChild(parent, ns_, BAD_CAST name, nullptr);
  }
  void Leaf(xmlNode* parent, const char* name, const std::string& v) {
    xmlNewTextChild(parent, ns_, BAD_CAST name, BAD_CAST v.c_str());
  }
  void Leaf(xmlNode* parent, const char* name,
            const std::optional<std::string>& v) {
    if (v) Leaf(parent, name, *v);
  }
  void Empty(xmlNode* parent, const char* name, bool on) {
    if (on) Elem(parent, name);
  }

  void Loc(xmlNode* parent, const char* name, const LocInfo& l) {
    xmlNode* e = Elem(parent, name);
    Leaf(e, "LocURI", l.loc_uri);
    Leaf(e, "LocName", l.loc_name);
  }

  void MetaOf(xmlNode* parent, const std::optional<Meta>& m) {
    if (!m) return;
    xmlNode* e = Elem(parent, "Meta");
    auto put = [&](const char* name, const std::string& v) {
      xmlNode* c =
          xmlNewTextChild(e, nullptr, BAD_CAST name, BAD_CAST v.c_str());
      if (use_ns_) {
        xmlNs* mns =
            xmlNewNs(c, BAD_CAST std::string(kMetInfNs).c_str(), nullptr);
        xmlSetNs(c, mns);
      }
    };
    // MetInf DTD order.
    if (m->format) put("Format", *m->format);
    if (m->type) put("Type", *m->type);
    if (m->mark) put("Mark", *m->mark);
    if (m->size) put("Size", *m->size);
    if (m->version) put("Version", *m->version);
    if (m->next_nonce) put("NextNonce", *m->next_nonce);
    if (m->max_msg_size) put("MaxMsgSize", *m->max_msg_size);
    if (m->max_obj_size) put("MaxObjSize", *m->max_obj_size);
    for (const auto& v : m->emi) put("EMI", v);
  }

  void Data(xmlNode* parent, const DataValue& d) {
    switch (d.kind) {
      case DataValue::Kind::kText:
        Leaf(parent, "Data", d.text);
        return;
      case DataValue::Kind::kBinary:
        Leaf(parent, "Data", Base64Encode(d.binary));
        return;
      case DataValue::Kind::kXml: {
        xmlNode* e = Elem(parent, "Data");
        for (const auto& x : d.xml_elements) {
          auto sub = ParseXml(x, "embedded Data XML");
          if (!sub.ok() || !xmlDocGetRootElement(sub->get())) {
            // Not XML after all (a builder's mistake): keep it as text.
            xmlNodeAddContent(e, BAD_CAST x.c_str());
            continue;
          }
          xmlNode* copy =
              xmlDocCopyNode(xmlDocGetRootElement(sub->get()), doc_, 1);
          xmlAddChild(e, copy);
        }
        return;
      }
    }
  }

  void ItemOf(xmlNode* parent, const Item& it) {
    xmlNode* e = Elem(parent, "Item");
    if (it.target) Loc(e, "Target", *it.target);
    if (it.source) Loc(e, "Source", *it.source);
    MetaOf(e, it.meta);
    if (it.data) Data(e, *it.data);
    Empty(e, "MoreData", it.more_data);
  }

  void CredOf(xmlNode* parent, const Cred& c) {
    xmlNode* e = Elem(parent, "Cred");
    MetaOf(e, c.meta);
    Leaf(e, "Data", c.data);
  }

  void Header(xmlNode* root, const SyncHdr& h) {
    xmlNode* e = Elem(root, "SyncHdr");
    Leaf(e, "VerDTD", h.ver_dtd);
    Leaf(e, "VerProto", h.ver_proto);
    Leaf(e, "SessionID", h.session_id);
    Leaf(e, "MsgID", h.msg_id);
    Loc(e, "Target", h.target);
    Loc(e, "Source", h.source);
    Leaf(e, "RespURI", h.resp_uri);
    Empty(e, "NoResp", h.no_resp);
    if (h.cred) CredOf(e, *h.cred);
    MetaOf(e, h.meta);
  }

  // Child order follows the SyncML 1.2 DTD as profiled by DM (Exec's
  // Correlator position after Meta is [R]).
  void CommandOf(xmlNode* parent, const Command& c) {
    xmlNode* e = Elem(parent, std::string(CommandName(c.type)).c_str());
    Leaf(e, "CmdID", c.cmd_id);
    switch (c.type) {
      case CommandType::kStatus:
        Leaf(e, "MsgRef", c.msg_ref);
        Leaf(e, "CmdRef", c.cmd_ref);
        Leaf(e, "Cmd", c.cmd);
        for (const auto& r : c.target_refs) Leaf(e, "TargetRef", r);
        for (const auto& r : c.source_refs) Leaf(e, "SourceRef", r);
        if (c.chal) {
          xmlNode* ch = Elem(e, "Chal");
          MetaOf(ch, c.chal->meta);
        }
        Leaf(e, "Data", c.data);
        break;
      case CommandType::kResults:
        Leaf(e, "MsgRef", c.msg_ref);
        Leaf(e, "CmdRef", c.cmd_ref);
        MetaOf(e, c.meta);
        for (const auto& r : c.target_refs) Leaf(e, "TargetRef", r);
        for (const auto& r : c.source_refs) Leaf(e, "SourceRef", r);
        break;
      case CommandType::kAlert:
        Empty(e, "NoResp", c.no_resp);
        Leaf(e, "Data", c.data);
        Leaf(e, "Correlator", c.correlator);
        break;
      case CommandType::kExec:
        Empty(e, "NoResp", c.no_resp);
        MetaOf(e, c.meta);
        Leaf(e, "Correlator", c.correlator);
        break;
      default:
        Empty(e, "NoResp", c.no_resp);
        MetaOf(e, c.meta);
        break;
    }
    for (const auto& it : c.items) ItemOf(e, it);
    for (const auto& child : c.children) CommandOf(e, child);
  }

 private:
  xmlDoc* doc_;
  bool use_ns_;
  xmlNs* ns_ = nullptr;
};

std::string Summarise(const std::string& s, std::size_t max = 64) {
  return s.size() <= max ? s : s.substr(0, max) + "...";
}

std::string DataSummary(const DataValue& d) {
  switch (d.kind) {
    case DataValue::Kind::kText:
      return "\"" + Summarise(d.text) + "\"";
    case DataValue::Kind::kXml:
      return "XML: " +
             Summarise(d.xml_elements.empty() ? "" : d.xml_elements[0]);
    case DataValue::Kind::kBinary:
      return std::to_string(d.binary.size()) +
             " octets: " + Summarise(ToHex(d.binary), 32);
  }
  return "";
}

void DescribeMeta(ProtoNode& parent, const std::optional<Meta>& m) {
  if (!m) return;
  ProtoNode& n = parent.Add("Meta", "", 0, 0);
  auto put = [&](const char* name, const std::optional<std::string>& v) {
    if (v) n.Add(name, *v, 0, 0);
  };
  put("Format", m->format);
  put("Type", m->type);
  put("Mark", m->mark);
  put("Size", m->size);
  put("Version", m->version);
  put("NextNonce", m->next_nonce);
  put("MaxMsgSize", m->max_msg_size);
  put("MaxObjSize", m->max_obj_size);
  for (const auto& e : m->emi) n.Add("EMI", e, 0, 0);
}

std::string LocText(const LocInfo& l) {
  return l.loc_uri + (l.loc_name ? " (" + *l.loc_name + ")" : "");
}

std::string CodeText(const std::optional<std::string>& data,
                     std::string_view (*names)(int)) {
  if (!data) return "";
  int code = 0;
  auto [p, ec] =
      std::from_chars(data->data(), data->data() + data->size(), code);
  std::string_view name = ec == std::errc() ? names(code) : std::string_view();
  return *data + (name.empty() ? "" : " (" + std::string(name) + ")");
}

void DescribeCommand(ProtoNode& parent, const Command& c) {
  std::string summary = "CmdID " + c.cmd_id;
  if (c.type == CommandType::kStatus)
    summary += ": " + CodeText(c.data, StatusCodeName) + " for " +
               c.cmd.value_or("?") + " (MsgRef " + c.msg_ref.value_or("?") +
               ", CmdRef " + c.cmd_ref.value_or("?") + ")";
  else if (c.type == CommandType::kAlert)
    summary += ": " + CodeText(c.data, AlertCodeName);
  else if (c.type == CommandType::kResults)
    summary += ": for CmdRef " + c.cmd_ref.value_or("?");
  ProtoNode& n = parent.Add(std::string(CommandName(c.type)), summary, 0, 0);
  n.Add("CmdID", c.cmd_id, 0, 0);
  if (c.no_resp) n.Add("NoResp", "", 0, 0);
  if (c.msg_ref) n.Add("MsgRef", *c.msg_ref, 0, 0);
  if (c.cmd_ref) n.Add("CmdRef", *c.cmd_ref, 0, 0);
  if (c.cmd) n.Add("Cmd", *c.cmd, 0, 0);
  for (const auto& r : c.target_refs) n.Add("TargetRef", r, 0, 0);
  for (const auto& r : c.source_refs) n.Add("SourceRef", r, 0, 0);
  if (c.chal) {
    ProtoNode& ch = n.Add("Chal", c.chal->meta.type.value_or(""), 0, 0);
    DescribeMeta(ch, c.chal->meta);
  }
  if (c.data)
    n.Add("Data",
          CodeText(c.data, c.type == CommandType::kStatus ? StatusCodeName
                                                          : AlertCodeName),
          0, 0);
  if (c.correlator) n.Add("Correlator", *c.correlator, 0, 0);
  DescribeMeta(n, c.meta);
  for (const auto& it : c.items) {
    std::string v = it.target   ? "Target " + LocText(*it.target)
                    : it.source ? "Source " + LocText(*it.source)
                                : "";
    ProtoNode& in = n.Add("Item", v, 0, 0);
    if (it.target) in.Add("Target", LocText(*it.target), 0, 0);
    if (it.source) in.Add("Source", LocText(*it.source), 0, 0);
    DescribeMeta(in, it.meta);
    if (it.data) in.Add("Data", DataSummary(*it.data), 0, 0);
    if (it.more_data) in.Add("MoreData", "", 0, 0);
  }
  for (const auto& child : c.children) DescribeCommand(n, child);
}

}  // namespace

std::string_view CommandName(CommandType t) {
  switch (t) {
    case CommandType::kAdd:
      return "Add";
    case CommandType::kAlert:
      return "Alert";
    case CommandType::kAtomic:
      return "Atomic";
    case CommandType::kCopy:
      return "Copy";
    case CommandType::kDelete:
      return "Delete";
    case CommandType::kExec:
      return "Exec";
    case CommandType::kGet:
      return "Get";
    case CommandType::kReplace:
      return "Replace";
    case CommandType::kResults:
      return "Results";
    case CommandType::kSequence:
      return "Sequence";
    case CommandType::kStatus:
      return "Status";
  }
  return "";
}

std::optional<CommandType> CommandFromName(std::string_view name) {
  for (auto t : kAllTypes)
    if (CommandName(t) == name) return t;
  return std::nullopt;
}

std::optional<int> Command::Code() const {
  if (!data || !IsDecimal(*data) || data->size() > 6) return std::nullopt;
  return std::stoi(*data);
}

Result<SyncMlMessage> SyncMlFromXmlDoc(const xmlDoc* doc,
                                       const SyncMlParseOptions& options) {
  if (doc == nullptr) return PathError("no document", "/", RepPro("SyncML"));
  // Entity references left in the tree (ParseXml does not substitute) would
  // be expanded by every text read: an amplification attack (billion laughs)
  // and nothing a DM message needs. Predefined and character references are
  // already text.
  const xmlNode* root = xmlDocGetRootElement(const_cast<xmlDoc*>(doc));
  for (const xmlNode* n = root; n;) {
    if (n->type == XML_ENTITY_REF_NODE)
      return PathError("entity reference &" + std::string(NodeName(n)) +
                           "; is not allowed in a DM message",
                       NodePath(n->parent), "XML 1.0 §4.1");
    if (n->type == XML_ELEMENT_NODE && n->children) {
      n = n->children;
      continue;
    }
    while (n && n != root && !n->next) n = n->parent;
    if (!n || n == root) break;
    n = n->next;
  }
  std::vector<Diagnostic> warnings;
  Parser p(options, &warnings);
  auto r = p.Message(xmlDocGetRootElement(const_cast<xmlDoc*>(doc)));
  if (r.ok()) r->warnings = std::move(warnings);
  return r;
}

Result<SyncMlMessage> SyncMlFromXml(std::string_view xml,
                                    const SyncMlParseOptions& options) {
  OMAIOP_ASSIGN_OR_RETURN(XmlDoc doc, ParseXml(xml, "SyncML DM message"));
  return SyncMlFromXmlDoc(doc.get(), options);
}

XmlDoc SyncMlToXmlDoc(const SyncMlMessage& m,
                      const SyncMlWriteOptions& options) {
  XmlDoc doc(xmlNewDoc(BAD_CAST "1.0"));
  Writer w(doc.get(), options.namespaces);
  xmlNode* root = w.Root();
  w.Header(root, m.hdr);
  xmlNode* body = w.Elem(root, "SyncBody");
  for (const auto& c : m.body.commands) w.CommandOf(body, c);
  w.Empty(body, "Final", m.body.final);
  return doc;
}

std::string SyncMlToXml(const SyncMlMessage& m,
                        const SyncMlWriteOptions& options) {
  XmlDoc doc = SyncMlToXmlDoc(m, options);
  return SerializeXml(doc.get());
}

std::string_view AlertCodeName(int code) {
  switch (code) {
    case 1100:
      return "DISPLAY";
    case 1101:
      return "CONFIRM OR REJECT";
    case 1102:
      return "TEXT INPUT";
    case 1103:
      return "SINGLE CHOICE";
    case 1104:
      return "MULTIPLE CHOICE";
    case 1200:
      return "SERVER-INITIATED MGMT";
    case 1201:
      return "CLIENT-INITIATED MGMT";
    case 1222:
      return "NEXT MESSAGE";
    case 1223:
      return "SESSION ABORT";
    case 1224:
      return "CLIENT EVENT";
    case 1225:
      return "NO END OF DATA";
    case 1226:
      return "GENERIC ALERT";
  }
  return "";
}

std::string_view StatusCodeName(int code) {
  // [R] entries come from SyncML RepPro 1.2 background knowledge (dm.md §3.5).
  switch (code) {
    case 101:
      return "In progress";
    case 200:
      return "OK";
    case 201:
      return "Item added";  // [R]
    case 202:
      return "Accepted for processing";
    case 212:
      return "Authentication accepted";
    case 213:
      return "Chunked item accepted and buffered";
    case 214:
      return "Operation cancelled";
    case 215:
      return "Not executed";
    case 216:
      return "Atomic roll back OK";  // [R]
    case 304:
      return "Not modified";
    case 401:
      return "Invalid credentials";
    case 403:
      return "Forbidden";
    case 404:
      return "Not found";
    case 405:
      return "Command not allowed";
    case 406:
      return "Optional feature not supported";
    case 407:
      return "Missing credentials";
    case 412:
      return "Incomplete command";
    case 414:
      return "URI too long";
    case 415:
      return "Unsupported media type or format";  // [R]
    case 416:
      return "Requested size too big";  // [R]
    case 417:
      return "Retry later";  // [R]
    case 418:
      return "Already exists";
    case 420:
      return "Device full";
    case 424:
      return "Size mismatch";
    case 425:
      return "Permission denied";
    case 500:
      return "Command failed";
    case 501:
      return "Command not implemented";
    case 506:
      return "Processing error";
    case 507:
      return "Atomic failed";
    case 516:
      return "Atomic roll back failed";  // [R]
    case 517:
      return "Atomic response too large";  // [R]
  }
  return "";
}

ProtoNode DescribeSyncMl(const SyncMlMessage& m) {
  ProtoNode root{"SyncML DM message", "", 0, 0, {}, {}};
  const SyncHdr& h = m.hdr;
  ProtoNode& hdr = root.Add(
      "SyncHdr", "SessionID " + h.session_id + ", MsgID " + h.msg_id, 0, 0);
  hdr.Add("VerDTD", h.ver_dtd, 0, 0);
  hdr.Add("VerProto", h.ver_proto, 0, 0);
  hdr.Add("SessionID", h.session_id, 0, 0);
  hdr.Add("MsgID", h.msg_id, 0, 0);
  hdr.Add("Target", LocText(h.target), 0, 0);
  hdr.Add("Source", LocText(h.source), 0, 0);
  if (h.resp_uri) hdr.Add("RespURI", *h.resp_uri, 0, 0);
  if (h.no_resp) hdr.Add("NoResp", "", 0, 0);
  if (h.cred) {
    ProtoNode& c = hdr.Add(
        "Cred", h.cred->meta ? h.cred->meta->type.value_or("") : "", 0, 0);
    DescribeMeta(c, h.cred->meta);
    c.Add("Data", h.cred->data, 0, 0);
  }
  DescribeMeta(hdr, h.meta);
  ProtoNode& body = root.Add(
      "SyncBody", std::to_string(m.body.commands.size()) + " command(s)", 0, 0);
  for (const auto& c : m.body.commands) DescribeCommand(body, c);
  if (m.body.final) body.Add("Final", "", 0, 0);
  root.notes = m.warnings;
  return root;
}

// --- builders
// -----------------------------------------------------------------

SyncMlMessage BuildClientPackage1(const ClientPackage1& p) {
  SyncMlMessage m;
  m.hdr.session_id = p.session_id;
  m.hdr.msg_id = p.msg_id;
  m.hdr.target = LocInfo{p.server_uri, std::nullopt};
  m.hdr.source = LocInfo{p.device_id, p.source_name};
  m.hdr.cred = p.cred;
  if (p.max_msg_size || p.max_obj_size) {
    Meta meta;
    meta.max_msg_size = p.max_msg_size;
    meta.max_obj_size = p.max_obj_size;
    m.hdr.meta = meta;
  }
  int next_id = 1;
  Command alert;
  alert.type = CommandType::kAlert;
  alert.cmd_id = std::to_string(next_id++);
  alert.data = std::to_string(p.alert_code);
  m.body.commands.push_back(alert);

  Command replace;
  replace.type = CommandType::kReplace;
  replace.cmd_id = std::to_string(next_id++);
  for (const auto& [leaf, value] : p.devinfo) {
    Item it;
    it.source = LocInfo{"./DevInfo/" + leaf, std::nullopt};
    if (p.devinfo_format_chr) {
      Meta meta;
      meta.format = "chr";
      it.meta = meta;
    }
    it.data = DataValue::Text(value);
    replace.items.push_back(std::move(it));
  }
  m.body.commands.push_back(replace);
  for (Command c : p.extra) {
    c.cmd_id = std::to_string(next_id++);
    m.body.commands.push_back(std::move(c));
  }
  m.body.final = true;
  return m;
}

Command BuildSyncHdrStatus(const SyncHdr& received, std::string cmd_id,
                           int code, std::optional<Chal> chal) {
  Command s;
  s.type = CommandType::kStatus;
  s.cmd_id = std::move(cmd_id);
  s.msg_ref = received.msg_id;
  s.cmd_ref = "0";
  s.cmd = "SyncHdr";
  s.target_refs = {received.target.loc_uri};
  s.source_refs = {received.source.loc_uri};
  s.chal = std::move(chal);
  s.data = std::to_string(code);
  return s;
}

Command BuildCommandStatus(std::string msg_ref, const Command& received,
                           std::string cmd_id, int code) {
  Command s;
  s.type = CommandType::kStatus;
  s.cmd_id = std::move(cmd_id);
  s.msg_ref = std::move(msg_ref);
  s.cmd_ref = received.cmd_id;
  s.cmd = std::string(CommandName(received.type));
  for (const auto& it : received.items) {
    if (it.target) s.target_refs.push_back(it.target->loc_uri);
    if (it.source) s.source_refs.push_back(it.source->loc_uri);
  }
  s.data = std::to_string(code);
  return s;
}

Command BuildResults(std::string msg_ref, const Command& get,
                     std::string cmd_id, std::vector<ResultValue> values) {
  Command r;
  r.type = CommandType::kResults;
  r.cmd_id = std::move(cmd_id);
  r.msg_ref = std::move(msg_ref);
  r.cmd_ref = get.cmd_id;
  for (auto& v : values) {
    Item it;
    it.source = LocInfo{v.uri, std::nullopt};
    if (v.format || v.type) {
      Meta meta;
      meta.format = v.format;
      meta.type = v.type;
      it.meta = meta;
    }
    it.data = std::move(v.data);
    r.items.push_back(std::move(it));
  }
  return r;
}

Command BuildGenericAlert(const GenericAlert& a) {
  Command c;
  c.type = CommandType::kAlert;
  c.cmd_id = a.cmd_id;
  c.data = std::to_string(kAlertGeneric);
  c.correlator = a.correlator;  // omitted unless the Exec carried one
  Item it;
  it.source = LocInfo{a.source_uri, std::nullopt};
  Meta meta;
  meta.format = a.format;
  meta.type = a.type;
  meta.mark = a.mark;
  it.meta = meta;
  it.data = DataValue::Text(a.data);
  c.items.push_back(std::move(it));
  return c;
}

}  // namespace omaiop::codec
