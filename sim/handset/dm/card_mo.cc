#include "sim/handset/dm/card_mo.h"

#include <libxml/tree.h>
#include <openssl/evp.h>

#include <algorithm>
#include <functional>
#include <utility>

#include "codec/dm_auth.h"
#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/xml.h"

namespace omaiop::sim::handset::dm {
namespace {

constexpr char kRuleMount[] =
    "RD 1.4.3.2-1/-7: card stores MOs, device detects its DM structure "
    "(dm.md §1.1; DM_SC seed 'Smart Card MOs' §1.4, our design)";
constexpr char kRuleModify[] =
    "RD 1.4.3.2-5/-6, 1.4.3.3-6/-8: DMS reads/adds/deletes/edits MOs on the "
    "card (dm.md §1.1)";
constexpr char kRuleProtect[] =
    "RD 1.4.1.6-1: card data protected against unauthorised modification; "
    "ETSI TS 102 221 §9.5.1 access conditions";
constexpr char kRuleFull[] = "dm.md §3.5 420 device full (EF size)";
constexpr char kRuleSync[] =
    "DM_SC seed 'DM client <-> card synchronisation' (dm.md §1.4, our "
    "design)";
constexpr char kRuleOta[] =
    "DM_SC seed 'MO update in the card over the air' (dm.md §1.4)";
constexpr char kRuleRemoved[] =
    "dm.md §1.2/§2.1: remove MO information that originated from the card";
constexpr char kDdfNs[] = "syncml:dmddf1.2";

OpResult Fail(int code, std::string reason) {
  return OpResult{code, std::move(reason), {}};
}

std::string Sha256Hex(codec::ByteView b) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(b.data(), b.size(), md, &n, EVP_sha256(), nullptr);
  return codec::ToHex(codec::ByteView(md, n));
}

bool IsSecuritySw(std::uint16_t sw) {
  // 6982 security status not satisfied, 6983 PIN blocked, 63Cx wrong PIN
  // (TS 102 221 §10.2.1.5); GSM 9804 / 9840 (GSM 11.11 §9.4.5).
  return sw == 0x6982 || sw == 0x6983 || (sw & 0xFFF0) == 0x63C0 ||
         sw == 0x9804 || sw == 0x9840;
}

std::string SwHex(std::uint16_t sw) {
  const codec::Bytes b{static_cast<std::uint8_t>(sw >> 8),
                       static_cast<std::uint8_t>(sw & 0xFF)};
  return codec::ToHex(b);
}

xmlNode* Child(xmlNode* parent, const char* name, const std::string& text) {
  return xmlNewTextChild(parent, nullptr, BAD_CAST name,
                         text.empty() ? nullptr : BAD_CAST text.c_str());
}

// One tree node as a TNDS <Node> (DM_TND 1.2 element order: NodeName,
// RTProperties (ACL, Format, Title, Type), Value | Node*). TStamp/VerNo are
// left out: they change on every touch and are the device's, not the MO's.
void WriteNode(xmlNode* parent, const Node& n) {
  xmlNode* x = xmlNewChild(parent, nullptr, BAD_CAST "Node", nullptr);
  Child(x, "NodeName", n.name);
  xmlNode* rt = xmlNewChild(x, nullptr, BAD_CAST "RTProperties", nullptr);
  if (!n.acl.empty()) Child(rt, "ACL", n.acl.ToString());
  xmlNode* f = xmlNewChild(rt, nullptr, BAD_CAST "Format", nullptr);
  xmlNewChild(f, nullptr, BAD_CAST std::string(FormatName(n.format)).c_str(),
              nullptr);
  if (!n.title.empty()) Child(rt, "Title", n.title);
  if (!n.type.empty()) {
    xmlNode* t = xmlNewChild(rt, nullptr, BAD_CAST "Type", nullptr);
    Child(t, n.interior() ? "DDFName" : "MIME", n.type);
  }
  if (!n.interior()) {
    // bin travels as base64 in TNDS (Tree::AddTnds reads it so).
    Child(x, "Value",
          n.format == Format::kBin
              ? codec::Base64Encode(codec::AsBytes(n.value))
              : n.value);
  }
  for (const auto& ch : n.children) WriteNode(x, *ch);
}

// Whether any element of the TNDS is a <Path>.
bool HasPath(const std::string& xml) {
  auto doc = codec::ParseXml(xml, "card MO TNDS");
  if (!doc.ok()) return false;
  std::function<bool(xmlNode*)> walk = [&](xmlNode* n) {
    for (xmlNode* c = codec::FirstChildElement(n); c;
         c = codec::NextSiblingElement(c)) {
      if (codec::NodeName(c) == "Path" || walk(c)) return true;
    }
    return false;
  };
  return walk(xmlDocGetRootElement(doc->get()));
}

}  // namespace

