#include "sim/uicc/profile_dump.h"

#include <sstream>

#include "codec/pkcs15.h"
#include "codec/wbxml.h"
#include "codec/xml.h"

namespace omaiop::sim::uicc {
namespace {

namespace p15 = codec::pkcs15;
using codec::Bytes;
using codec::ByteView;

std::string Hex16(std::uint16_t v) {
  const Bytes b{static_cast<std::uint8_t>(v >> 8),
                static_cast<std::uint8_t>(v & 0xFF)};
  return codec::ToHex(b);
}

std::string KeyName(std::uint8_t ref) {
  switch (ref) {
    case kKeyPin1:
      return "PIN1";
    case kKeyPin2:
      return "PIN2";
    case kKeyUniversalPin:
      return "UPIN";
    case kKeyAdm1:
      return "ADM1";
  }
  return "key " + codec::ToHexLiteral(ref);
}

// Each line of `text` prefixed with `indent`.
void Indented(std::ostream& out, const std::string& indent,
              const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out << indent << line << "\n";
}

void RenderNode(std::ostream& out, const codec::ProtoNode& n,
                const std::string& indent) {
  out << indent << n.name;
  if (!n.value.empty()) out << ": " << n.value;
  if (n.length) out << "  [" << n.offset << "+" << n.length << "]";
  out << "\n";
  for (const auto& note : n.notes)
    out << indent << "  ! " << note.ToString() << "\n";
  for (const auto& c : n.children) RenderNode(out, c, indent + "  ");
}

std::string AccessText(const File& f) {
  const AccessRules& a = f.access;
  std::string s;
  auto add = [&](const char* op, AccessCondition c) {
    if (!s.empty()) s += " ";
    s += op;
    s += "=";
    s += AccessConditionName(c);
  };
  if (f.IsEf()) {
    add("read", a.read);
    add("update", a.update);
    if (f.kind == FileKind::kCyclic) add("increase", a.increase);
  }
  add("deactivate", a.deactivate);
  add("activate", a.activate);
  add("terminate", a.terminate);
  add("delete", a.delete_file);
  return s;
}

std::string HexBlock(ByteView data, const DumpOptions& o) {
  if (o.max_hex_bytes && data.size() > o.max_hex_bytes)
    return codec::HexDump(data.first(o.max_hex_bytes)) + "... (" +
           std::to_string(data.size() - o.max_hex_bytes) + " more bytes)\n";
  return codec::HexDump(data);
}

bool AllFf(ByteView b) {
  for (std::uint8_t x : b)
    if (x != 0xFF) return false;
  return true;
}

void DumpContent(std::ostream& out, const Profile& p, FileRef ref,
                 const std::string& indent, const DumpOptions& o) {
  const File& f = p.fs.at(ref);
  auto it = p.contents.find(ref);
  const FileContent content =
      it != p.contents.end() ? it->second : FileContent{};
  if (f.IsRecordEf()) {
    for (std::size_t i = 0; i < f.records.size(); ++i) {
      const Bytes& r = f.records[i];
      if (AllFf(r)) continue;
      out << indent << "record " << (i + 1) << ":";
      if (content.kind == ContentKind::kEfDir) {
        out << "\n";
        RenderNode(out, p15::DescribeDirRecord(r), indent + "  ");
      } else {
        out << " " << codec::ToHex(r, codec::HexCase::kUpper, " ") << "\n";
      }
    }
    return;
  }
  const ByteView all(f.data);
  const ByteView used = all.first(std::min(content.used, all.size()));
  switch (content.kind) {
    case ContentKind::kNone:
      out << indent << (AllFf(all) ? "(all FF)\n" : "");
      if (!AllFf(all)) out << HexBlock(all, o);
      return;
    case ContentKind::kImsi: {
      auto imsi = DecodeImsi(all);
      out << indent << "IMSI "
          << (imsi.ok() ? *imsi : "? " + imsi.error().ToString()) << "  ("
          << codec::ToHex(all) << ")\n";
      return;
    }
    case ContentKind::kIccid: {
      auto iccid = DecodeIccid(all);
      out << indent << "ICCID "
          << (iccid.ok() ? *iccid : "? " + iccid.error().ToString()) << "  ("
          << codec::ToHex(all) << ")\n";
      return;
    }
    case ContentKind::kText:
      out << indent << "text \"" << codec::AsString(used) << "\"";
      if (used.size() < all.size())
        out << " + " << (all.size() - used.size()) << " bytes FF";
      out << "\n";
      return;
    case ContentKind::kHex:
      Indented(out, indent, HexBlock(used, o));
      if (used.size() < all.size())
        out << indent << "+ " << (all.size() - used.size()) << " bytes FF\n";
      return;
    case ContentKind::kOdf:
      RenderNode(out, p15::DescribeOdf(used), indent);
      return;
    case ContentKind::kDodf:
      RenderNode(out, p15::DescribeDodf(used), indent);
      return;
    case ContentKind::kTokenInfo: {
      // codec/pkcs15 has no DescribeTokenInfo; the parsed fields suffice.
      auto ti = p15::ParseTokenInfo(used);
      if (!ti.ok()) {
        out << indent << "TokenInfo: " << ti.error().ToString() << "\n";
        return;
      }
      out << indent << "TokenInfo version " << ti->version << ", serial "
          << codec::ToHex(ti->serial_number) << ", manufacturer \""
          << ti->manufacturer_id.value_or("") << "\", label \""
          << ti->label.value_or("") << "\", flags "
          << codec::ToHexLiteral(ti->token_flags) << "\n";
      return;
    }
    case ContentKind::kEfDir:
      return;  // record EF, handled above
    case ContentKind::kCpWbxml:
    case ContentKind::kDmWbxml:
    case ContentKind::kTndsWbxml: {
      out << indent << ContentKindName(content.kind) << ", " << used.size()
          << " of " << all.size() << " bytes (rest FF)";
      if (!content.source.empty()) out << ", from " << content.source;
      out << "\n";
      if (!o.decode_wbxml) {
        Indented(out, indent, HexBlock(used, o));
        return;
      }
      auto doc = codec::DecodeWbxml(used);
      if (!doc.ok()) {
        out << indent << "WBXML does not decode: " << doc.error().ToString()
            << "\n";
        Indented(out, indent, HexBlock(used, o));
        return;
      }
      Indented(out, indent + "| ",
               codec::SerializeXml(doc->doc.get(), true, false));
      return;
    }
  }
}

void DumpFile(std::ostream& out, const Profile& p, FileRef ref, int depth,
              const DumpOptions& o) {
  const File& f = p.fs.at(ref);
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  out << indent << Hex16(f.fid) << " " << (f.name.empty() ? "-" : f.name)
      << "  " << FileKindName(f.kind);
  if (!f.aid.empty())
    out << (f.kind == FileKind::kAdf ? " AID " : " DF name ")
        << codec::ToHex(f.aid);
  if (f.kind == FileKind::kTransparent) out << ", " << f.data.size() << " B";
  if (f.IsRecordEf())
    out << ", " << f.records.size() << " x " << f.record_size << " B";
  if (f.sfi) out << ", SFI " << codec::ToHexLiteral(f.sfi);
  if (f.lcs != LifeCycle::kActivated) out << ", deactivated";
  out << "\n" << indent << "    [" << AccessText(f) << "]\n";
  if (f.IsEf()) DumpContent(out, p, ref, indent + "    ", o);
  for (FileRef c : f.children) DumpFile(out, p, c, depth + 1, o);
}

}  // namespace

std::string DumpProfile(const Profile& p, const DumpOptions& o) {
  std::ostringstream out;
  out << "Profile " << p.name;
  if (!p.source.empty()) out << " (" << p.source << ")";
  out << "\n";
  if (!p.description.empty()) out << "  " << p.description << "\n";
  out << "ICCID " << p.iccid << "  IMSI " << p.imsi << "\n";
  out << "ATR " << codec::ToHex(p.Atr(), codec::HexCase::kUpper, " ")
      << (p.atr ? "  (profile)" : "  (card default)") << "\n";
  out << "Options: CLA 00 " << (p.options.uicc_cla ? "yes" : "no")
      << ", CLA A0 " << (p.options.gsm_cla ? "yes" : "no") << ", strict T=0 "
      << (p.options.strict_t0 ? "yes" : "no") << ", logical channels "
      << p.options.logical_channels << ", security attributes "
      << (p.options.security_attributes == SecurityAttributeFormat::kCompact
              ? "compact (8C)"
              : "expanded (AB)")
      << "\n";
  out << "PINs:\n";
  for (std::uint8_t ref : p.pins.KeyRefs()) {
    const PinState* s = p.pins.Find(ref);
    out << "  " << KeyName(ref) << " (" << codec::ToHexLiteral(ref) << ") \""
        << s->config.pin << "\"" << (s->config.enabled ? "" : " disabled")
        << ", " << s->config.max_tries << " tries";
    if (!s->config.puk.empty())
      out << ", PUK \"" << s->config.puk << "\" " << s->config.max_puk_tries
          << " tries";
    out << "\n";
  }
  for (const auto& app : p.pkcs15) {
    out << "PKCS#15 application \"" << app.label << "\" AID "
        << codec::ToHex(app.aid) << " at " << codec::ToHex(app.absolute_path)
        << "\n";
    for (const auto& d : app.objects) {
      out << "  data object \"" << d.label << "\" OID " << d.oid << " -> "
          << codec::ToHex(d.path) << " (" << p.fs.PathOf(d.ef) << ")"
          << (d.is_private ? ", private (authId PIN1)" : "") << "\n";
    }
  }
  for (const auto& w : p.warnings) out << "Warning: " << w.ToString() << "\n";
  out << "Files:\n";
  DumpFile(out, p, p.fs.mf(), 0, o);
  return out.str();
}

}  // namespace omaiop::sim::uicc
