#include "sim/uicc/profile_loader.h"

#include <libxml/xmlschemas.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/xml.h"
#include "omaiop/profile_xsd.h"

namespace omaiop::sim::uicc {
namespace {

namespace fs = std::filesystem;
namespace p15 = codec::pkcs15;
using codec::Bytes;
using codec::Diagnostic;
using codec::GetAttr;
using codec::HasAttr;
using codec::NodeName;
using codec::Result;
using codec::Status;

constexpr char kRuleProfile[] = "omaiop profile.xsd";
constexpr char kRuleFid[] = "ETSI TS 102 221 §8.1.1";
constexpr char kRuleImsi[] = "3GPP TS 31.102 §4.2.2 (EF.IMSI)";
constexpr char kRuleIccid[] = "ETSI TS 102 221 §13.2 (EF.ICCID)";
// Hostile profiles: the schema is recursive (df in df), so cap the depth
// rather than trusting the input to be shallow.
constexpr int kMaxDepth = 16;

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return codec::PathError("cannot open file", path, kRuleProfile);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsDigits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Swapped-nibble BCD of `digits` padded with F to `bytes` bytes.
Bytes SwappedBcd(std::string_view nibbles, std::size_t bytes) {
  Bytes out(bytes, 0xFF);
  for (std::size_t i = 0; i < nibbles.size() && i / 2 < bytes; ++i) {
    const std::uint8_t v = nibbles[i] == 'F' ? 0x0F : nibbles[i] - '0';
    if (i % 2 == 0)
      out[i / 2] = static_cast<std::uint8_t>((out[i / 2] & 0xF0) | v);
    else
      out[i / 2] = static_cast<std::uint8_t>((out[i / 2] & 0x0F) | (v << 4));
  }
  return out;
}

std::string UnswapBcd(codec::ByteView b) {
  std::string out;
  for (std::uint8_t x : b) {
    for (int n : {x & 0x0F, x >> 4}) {
      if (n == 0x0F) return out;
      out.push_back(n <= 9 ? static_cast<char>('0' + n) : '?');
    }
  }
  return out;
}

class Builder {
 public:
  Builder(Profile& p, std::string file, std::string base_dir,
          const ProfileLoadOptions& o)
      : p_(p), file_(std::move(file)), base_(std::move(base_dir)), o_(o) {}

  Status Build(const xmlNode* root);

 private:
  std::string Where(const xmlNode* n) const {
    return file_ + ":" + std::to_string(xmlGetLineNo(n)) + " " +
           codec::NodePath(n);
  }
  Diagnostic Err(const xmlNode* n, std::string what,
                 std::string rule = kRuleProfile) const {
    return codec::PathError(std::move(what), Where(n), std::move(rule));
  }
  // A FileSystem diagnostic, re-anchored on the XML element.
  Diagnostic Wrap(const xmlNode* n, const Diagnostic& d) const {
    return Err(n, d.what + (d.path.empty() ? "" : " (" + d.path + ")"), d.rule);
  }

  Result<std::uint16_t> Fid(const xmlNode* n, const char* attr) const;
  Result<bool> Bool(const xmlNode* n, const char* attr, bool def) const;
  Result<AccessRules> Access(const xmlNode* n, AccessRules def) const;
  Result<Bytes> Hex(const xmlNode* n, const char* attr) const;
  Result<std::size_t> Number(const xmlNode* n, const char* attr,
                             std::size_t def) const;
  Result<Bytes> Fixture(const xmlNode* n, ContentKind* kind) const;

  Status Children(const xmlNode* n, FileRef parent, int depth);
  Status Ef(const xmlNode* n, FileRef parent);
  Status Df(const xmlNode* n, FileRef parent, int depth);
  Status Adf(const xmlNode* n, FileRef parent, int depth);
  Status Pkcs15(const xmlNode* n, FileRef parent, int depth);
  Status EfDir(const xmlNode* n);
  Status Pins(const xmlNode* n);
  Status Options(const xmlNode* n);
  Bytes AbsolutePath(FileRef ref) const;
  FileRef Resolve(FileRef app_df, codec::ByteView path) const;