CardMoBinding::FileState CardMoBinding::Fresh(const CardMoFile& f) {
  FileState s;
  s.file = f;
  return s;
}

std::vector<CardMoFile> DefaultCardMoFiles() {
  return {
      {"EF.DM-MO-DMAcc", {0x3F, 0x00, 0x7F, 0x66, 0x6F, 0x01}, false},
      {"EF.DM-MO-Store", {0x3F, 0x00, 0x7F, 0x66, 0x6F, 0x02}, true},
  };
}

std::string CardMoEvent::ToString() const {
  return name + ": " + detail + (rule.empty() ? "" : " [" + rule + "]");
}

codec::Result<std::optional<std::string>> DecodeCardMoFile(codec::ByteView ef) {
  std::size_t end = ef.size();
  while (end > 0 && ef[end - 1] == 0xFF) --end;  // erased tail (TS 102 221)
  if (end == 0) return std::optional<std::string>();
  codec::WbxmlDecodeOptions o;
  o.language = &codec::TndsLanguage();
  OMAIOP_ASSIGN_OR_RETURN(codec::WbxmlDocument d,
                          codec::DecodeWbxml(ef.first(end), o));
  xmlNode* root = xmlDocGetRootElement(d.doc.get());
  if (!root || codec::NodeName(root) != "MgmtTree")
    return codec::Error("card MO file: root is not MgmtTree", 0,
                        "DM_TND 1.2 TNDS (dm.md §3.9)");
  return std::optional<std::string>(codec::SerializeXml(d.doc.get(), false));
}

CardMoBinding::CardMoBinding(Tree& tree, CardMoOptions options)
    : tree_(tree), options_(std::move(options)) {
  for (const auto& f : options_.files) files_.push_back(Fresh(f));
  if (options_.enabled) tree_.SetSubtreeBackend(options_.mount_uri, this);
}

CardMoBinding::~CardMoBinding() {
  tree_.SetSubtreeBackend(options_.mount_uri, nullptr);
}

void CardMoBinding::Emit(DmEventKind kind, std::string name, std::string rule,
                         std::string detail) {
  events_.push_back(
      {kind, std::move(name), std::move(rule), std::move(detail)});
  const CardMoEvent e = events_.back();  // a sink may add events
  for (const auto& [id, sink] : sinks_) sink(e);
}

int CardMoBinding::AddSink(std::function<void(const CardMoEvent&)> sink) {
  sinks_[next_sink_] = std::move(sink);
  return next_sink_++;
}

void CardMoBinding::RemoveSink(int id) { sinks_.erase(id); }

std::size_t CardMoBinding::CountEvents(std::string_view name) const {
  return std::count_if(events_.begin(), events_.end(),
                       [&](const CardMoEvent& e) { return e.name == name; });
}

bool CardMoBinding::mounted() const { return mounted_; }

bool CardMoBinding::locked() const {
  return attached() && std::any_of(files_.begin(), files_.end(),
                                   [](const FileState& f) { return f.locked; });
}

std::size_t CardMoBinding::StoreIndex() const {
  std::size_t s = files_.size();
  for (std::size_t i = 0; i < files_.size(); ++i)
    if (files_[i].file.store) s = i;
  return s;
}

std::size_t CardMoBinding::OwnerOf(const std::string& top) const {
  for (std::size_t i = 0; i < files_.size(); ++i)
    if (std::find(files_[i].tops.begin(), files_[i].tops.end(), top) !=
        files_[i].tops.end())
      return i;
  return StoreIndex();
}

