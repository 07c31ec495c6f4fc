#include "sim/handset/card/provsc.h"

#include <algorithm>
#include <utility>

#include "codec/byte_reader.h"

namespace omaiop::sim::handset::card {
namespace {

using codec::Bytes;
using codec::ByteView;
using codec::Diagnostic;
using codec::Error;
using codec::Result;
using codec::Status;
namespace p15 = codec::pkcs15;

constexpr char kRuleProvSc[] =
    "OMA-WAP-TS-ProvSC-V1_1 (cp.md §3: PKCS#15 location)";

std::string Hex(ByteView b) { return codec::ToHex(b); }

bool StartsWithMf(ByteView p) {
  return p.size() >= 2 && p[0] == 0x3F && p[1] == 0x00;
}

// Prefixes a diagnostic from a parser with the file it came from.
Diagnostic InFile(Diagnostic d, const std::string& file) {
  d.what = file + ": " + d.what;
  return d;
}

}  // namespace

std::string_view CardDocumentKindName(CardDocumentKind kind) {
  switch (kind) {
    case CardDocumentKind::kBootstrap:
      return "ProvSC Bootstrap";
    case CardDocumentKind::kConfig1:
      return "ProvSC Config1";
    case CardDocumentKind::kConfig2:
      return "ProvSC Config2";
    case CardDocumentKind::kDmBootstrap:
      return "DM Bootstrap";
  }
  return "?";
}

std::optional<std::uint32_t> WbxmlPublicId(ByteView wbxml) {
  codec::ByteReader r(wbxml);
  if (!r.U8("version", "WBXML 1.3 §5.4").ok()) return std::nullopt;
  auto id = r.Uintvar("publicid", "WBXML 1.3 §5.5");
  if (!id.ok() || *id == 0) return std::nullopt;
  return *id;
}

ProvScReader::ProvScReader(CardSession& session, ProvScOptions options)
    : session_(session), options_(std::move(options)) {}

const DocumentSelector& ProvScReader::selector(CardDocumentKind kind) const {
  switch (kind) {
    case CardDocumentKind::kBootstrap:
      return options_.bootstrap;
    case CardDocumentKind::kConfig1:
      return options_.config1;
    case CardDocumentKind::kConfig2:
      return options_.config2;
    case CardDocumentKind::kDmBootstrap:
      break;
  }
  return options_.dm_bootstrap;
}

Bytes ProvScReader::Absolute(ByteView pkcs15_path) const {
  if (app_path_.empty() && !StartsWithMf(pkcs15_path))
    return Bytes(pkcs15_path.begin(), pkcs15_path.end());
  return p15::ResolvePath(app_path_, pkcs15_path);
}

Result<FileInfo> ProvScReader::SelectInApp(ByteView path,
                                           std::string_view name) {
  const p15::PathKind kind = p15::ClassifyPath(path);
  if (kind == p15::PathKind::kEmpty || path.size() % 2 != 0)
    return Error("PKCS#15 path '" + Hex(path) + "' for " + std::string(name) +
                     " is empty or not whole FIDs",
                 0, p15::kRulePath);
  if (kind == p15::PathKind::kAbsolute) return session_.SelectPath(path, name);
  if (!app_path_.empty())
    return session_.SelectPath(p15::ResolvePath(app_path_, path), name);
  // Application reached by AID only: select it, then the path relative to
  // it (3FFF = "current DF" prefix dropped).
  auto app = session_.SelectAid(app_aid_, "PKCS#15 application");
  if (!app.ok()) return app.error();
  ByteView rel = path;
  if (kind == p15::PathKind::kRelativeCurrentDf) rel = path.subspan(2);
  if (rel.empty()) return app;
  return session_.SelectRelative(rel, name);
}

Result<Bytes> ProvScReader::ReadWholeEf(ByteView path, std::string_view name) {
  OMAIOP_ASSIGN_OR_RETURN(FileInfo ef, SelectInApp(path, name));
  if (ef.is_df || !ef.transparent)
    return Error(std::string(name) + " (path " + Hex(Absolute(path)) +
                     ") is not a transparent EF",
                 Diagnostic::kNoOffset, p15::kRulePath);
  return session_.ReadBinary(ef, 0, ef.size);
}

Status ProvScReader::Locate() {
  if (located_) return codec::OkStatus();
  if (!session_.is_open())
    return Error("card session is not open", Diagnostic::kNoOffset,
                 kRuleProvSc);
  app_path_.clear();
  app_aid_.clear();
  objects_.clear();

  // 1. EF.DIR → the PKCS#15 application (TS 102 221 §13.1).
  std::string tried;
  bool found = false;
  const auto& apps = session_.applications();
  for (const Bytes& aid : options_.aids) {
    const p15::ApplicationTemplate* t = p15::FindApplication(apps, aid);
    if (!t) continue;
    app_aid_ = t->aid;
    if (t->path && !t->path->empty()) {
      Bytes p = *t->path;
      if (!StartsWithMf(p)) p.insert(p.begin(), {0x3F, 0x00});
      auto df = session_.SelectPath(p, "PKCS#15 application DF");
      if (!df.ok())
        return InFile(df.error(), "EF.DIR names the PKCS#15 application at " +
                                      Hex(p) + " but");
      app_path_ = std::move(p);
    } else {
      auto df = session_.SelectAid(aid, "PKCS#15 application");
      if (!df.ok()) return df.error();
    }
    found = true;
    break;
  }
  if (!found) {
    tried = "EF.DIR lists " + std::to_string(apps.size()) + " application(s)";
    for (const auto& a : apps) tried += " " + Hex(a.aid);
    if (session_.dir_error())
      tried += " (EF.DIR unusable: " + session_.dir_error()->ToString() + ")";
    if (!session_.gsm()) {
      for (const Bytes& aid : options_.aids) {
        if (session_.SelectAid(aid, "PKCS#15 application").ok()) {
          app_aid_ = aid;
          found = true;
          break;
        }
        tried += "; SELECT by AID " + Hex(aid) + " failed";
      }
    }
  }
  if (!found) {
    for (const Bytes& p : options_.fallback_df_paths) {
      auto df = session_.SelectPath(p, "PKCS#15 DF (fallback)");
      if (df.ok() && df->is_df) {
        app_path_ = p;
        found = true;
        break;
      }
      tried += "; DF " + Hex(p) + " not found";
    }
  }
  if (!found)
    return Error("no PKCS#15 application on the card (" + tried +
                     "): the ProvSC/DM bootstrap documents cannot be located",
                 Diagnostic::kNoOffset,
                 std::string(p15::kRuleDir) + "; " + kRuleProvSc);

  // 2. EF.ODF → dataObjects [7] → EF.DODF(s).
  const Bytes odf_path{static_cast<std::uint8_t>(options_.odf_fid >> 8),
                       static_cast<std::uint8_t>(options_.odf_fid)};
  OMAIOP_ASSIGN_OR_RETURN(Bytes odf, ReadWholeEf(odf_path, "EF.ODF"));
  const std::string odf_name = "EF.ODF (path " + Hex(Absolute(odf_path)) + ")";
  auto entries = p15::ParseOdf(odf, options_.pkcs15);
  if (!entries.ok()) return InFile(entries.error(), odf_name);
  int dodfs = 0;
  for (const p15::OdfEntry& e : *entries) {
    if (e.kind != p15::ObjectKind::kDataObjects || !e.path) continue;
    ++dodfs;
    const Bytes abs = Absolute(e.path->path);
    const std::string name = "EF.DODF (path " + Hex(abs) + ")";
    OMAIOP_ASSIGN_OR_RETURN(Bytes dodf, ReadWholeEf(e.path->path, "EF.DODF"));
    ByteView content = dodf;
    if (e.path->index || e.path->length) {
      const std::int64_t idx = e.path->index.value_or(0);
      const std::int64_t len =
          e.path->length.value_or(static_cast<std::int64_t>(dodf.size()) - idx);
      if (idx < 0 || len < 0 || idx > static_cast<std::int64_t>(dodf.size()) ||
          len > static_cast<std::int64_t>(dodf.size()) - idx)
        return Error(odf_name + ": DODF Path index " + std::to_string(idx) +
                         " length " + std::to_string(len) +
                         " lies outside the " + std::to_string(dodf.size()) +
                         "-byte " + name,
                     e.offset, p15::kRulePath);
      content = content.subspan(static_cast<std::size_t>(idx),
                                static_cast<std::size_t>(len));
    }
    auto objs = p15::ParseDodf(content, options_.pkcs15);
    if (!objs.ok()) return InFile(objs.error(), name);
    for (auto& o : *objs) objects_.push_back(DodfEntry{std::move(o), abs});
  }
  if (dodfs == 0)
    return Error(odf_name + " lists no dataObjects [7] entry with a Path", 0,
                 p15::kRuleOdf);
  located_ = true;
  return codec::OkStatus();
}

Result<std::vector<ProvScReader::Target>> ProvScReader::Candidates(
    CardDocumentKind kind) {
  OMAIOP_RETURN_IF_ERROR(Locate());
  const DocumentSelector& sel = selector(kind);
  std::vector<Target> all;
  if (!sel.oid.empty()) {
    for (const DodfEntry& e : objects_) {
      const auto& o = e.object;
      const bool by_oid =
          (o.type == p15::DataObjectType::kOid && o.oid == sel.oid) ||
          (options_.match_application_oid && o.data.application_oid == sel.oid);
      if (by_oid) all.push_back(Target{&e, sel.oid, false});
    }
  }
  if (all.empty() && options_.fallback_to_label && !sel.label.empty()) {
    for (const DodfEntry& e : objects_)
      if (e.object.common.label == sel.label)
        all.push_back(Target{&e, "", true});
  }
  // The same object listed twice (oidDO + opaqueDO, form="both") is one.
  std::vector<Target> unique;
  for (const Target& t : all) {
    const auto same = [&](const Target& u) {
      const auto& a = t.entry->object;
      const auto& b = u.entry->object;
      if (!a.path || !b.path) return false;
      return Absolute(a.path->path) == Absolute(b.path->path) &&
             a.path->index == b.path->index && a.path->length == b.path->length;
    };
    if (std::none_of(unique.begin(), unique.end(), same)) unique.push_back(t);
  }
  if (unique.size() > 1 && !sel.label.empty()) {
    std::vector<Target> labelled;
    for (const Target& t : unique)
      if (t.entry->object.common.label == sel.label) labelled.push_back(t);
    if (!labelled.empty()) unique = std::move(labelled);
  }
  return unique;
}

Result<ProvScReader::Located> ProvScReader::Resolve(const Target& t,
                                                    std::string_view name) {
  const auto& o = t.entry->object;
  const std::string what = std::string(name) + " data object '" +
                           o.common.label.value_or("") + "' (DODF " +
                           Hex(t.entry->dodf_path) + ")";
  if (!o.path)
    return Error(what +
                     " has no Path value (direct/URL object values are not "
                     "supported)",
                 o.offset, p15::kRuleDodf);
  OMAIOP_ASSIGN_OR_RETURN(FileInfo ef, SelectInApp(o.path->path, name));
  if (ef.is_df || !ef.transparent)
    return Error(what + ": path " + Hex(Absolute(o.path->path)) +
                     " is not a transparent EF",
                 o.offset, p15::kRulePath);
  Located l;
  l.ef = std::move(ef);
  l.length = l.ef.size;
  if (o.path->index || o.path->length) {
    const std::int64_t size = static_cast<std::int64_t>(l.ef.size);
    const std::int64_t idx = o.path->index.value_or(0);
    const std::int64_t len = o.path->length.value_or(size - idx);
    if (idx < 0 || len < 0 || idx > size || len > size - idx)
      return Error(what + ": Path index " + std::to_string(idx) + " length " +
                       std::to_string(len) + " lies outside the " +
                       std::to_string(size) + "-byte EF " +
                       Hex(Absolute(o.path->path)),
                   o.offset, p15::kRulePath);
    l.offset = static_cast<std::size_t>(idx);
    l.length = static_cast<std::size_t>(len);
  }
  return l;
}

Result<CardDocument> ProvScReader::Fetch(CardDocumentKind kind,
                                         const Target& t) {
  const std::string name(CardDocumentKindName(kind));
  OMAIOP_ASSIGN_OR_RETURN(Located l, Resolve(t, name));
  OMAIOP_ASSIGN_OR_RETURN(Bytes data,
                          session_.ReadBinary(l.ef, l.offset, l.length));
  CardDocument doc;
  doc.kind = kind;
  const auto& o = t.entry->object;
  doc.path = Absolute(o.path->path);
  if (app_path_.empty()) doc.app_aid = app_aid_;
  doc.oid = t.matched_oid;
  doc.label = o.common.label.value_or("");
  doc.found_by_label = t.by_label;
  doc.is_private = o.common.auth_id.has_value();
  doc.offset = l.offset;
  doc.ef_size = l.length;
  if (options_.strip_padding) {
    std::size_t end = data.size();
    while (end > 0 && data[end - 1] == options_.padding_byte) --end;
    doc.padding = data.size() - end;
    data.resize(end);
  }
  doc.public_id = WbxmlPublicId(data);
  doc.bytes = std::move(data);
  doc.origin = "card:" + session_.iccid();
  return doc;
}

Result<std::optional<CardDocument>> ProvScReader::Read(CardDocumentKind kind) {
  OMAIOP_ASSIGN_OR_RETURN(std::vector<Target> cands, Candidates(kind));
  if (cands.empty()) return std::optional<CardDocument>();
  if (cands.size() == 1) {
    OMAIOP_ASSIGN_OR_RETURN(CardDocument d, Fetch(kind, cands[0]));
    return std::optional<CardDocument>(std::move(d));
  }
  // Several objects share the OID (the inferred ProvSC Bootstrap OID equals
  // the DM bootstrap OID): tell them apart by the WBXML public id.
  const DocumentSelector& sel = selector(kind);
  std::vector<CardDocument> fitting;
  std::string seen;
  for (const Target& t : cands) {
    OMAIOP_ASSIGN_OR_RETURN(CardDocument d, Fetch(kind, t));
    seen += " '" + d.label + "' at " + Hex(d.path);
    if (d.public_id && std::find(sel.public_ids.begin(), sel.public_ids.end(),
                                 *d.public_id) != sel.public_ids.end())
      fitting.push_back(std::move(d));
  }
  if (fitting.size() == 1) return std::optional<CardDocument>(fitting[0]);
  return Error(std::to_string(cands.size()) + " data objects match " +
                   std::string(CardDocumentKindName(kind)) + " (OID " +
                   sel.oid + "):" + seen + "; " +
                   std::to_string(fitting.size()) +
                   " carry an expected WBXML public id",
               Diagnostic::kNoOffset,
               std::string(p15::kRuleDodf) + "; cp.md §3 (UNCERTAIN OIDs)");
}

Result<ProvScDocuments> ProvScReader::ReadAll() {
  ProvScDocuments out;
  out.iccid = session_.iccid();
  OMAIOP_ASSIGN_OR_RETURN(out.bootstrap, Read(CardDocumentKind::kBootstrap));
  OMAIOP_ASSIGN_OR_RETURN(out.config1, Read(CardDocumentKind::kConfig1));
  OMAIOP_ASSIGN_OR_RETURN(out.config2, Read(CardDocumentKind::kConfig2));
  OMAIOP_ASSIGN_OR_RETURN(out.dm_bootstrap,
                          Read(CardDocumentKind::kDmBootstrap));
  return out;
}

Status ProvScReader::WriteConfig2(ByteView wbxml, std::string_view pin) {
  OMAIOP_ASSIGN_OR_RETURN(std::vector<Target> cands,
                          Candidates(CardDocumentKind::kConfig2));
  if (cands.empty())
    return Error("the card has no Config2 data object (OID " +
                     options_.config2.oid + ", label '" +
                     options_.config2.label + "')",
                 Diagnostic::kNoOffset, kRuleProvSc);
  if (cands.size() > 1)
    return Error(std::to_string(cands.size()) +
                     " data objects match Config2: refusing to guess which "
                     "to overwrite",
                 Diagnostic::kNoOffset, kRuleProvSc);
  OMAIOP_ASSIGN_OR_RETURN(Located l, Resolve(cands[0], "ProvSC Config2"));
  const std::string where = "Config2 EF " + Hex(l.ef.path);
  if (wbxml.size() > l.length)
    return Error("a " + std::to_string(wbxml.size()) +
                     "-byte document does not fit the " +
                     std::to_string(l.length) + "-byte " + where,
                 l.length, kRuleProvSc);
  // Config2: ME update after PIN1/CHV1 (cp.md §3).
  OMAIOP_RETURN_IF_ERROR(session_.VerifyPin1(pin));
  Bytes data(wbxml.begin(), wbxml.end());
  if (options_.pad_on_write) data.resize(l.length, options_.padding_byte);
  OMAIOP_RETURN_IF_ERROR(session_.UpdateBinary(l.ef, l.offset, data));
  OMAIOP_ASSIGN_OR_RETURN(Bytes back,
                          session_.ReadBinary(l.ef, l.offset, data.size()));
  if (back.size() != data.size())
    return Error("read-back of " + where + " returned " +
                     std::to_string(back.size()) + " bytes, wrote " +
                     std::to_string(data.size()),
                 back.size(), "ETSI TS 102 221 §11.1.4");
  auto mismatch = std::mismatch(back.begin(), back.end(), data.begin());
  if (mismatch.first != back.end()) {
    const std::size_t at =
        static_cast<std::size_t>(mismatch.first - back.begin());
    return Error("read-back of " + where +
                     " differs from what was written at "
                     "byte " +
                     std::to_string(at),
                 l.offset + at, "ETSI TS 102 221 §11.1.4");
  }
  return codec::OkStatus();
}

}  // namespace omaiop::sim::handset::card