  Profile& p_;
  std::string file_;
  std::string base_;
  const ProfileLoadOptions& o_;
  const xmlNode* ef_dir_ = nullptr;
};

Result<std::uint16_t> Builder::Fid(const xmlNode* n, const char* attr) const {
  const std::string s = GetAttr(n, attr);
  auto b = codec::ParseHex(s);
  if (s.size() != 4 || !b.ok() || b->size() != 2)
    return Err(n,
               std::string(attr) + " '" + s + "' is not a FID (4 hex digits)",
               kRuleFid);
  return static_cast<std::uint16_t>(((*b)[0] << 8) | (*b)[1]);
}

Result<bool> Builder::Bool(const xmlNode* n, const char* attr, bool def) const {
  if (!HasAttr(n, attr)) return def;
  const std::string s = GetAttr(n, attr);
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  return Err(n, std::string(attr) + " '" + s + "' is not a boolean");
}

Result<std::size_t> Builder::Number(const xmlNode* n, const char* attr,
                                    std::size_t def) const {
  if (!HasAttr(n, attr)) return def;
  const std::string s = GetAttr(n, attr);
  if (s.empty() || s.size() > 6 || !IsDigits(s))
    return Err(n, std::string(attr) + " '" + s + "' is not a number 0..999999");
  return static_cast<std::size_t>(std::stoul(s));
}

Result<Bytes> Builder::Hex(const xmlNode* n, const char* attr) const {
  auto b = codec::ParseHex(GetAttr(n, attr));
  if (!b.ok()) return Err(n, std::string(attr) + ": " + b.error().what);
  return *b;
}

Result<AccessRules> Builder::Access(const xmlNode* n, AccessRules def) const {
  struct Field {
    const char* attr;
    AccessCondition AccessRules::*member;
  };
  static constexpr Field kFields[] = {{"read", &AccessRules::read},
                                      {"update", &AccessRules::update},
                                      {"increase", &AccessRules::increase},
                                      {"deactivate", &AccessRules::deactivate},
                                      {"activate", &AccessRules::activate},
                                      {"terminate", &AccessRules::terminate},
                                      {"delete", &AccessRules::delete_file}};
  for (const Field& f : kFields) {
    if (!HasAttr(n, f.attr)) continue;
    const std::string v = GetAttr(n, f.attr);
    AccessCondition c;
    if (v == "ALW")
      c = AccessCondition::kAlways;
    else if (v == "PIN1")
      c = AccessCondition::kPin1;
    else if (v == "PIN2")
      c = AccessCondition::kPin2;
    else if (v == "ADM")
      c = AccessCondition::kAdm;
    else if (v == "NEV")
      c = AccessCondition::kNever;
    else
      return Err(n,
                 std::string(f.attr) + " '" + v +
                     "' is not ALW, PIN1, PIN2, ADM or NEV",
                 "ETSI TS 102 221 §9.2");
    def.*f.member = c;
  }
  return def;
}

Result<Bytes> Builder::Fixture(const xmlNode* n, ContentKind* kind) const {
  const std::string rel = GetAttr(n, "fixture");
  const std::string enc = GetAttr(n, "encode");
  const codec::WbxmlLanguage* lang = nullptr;
  std::string root;
  if (enc == "cp-wbxml") {
    lang = &codec::ProvLanguage(codec::ProvVersion::k11);
    root = "wap-provisioningdoc";
    *kind = ContentKind::kCpWbxml;
  } else if (enc == "dm-wbxml") {
    lang = &codec::SyncMlDmLanguage();
    root = "SyncML";
    *kind = ContentKind::kDmWbxml;
  } else if (enc == "tnds-wbxml") {
    lang = &codec::TndsLanguage();
    root = "MgmtTree";
    *kind = ContentKind::kTndsWbxml;
  } else {
    return Err(n,
               "fixture needs encode=\"cp-wbxml|dm-wbxml|tnds-wbxml\", got '" +
                   enc + "'");
  }
  const fs::path path = fs::path(base_) / rel;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return Err(n, "fixture '" + rel + "' not found (looked for " +
                      path.string() + ")");
  OMAIOP_ASSIGN_OR_RETURN(std::string text, ReadText(path.string()));
  auto doc = codec::ParseXml(text, path.string());
  if (!doc.ok())
    return Err(n, "fixture '" + rel + "' is not well-formed XML: " +
                      doc.error().what + " (" + doc.error().path + ")");
  const xmlNode* r = xmlDocGetRootElement(doc->get());
  if (!r || NodeName(r) != root)
    return Err(n, "fixture '" + rel + "' has root <" +
                      std::string(r ? NodeName(r) : "") + ">, encode=\"" + enc +
                      "\" needs <" + root + ">");
  auto wbxml = codec::EncodeWbxml(doc->get(), *lang);
  if (!wbxml.ok())
    return Err(n,
               "fixture '" + rel + "' does not encode: " + wbxml.error().what +
                   " " + wbxml.error().path,
               wbxml.error().rule);
  return *wbxml;
}

Status Builder::Children(const xmlNode* n, FileRef parent, int depth) {
  if (depth > kMaxDepth)
    return Err(n, "DFs nested deeper than " + std::to_string(kMaxDepth));
  for (const xmlNode* c = codec::FirstChildElement(n); c;
       c = codec::NextSiblingElement(c)) {
    const std::string_view name = NodeName(c);
    if (name == "ef") {
      OMAIOP_RETURN_IF_ERROR(Ef(c, parent));
    } else if (name == "df") {
      OMAIOP_RETURN_IF_ERROR(Df(c, parent, depth));
    } else if (name == "adf") {
      OMAIOP_RETURN_IF_ERROR(Adf(c, parent, depth));
    } else if (name == "pkcs15") {
      OMAIOP_RETURN_IF_ERROR(Pkcs15(c, parent, depth));
    } else if (name == "ef-dir") {
      if (parent != p_.fs.mf() || ef_dir_)
        return Err(c, "one <ef-dir> only, directly in <mf>");
      ef_dir_ = c;
    } else if (name != "data-object" && name != "record") {
      return Err(c, "unexpected element <" + std::string(name) + ">");
    }
  }
  return codec::OkStatus();
}

Status Builder::Ef(const xmlNode* n, FileRef parent) {
  OMAIOP_ASSIGN_OR_RETURN(std::uint16_t fid, Fid(n, "fid"));
  const std::string type =
      HasAttr(n, "type") ? GetAttr(n, "type") : "transparent";
  int sources = 0;
  for (const char* a : {"hex", "text", "imsi", "iccid", "fixture"})
    sources += HasAttr(n, a) ? 1 : 0;
  if (sources > 1)
    return Err(n, "give one of hex, text, imsi, iccid, fixture (got " +
                      std::to_string(sources) + ")");
  if (HasAttr(n, "encode") && !HasAttr(n, "fixture"))
    return Err(n, "encode without fixture");

  FileContent content;
  Bytes data;
  if (HasAttr(n, "hex")) {
    OMAIOP_ASSIGN_OR_RETURN(data, Hex(n, "hex"));
    content.kind = ContentKind::kHex;
  } else if (HasAttr(n, "text")) {
    const std::string t = GetAttr(n, "text");
    data.assign(t.begin(), t.end());
    content.kind = ContentKind::kText;
  } else if (HasAttr(n, "imsi")) {
    auto r = EncodeImsi(GetAttr(n, "imsi"));
    if (!r.ok()) return Err(n, r.error().what, r.error().rule);
    data = *r;
    content.kind = ContentKind::kImsi;
  } else if (HasAttr(n, "iccid")) {
    auto r = EncodeIccid(GetAttr(n, "iccid"));
    if (!r.ok()) return Err(n, r.error().what, r.error().rule);
    data = *r;
    content.kind = ContentKind::kIccid;
  } else if (HasAttr(n, "fixture")) {
    OMAIOP_ASSIGN_OR_RETURN(data, Fixture(n, &content.kind));
    content.source = GetAttr(n, "fixture");
  }
  content.used = data.size();

  FileSpec spec;
  if (type == "transparent") {
    if (codec::FirstChildElement(n, "record"))
      return Err(n, "<record> in a transparent EF");
    if (HasAttr(n, "size")) {
      OMAIOP_ASSIGN_OR_RETURN(std::size_t size, Number(n, "size", 0));
      if (data.size() > size)
        return Err(n, "content of " + std::to_string(data.size()) +
                          " bytes is larger than size=\"" +
                          std::to_string(size) + "\"");
      // Unused tail FF (cp.md §3 MEMORY; TS 102 221 erased state).
      spec = FileSpec::Transparent(fid, size, data);
    } else {
      if (data.empty())
        return Err(n, "an empty transparent EF needs size=\"N\"");
      spec = FileSpec::Transparent(fid, data);
    }
  } else if (type == "linear-fixed" || type == "cyclic") {
    if (sources > 0)
      return Err(n, "a record EF takes its content from <record> children");
    OMAIOP_ASSIGN_OR_RETURN(std::size_t rs, Number(n, "record-size", 0));
    if (rs == 0 || rs > 255)
      return Err(n, "a record EF needs record-size=\"1..255\"",
                 "ETSI TS 102 221 §11.1.1.4.3");
    std::vector<Bytes> records;
    for (const xmlNode* r = codec::FirstChildElement(n, "record"); r;
         r = codec::NextSiblingElement(r, "record")) {
      Bytes rec;
      if (HasAttr(r, "hex") && HasAttr(r, "text"))
        return Err(r, "give hex or text, not both");
      if (HasAttr(r, "hex")) {
        OMAIOP_ASSIGN_OR_RETURN(rec, Hex(r, "hex"));
      } else {
        const std::string t = GetAttr(r, "text");
        rec.assign(t.begin(), t.end());
      }
      if (rec.size() > rs)
        return Err(r, "record of " + std::to_string(rec.size()) +
                          " bytes is larger than record-size=\"" +
                          std::to_string(rs) + "\"");
      records.push_back(std::move(rec));
    }
    OMAIOP_ASSIGN_OR_RETURN(std::size_t count,
                            Number(n, "records", records.size()));
    if (count < records.size())
      return Err(n, "records=\"" + std::to_string(count) + "\" but " +
                        std::to_string(records.size()) + " <record> given");
    // Checked before FileSpec allocates count x record-size bytes.
    if (count == 0 || count > 254)
      return Err(n, "a record EF needs records=\"1..254\"",
                 "ETSI TS 102 221 §11.1.1.4.3");
    content.kind = records.empty() ? ContentKind::kNone : ContentKind::kHex;
    spec = type == "cyclic"
               ? FileSpec::Cyclic(fid, rs, count, std::move(records))
               : FileSpec::LinearFixed(fid, rs, count, std::move(records));
  } else {
    return Err(
        n, "type '" + type + "' is not transparent, linear-fixed or cyclic");
  }
  if (HasAttr(n, "sfi")) {
    OMAIOP_ASSIGN_OR_RETURN(std::size_t sfi, Number(n, "sfi", 0));
    if (sfi < 1 || sfi > 30)
      return Err(n, "sfi must be 1..30", "ETSI TS 102 221 §8.1.2");
    spec.WithSfi(static_cast<std::uint8_t>(sfi));
  }
  spec.WithName(GetAttr(n, "name"));
  OMAIOP_ASSIGN_OR_RETURN(AccessRules ac, Access(n, AccessRules{}));
  spec.WithAccess(ac);
  OMAIOP_ASSIGN_OR_RETURN(bool deactivated, Bool(n, "deactivated", false));
  if (deactivated) spec.WithLifeCycle(LifeCycle::kDeactivated);
  auto ref = p_.fs.Add(parent, std::move(spec));
  if (!ref.ok()) return Wrap(n, ref.error());
  p_.contents[*ref] = content;
  return codec::OkStatus();
}

Status Builder::Df(const xmlNode* n, FileRef parent, int depth) {
  OMAIOP_ASSIGN_OR_RETURN(std::uint16_t fid, Fid(n, "fid"));
  FileSpec spec = FileSpec::Df(fid, GetAttr(n, "name"));
  if (HasAttr(n, "df-name")) {
    OMAIOP_ASSIGN_OR_RETURN(Bytes name, Hex(n, "df-name"));
    spec.WithDfName(std::move(name));
  }
  OMAIOP_ASSIGN_OR_RETURN(AccessRules ac, Access(n, spec.file.access));
  spec.WithAccess(ac);
  auto ref = p_.fs.Add(parent, std::move(spec));
  if (!ref.ok()) return Wrap(n, ref.error());
  return Children(n, *ref, depth + 1);
}

Status Builder::Adf(const xmlNode* n, FileRef parent, int depth) {
  OMAIOP_ASSIGN_OR_RETURN(std::uint16_t fid, Fid(n, "fid"));
  OMAIOP_ASSIGN_OR_RETURN(Bytes aid, Hex(n, "aid"));
  FileSpec spec = FileSpec::Adf(fid, std::move(aid), GetAttr(n, "label"));
  OMAIOP_ASSIGN_OR_RETURN(AccessRules ac, Access(n, spec.file.access));
  spec.WithAccess(ac);
  auto ref = p_.fs.Add(parent, std::move(spec));
  if (!ref.ok()) return Wrap(n, ref.error());
  if (codec::FirstChildElement(n, "pkcs15"))
    return Err(codec::FirstChildElement(n, "pkcs15"),
               "a PKCS#15 DF must be reachable by path from the MF, not "
               "inside an ADF (uicc.md §4: OpenSC selects EF.DIR's path)");
  return Children(n, *ref, depth + 1);
}

Bytes Builder::AbsolutePath(FileRef ref) const {
  std::vector<std::uint16_t> fids;
  for (FileRef r = ref; r != kNoFile; r = p_.fs.at(r).parent)
    fids.push_back(p_.fs.at(r).fid);
  Bytes out;
  for (auto it = fids.rbegin(); it != fids.rend(); ++it) {
    out.push_back(static_cast<std::uint8_t>(*it >> 8));
    out.push_back(static_cast<std::uint8_t>(*it & 0xFF));
  }
  return out;
}

// The file a PKCS#15 Path names (2-byte FIDs; 3F00... absolute, otherwise
// relative to the application DF; p15::ResolvePath), or kNoFile.
FileRef Builder::Resolve(FileRef app_df, codec::ByteView path) const {
  const Bytes abs = p15::ResolvePath(AbsolutePath(app_df), path);
  auto fids = p15::SplitPathFids(abs);
  if (!fids.ok() || fids->empty() || (*fids)[0] != kMfFid) return kNoFile;
  FileRef cur = p_.fs.mf();
  for (std::size_t i = 1; i < fids->size() && cur != kNoFile; ++i)
    cur = p_.fs.FindChild(cur, (*fids)[i]);
  return cur;
}

Status Builder::Pkcs15(const xmlNode* n, FileRef parent, int depth) {
  OMAIOP_ASSIGN_OR_RETURN(std::uint16_t fid, Fid(n, "fid"));
  ProfilePkcs15App app;
  app.label = GetAttr(n, "label");
  if (HasAttr(n, "aid")) {
    OMAIOP_ASSIGN_OR_RETURN(app.aid, Hex(n, "aid"));
  } else {
    app.aid.assign(p15::kPkcs15Aid.begin(), p15::kPkcs15Aid.end());
  }
  // A DF with the PKCS#15 AID as DF name: selectable by AID (handsets,
  // TS 102 221 §8.4.2) and by path (OpenSC, uicc.md §4).
  auto df = p_.fs.Add(parent, FileSpec::Df(fid, app.label).WithDfName(app.aid));
  if (!df.ok()) return Wrap(n, df.error());
  app.df = *df;
  app.absolute_path = AbsolutePath(app.df);
  OMAIOP_RETURN_IF_ERROR(Children(n, app.df, depth + 1));

  std::uint16_t odf_fid = p15::kFidOdf, ti_fid = p15::kFidTokenInfo,
                dodf_fid = 0x4401;
  if (HasAttr(n, "odf-fid")) {
    OMAIOP_ASSIGN_OR_RETURN(odf_fid, Fid(n, "odf-fid"));
  }
  if (HasAttr(n, "tokeninfo-fid")) {
    OMAIOP_ASSIGN_OR_RETURN(ti_fid, Fid(n, "tokeninfo-fid"));
  }
  if (HasAttr(n, "dodf-fid")) {
    OMAIOP_ASSIGN_OR_RETURN(dodf_fid, Fid(n, "dodf-fid"));
  }

  std::vector<p15::DataObject> objects, opaque_objects;
  for (const xmlNode* d = codec::FirstChildElement(n, "data-object"); d;
       d = codec::NextSiblingElement(d, "data-object")) {
    ProfileDataObject o;
    o.label = GetAttr(d, "label");
    o.role = GetAttr(d, "role");
    if (HasAttr(d, "oid")) {
      o.oid = GetAttr(d, "oid");
    } else if (o.role == "provsc-bootstrap") {
      o.oid = o_.provsc_oids.bootstrap;
    } else if (o.role == "provsc-config1") {
      o.oid = o_.provsc_oids.config1;
    } else if (o.role == "provsc-config2") {
      o.oid = o_.provsc_oids.config2;
    } else if (o.role == "dm-bootstrap") {
      o.oid = o_.dm_bootstrap_oid;
    } else {
      return Err(d, "data-object needs oid=\"...\" or a known role");
    }
    OMAIOP_ASSIGN_OR_RETURN(o.path, Hex(d, "path"));
    if (o.path.empty() || o.path.size() % 2 != 0)
      return Err(d, "path must be one or more 4-hex-digit FIDs",
                 p15::kRulePath);
    o.ef = Resolve(app.df, o.path);
    if (o.ef == kNoFile || !p_.fs.at(o.ef).IsEf())
      return Err(d,
                 "path " + codec::ToHex(o.path) + " names no EF (resolved " +
                     codec::ToHex(p15::ResolvePath(app.absolute_path, o.path)) +
                     ")",
                 p15::kRulePath);
    OMAIOP_ASSIGN_OR_RETURN(o.is_private, Bool(d, "private", false));
    OMAIOP_ASSIGN_OR_RETURN(bool modifiable, Bool(d, "modifiable", false));

    // form: "oid" = oidDO [1] with the OID in the typed attributes, the
    // entry an OMA handset looks up by OID (dm.md §1.3, SIMalliance OMAPI);
    // "opaque" = opaqueDO with the OID as applicationOID, the only DODF
    // entry OpenSC parses (uicc.md §4); "both" = one entry of each, so both
    // kinds of reader find the object.
    const std::string form =
        HasAttr(d, "form") ? GetAttr(d, "form") : std::string("oid");
    if (form != "oid" && form != "opaque" && form != "both")
      return Err(d, "form must be oid, opaque or both");

    p15::DataObject obj;
    obj.type = form == "opaque" ? p15::DataObjectType::kOpaque
                                : p15::DataObjectType::kOid;
    obj.common.label = o.label;
    std::uint32_t flags = (o.is_private ? p15::kFlagPrivate : 0) |
                          (modifiable ? p15::kFlagModifiable : 0);
    if (flags) obj.common.flags = flags;
    // authId names the PIN guarding the object; we use the key reference
    // (01 = PIN1), our convention since no AODF is generated.
    if (o.is_private) obj.common.auth_id = Bytes{kKeyPin1};
    if (HasAttr(d, "app-name"))
      obj.data.application_name = GetAttr(d, "app-name");
    if (obj.type == p15::DataObjectType::kOid)
      obj.oid = o.oid;
    else
      obj.data.application_oid = o.oid;
    obj.path = p15::Path{o.path, std::nullopt, std::nullopt};
    for (const auto& other : app.objects) {
      if (other.oid != o.oid) continue;
      p_.warnings.push_back(
          Err(d,
              "OID " + o.oid + " is carried by data objects '" + other.label +
                  "' and '" + o.label +
                  "': a lookup by OID finds the first; readers must tell the "
                  "documents apart by content (WBXML public id). UNCERTAIN "
                  "ProvSC OIDs, cp.md §3",
              p15::kRuleDodf));
    }
    if (form == "both") {
      p15::DataObject opaque = obj;
      opaque.type = p15::DataObjectType::kOpaque;
      opaque.oid.reset();
      opaque.data.application_oid = o.oid;
      opaque_objects.push_back(std::move(opaque));
      objects.push_back(std::move(obj));
    } else if (obj.type == p15::DataObjectType::kOpaque) {
      opaque_objects.push_back(std::move(obj));
    } else {
      objects.push_back(std::move(obj));
    }
    app.objects.push_back(std::move(o));
  }

  // Every opaqueDO entry goes before every oidDO entry: OpenSC abandons the
  // whole DODF at the first entry it cannot parse (an oidDO), while an OID
  // lookup skips opaque entries.
  objects.insert(objects.begin(), opaque_objects.begin(), opaque_objects.end());
  auto dodf = p15::EncodeDodf(objects);
  if (!dodf.ok())
    return Err(n, "DODF: " + dodf.error().what, dodf.error().rule);
  auto dodf_ref = p_.fs.Add(
      app.df, FileSpec::Transparent(dodf_fid, *dodf).WithName("EF.DODF"));
  if (!dodf_ref.ok()) return Wrap(n, dodf_ref.error());
  app.dodf = *dodf_ref;
  p_.contents[app.dodf] = {ContentKind::kDodf, "generated", dodf->size()};

  p15::OdfEntry entry;
  entry.kind = p15::ObjectKind::kDataObjects;
  // 2-byte path, relative to the application DF (uicc.md §4).
  entry.path = p15::Path{Bytes{static_cast<std::uint8_t>(dodf_fid >> 8),
                               static_cast<std::uint8_t>(dodf_fid)},
                         std::nullopt, std::nullopt};
  auto odf = p15::EncodeOdf(std::span<const p15::OdfEntry>(&entry, 1));
  if (!odf.ok()) return Err(n, "ODF: " + odf.error().what, odf.error().rule);
  auto odf_ref = p_.fs.Add(
      app.df, FileSpec::Transparent(odf_fid, *odf).WithName("EF.ODF"));
  if (!odf_ref.ok()) return Wrap(n, odf_ref.error());
  app.odf = *odf_ref;
  p_.contents[app.odf] = {ContentKind::kOdf, "generated", odf->size()};

  p15::TokenInfo ti;
  if (HasAttr(n, "serial")) {
    OMAIOP_ASSIGN_OR_RETURN(ti.serial_number, Hex(n, "serial"));
  } else {
    auto iccid = EncodeIccid(p_.iccid);
    if (iccid.ok()) ti.serial_number = *iccid;
  }
  ti.manufacturer_id =
      HasAttr(n, "manufacturer") ? GetAttr(n, "manufacturer") : "omaiop";
  ti.label = app.label;
  auto token = p15::EncodeTokenInfo(ti);
  if (!token.ok())
    return Err(n, "TokenInfo: " + token.error().what, token.error().rule);
  auto ti_ref = p_.fs.Add(
      app.df, FileSpec::Transparent(ti_fid, *token).WithName("EF.TokenInfo"));
  if (!ti_ref.ok()) return Wrap(n, ti_ref.error());
  app.token_info = *ti_ref;
  p_.contents[app.token_info] = {ContentKind::kTokenInfo, "generated",
                                 token->size()};
  p_.pkcs15.push_back(std::move(app));
  return codec::OkStatus();
}

Status Builder::EfDir(const xmlNode* n) {
  std::vector<Bytes> records;
  std::size_t longest = 0;
  // PKCS#15 applications first: OpenSC binds the first application and
  // uses its path (51) when present (uicc.md §4).
  for (const auto& app : p_.pkcs15) {
    p15::ApplicationTemplate t;
    t.aid = app.aid;
    t.label = app.label;
    t.path = app.absolute_path;
    auto r = p15::EncodeDirRecord(t);
    if (!r.ok()) return Err(n, r.error().what, r.error().rule);
    longest = std::max(longest, r->size());
    records.push_back(*r);
  }
  for (FileRef adf : p_.fs.Applications()) {
    p15::ApplicationTemplate t;
    t.aid = p_.fs.at(adf).aid;
    t.label = p_.fs.at(adf).name;
    auto r = p15::EncodeDirRecord(t);
    if (!r.ok()) return Err(n, r.error().what, r.error().rule);
    longest = std::max(longest, r->size());
    records.push_back(*r);
  }
  if (records.empty())
    return Err(n, "EF.DIR would be empty: no <pkcs15> and no <adf>");
  OMAIOP_ASSIGN_OR_RETURN(std::size_t rs, Number(n, "record-size", longest));
  if (rs < longest)
    return Err(n,
               "record-size=\"" + std::to_string(rs) + "\" is shorter than " +
                   "the longest application template (" +
                   std::to_string(longest) + " bytes)",
               p15::kRuleDir);
  OMAIOP_ASSIGN_OR_RETURN(std::size_t count,
                          Number(n, "records", records.size()));
  if (count < records.size())
    return Err(n, "records=\"" + std::to_string(count) + "\" but " +
                      std::to_string(records.size()) + " applications");
  if (rs > 255 || count > 254)
    return Err(n, "EF.DIR record-size must be <= 255 and records <= 254",
               "ETSI TS 102 221 §11.1.1.4.3");
  auto ref =
      p_.fs.Add(p_.fs.mf(), FileSpec::LinearFixed(kEfDirFid, rs, count, records)
                                .WithSfi(kEfDirSfi)
                                .WithName("EF.DIR"));
  if (!ref.ok()) return Wrap(n, ref.error());
  p_.contents[*ref] = {ContentKind::kEfDir, "generated", 0};
  return codec::OkStatus();
}

Status Builder::Pins(const xmlNode* n) {
  for (const xmlNode* c = codec::FirstChildElement(n, "pin"); c;
       c = codec::NextSiblingElement(c, "pin")) {
    PinConfig pc;
    const std::string key = GetAttr(c, "key");
    if (key == "PIN1")
      pc.key_ref = kKeyPin1;
    else if (key == "PIN2")
      pc.key_ref = kKeyPin2;
    else if (key == "UPIN")
      pc.key_ref = kKeyUniversalPin;
    else if (key == "ADM1")
      pc.key_ref = kKeyAdm1;
    else
      return Err(c, "key '" + key + "' is not PIN1, PIN2, UPIN or ADM1",
                 "ETSI TS 102 221 §9.5.1");
    pc.pin = GetAttr(c, "value");
    pc.puk = GetAttr(c, "puk");
    OMAIOP_ASSIGN_OR_RETURN(pc.enabled, Bool(c, "enabled", true));
    OMAIOP_ASSIGN_OR_RETURN(pc.can_disable,
                            Bool(c, "can-disable", key == "PIN1"));
    OMAIOP_ASSIGN_OR_RETURN(std::size_t tries,
                            Number(c, "tries", kDefaultPinTries));
    OMAIOP_ASSIGN_OR_RETURN(std::size_t puk_tries,
                            Number(c, "puk-tries", kDefaultPukTries));
    if (tries < 1 || tries > 15 || puk_tries < 1 || puk_tries > 15)
      return Err(c, "tries/puk-tries must be 1..15 (63Cx carries 4 bits)",
                 "ETSI TS 102 221 §10.2.1.3");
    pc.max_tries = static_cast<int>(tries);
    pc.max_puk_tries = static_cast<int>(puk_tries);
    auto s = p_.pins.Add(pc);
    if (!s.ok()) return Err(c, s.error().what, s.error().rule);
  }
  return codec::OkStatus();
}

Status Builder::Options(const xmlNode* n) {
  CardOptions& o = p_.options;
  OMAIOP_ASSIGN_OR_RETURN(o.uicc_cla, Bool(n, "uicc-cla", o.uicc_cla));
  OMAIOP_ASSIGN_OR_RETURN(o.gsm_cla, Bool(n, "gsm-cla", o.gsm_cla));
  OMAIOP_ASSIGN_OR_RETURN(o.strict_t0, Bool(n, "strict-t0", o.strict_t0));
  OMAIOP_ASSIGN_OR_RETURN(std::size_t ch,
                          Number(n, "logical-channels",
                                 static_cast<std::size_t>(o.logical_channels)));
  if (ch < 1 || ch > static_cast<std::size_t>(kMaxLogicalChannels))
    return Err(n, "logical-channels must be 1..20", "ETSI TS 102 221 §10.1.1");
  o.logical_channels = static_cast<int>(ch);
  if (HasAttr(n, "security-attributes")) {
    const std::string s = GetAttr(n, "security-attributes");
    if (s == "expanded")
      o.security_attributes = SecurityAttributeFormat::kExpanded;
    else if (s == "compact")
      o.security_attributes = SecurityAttributeFormat::kCompact;
    else
      return Err(n, "security-attributes '" + s + "' is not expanded|compact");
  }
  if (!o.uicc_cla && !o.gsm_cla)
    return Err(n,
               "uicc-cla and gsm-cla both false: the card would answer "
               "nothing but 6E00");
  return codec::OkStatus();
}

Status Builder::Build(const xmlNode* root) {
  if (!root || NodeName(root) != "profile")
    return codec::PathError("root element must be <profile>", file_,
                            kRuleProfile);
  p_.name = GetAttr(root, "name");
  if (const xmlNode* d = codec::FirstChildElement(root, "description"))
    p_.description = codec::TrimXmlSpace(codec::NodeText(d));

  const xmlNode* id = codec::FirstChildElement(root, "identity");
  if (!id) return Err(root, "missing <identity iccid imsi>");
  p_.iccid = GetAttr(id, "iccid");
  p_.imsi = GetAttr(id, "imsi");
  if (auto r = EncodeIccid(p_.iccid); !r.ok())
    return Err(id, r.error().what, r.error().rule);
  if (auto r = EncodeImsi(p_.imsi); !r.ok())
    return Err(id, r.error().what, r.error().rule);

  if (const xmlNode* a = codec::FirstChildElement(root, "atr")) {
    OMAIOP_ASSIGN_OR_RETURN(Bytes atr, Hex(a, "hex"));
    // ISO/IEC 7816-3 §8.1: TS is 3B (direct) or 3F (inverse); at most 33
    // bytes.
    if (atr.size() < 2 || atr.size() > 33 || (atr[0] != 0x3B && atr[0] != 0x3F))
      return Err(a, "ATR must be 2..33 bytes starting 3B or 3F",
                 "ISO/IEC 7816-3 §8");
    p_.atr = std::move(atr);
  }
  if (const xmlNode* o = codec::FirstChildElement(root, "options"))
    OMAIOP_RETURN_IF_ERROR(Options(o));
  const xmlNode* pins = codec::FirstChildElement(root, "pins");
  if (!pins) return Err(root, "missing <pins>");
  OMAIOP_RETURN_IF_ERROR(Pins(pins));
  const xmlNode* mf = codec::FirstChildElement(root, "mf");
  if (!mf) return Err(root, "missing <mf>");
  OMAIOP_RETURN_IF_ERROR(Children(mf, p_.fs.mf(), 0));
  if (ef_dir_) OMAIOP_RETURN_IF_ERROR(EfDir(ef_dir_));
  return codec::OkStatus();
}

struct SchemaErrors {
  std::string first;
  int line = 0;
  const xmlNode* node = nullptr;
};

void CollectSchemaError(void* ctx, xmlErrorPtr e) {
  auto* errs = static_cast<SchemaErrors*>(ctx);
  if (!errs->first.empty() || !e) return;
  errs->first = codec::TrimXmlSpace(e->message ? e->message : "schema error");
  errs->line = e->line;
  errs->node = static_cast<const xmlNode*>(e->node);
}

Status Validate(const xmlDoc* doc, const std::string& file,
                const ProfileLoadOptions& o) {
  SchemaErrors parse_errs;
  xmlSchemaParserCtxtPtr pc;
  std::string schema_name = "profile.xsd (built in)";
  if (o.schema_path.empty()) {
    const std::string_view x = EmbeddedProfileSchema();
    pc = xmlSchemaNewMemParserCtxt(x.data(), static_cast<int>(x.size()));
  } else {
    schema_name = o.schema_path;
    pc = xmlSchemaNewParserCtxt(o.schema_path.c_str());
  }
  if (!pc) return codec::PathError("cannot read schema", schema_name, "XSD");
  xmlSchemaSetParserStructuredErrors(pc, CollectSchemaError, &parse_errs);
  xmlSchemaPtr schema = xmlSchemaParse(pc);
  xmlSchemaFreeParserCtxt(pc);
  if (!schema)
    return codec::PathError("schema does not compile: " + parse_errs.first,
                            schema_name, "XSD 1.0");
  SchemaErrors errs;
  xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
  xmlSchemaSetValidStructuredErrors(vc, CollectSchemaError, &errs);
  const int rc = xmlSchemaValidateDoc(vc, const_cast<xmlDoc*>(doc));
  xmlSchemaFreeValidCtxt(vc);
  xmlSchemaFree(schema);
  if (rc == 0) return codec::OkStatus();
  std::string where = file + ":" + std::to_string(errs.line);
  if (errs.node && errs.node->type == XML_ELEMENT_NODE)
    where += " " + codec::NodePath(errs.node);
  return codec::PathError(
      "profile does not match the schema" +
          (errs.first.empty() ? std::string() : ": " + errs.first),
      where, schema_name + ": " + (errs.first.empty() ? "?" : errs.first));
}

}  // namespace

std::string_view ContentKindName(ContentKind kind) {
  switch (kind) {
    case ContentKind::kNone:
      return "empty (FF)";
    case ContentKind::kHex:
      return "hex";
    case ContentKind::kText:
      return "text";
    case ContentKind::kImsi:
      return "IMSI";
    case ContentKind::kIccid:
      return "ICCID";
    case ContentKind::kCpWbxml:
      return "CP WBXML";
    case ContentKind::kDmWbxml:
      return "DM WBXML";
    case ContentKind::kTndsWbxml:
      return "TNDS WBXML";
    case ContentKind::kEfDir:
      return "EF.DIR (generated)";
    case ContentKind::kOdf:
      return "PKCS#15 ODF (generated)";
    case ContentKind::kTokenInfo:
      return "PKCS#15 TokenInfo (generated)";
    case ContentKind::kDodf:
      return "PKCS#15 DODF (generated)";
  }
  return "?";
}

codec::ByteView Profile::Atr() const {
  return atr ? codec::ByteView(*atr) : Card::Atr();
}

Card Profile::MakeCard() const { return Card(fs, pins, options); }

std::string_view EmbeddedProfileSchema() { return generated::kProfileXsd; }

Result<Bytes> EncodeImsi(std::string_view digits) {
  if (digits.size() < 6 || digits.size() > 15 || !IsDigits(digits))
    return codec::PathError(
        "IMSI '" + std::string(digits) + "' must be 6..15 decimal digits", "",
        kRuleImsi);
  // Type nibble: b4 = odd number of digits, b3..b1 = 001 (IMSI).
  const bool odd = digits.size() % 2 == 1;
  std::string nibbles(1, odd ? '9' : '1');
  nibbles += digits;
  Bytes out{static_cast<std::uint8_t>((nibbles.size() + 1) / 2)};
  Bytes bcd = SwappedBcd(nibbles, 8);
  out.insert(out.end(), bcd.begin(), bcd.end());
  return out;
}

Result<std::string> DecodeImsi(codec::ByteView ef) {
  if (ef.size() < 2 || ef[0] < 1 || ef[0] > 8 ||
      static_cast<std::size_t>(ef[0]) + 1 > ef.size())
    return codec::Error("EF.IMSI length byte out of range", 0, kRuleImsi);
  std::string s = UnswapBcd(ef.subspan(1, ef[0]));
  if (s.empty()) return codec::Error("EF.IMSI empty", 1, kRuleImsi);
  s.erase(0, 1);  // parity/type nibble
  if (s.find('?') != std::string::npos)
    return codec::Error("EF.IMSI holds a non-decimal digit", 1, kRuleImsi);
  return s;
}

Result<Bytes> EncodeIccid(std::string_view digits) {
  if (digits.size() < 18 || digits.size() > 20 || !IsDigits(digits))
    return codec::PathError(
        "ICCID '" + std::string(digits) + "' must be 18..20 decimal digits", "",
        kRuleIccid);
  return SwappedBcd(digits, 10);
}

Result<std::string> DecodeIccid(codec::ByteView ef) {
  if (ef.size() != 10)
    return codec::Error("EF.ICCID must be 10 bytes", 0, kRuleIccid);
  std::string s = UnswapBcd(ef);
  if (s.find('?') != std::string::npos)
    return codec::Error("EF.ICCID holds a non-decimal digit", 0, kRuleIccid);
  return s;
}

Result<Profile> LoadProfileFromString(std::string_view xml,
                                      const std::string& base_dir,
                                      const ProfileLoadOptions& options,
                                      const std::string& name) {
  auto doc = codec::ParseXml(xml, name);
  if (!doc.ok()) {
    Diagnostic d = doc.error();
    d.path = name + (d.path.empty() ? "" : ":" + d.path);
    return d;
  }
  if (options.validate)
    OMAIOP_RETURN_IF_ERROR(Validate(doc->get(), name, options));
  Profile p;
  p.source = name;
  Builder b(p, name, base_dir, options);
  OMAIOP_RETURN_IF_ERROR(b.Build(xmlDocGetRootElement(doc->get())));
  return p;
}

Result<Profile> LoadProfile(const std::string& path,
                            const ProfileLoadOptions& options) {
  OMAIOP_ASSIGN_OR_RETURN(std::string text, ReadText(path));
  const std::string dir = fs::path(path).parent_path().string();
  return LoadProfileFromString(text, dir.empty() ? "." : dir, options, path);
}

}  // namespace omaiop::sim::uicc