codec::Result<std::string> CardMoBinding::TreeTndsFor(std::size_t i) const {
  const Node* mount = tree_.Find(options_.mount_uri);
  codec::XmlDoc doc(xmlNewDoc(BAD_CAST "1.0"));
  xmlNode* root = xmlNewNode(nullptr, BAD_CAST "MgmtTree");
  xmlSetNs(root, xmlNewNs(root, BAD_CAST kDdfNs, nullptr));
  xmlDocSetRootElement(doc.get(), root);
  Child(root, "VerDTD", "1.2");
  bool any = false;
  if (mount)
    for (const auto& ch : mount->children)
      if (OwnerOf(ch->name) == i) {
        WriteNode(root, *ch);
        any = true;
      }
  if (!any) return std::string();
  return codec::SerializeXml(doc.get(), false);
}

codec::Result<codec::Bytes> CardMoBinding::EncodeFor(std::size_t i) const {
  OMAIOP_ASSIGN_OR_RETURN(std::string xml, TreeTndsFor(i));
  if (xml.empty()) return codec::Bytes();  // no MO: the file is erased (FF)
  OMAIOP_ASSIGN_OR_RETURN(codec::XmlDoc doc,
                          codec::ParseXml(xml, "card MO TNDS"));
  return codec::EncodeWbxml(doc.get(), codec::TndsLanguage());
}

codec::Result<codec::Bytes> CardMoBinding::ReadFile(std::size_t i,
                                                    std::size_t* size) {
  const CardMoFile& f = files_[i].file;
  OMAIOP_ASSIGN_OR_RETURN(card::FileInfo info,
                          session_->SelectPath(f.path, f.name));
  if (!info.transparent || info.is_df)
    return codec::Error(f.name + " is not a transparent EF", 0,
                        "card_mo.h: MO files are transparent EFs (our design)");
  *size = info.size;
  return session_->ReadBinary(info, 0, info.size);
}

void CardMoBinding::EnsureMountNode() {
  if (tree_.Find(options_.mount_uri)) return;
  NodeInit init;
  init.format = Format::kNode;
  init.type = options_.mount_type;
  init.acl = options_.mount_acl;
  init.title = "Smart Card MOs";
  // Not deletable by a server (its content can be), so the mount point
  // stays while the card is in.
  init.access = kAccessAll & ~kAccessDelete;
  suspended_ = true;
  OpResult r = tree_.DeviceAdd(options_.mount_uri, init);
  suspended_ = false;
  if (!r.ok())
    Emit(DmEventKind::kCardMoDenied, "scmo_write_failed", kRuleMount,
         "mount point " + options_.mount_uri + " not created: " + r.reason);
}

void CardMoBinding::RemoveMounted() {
  suspended_ = true;
  if (tree_.Find(options_.mount_uri))
    (void)tree_.Delete(Caller::Device(), options_.mount_uri);
  suspended_ = false;
  mounted_ = false;
}

