#include "sim/uicc/fcp.h"

#include <algorithm>

#include "sim/uicc/tlv.h"

namespace omaiop::sim::uicc {
namespace {

using internal::AppendTlv;

std::uint8_t Hi(std::size_t v) { return static_cast<std::uint8_t>(v >> 8); }
std::uint8_t Lo(std::size_t v) { return static_cast<std::uint8_t>(v & 0xFF); }

// File descriptor byte, TS 102 221 §11.1.1.4.3 (b7 = shareable).
std::uint8_t DescriptorByte(FileKind kind) {
  switch (kind) {
    case FileKind::kMf:
    case FileKind::kDf:
    case FileKind::kAdf:
      return 0x78;
    case FileKind::kTransparent:
      return 0x41;
    case FileKind::kLinearFixed:
      return 0x42;
    case FileKind::kCyclic:
      return 0x46;
  }
  return 0;
}

std::size_t TotalSize(const FileSystem& fs, FileRef ref) {
  std::size_t total = fs.at(ref).Size();
  for (FileRef c : fs.at(ref).children) total += TotalSize(fs, c);
  return total;
}

std::uint8_t GsmNibble(AccessCondition c) {
  switch (c) {
    case AccessCondition::kAlways:
      return 0x0;
    case AccessCondition::kPin1:
      return 0x1;
    case AccessCondition::kPin2:
      return 0x2;
    case AccessCondition::kAdm:
      return 0xA;
    case AccessCondition::kNever:
      return 0xF;
  }
  return 0xF;
}

// GSM 11.11 §9.2.1: b8 = secret code initialised, b4..b1 = tries left.
std::uint8_t ChvStatus(const PinState* s, bool puk) {
  if (!s) return 0x00;
  if (puk && s->config.puk.empty()) return 0x00;
  return static_cast<std::uint8_t>(
      0x80 | ((puk ? s->puk_tries_left : s->tries_left) & 0x0F));
}

// Access-mode bits from b7 down to b1 with the operation each one guards.
struct AmBit {
  int bit;
  Operation op;
};
constexpr AmBit kAmBits[] = {
    {7, Operation::kDeleteFile}, {6, Operation::kTerminate},
    {5, Operation::kActivate},   {4, Operation::kDeactivate},
    {2, Operation::kUpdate},     {1, Operation::kRead}};

}  // namespace

Bytes ExpandedSecurityAttributes(const File& file) {
  static constexpr AccessCondition kOrder[] = {
      AccessCondition::kAlways, AccessCondition::kPin1, AccessCondition::kPin2,
      AccessCondition::kAdm, AccessCondition::kNever};
  Bytes out;
  for (AccessCondition cond : kOrder) {
    std::uint8_t am = 0;
    for (const AmBit& b : kAmBits) {
      if (file.IsDf() && b.bit < 4) continue;
      if (file.access.For(b.op) == cond)
        am |= static_cast<std::uint8_t>(1 << (b.bit - 1));
    }
    if (am == 0) continue;
    AppendTlv(out, 0x80, {am});
    switch (cond) {
      case AccessCondition::kAlways:
        AppendTlv(out, 0x90, ByteView{});
        break;
      case AccessCondition::kNever:
        AppendTlv(out, 0x97, ByteView{});
        break;
      default: {
        const std::uint8_t key = cond == AccessCondition::kPin1   ? kKeyPin1
                                 : cond == AccessCondition::kPin2 ? kKeyPin2
                                                                  : kKeyAdm1;
        // Control reference template for authentication: key reference and
        // usage qualifier 08 (user verification), TS 102 221 §9.5.1.
        AppendTlv(out, 0xA4, {0x83, 0x01, key, 0x95, 0x01, 0x08});
        break;
      }
    }
  }
  return out;
}

std::uint8_t SecurityConditionByte(AccessCondition condition) {
  switch (condition) {
    case AccessCondition::kAlways:
      return 0x00;
    case AccessCondition::kPin1:
      return 0x11;
    case AccessCondition::kPin2:
      return 0x12;
    case AccessCondition::kAdm:
      return 0x13;
    case AccessCondition::kNever:
      return 0xFF;
  }
  return 0xFF;
}

Bytes CompactSecurityAttributes(const File& file) {
  Bytes out = {0x00};
  for (const AmBit& b : kAmBits) {
    if (file.IsDf() && b.bit < 4) continue;
    out[0] |= static_cast<std::uint8_t>(1 << (b.bit - 1));
    out.push_back(SecurityConditionByte(file.access.For(b.op)));
  }
  return out;
}

Bytes PinStatusTemplate(const PinStore& pins) {
  const auto refs = pins.KeyRefs();
  std::uint8_t bitmap = 0;
  for (std::size_t i = 0; i < refs.size() && i < 8; ++i)
    if (pins.Find(refs[i])->config.enabled)
      bitmap |= static_cast<std::uint8_t>(0x80 >> i);
  Bytes out;
  AppendTlv(out, 0x90, {bitmap});
  for (std::size_t i = 0; i < refs.size() && i < 8; ++i) {
    if (i == 0) AppendTlv(out, 0x95, {0x08});
    AppendTlv(out, 0x83, {refs[i]});
  }
  return out;
}

Bytes BuildFcp(const FileSystem& fs, FileRef ref, const PinStore& pins,
               SecurityAttributeFormat format) {
  const File& f = fs.at(ref);
  Bytes body;
  if (f.IsRecordEf()) {
    AppendTlv(body, 0x82,
              {DescriptorByte(f.kind), 0x21, Hi(f.record_size),
               Lo(f.record_size), Lo(f.records.size())});
  } else {
    AppendTlv(body, 0x82, {DescriptorByte(f.kind), 0x21});
  }
  AppendTlv(body, 0x83, {Hi(f.fid), Lo(f.fid)});
  if (f.IsDf() && !f.aid.empty()) AppendTlv(body, 0x84, f.aid);
  AppendTlv(body, 0x8A, {static_cast<std::uint8_t>(f.lcs)});
  if (format == SecurityAttributeFormat::kCompact) {
    AppendTlv(body, 0x8C, CompactSecurityAttributes(f));
  } else {
    AppendTlv(body, 0xAB, ExpandedSecurityAttributes(f));
  }
  if (f.IsDf()) {
    AppendTlv(body, 0xC6, PinStatusTemplate(pins));
    const std::size_t total = std::min<std::size_t>(TotalSize(fs, ref), 0xFFFF);
    AppendTlv(body, 0x81, {Hi(total), Lo(total)});
  } else {
    const std::size_t size = f.Size();
    AppendTlv(body, 0x80, {Hi(size), Lo(size)});
    if (f.sfi != 0) {
      AppendTlv(body, 0x88, {static_cast<std::uint8_t>(f.sfi << 3)});
    } else {
      AppendTlv(body, 0x88, codec::ByteView{});
    }
  }
  Bytes out;
  AppendTlv(out, 0x62, body);
  return out;
}

Bytes BuildGsmResponse(const FileSystem& fs, FileRef ref,
                       const PinStore& pins) {
  const File& f = fs.at(ref);
  if (f.IsDf()) {
    Bytes r(23, 0x00);
    r[4] = Hi(f.fid);
    r[5] = Lo(f.fid);
    r[6] = f.kind == FileKind::kMf ? 0x01 : 0x02;
    r[12] = 10;  // length of bytes 14..23
    const PinState* chv1 = pins.Find(kKeyPin1);
    const PinState* chv2 = pins.Find(kKeyPin2);
    // File characteristics b8: CHV1 disabled (GSM 11.11 §9.2.1).
    r[13] = chv1 && !chv1->config.enabled ? 0x80 : 0x00;
    std::uint8_t dfs = 0, efs = 0;
    for (FileRef c : f.children) (fs.at(c).IsDf() ? dfs : efs)++;
    r[14] = dfs;
    r[15] = efs;
    r[16] = static_cast<std::uint8_t>(pins.KeyRefs().size());
    r[18] = ChvStatus(chv1, false);
    r[19] = ChvStatus(chv1, true);
    r[20] = ChvStatus(chv2, false);
    r[21] = ChvStatus(chv2, true);
    return r;
  }
  Bytes r(15, 0x00);
  const std::size_t size = std::min<std::size_t>(f.Size(), 0xFFFF);
  r[2] = Hi(size);
  r[3] = Lo(size);
  r[4] = Hi(f.fid);
  r[5] = Lo(f.fid);
  r[6] = 0x04;  // EF
  r[8] = static_cast<std::uint8_t>(GsmNibble(f.access.read) << 4 |
                                   GsmNibble(f.access.update));
  r[9] = static_cast<std::uint8_t>(GsmNibble(f.access.increase) << 4);
  r[10] = static_cast<std::uint8_t>(GsmNibble(f.access.activate) << 4 |
                                    GsmNibble(f.access.deactivate));
  r[11] = f.lcs == LifeCycle::kDeactivated ? 0x00 : 0x01;
  r[12] = 2;
  r[13] = f.kind == FileKind::kTransparent   ? 0x00
          : f.kind == FileKind::kLinearFixed ? 0x01
                                             : 0x03;
  r[14] = f.IsRecordEf() ? Lo(f.record_size) : 0x00;
  return r;
}

}  // namespace omaiop::sim::uicc
