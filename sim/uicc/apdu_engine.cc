#include "sim/uicc/apdu_engine.h"

#include <algorithm>

#include "sim/uicc/fcp.h"

namespace omaiop::sim::uicc {
namespace {

constexpr std::uint8_t kAtr[] = {0x3B, 0x9E, 0x96, 0x80, 0x1F, 0xC7, 0x80,
                                 0x31, 0xA0, 0x73, 0xBE, 0x21, 0x13, 0x56,
                                 'o',  'm',  'a',  'i',  'o',  'p',  0xFD};

enum class ClaKind {
  kInterindustry,
  kProprietary,
  kGsm,
  kSecureMessaging,
  kUnsupported
};

struct Cla {
  ClaKind kind = ClaKind::kUnsupported;
  int channel = 0;
};

// TS 102 221 §10.1.1 Table 10.3: 0X (channels 0-3, b4b3 = secure
// messaging), 4X (channels 4-19), 8X/CX the same for proprietary commands;
// GSM 11.11 §9.2: A0.
Cla DecodeCla(std::uint8_t cla, const CardOptions& o) {
  Cla r;
  if (cla == 0xA0) {
    r.kind = o.gsm_cla ? ClaKind::kGsm : ClaKind::kUnsupported;
    return r;
  }
  if (!o.uicc_cla) return r;
  const bool proprietary = cla & 0x80;
  const std::uint8_t base = cla & 0x7F;
  if (base <= 0x0F) {
    r.channel = base & 0x03;
    r.kind = (base & 0x0C) ? ClaKind::kSecureMessaging
                           : (proprietary ? ClaKind::kProprietary
                                          : ClaKind::kInterindustry);
  } else if (base >= 0x40 && base <= 0x4F) {
    r.channel = 4 + (base & 0x0F);
    r.kind = proprietary ? ClaKind::kProprietary : ClaKind::kInterindustry;
  } else if (base >= 0x60 && base <= 0x6F) {
    r.kind = ClaKind::kSecureMessaging;
  }
  return r;
}

// Which class an instruction belongs to (TS 102 221 §10.1.2 Table 10.5).
enum class InsClass { kUnknown, kInterindustry, kProprietary };
InsClass ClassOf(std::uint8_t ins) {
  switch (ins) {
    case 0xA4:
    case 0xB0:
    case 0xD6:
    case 0xB2:
    case 0xDC:
    case 0xA2:
    case 0x20:
    case 0x24:
    case 0x26:
    case 0x28:
    case 0x2C:
    case 0xC0:
    case 0x70:
    case 0x04:
    case 0x44:
      return InsClass::kInterindustry;
    case 0xF2:
      return InsClass::kProprietary;
    default:
      return InsClass::kUnknown;
  }
}

// Response whose length the card knows exactly (FCP, a record): Le absent or
// 00 (Ne = 256, "all") returns it; any other Le answers 6Cxx with the exact
// length (TS 102 221 §7.3.1.1.5 / ISO 7816-3 §12.2.3).
std::uint16_t ExactLeStatus(std::size_t size,
                            const std::optional<std::size_t>& le) {
  if (!le || *le == 256 || *le == size) return sw::kOk;
  return sw::WrongLe(size);
}

// GSM 11.11 §9.4 equivalents of the UICC status words the shared handlers
// return.
std::uint16_t ToGsmStatus(std::uint16_t s) {
  if ((s & 0xFFF0) == 0x63C0)
    return (s & 0x0F) ? sw::kGsmAccessDenied : sw::kGsmChvBlocked;
  if ((s & 0xFF00) == 0x6C00) return sw::kWrongLength;
  switch (s) {
    case sw::kAuthMethodBlocked:
      return sw::kGsmChvBlocked;
    case sw::kReferencedDataInvalidated:
    case sw::kConditionsNotSatisfied:
      return sw::kGsmContradictionChv;
    case sw::kSecurityNotSatisfied:
      return sw::kGsmAccessDenied;
    case sw::kFileNotFound:
      return sw::kGsmNotFound;
    case sw::kRecordNotFound:
    case sw::kWrongP1P2:
      return sw::kGsmOutOfRange;
    case sw::kIncompatibleFileStructure:
      return sw::kGsmFileInconsistent;
    case sw::kNoCurrentEf:
      return sw::kGsmNoEfSelected;
    case sw::kIncorrectP1P2:
    case sw::kIncorrectData:
      return sw::kWrongP1P2;
    case sw::kLcInconsistent:
      return sw::kWrongLength;
    case sw::kReferencedDataNotFound:
      return sw::kGsmNoChvInitialised;
    case sw::kFileInvalidated:
      return sw::kGsmContradictionInvalidation;
    default:
      return s;
  }
}

bool IsWarningOrOk(std::uint16_t s) { return s == sw::kOk || (s >> 8) == 0x62; }

}  // namespace

Card::Card(FileSystem fs, PinStore pins, CardOptions options)
    : fs_(std::move(fs)), pins_(std::move(pins)), options_(options) {
  options_.logical_channels =
      std::clamp(options_.logical_channels, 1, kMaxLogicalChannels);
  Reset();
}

ByteView Card::Atr() { return ByteView(kAtr, sizeof kAtr); }

void Card::Reset() {
  for (auto& ch : channels_) ch = ChannelState{};
  channels_[0].open = true;
  channels_[0].current_df = fs_.mf();
  pins_.ResetSession();
  pending_.clear();
  gsm_pending_ = false;
}

Bytes Card::Transmit(ByteView command) {
  auto parsed = ParseCommandApdu(command);
  if (!parsed.ok()) {
    pending_.clear();
    return MakeResponse(sw::kWrongLength);
  }
  const CommandApdu& c = *parsed;
  const Cla cla = DecodeCla(c.cla, options_);
  const bool gsm = cla.kind == ClaKind::kGsm;
  change_.reset();
  Reply r = gsm ? DispatchGsm(c) : Dispatch(c);
  if (change_ && listener_ && !listener_(*this, *change_)) {
    r.data.clear();
    r.sw = gsm ? sw::kGsmMemoryProblem : sw::kMemoryProblem;
  }
  change_.reset();
  if (gsm) return MakeResponse(r.data, r.sw);
  // T=0: data of a case-4 command is held back for GET RESPONSE.
  if (options_.strict_t0 && c.ins != 0xC0 && !c.data.empty() &&
      !r.data.empty() && IsWarningOrOk(r.sw)) {
    pending_ = std::move(r.data);
    gsm_pending_ = false;
    return MakeResponse(sw::BytesAvailable(pending_.size()));
  }
  return MakeResponse(r.data, r.sw);
}

Card::Reply Card::Dispatch(const CommandApdu& c) {
  const Cla cla = DecodeCla(c.cla, options_);
  if (c.ins != 0xC0) {
    pending_.clear();
    gsm_pending_ = false;
  }
  if (cla.kind == ClaKind::kUnsupported) return {{}, sw::kClaNotSupported};
  const InsClass ins = ClassOf(c.ins);
  if (ins == InsClass::kUnknown) return {{}, sw::kInsNotSupported};
  if (cla.kind == ClaKind::kSecureMessaging)
    return {{}, sw::kSecureMessagingNotSupported};
  if ((ins == InsClass::kProprietary) != (cla.kind == ClaKind::kProprietary))
    return {{}, sw::kClaNotSupported};
  if (cla.channel >= options_.logical_channels || !channels_[cla.channel].open)
    return {{}, sw::kChannelNotSupported};
  ChannelState& ch = channels_[cla.channel];
  switch (c.ins) {
    case 0xA4:
      return Select(ch, c);
    case 0xF2:
      return Status(ch, c);
    case 0xB0:
      return ReadBinary(ch, c);
    case 0xD6:
      return UpdateBinary(ch, c);
    case 0xB2:
      return ReadRecord(ch, c);
    case 0xDC:
      return UpdateRecord(ch, c);
    case 0xA2:
      return SearchRecord(ch, c);
    case 0x20:
    case 0x24:
    case 0x26:
    case 0x28:
    case 0x2C:
      return PinCommand(c);
    case 0xC0:
      return GetResponse(c);
    case 0x70:
      return ManageChannel(cla.channel, c);
    case 0x04:
      return SetLifeCycle(ch, c, false);
    case 0x44:
      return SetLifeCycle(ch, c, true);
  }
  return {{}, sw::kInsNotSupported};
}

// ---------------------------------------------------------------- selection

FileRef Card::FindByFid(const ChannelState& ch, std::uint16_t fid) const {
  // TS 102 221 §8.4.1: MF, current ADF (7FFF), the current DF, its
  // children, its parent, and the parent's other DFs.
  if (fid == kMfFid) return fs_.mf();
  if (fid == kCurrentAdfFid) return ch.current_adf;
  const FileRef df = ch.current_df;
  if (fs_.at(df).fid == fid && fs_.at(df).kind != FileKind::kAdf) return df;
  if (FileRef r = fs_.FindChild(df, fid); r != kNoFile) return r;
  const FileRef parent = fs_.at(df).parent;
  if (parent == kNoFile) return kNoFile;
  if (fs_.at(parent).fid == fid) return parent;
  if (FileRef r = fs_.FindChild(parent, fid); r != kNoFile && fs_.at(r).IsDf())
    return r;
  return kNoFile;
}

FileRef Card::FindByPath(const ChannelState& ch, ByteView path,
                         bool from_mf) const {
  FileRef at = from_mf ? fs_.mf() : ch.current_df;
  for (std::size_t i = 0; i + 1 < path.size(); i += 2) {
    const std::uint16_t fid =
        static_cast<std::uint16_t>(path[i] << 8 | path[i + 1]);
    if (!fs_.at(at).IsDf()) return kNoFile;  // EF in the middle of a path
    if (i == 0 && fid == kCurrentAdfFid) {
      at = ch.current_adf;
      if (at == kNoFile) return kNoFile;
      continue;
    }
    // Tolerate a leading 3F00 in a path from the MF (ISO 7816-4 leaves it
    // out, some readers send it).
    if (i == 0 && from_mf && fid == kMfFid) continue;
    at = fs_.FindChild(at, fid);
    if (at == kNoFile) return kNoFile;
  }
  return at;
}

void Card::MakeCurrent(ChannelState& ch, FileRef ref) {
  const File& f = fs_.at(ref);
  ch.record = 0;
  if (f.IsDf()) {
    ch.current_df = ref;
    ch.current_ef = kNoFile;
    if (f.kind == FileKind::kAdf) ch.current_adf = ref;
  } else {
    ch.current_df = f.parent;
    ch.current_ef = ref;
  }
}

Card::Reply Card::Fcp(FileRef ref) const {
  return {BuildFcp(fs_, ref, pins_, options_.security_attributes), sw::kOk};
}

Card::Reply Card::Select(ChannelState& ch, const CommandApdu& c) {
  // P2 (TS 102 221 §11.1.1.2): b8-b5 0000 activation (0100 termination is
  // not supported), b4-b3 response (01 FCP, 11 none; 00 = FCI, served as the
  // FCP), b2-b1 occurrence (only with P1=04: 00 first, 10 next).
  if ((c.p2 & 0xF0) != 0 || (c.p2 & 0x0C) == 0x08)
    return {{}, sw::kIncorrectP1P2};
  const int occurrence = c.p2 & 0x03;
  if (occurrence != 0 && (c.p1 != 0x04 || occurrence != 0x02))
    return {{}, sw::kIncorrectP1P2};
  const bool want_fcp = (c.p2 & 0x0C) != 0x0C;

  FileRef target = kNoFile;
  switch (c.p1) {
    case 0x00:
      if (c.data.empty()) {
        target = fs_.mf();  // ISO 7816-4 §11.2.2: no data selects the MF
      } else if (c.data.size() != 2) {
        return {{}, sw::kLcInconsistent};
      } else {
        target = FindByFid(
            ch, static_cast<std::uint16_t>(c.data[0] << 8 | c.data[1]));
      }
      break;
    case 0x01:  // child DF
      if (c.data.size() != 2) return {{}, sw::kLcInconsistent};
      target =
          fs_.FindChild(ch.current_df,
                        static_cast<std::uint16_t>(c.data[0] << 8 | c.data[1]));
      if (target != kNoFile && !fs_.at(target).IsDf()) target = kNoFile;
      break;
    case 0x03:  // parent of the current DF
      if (!c.data.empty()) return {{}, sw::kLcInconsistent};
      target = fs_.at(ch.current_df).parent;
      break;
    case 0x04: {  // DF name (AID), partial match allowed
      if (c.data.empty() || c.data.size() > 16)
        return {{}, sw::kLcInconsistent};
      const auto matches = fs_.FindByDfName(c.data);
      if (occurrence == 0) {
        if (!matches.empty()) target = matches.front();
      } else {
        // Next occurrence after the current application/DF.
        auto it = std::find(matches.begin(), matches.end(), ch.current_df);
        if (it == matches.end())
          it = std::find(matches.begin(), matches.end(), ch.current_adf);
        if (it == matches.end()) {
          if (!matches.empty()) target = matches.front();
        } else if (++it != matches.end()) {
          target = *it;
        }
      }
      break;
    }
    case 0x08:  // path from MF
    case 0x09:  // path from current DF
      if (c.data.empty() || c.data.size() % 2 != 0)
        return {{}, sw::kLcInconsistent};
      target = FindByPath(ch, c.data, c.p1 == 0x08);
      break;
    default:
      return {{}, sw::kIncorrectP1P2};
  }
  if (target == kNoFile) return {{}, sw::kFileNotFound};
  MakeCurrent(ch, target);
  const bool invalidated = fs_.at(target).lcs == LifeCycle::kDeactivated;
  Reply r;
  if (want_fcp) {
    r = Fcp(target);
    r.sw = ExactLeStatus(r.data.size(), c.le);
    if (r.sw != sw::kOk) r.data.clear();
  }
  if (invalidated && r.sw == sw::kOk) r.sw = sw::kFileInvalidated;
  return r;
}

Card::Reply Card::Status(ChannelState& ch, const CommandApdu& c) {
  // TS 102 221 §11.1.2: P1 = application status indication.
  if (c.p1 > 0x02) return {{}, sw::kIncorrectP1P2};
  Reply r;
  switch (c.p2) {
    case 0x00:
      r = Fcp(ch.current_df);
      break;
    case 0x01:
      if (ch.current_adf != kNoFile) {
        r.data.push_back(0x84);
        const Bytes& aid = fs_.at(ch.current_adf).aid;
        r.data.push_back(static_cast<std::uint8_t>(aid.size()));
        r.data.insert(r.data.end(), aid.begin(), aid.end());
      }
      break;
    case 0x0C:
      return {};
    default:
      return {{}, sw::kIncorrectP1P2};
  }
  r.sw = ExactLeStatus(r.data.size(), c.le);
  if (r.sw != sw::kOk) r.data.clear();
  return r;
}

// ------------------------------------------------------------ EF access

std::uint16_t Card::CheckAccess(const File& f, Operation op) const {
  switch (f.access.For(op)) {
    case AccessCondition::kAlways:
      return sw::kOk;
    case AccessCondition::kPin1:
      return pins_.IsSatisfied(kKeyPin1) ? sw::kOk : sw::kSecurityNotSatisfied;
    case AccessCondition::kPin2:
      return pins_.IsSatisfied(kKeyPin2) ? sw::kOk : sw::kSecurityNotSatisfied;
    case AccessCondition::kAdm:
      return pins_.IsSatisfied(kKeyAdm1) ? sw::kOk : sw::kSecurityNotSatisfied;
    case AccessCondition::kNever:
      return sw::kSecurityNotSatisfied;
  }
  return sw::kSecurityNotSatisfied;
}

std::uint16_t Card::ResolveEf(ChannelState& ch, std::uint8_t sfi,
                              FileRef* out) {
  if (sfi != 0) {
    const FileRef r = fs_.FindBySfi(ch.current_df, sfi);
    if (r == kNoFile) return sw::kFileNotFound;
    // TS 102 221 §11.1.3: the file referenced by SFI becomes the current EF.
    if (r != ch.current_ef) MakeCurrent(ch, r);
    *out = r;
    return sw::kOk;
  }
  if (ch.current_ef == kNoFile) return sw::kNoCurrentEf;
  *out = ch.current_ef;
  return sw::kOk;
}

namespace {
// READ/UPDATE BINARY addressing, TS 102 221 §11.1.3.2: P1 b8=1 -> SFI in
// b5-b1 (b7-b6 must be 0) and an 8-bit offset in P2; else a 15-bit offset.
bool BinaryAddress(const CommandApdu& c, std::uint8_t* sfi,
                   std::size_t* offset) {
  if (c.p1 & 0x80) {
    if ((c.p1 & 0x60) != 0) return false;
    *sfi = c.p1 & 0x1F;
    if (*sfi == 0 || *sfi == 0x1F) return false;
    *offset = c.p2;
  } else {
    *sfi = 0;
    *offset = static_cast<std::size_t>(c.p1) << 8 | c.p2;
  }
  return true;
}
}  // namespace

Card::Reply Card::ReadBinary(ChannelState& ch, const CommandApdu& c) {
  std::uint8_t sfi;
  std::size_t offset;
  if (!BinaryAddress(c, &sfi, &offset)) return {{}, sw::kIncorrectP1P2};
  if (!c.data.empty()) return {{}, sw::kWrongLength};
  FileRef ref;
  if (auto s = ResolveEf(ch, sfi, &ref); s != sw::kOk) return {{}, s};
  const File& f = fs_.at(ref);
  if (f.kind != FileKind::kTransparent)
    return {{}, sw::kIncompatibleFileStructure};
  if (auto s = CheckAccess(f, Operation::kRead); s != sw::kOk) return {{}, s};
  // UNCERTAIN: status word for reading a deactivated EF; we answer 6283.
  if (f.lcs == LifeCycle::kDeactivated) return {{}, sw::kFileInvalidated};
  if (offset >= f.data.size()) return {{}, sw::kWrongP1P2};
  const std::size_t avail = f.data.size() - offset;
  // Le 00 (Ne=256) reads what is there, up to 256; an explicit Le beyond
  // the end answers 6Cxx with the bytes available (uicc.md §3).
  std::size_t n;
  if (!c.le || *c.le == 256) {
    n = std::min<std::size_t>(avail, 256);
  } else if (*c.le > avail) {
    return {{}, sw::WrongLe(avail)};
  } else {
    n = *c.le;
  }
  return {Bytes(f.data.begin() + offset, f.data.begin() + offset + n), sw::kOk};
}

Card::Reply Card::UpdateBinary(ChannelState& ch, const CommandApdu& c) {
  std::uint8_t sfi;
  std::size_t offset;
  if (!BinaryAddress(c, &sfi, &offset)) return {{}, sw::kIncorrectP1P2};
  if (c.data.empty() || c.le) return {{}, sw::kWrongLength};
  FileRef ref;
  if (auto s = ResolveEf(ch, sfi, &ref); s != sw::kOk) return {{}, s};
  File& f = fs_.at(ref);
  if (f.kind != FileKind::kTransparent)
    return {{}, sw::kIncompatibleFileStructure};
  if (auto s = CheckAccess(f, Operation::kUpdate); s != sw::kOk) return {{}, s};
  if (f.lcs == LifeCycle::kDeactivated) return {{}, sw::kFileInvalidated};
  if (offset >= f.data.size()) return {{}, sw::kWrongP1P2};
  if (c.data.size() > f.data.size() - offset) return {{}, sw::kWrongLength};
  std::copy(c.data.begin(), c.data.end(), f.data.begin() + offset);
  change_ = CardChange{ref};
  return {};
}

namespace {
// Record addressing P2 (TS 102 221 §11.1.5): b8-b4 SFI (0 = current EF,
// 31 reserved), b3-b1 mode.
bool RecordAddress(std::uint8_t p2, std::uint8_t* sfi, int* mode) {
  *sfi = p2 >> 3;
  *mode = p2 & 0x07;
  return *sfi != 0x1F;
}
}  // namespace

Card::Reply Card::ReadRecord(ChannelState& ch, const CommandApdu& c) {
  std::uint8_t sfi;
  int mode;
  if (!RecordAddress(c.p2, &sfi, &mode)) return {{}, sw::kIncorrectP1P2};
  if (mode != 0x02 && mode != 0x03 && mode != 0x04)
    return {{}, sw::kIncorrectP1P2};
  if (mode != 0x04 && c.p1 != 0) return {{}, sw::kIncorrectP1P2};
  if (!c.data.empty()) return {{}, sw::kWrongLength};
  FileRef ref;
  if (auto s = ResolveEf(ch, sfi, &ref); s != sw::kOk) return {{}, s};
  const File& f = fs_.at(ref);
  if (!f.IsRecordEf()) return {{}, sw::kIncompatibleFileStructure};
  if (auto s = CheckAccess(f, Operation::kRead); s != sw::kOk) return {{}, s};
  if (f.lcs == LifeCycle::kDeactivated) return {{}, sw::kFileInvalidated};
  const int count = static_cast<int>(f.records.size());
  const bool cyclic = f.kind == FileKind::kCyclic;
  int rec;
  switch (mode) {
    case 0x04:  // absolute/current; the record pointer is not changed
      rec = c.p1 == 0 ? ch.record : c.p1;
      if (rec < 1 || rec > count) return {{}, sw::kRecordNotFound};
      break;
    case 0x02:  // next
      rec = ch.record == 0 ? 1 : ch.record + 1;
      if (rec > count) {
        if (!cyclic) return {{}, sw::kRecordNotFound};
        rec = 1;
      }
      ch.record = rec;
      break;
    default:  // 0x03 previous
      rec = ch.record == 0 ? count : ch.record - 1;
      if (rec < 1) {
        if (!cyclic) return {{}, sw::kRecordNotFound};
        rec = count;
      }
      ch.record = rec;
      break;
  }
  const Bytes& data = f.records[rec - 1];
  const std::uint16_t s = ExactLeStatus(data.size(), c.le);
  if (s != sw::kOk) return {{}, s};
  return {data, sw::kOk};
}

Card::Reply Card::UpdateRecord(ChannelState& ch, const CommandApdu& c) {
  std::uint8_t sfi;
  int mode;
  if (!RecordAddress(c.p2, &sfi, &mode)) return {{}, sw::kIncorrectP1P2};
  if (mode != 0x02 && mode != 0x03 && mode != 0x04)
    return {{}, sw::kIncorrectP1P2};
  if (mode != 0x04 && c.p1 != 0) return {{}, sw::kIncorrectP1P2};
  if (c.le) return {{}, sw::kWrongLength};
  FileRef ref;
  if (auto s = ResolveEf(ch, sfi, &ref); s != sw::kOk) return {{}, s};
  File& f = fs_.at(ref);
  if (!f.IsRecordEf()) return {{}, sw::kIncompatibleFileStructure};
  if (auto s = CheckAccess(f, Operation::kUpdate); s != sw::kOk) return {{}, s};
  if (f.lcs == LifeCycle::kDeactivated) return {{}, sw::kFileInvalidated};
  if (c.data.size() != f.record_size) return {{}, sw::kWrongLength};
  const int count = static_cast<int>(f.records.size());
  if (f.kind == FileKind::kCyclic) {
    // TS 102 221 §11.1.6: cyclic EFs take PREVIOUS only; the oldest record
    // is overwritten and becomes record 1.
    if (mode != 0x03) return {{}, sw::kIncompatibleFileStructure};
    f.records.pop_back();
    f.records.insert(f.records.begin(), c.data);
    ch.record = 1;
    change_ = CardChange{ref};
    return {};
  }
  int rec;
  switch (mode) {
    case 0x04:
      rec = c.p1 == 0 ? ch.record : c.p1;
      if (rec < 1 || rec > count) return {{}, sw::kRecordNotFound};
      break;
    case 0x02:
      rec = ch.record == 0 ? 1 : ch.record + 1;
      if (rec > count) return {{}, sw::kRecordNotFound};
      ch.record = rec;
      break;
    default:
      rec = ch.record == 0 ? count : ch.record - 1;
      if (rec < 1) return {{}, sw::kRecordNotFound};
      ch.record = rec;
      break;
  }
  f.records[rec - 1] = c.data;
  change_ = CardChange{ref};
  return {};
}

Card::Reply Card::SearchRecord(ChannelState& ch, const CommandApdu& c) {
  std::uint8_t sfi;
  int mode;
  if (!RecordAddress(c.p2, &sfi, &mode)) return {{}, sw::kIncorrectP1P2};
  // 04 simple search forward from P1, 05 backward; 06 (enhanced) and the
  // rest are not supported.
  if (mode != 0x04 && mode != 0x05) return {{}, sw::kIncorrectP1P2};
  if (c.data.empty()) return {{}, sw::kWrongLength};
  FileRef ref;
  if (auto s = ResolveEf(ch, sfi, &ref); s != sw::kOk) return {{}, s};
  const File& f = fs_.at(ref);
  if (!f.IsRecordEf()) return {{}, sw::kIncompatibleFileStructure};
  if (auto s = CheckAccess(f, Operation::kRead); s != sw::kOk) return {{}, s};
  if (f.lcs == LifeCycle::kDeactivated) return {{}, sw::kFileInvalidated};
  if (c.data.size() > f.record_size) return {{}, sw::kWrongLength};
  const int count = static_cast<int>(f.records.size());
  int start = c.p1 == 0
                  ? (ch.record == 0 ? (mode == 0x04 ? 1 : count) : ch.record)
                  : c.p1;
  if (start < 1 || start > count) return {{}, sw::kRecordNotFound};
  Bytes hits;
  const int step = mode == 0x04 ? 1 : -1;
  for (int rec = start; rec >= 1 && rec <= count; rec += step) {
    // UNCERTAIN: we match the pattern anywhere in the record.
    const Bytes& r = f.records[rec - 1];
    if (std::search(r.begin(), r.end(), c.data.begin(), c.data.end()) !=
        r.end())
      hits.push_back(static_cast<std::uint8_t>(rec));
  }
  if (hits.empty()) return {{}, options_.search_no_match_sw};
  ch.record = hits.front();
  if (c.le && *c.le != 256 && *c.le < hits.size()) hits.resize(*c.le);
  return {hits, sw::kOk};
}

// ---------------------------------------------------------------- PINs

Card::Reply Card::PinCommand(const CommandApdu& c) {
  // TS 102 221 §11.1.9-11.1.13: P1 = 00, P2 = key reference.
  if (c.p1 != 0x00) return {{}, sw::kWrongP1P2};
  // A T=0 case-1 TPDU carries P3=00, which parses as Le=256: accept it.
  if (c.le && !(c.data.empty() && *c.le == 256)) return {{}, sw::kWrongLength};
  // Retry counters move on wrong and right PINs alike: always report.
  change_ = CardChange{kNoFile, true};
  switch (c.ins) {
    case 0x20:
      return {{}, pins_.Verify(c.p2, c.data)};
    case 0x24:
      return {{}, pins_.Change(c.p2, c.data)};
    case 0x26:
      return {{}, pins_.Disable(c.p2, c.data)};
    case 0x28:
      return {{}, pins_.Enable(c.p2, c.data)};
    default:
      return {{}, pins_.Unblock(c.p2, c.data)};
  }
}

// ------------------------------------------------------------ T=0, channels

Card::Reply Card::GetResponse(const CommandApdu& c) {
  if (c.p1 != 0 || c.p2 != 0) return {{}, sw::kIncorrectP1P2};
  if (!c.data.empty()) return {{}, sw::kWrongLength};
  // Data held back for a CLA A0 SELECT is GSM-format: not ours to hand out.
  if (pending_.empty() || gsm_pending_)
    return {{}, sw::kConditionsNotSatisfied};
  const std::size_t want = c.le.value_or(256);
  if (want > pending_.size()) return {{}, sw::WrongLe(pending_.size())};
  Reply r;
  r.data.assign(pending_.begin(), pending_.begin() + want);
  pending_.erase(pending_.begin(), pending_.begin() + want);
  r.sw = pending_.empty() ? sw::kOk : sw::BytesAvailable(pending_.size());
  return r;
}

Card::Reply Card::ManageChannel(int origin, const CommandApdu& c) {
  // TS 102 221 §11.1.17.
  if (!c.data.empty()) return {{}, sw::kWrongLength};
  if (c.p1 == 0x00) {
    int n = c.p2;
    if (n == 0) {
      for (n = 1; n < options_.logical_channels && channels_[n].open; ++n) {
      }
      if (n >= options_.logical_channels)
        return {{}, sw::kFunctionNotSupported};
    } else if (n >= options_.logical_channels || channels_[n].open) {
      return {{}, sw::kIncorrectP1P2};
    }
    // Opened from the basic channel: MF selected; from another channel: a
    // copy of that channel's selection (ISO 7816-4 §7.1.2).
    ChannelState fresh;
    if (origin != 0)
      fresh = channels_[origin];
    else
      fresh.current_df = fs_.mf();
    fresh.open = true;
    fresh.record = 0;
    channels_[n] = fresh;
    if (c.p2 != 0) return {};
    return {{static_cast<std::uint8_t>(n)}, sw::kOk};
  }
  if (c.p1 == 0x80) {
    if (c.le) return {{}, sw::kWrongLength};
    const int n = c.p2 == 0 ? origin : c.p2;
    if (n == 0 || n >= options_.logical_channels || !channels_[n].open)
      return {{}, sw::kIncorrectP1P2};
    channels_[n] = ChannelState{};
    return {};
  }
  return {{}, sw::kIncorrectP1P2};
}

Card::Reply Card::SetLifeCycle(ChannelState& ch, const CommandApdu& c,
                               bool activate) {
  // TS 102 221 §11.1.14/15: no data = the current EF; else P1=00 + FID.
  if (c.p2 != 0) return {{}, sw::kIncorrectP1P2};
  FileRef ref = kNoFile;
  if (c.data.empty()) {
    if (c.p1 != 0) return {{}, sw::kIncorrectP1P2};
    ref = ch.current_ef;
    if (ref == kNoFile) return {{}, sw::kNoCurrentEf};
  } else {
    if (c.p1 != 0) return {{}, sw::kIncorrectP1P2};
    if (c.data.size() != 2) return {{}, sw::kLcInconsistent};
    ref = FindByFid(ch, static_cast<std::uint16_t>(c.data[0] << 8 | c.data[1]));
    if (ref == kNoFile) return {{}, sw::kFileNotFound};
    MakeCurrent(ch, ref);
  }
  File& f = fs_.at(ref);
  const Operation op = activate ? Operation::kActivate : Operation::kDeactivate;
  if (auto s = CheckAccess(f, op); s != sw::kOk) return {{}, s};
  if (f.lcs == LifeCycle::kTerminated) return {{}, sw::kConditionsNotSatisfied};
  f.lcs = activate ? LifeCycle::kActivated : LifeCycle::kDeactivated;
  change_ = CardChange{ref};
  return {};
}

// ---------------------------------------------------------------- GSM SIM

Card::Reply Card::DispatchGsm(const CommandApdu& c) {
  // GSM 11.11 §9.2: the same state as channel 0; SWs mapped by ToGsmStatus.
  ChannelState& ch = channels_[0];
  if (c.ins != 0xC0) {
    pending_.clear();
    gsm_pending_ = false;
  }
  auto gsm = [](Reply r) {
    r.sw = ToGsmStatus(r.sw);
    return r;
  };
  CommandApdu u = c;  // UICC form of the command for the shared handlers
  u.cla = 0x00;
  switch (c.ins) {
    case 0xA4: {  // SELECT: FID only, P1 P2 = 00 00, answer 9Fxx
      if (c.p1 != 0 || c.p2 != 0) return {{}, sw::kWrongP1P2};
      if (c.data.size() != 2) return {{}, sw::kWrongLength};
      const FileRef r =
          FindByFid(ch, static_cast<std::uint16_t>(c.data[0] << 8 | c.data[1]));
      if (r == kNoFile) return {{}, sw::kGsmNotFound};
      MakeCurrent(ch, r);
      pending_ = BuildGsmResponse(fs_, r, pins_);
      gsm_pending_ = true;
      return {{}, sw::GsmResponseLength(pending_.size())};
    }
    case 0xC0: {  // GET RESPONSE: P3 up to the available length
      if (c.p1 != 0 || c.p2 != 0) return {{}, sw::kWrongP1P2};
      if (pending_.empty() || !gsm_pending_) return {{}, sw::kWrongLength};
      const std::size_t want = c.le.value_or(256);
      if (want > pending_.size() && want != 256) return {{}, sw::kWrongLength};
      Reply r;
      r.data = std::move(pending_);
      if (want < r.data.size()) r.data.resize(want);
      pending_.clear();
      return r;
    }
    case 0xF2: {  // STATUS: the current DF's response data
      if (c.p1 != 0 || c.p2 != 0) return {{}, sw::kWrongP1P2};
      Reply r{BuildGsmResponse(fs_, ch.current_df, pins_), sw::kOk};
      if (c.le && *c.le != 256) {
        if (*c.le > r.data.size()) return {{}, sw::kWrongLength};
        r.data.resize(*c.le);
      }
      return r;
    }
    case 0xB0:
    case 0xD6:
      if (c.p1 & 0x80) return {{}, sw::kGsmOutOfRange};
      return gsm(c.ins == 0xB0 ? ReadBinary(ch, u) : UpdateBinary(ch, u));
    case 0xB2:
    case 0xDC:
      if (c.p2 > 0x04) return {{}, sw::kWrongP1P2};  // no SFI in GSM
      return gsm(c.ins == 0xB2 ? ReadRecord(ch, u) : UpdateRecord(ch, u));
    case 0x20:
    case 0x24:
    case 0x26:
    case 0x28:
    case 0x2C: {
      // CHV numbers: 01 = CHV1 (key 01), 02 = CHV2 (key 81); UNBLOCK CHV
      // uses P2 00 for CHV1 (GSM 11.11 §9.2.12).
      std::uint8_t chv = c.p2;
      if (c.ins == 0x2C && chv == 0x00) chv = 0x01;
      if (chv == 0x01)
        u.p2 = kKeyPin1;
      else if (chv == 0x02)
        u.p2 = kKeyPin2;
      else
        return {{}, sw::kWrongP1P2};
      return gsm(PinCommand(u));
    }
    case 0x04:  // INVALIDATE
    case 0x44:  // REHABILITATE
      if (c.p1 != 0 || c.p2 != 0 || !c.data.empty())
        return {{}, sw::kWrongP1P2};
      return gsm(SetLifeCycle(ch, u, c.ins == 0x44));
    default:
      return {{}, sw::kInsNotSupported};
  }
}

}  // namespace omaiop::sim::uicc