codec::Status CardMoBinding::LoadFromCard(std::size_t i,
                                          const codec::Bytes& raw) {
  FileState& fs = files_[i];
  const std::string mount = options_.mount_uri;
  auto decoded = DecodeCardMoFile(raw);
  suspended_ = true;
  for (const auto& top : fs.tops)
    if (tree_.Find(JoinUri(mount, top)))
      (void)tree_.Delete(Caller::Device(), JoinUri(mount, top));
  fs.tops.clear();
  fs.raw = raw;
  fs.card_hash = Sha256Hex(raw);
  fs.readable = true;
  fs.locked = false;
  fs.corrupt = !decoded.ok();
  codec::Status st = codec::OkStatus();
  if (!decoded.ok()) {
    st = decoded.error();
    Emit(DmEventKind::kCardMoDenied, "scmo_corrupt", kRuleProtect,
         fs.file.name + " does not hold a WBXML TNDS (" +
             decoded.error().ToString() +
             "): mounted empty, never overwritten");
  } else if (decoded->has_value() && HasPath(**decoded)) {
    // A <Path> would place nodes outside the mount point (e.g. into the
    // device's own ./DMAcc): a card file may only describe its own MOs.
    fs.corrupt = true;
    st = codec::Error(fs.file.name + ": TNDS carries <Path>", 0, kRuleProtect);
    Emit(DmEventKind::kCardMoDenied, "scmo_corrupt", kRuleProtect,
         fs.file.name +
             " TNDS carries <Path> (nodes outside the mount point): "
             "mounted empty, never overwritten");
  } else if (decoded->has_value()) {
    auto doc = codec::ParseXml(**decoded, "card MO TNDS");
    if (doc.ok()) {
      xmlNode* root = xmlDocGetRootElement(doc->get());
      for (xmlNode* n = codec::FirstChildElement(root, "Node"); n;
           n = codec::NextSiblingElement(n, "Node"))
        if (xmlNode* nm = codec::FirstChildElement(n, "NodeName"))
          fs.tops.push_back(codec::TrimXmlSpace(codec::NodeText(nm)));
    }
    OpResult r = tree_.AddTnds(Caller::Device(), **decoded, mount, Origin());
    if (!r.ok()) {
      fs.corrupt = true;
      st = codec::Error(fs.file.name + ": " + r.reason, 0, kRuleMount);
      Emit(DmEventKind::kCardMoDenied, "scmo_corrupt", kRuleMount,
           fs.file.name + " TNDS not applicable: " + r.reason);
    }
  }
  suspended_ = false;
  auto enc = EncodeFor(i);
  fs.tree_enc = enc.ok() ? *enc : codec::Bytes();
  return st;
}

codec::Status CardMoBinding::WriteFile(std::size_t i, const codec::Bytes& enc,
                                       int* status) {
  FileState& fs = files_[i];
  const CardMoFile& f = fs.file;
  *status = status::kCommandFailed;
  auto info = session_->SelectPath(f.path, f.name);
  if (!info.ok()) {
    if (session_->last_sw() == 0) *status = options_.absent_write_status;
    return info.error();
  }
  // The whole EF: our TNDS then FF (erased state, TS 102 221), so no stale
  // tail of a longer previous TNDS remains.
  codec::Bytes data = enc;
  if (data.size() < info->size) data.resize(info->size, 0xFF);
  if (auto s = session_->UpdateBinary(*info, 0, data); !s.ok()) {
    const std::uint16_t sw = session_->last_sw();
    if (IsSecuritySw(sw))
      *status = status::kPermissionDenied;
    else if (sw == 0)
      *status = options_.absent_write_status;
    return s;
  }
  auto back = session_->ReadBinary(*info, 0, info->size);
  if (!back.ok()) return back.error();
  if (*back != data)
    return codec::Error(f.name + ": read-back differs from what was written", 0,
                        "card_mo.h: write verified by READ BINARY");
  fs.raw = *back;
  fs.card_hash = Sha256Hex(*back);
  fs.tree_enc = enc;
  return codec::OkStatus();
}

