#include "harness/adapters/card/card_edits.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codec/wbxml.h"
#include "codec/xml.h"
#include "sim/uicc/pin.h"

namespace omaiop::harness::adapters {

namespace {

namespace fs = std::filesystem;
namespace uicc = sim::uicc;

std::optional<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

codec::Diagnostic EditError(const script::SourceLoc& loc, std::string what) {
  return codec::Error(loc.ToString() + ": " + what, 0, "test case <card>");
}

// Bytes with the trailing FF padding removed (unused card file space).
codec::ByteView Unpadded(codec::ByteView b) {
  std::size_t n = b.size();
  while (n > 0 && b[n - 1] == 0xFF) --n;
  return b.first(n);
}

codec::Status ApplyWrite(const script::TestCase& tc, const script::WriteFile& w,
                         uicc::Profile& p) {
  codec::Bytes bytes;
  if (!w.hex.empty()) {
    auto b = codec::ParseHex(w.hex);
    if (!b.ok()) return EditError(w.loc, "write-file hex: " + b.error().what);
    bytes = *b;
  } else if (!w.text.empty()) {
    auto v = codec::AsBytes(w.text);
    bytes.assign(v.begin(), v.end());
  } else {
    auto text = ReadText(script::ResolveCasePath(tc, w.file));
    if (!text) return EditError(w.loc, "write-file: cannot read " + w.file);
    auto v = codec::AsBytes(*text);
    bytes.assign(v.begin(), v.end());
  }
  OMAIOP_ASSIGN_OR_RETURN(uicc::FileRef ref, FindCardFile(p.fs, w.path));
  uicc::File& f = p.fs.at(ref);
  if (f.IsDf()) return EditError(w.loc, w.path + " is a DF, not an EF");
  if (w.record == 0) {
    if (f.IsRecordEf())
      return EditError(w.loc, w.path + " is a record EF: give record=\"N\"");
    if (bytes.size() > f.data.size())
      return EditError(w.loc, std::to_string(bytes.size()) +
                                  " bytes do not fit " + w.path + " (" +
                                  std::to_string(f.data.size()) + " bytes)");
    std::fill(f.data.begin(), f.data.end(), 0xFF);
    std::copy(bytes.begin(), bytes.end(), f.data.begin());
  } else {
    if (!f.IsRecordEf())
      return EditError(w.loc, w.path + " is transparent: no record=");
    if (w.record > f.records.size())
      return EditError(w.loc, w.path + " has " +
                                  std::to_string(f.records.size()) +
                                  " records, not " + std::to_string(w.record));
    if (bytes.size() > f.record_size)
      return EditError(w.loc, std::to_string(bytes.size()) +
                                  " bytes do not fit a record of " +
                                  std::to_string(f.record_size));
    codec::Bytes& r = f.records[w.record - 1];
    r.assign(f.record_size, 0xFF);
    std::copy(bytes.begin(), bytes.end(), r.begin());
  }
  // The dump (omaiop uicc dump) shows the edited bytes as hex.
  auto& content = p.contents[ref];
  content.kind = uicc::ContentKind::kHex;
  content.source = "test case " + w.loc.ToString();
  content.used = bytes.size();
  return codec::OkStatus();
}

codec::Status ApplySetPin(const script::SetPin& s, uicc::Profile& p) {
  std::uint8_t ref = 0;
  if (s.ref == "PIN1")
    ref = uicc::kKeyPin1;
  else if (s.ref == "PIN2")
    ref = uicc::kKeyPin2;
  else if (s.ref == "ADM")
    ref = uicc::kKeyAdm1;
  else
    return EditError(s.loc, "set-pin ref " + s.ref + " (PIN1, PIN2 or ADM)");
  const uicc::PinState* cur = p.pins.Find(ref);
  if (!cur) return EditError(s.loc, "the profile has no " + s.ref);
  const std::string pin = s.value.empty() ? cur->config.pin : s.value;
  bool enabled = cur->config.enabled;
  int tries = cur->config.max_tries;
  if (s.state == "enabled" || s.state == "verified")
    enabled = true;
  else if (s.state == "disabled")
    enabled = false;
  else if (s.state == "blocked")
    tries = 0;
  else if (!s.state.empty())
    return EditError(s.loc, "set-pin state " + s.state);
  if (s.tries) {
    if (s.state == "blocked" && *s.tries != 0)
      return EditError(
          s.loc, "set-pin: blocked with tries=" + std::to_string(*s.tries));
    tries = *s.tries;
  }
  auto st = p.pins.Restore(ref, pin, enabled, tries, cur->puk_tries_left);
  if (!st.ok()) return EditError(s.loc, "set-pin: " + st.error().what);
  return codec::OkStatus();
}

std::string Hex(codec::ByteView b) {
  return codec::ToHex(b, codec::HexCase::kUpper, " ");
}

}  // namespace

std::string ResolveProfilePath(const script::TestCase& tc,
                               const std::string& profile) {
  if (profile.find('/') != std::string::npos ||
      (profile.size() > 4 && profile.ends_with(".xml")))
    return script::ResolveCasePath(tc, profile);
  std::string path =
      script::ResolveCasePath(tc, "fixtures/uicc/" + profile + ".xml");
  std::error_code ec;
  if (!fs::exists(path, ec))
    path =
        std::string(OMAIOP_SOURCE_DIR) + "/fixtures/uicc/" + profile + ".xml";
  return path;
}

codec::Result<uicc::Profile> LoadCardProfile(
    const script::TestCase& tc, const std::string& profile,
    std::span<const script::CardEdit> edits) {
  OMAIOP_ASSIGN_OR_RETURN(uicc::Profile p,
                          uicc::LoadProfile(ResolveProfilePath(tc, profile)));
  OMAIOP_RETURN_IF_ERROR(ApplyCardEdits(tc, edits, p));
  return p;
}

codec::Status ApplyCardEdits(const script::TestCase& tc,
                             std::span<const script::CardEdit> edits,
                             uicc::Profile& profile) {
  for (const auto& e : edits) {
    if (const auto* w = std::get_if<script::WriteFile>(&e)) {
      OMAIOP_RETURN_IF_ERROR(ApplyWrite(tc, *w, profile));
    } else {
      OMAIOP_RETURN_IF_ERROR(ApplySetPin(std::get<script::SetPin>(e), profile));
    }
  }
  return codec::OkStatus();
}

codec::Result<std::shared_ptr<sim::uicc::Card>> MakeCaseCard(
    const script::TestCase& tc, const std::string& profile, bool with_edits) {
  std::vector<script::CardEdit> edits;
  if (with_edits && tc.preconditions.card) edits = tc.preconditions.card->edits;
  OMAIOP_ASSIGN_OR_RETURN(sim::uicc::Profile p,
                          LoadCardProfile(tc, profile, edits));
  return std::make_shared<sim::uicc::Card>(p.MakeCard());
}

codec::Result<codec::Bytes> ParseFidPath(std::string_view text) {
  std::string hex;
  for (char c : text)
    if (c != '/' && c != ' ') hex += c;
  auto b = codec::ParseHex(hex);
  if (!b.ok() || b->size() < 2 || b->size() % 2)
    return codec::Error("bad card file path '" + std::string(text) +
                            "' (FIDs as hex, e.g. 3F00/7F10/6F3A)",
                        0, "test case <card>");
  return *b;
}

codec::Result<uicc::FileRef> FindCardFile(const uicc::FileSystem& fs,
                                          std::string_view path) {
  OMAIOP_ASSIGN_OR_RETURN(codec::Bytes fids, ParseFidPath(path));
  uicc::FileRef cur = fs.mf();
  std::size_t i = 0;
  // The path starts at the MF; a leading 3F00 names it.
  if (fids[0] == 0x3F && fids[1] == 0x00) i = 2;
  for (; i < fids.size(); i += 2) {
    const std::uint16_t fid =
        static_cast<std::uint16_t>(fids[i] << 8 | fids[i + 1]);
    uicc::FileRef next = fs.FindChild(cur, fid);
    if (next == uicc::kNoFile)
      return codec::Error("card file " + std::string(path) + ": no " +
                              codec::ToHex(codec::ByteView(fids).subspan(i, 2),
                                           codec::HexCase::kUpper) +
                              " under " + fs.PathOf(cur),
                          i / 2, "test case <card>");
    cur = next;
  }
  return cur;
}

codec::Result<codec::Bytes> ReadCardFile(const uicc::FileSystem& fs,
                                         std::string_view path,
                                         std::uint32_t record) {
  OMAIOP_ASSIGN_OR_RETURN(uicc::FileRef ref, FindCardFile(fs, path));
  const uicc::File& f = fs.at(ref);
  if (f.IsDf())
    return codec::Error(std::string(path) + " is a DF", 0, kRuleCheckCardFile);
  if (record == 0) {
    if (f.IsRecordEf())
      return codec::Error(std::string(path) + " is a record EF: give record=",
                          0, kRuleCheckCardFile);
    return f.data;
  }
  if (!f.IsRecordEf() || record > f.records.size())
    return codec::Error(
        std::string(path) + " has no record " + std::to_string(record), 0,
        kRuleCheckCardFile);
  return f.records[record - 1];
}

codec::Result<std::string> DecodeCardDocument(codec::ByteView file) {
  codec::ByteView used = Unpadded(file);
  if (used.empty())
    return codec::Error("the file is empty (all FF)", 0, kRuleCheckCardFile);
  if (used[0] >= 0x01 && used[0] <= 0x03) {
    OMAIOP_ASSIGN_OR_RETURN(codec::WbxmlDocument d, codec::DecodeWbxml(used));
    return codec::SerializeXml(d.doc.get(), true, false);
  }
  OMAIOP_ASSIGN_OR_RETURN(codec::XmlDoc d,
                          codec::ParseXml(codec::AsString(used), "card file"));
  return codec::SerializeXml(d.get(), true, false);
}

StepOutcome CompareCardFile(const script::TestCase& tc,
                            const script::CheckCardFileStep& c,
                            codec::ByteView got) {
  const std::string what =
      c.path + (c.record ? " record " + std::to_string(c.record) : "");
  if (!c.hex.empty()) {
    auto want = codec::ParseHex(c.hex);
    if (!want.ok()) return ErrorOutcome("bad hex in check-card-file");
    // A transparent EF longer than the expectation: the rest must be FF
    // padding (unused space), else the file holds more than expected.
    std::size_t n = std::min(want->size(), got.size());
    std::size_t at = 0;
    while (at < n && (*want)[at] == got[at]) ++at;
    bool equal = at == want->size() && at <= got.size();
    if (equal)
      for (std::size_t i = at; i < got.size(); ++i)
        if (got[i] != 0xFF) {
          equal = false;
          at = i;
          break;
        }
    if (equal) return Pass(what + " = " + Hex(got.first(want->size())));
    return Fail(what + " differs at byte offset " + std::to_string(at) +
                    ": got " + Hex(got) + ", expected " + Hex(*want) + " [" +
                    kRuleCheckCardFile + "]",
                kRuleCheckCardFile);
  }
  std::string expected_text = c.xml;
  if (expected_text.empty()) {
    auto t = ReadText(script::ResolveCasePath(tc, c.xml_file));
    if (!t) return ErrorOutcome("cannot read xml-file " + c.xml_file);
    expected_text = *t;
  }
  auto expected = codec::ParseXml(expected_text, "expected card document");
  if (!expected.ok())
    return ErrorOutcome("expected XML: " + expected.error().ToString());
  auto decoded = DecodeCardDocument(got);
  if (!decoded.ok())
    return Fail(what + " does not decode: " + decoded.error().ToString() +
                    " [" + kRuleCheckCardFile + "]",
                kRuleCheckCardFile);
  auto doc = codec::ParseXml(*decoded, "decoded card file");
  if (!doc.ok()) return ErrorOutcome("decoded XML: " + doc.error().ToString());
  std::string diff;
  if (codec::XmlEquivalent(doc->get(), expected->get(), &diff))
    return Pass(what + " decodes to the expected document");
  return Fail(what + " decodes to a different document: " + diff + " [" +
                  kRuleCheckCardFile + "]",
              kRuleCheckCardFile);
}

}  // namespace omaiop::harness::adapters