OpResult CardMoBinding::Flush(std::string_view why) {
  const Node* mount = tree_.Find(options_.mount_uri);
  if (!mount)
    return Fail(status::kNotAllowed, "the mount point " + options_.mount_uri +
                                         " cannot be removed or renamed");
  std::vector<std::pair<std::size_t, codec::Bytes>> todo;
  for (std::size_t i = 0; i < files_.size(); ++i) {
    auto enc = EncodeFor(i);
    if (!enc.ok())
      return Fail(status::kCommandFailed,
                  "card MO TNDS does not encode: " + enc.error().ToString());
    if (*enc == files_[i].tree_enc) continue;
    const FileState& fs = files_[i];
    if (fs.corrupt || !fs.readable) {
      Emit(DmEventKind::kCardMoDenied, "scmo_write_failed", kRuleProtect,
           fs.file.name + " was not readable as TNDS: not overwritten");
      return Fail(status::kCommandFailed,
                  fs.file.name + " holds data we cannot read; not overwritten");
    }
    if (fs.size && enc->size() > fs.size) {
      Emit(DmEventKind::kCardMoDenied, "scmo_device_full", kRuleFull,
           fs.file.name + ": TNDS of " + std::to_string(enc->size()) +
               " bytes, EF holds " + std::to_string(fs.size));
      return Fail(status::kDeviceFull,
                  fs.file.name + " is full: " + std::to_string(enc->size()) +
                      " bytes needed, " + std::to_string(fs.size) +
                      " available [" + kRuleFull + "]");
    }
    todo.emplace_back(i, std::move(*enc));
  }
  struct Done {
    std::size_t i;
    codec::Bytes raw, enc;  // before this command
  };
  std::vector<Done> done;
  for (auto& [i, enc] : todo) {
    codec::Bytes old_raw = files_[i].raw;
    codec::Bytes old_enc = files_[i].tree_enc;
    int code = 0;
    if (auto s = WriteFile(i, enc, &code); !s.ok()) {
      const bool denied = code == status::kPermissionDenied;
      Emit(DmEventKind::kCardMoDenied,
           denied ? "scmo_write_denied" : "scmo_write_failed",
           denied ? kRuleProtect : kRuleModify,
           files_[i].file.name + " (" + std::string(why) +
               "): " + s.error().what + " => " + std::to_string(code));
      // Put back the files already written by this command.
      for (const Done& d : done) {
        int ignored = 0;
        (void)WriteFile(d.i, d.raw, &ignored);
        files_[d.i].tree_enc = d.enc;
      }
      files_[i].tree_enc = old_enc;
      return Fail(code, files_[i].file.name + ": " + s.error().what +
                            (denied ? std::string(" [") + kRuleProtect + "]"
                                    : std::string()));
    }
    done.push_back({i, std::move(old_raw), std::move(old_enc)});
    Emit(DmEventKind::kCardMoWritten, "scmo_written", kRuleModify,
         files_[i].file.name + " (" + std::string(why) + "): " +
             std::to_string(enc.size()) + " bytes of WBXML TNDS, read back");
  }
  // Ownership follows what was written (new MOs now belong to the store).
  std::vector<std::pair<std::string, std::size_t>> owner;
  for (const auto& ch : mount->children)
    owner.emplace_back(ch->name, OwnerOf(ch->name));
  for (auto& [i, enc] : todo) {
    files_[i].tops.clear();
    for (const auto& [name, o] : owner)
      if (o == i) files_[i].tops.push_back(name);
  }
  return {};
}

codec::Status CardMoBinding::Attach(card::CardSession& session) {
  if (!options_.enabled) return codec::OkStatus();
  session_ = &session;
  if (!iccid_.empty() && iccid_ != session.iccid()) {
    // Another card: nothing of the old one's tree copy may reach it.
    bool pending = false;
    for (std::size_t i = 0; i < files_.size(); ++i) {
      auto enc = EncodeFor(i);
      if (files_[i].readable && enc.ok() && *enc != files_[i].tree_enc)
        pending = true;
    }
    if (pending)
      Emit(DmEventKind::kCardMoConflict, "scmo_pending_dropped", kRuleRemoved,
           "card " + iccid_ + " replaced by " + session.iccid() +
               ": device changes pending for the old card dropped");
    if (mounted_) {
      RemoveMounted();
      Emit(DmEventKind::kCardMoMounted, "scmo_unmounted", kRuleRemoved,
           "card " + iccid_ + " replaced: its MOs removed from the tree");
    }
  }
  if (iccid_ != session.iccid() || !mounted_)
    for (auto& f : files_) f = Fresh(f.file);
  iccid_ = session.iccid();
  return Resync();
}

void CardMoBinding::Detach() {
  if (!session_) return;
  session_ = nullptr;
  if (options_.absent == CardAbsentPolicy::kUnmount) {
    if (mounted_) {
      RemoveMounted();
      Emit(DmEventKind::kCardMoMounted, "scmo_unmounted", kRuleRemoved,
           "card " + iccid_ + " absent: " + options_.mount_uri +
               " removed from the tree");
    }
    for (auto& f : files_) f = Fresh(f.file);
  } else {
    Emit(DmEventKind::kCardMoMounted, "scmo_detached", kRuleSync,
         "card " + iccid_ + " absent: tree copy kept, writes pending");
  }
}

void CardMoBinding::Unmount(std::string_view why) {
  session_ = nullptr;
  if (mounted_ || tree_.Find(options_.mount_uri)) {
    RemoveMounted();
    Emit(DmEventKind::kCardMoMounted, "scmo_unmounted", kRuleRemoved,
         "card " + iccid_ + " " + std::string(why) + ": " + options_.mount_uri +
             " removed from the tree");
  }
  for (auto& f : files_) f = Fresh(f.file);
  iccid_.clear();
}

codec::Result<std::vector<std::string>> CardMoBinding::CardChangedFiles() {
  if (!session_) return codec::Error("no card attached", 0, kRuleSync);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < files_.size(); ++i) {
    std::size_t size = 0;
    OMAIOP_ASSIGN_OR_RETURN(codec::Bytes raw, ReadFile(i, &size));
    if (Sha256Hex(raw) != files_[i].card_hash)
      out.push_back(files_[i].file.name);
  }
  return out;
}

codec::Status CardMoBinding::Resync() {
  if (!options_.enabled) return codec::OkStatus();
  if (!session_) return codec::Error("no card attached", 0, kRuleSync);
  EnsureMountNode();
  std::size_t failed = 0;
  std::optional<codec::Diagnostic> first_error;
  for (std::size_t i = 0; i < files_.size(); ++i) {
    FileState& fs = files_[i];
    std::size_t size = 0;
    auto raw = ReadFile(i, &size);
    if (!raw.ok()) {
      const std::uint16_t sw = session_->last_sw();
      if (IsSecuritySw(sw)) {
        if (!fs.locked)
          Emit(DmEventKind::kCardMoMounted, "scmo_locked", kRuleProtect,
               fs.file.name + ": SW " + SwHex(sw) + ", PIN1 not verified: " +
                   options_.mount_uri + " answers 425 until it is");
        fs.locked = true;
      } else {
        ++failed;
        if (!first_error) first_error = raw.error();
        Emit(DmEventKind::kCardMoDenied, "scmo_read_failed", kRuleMount,
             raw.error().ToString());
      }
      continue;
    }
    fs.size = size;
    if (!fs.readable) {  // first sight of this file on this card
      (void)LoadFromCard(i, *raw);
      std::size_t used = raw->size();
      while (used > 0 && (*raw)[used - 1] == 0xFF) --used;
      Emit(DmEventKind::kCardMoMounted, "scmo_mounted", kRuleMount,
           fs.file.name + " (" + std::to_string(used) + "/" +
               std::to_string(size) +
               " bytes): " + std::to_string(fs.tops.size()) + " MO(s) under " +
               options_.mount_uri);
      continue;
    }
    const bool card_changed = Sha256Hex(*raw) != fs.card_hash;
    auto enc = EncodeFor(i);
    const bool device_changed = enc.ok() && *enc != fs.tree_enc;
    if (!card_changed && !device_changed) {
      Emit(DmEventKind::kCardMoSynced, "scmo_unchanged", kRuleSync,
           fs.file.name + " unchanged since the last sync");
      continue;
    }
    const bool card_wins =
        card_changed &&
        (!device_changed || options_.conflict == ConflictRule::kCardWins);
    if (card_changed && device_changed)
      Emit(DmEventKind::kCardMoConflict, "scmo_conflict", kRuleOta,
           fs.file.name + " changed on the card and in the tree: " +
               (card_wins ? "card wins, the device's pending change is "
                            "dropped (RD 1.4.1.6-1)"
                          : "device wins, the card's new content is "
                            "overwritten (option kDeviceWins)"));
    if (card_wins) {
      (void)LoadFromCard(i, *raw);
      Emit(DmEventKind::kCardMoSynced, "scmo_synced_from_card", kRuleOta,
           fs.file.name + " changed on the card (OTA): tree copy replaced, " +
               std::to_string(fs.tops.size()) + " MO(s)");
      continue;
    }
    // The device's change goes to the card. Flush compares against the
    // card bytes we hold, so take the card's current bytes first.
    fs.raw = *raw;
    fs.card_hash = Sha256Hex(*raw);
    OpResult r = Flush("resync");
    if (r.ok()) {
      Emit(DmEventKind::kCardMoSynced, "scmo_synced_to_card", kRuleSync,
           fs.file.name + ": pending device change written to the card");
    } else {
      // The card refuses the pending change (e.g. ADM-protected file):
      // the tree must not keep showing what the card does not hold.
      (void)LoadFromCard(i, *raw);
      Emit(DmEventKind::kCardMoSynced, "scmo_synced_from_card", kRuleProtect,
           fs.file.name + ": pending device change refused (" +
               std::to_string(r.code) + "), card content restored");
    }
  }
  mounted_ = true;
  if (failed == files_.size() && first_error) return *first_error;
  return codec::OkStatus();
}

OpResult CardMoBinding::BeforeRead(const Tree& tree, const Caller& caller,
                                   std::string_view uri) {
  if (locked()) {
    Emit(DmEventKind::kCardMoDenied, "scmo_read_denied", kRuleProtect,
         "Get " + std::string(uri) + ": card MO files need PIN1 => 425");
    return Fail(status::kPermissionDenied,
                std::string(uri) +
                    ": the card's MO files need PIN1, not verified [" +
                    kRuleProtect + "]");
  }
  if (options_.read_through && attached()) (void)Resync();
  return {};
}

bool CardMoBinding::Targets(const Tree& tree, const SubtreeWrite& w) const {
  ParsedUri target, mount;
  if (!ParseUri(w.uri, tree.options().limits, tree.options().uri, &target)
           .ok() ||
      !ParseUri(options_.mount_uri, tree.options().limits, tree.options().uri,
                &mount)
           .ok())
    return false;
  auto prefix = [](const std::vector<std::string>& a,
                   const std::vector<std::string>& b) {
    return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
  };
  return prefix(mount.segments, target.segments) ||
         (w.kind == SubtreeWrite::Kind::kDelete &&
          prefix(target.segments, mount.segments));
}

std::optional<OpResult> CardMoBinding::Refusal(const SubtreeWrite& w) {
  const std::string what =
      std::string(SubtreeWriteKindName(w.kind)) + " " + w.uri;
  if (!attached()) {
    if (mounted_ && options_.absent == CardAbsentPolicy::kKeepPending)
      return std::nullopt;
    Emit(DmEventKind::kCardMoDenied, "scmo_card_absent", kRuleModify,
         what + ": no card => " + std::to_string(options_.absent_write_status));
    return Fail(options_.absent_write_status,
                what + ": the card holding " + options_.mount_uri +
                    " is absent [card_mo.h absent_write_status]");
  }
  if (locked()) {
    Emit(DmEventKind::kCardMoDenied, "scmo_write_denied", kRuleProtect,
         what + ": card MO files need PIN1 => 425");
    return Fail(status::kPermissionDenied,
                what + ": the card's MO files need PIN1, not verified [" +
                    kRuleProtect + "]");
  }
  return std::nullopt;
}

OpResult CardMoBinding::BeforeWrite(const Tree& tree, const SubtreeWrite& w) {
  if (suspended_ || !options_.enabled || !Targets(tree, w)) return {};
  if (auto r = Refusal(w)) return *r;
  return {};
}

OpResult CardMoBinding::CommitWrite(const Tree& tree, const SubtreeWrite& w) {
  if (suspended_ || !options_.enabled) return {};
  bool touches = Targets(tree, w);
  if (!touches) {
    // AddTnds / Copy may reach the mount point from elsewhere.
    if (!mounted_) {
      touches = tree.Find(options_.mount_uri) != nullptr;
    } else {
      for (std::size_t i = 0; i < files_.size() && !touches; ++i) {
        auto enc = EncodeFor(i);
        touches = !enc.ok() || *enc != files_[i].tree_enc;
      }
    }
  }
  if (!touches) return {};
  if (auto r = Refusal(w)) return *r;
  const std::string what =
      std::string(SubtreeWriteKindName(w.kind)) + " " + w.uri;
  if (!attached()) {
    Emit(DmEventKind::kCardMoSynced, "scmo_pending", kRuleSync,
         what + ": card absent, kept in the tree until the next sync");
    return {};
  }
  return Flush(what);
}

void CardMoBinding::TreeRestored(const Tree& tree) {
  if (!options_.enabled || !attached() || locked()) return;
  // The tree went back (Atomic rollback): so does the card.
  (void)Flush("rollback");
}

}  // namespace omaiop::sim::handset::dm
