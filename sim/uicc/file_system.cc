#include "sim/uicc/file_system.h"

#include <algorithm>
#include <cstdio>

#include "sim/uicc/tlv.h"

namespace omaiop::sim::uicc {
namespace {

constexpr char kRuleFileId[] = "ETSI TS 102 221 §8.3";
constexpr char kRuleSfi[] = "ETSI TS 102 221 §8.3 (SFI 1..30)";
constexpr char kRuleAid[] =
    "ETSI TS 102 221 §8.2 / TS 101 220 (AID 1..16 bytes)";
constexpr char kRuleRecord[] = "ETSI TS 102 221 §8.2.2 (record EF)";

std::string Hex16(std::uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", v);
  return buf;
}

FileSpec RecordSpec(FileKind kind, std::uint16_t fid, std::size_t record_size,
                    std::size_t record_count, std::vector<Bytes> records) {
  FileSpec s;
  s.file.kind = kind;
  s.file.fid = fid;
  s.file.record_size = record_size;
  // Keep oversize/overcount input so Add() can report it; pad the rest.
  s.file.records = std::move(records);
  if (s.file.records.size() < record_count) s.file.records.resize(record_count);
  for (auto& r : s.file.records)
    if (r.size() < record_size) r.resize(record_size, 0xFF);
  return s;
}

}  // namespace

std::string_view FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kMf:
      return "MF";
    case FileKind::kDf:
      return "DF";
    case FileKind::kAdf:
      return "ADF";
    case FileKind::kTransparent:
      return "transparent EF";
    case FileKind::kLinearFixed:
      return "linear fixed EF";
    case FileKind::kCyclic:
      return "cyclic EF";
  }
  return "?";
}

std::string_view AccessConditionName(AccessCondition condition) {
  switch (condition) {
    case AccessCondition::kAlways:
      return "ALW";
    case AccessCondition::kPin1:
      return "PIN1";
    case AccessCondition::kPin2:
      return "PIN2";
    case AccessCondition::kAdm:
      return "ADM";
    case AccessCondition::kNever:
      return "NEV";
  }
  return "?";
}

AccessCondition AccessRules::For(Operation op) const {
  switch (op) {
    case Operation::kRead:
      return read;
    case Operation::kUpdate:
      return update;
    case Operation::kIncrease:
      return increase;
    case Operation::kDeactivate:
      return deactivate;
    case Operation::kActivate:
      return activate;
    case Operation::kTerminate:
      return terminate;
    case Operation::kDeleteFile:
      return delete_file;
  }
  return AccessCondition::kNever;
}

AccessRules AccessRules::ReadUpdate(AccessCondition read,
                                    AccessCondition update) {
  AccessRules r;
  r.read = read;
  r.update = update;
  return r;
}

std::size_t File::Size() const {
  switch (kind) {
    case FileKind::kTransparent:
      return data.size();
    case FileKind::kLinearFixed:
    case FileKind::kCyclic:
      return record_size * records.size();
    default:
      return 0;
  }
}

FileSpec FileSpec::Df(std::uint16_t fid, std::string name) {
  FileSpec s;
  s.file.kind = FileKind::kDf;
  s.file.fid = fid;
  s.file.name = std::move(name);
  s.file.access.update = AccessCondition::kAdm;
  return s;
}

FileSpec FileSpec::Adf(std::uint16_t fid, Bytes aid, std::string label) {
  FileSpec s = Df(fid, std::move(label));
  s.file.kind = FileKind::kAdf;
  s.file.aid = std::move(aid);
  return s;
}

FileSpec FileSpec::Transparent(std::uint16_t fid, std::size_t size,
                               ByteView contents) {
  FileSpec s;
  s.file.kind = FileKind::kTransparent;
  s.file.fid = fid;
  s.file.data.assign(contents.begin(), contents.end());
  if (s.file.data.size() < size) s.file.data.resize(size, 0xFF);
  return s;
}

FileSpec FileSpec::Transparent(std::uint16_t fid, ByteView contents) {
  return Transparent(fid, contents.size(), contents);
}

FileSpec FileSpec::LinearFixed(std::uint16_t fid, std::size_t record_size,
                               std::size_t record_count,
                               std::vector<Bytes> records) {
  return RecordSpec(FileKind::kLinearFixed, fid, record_size, record_count,
                    std::move(records));
}

FileSpec FileSpec::Cyclic(std::uint16_t fid, std::size_t record_size,
                          std::size_t record_count,
                          std::vector<Bytes> records) {
  return RecordSpec(FileKind::kCyclic, fid, record_size, record_count,
                    std::move(records));
}

FileSpec& FileSpec::WithSfi(std::uint8_t sfi) {
  file.sfi = sfi;
  return *this;
}
FileSpec& FileSpec::WithName(std::string name) {
  file.name = std::move(name);
  return *this;
}
FileSpec& FileSpec::WithAccess(AccessRules rules) {
  file.access = rules;
  return *this;
}
FileSpec& FileSpec::WithRead(AccessCondition c) {
  file.access.read = c;
  return *this;
}
FileSpec& FileSpec::WithUpdate(AccessCondition c) {
  file.access.update = c;
  return *this;
}
FileSpec& FileSpec::WithLifeCycle(LifeCycle lcs) {
  file.lcs = lcs;
  return *this;
}
FileSpec& FileSpec::WithDfName(Bytes df_name) {
  file.aid = std::move(df_name);
  return *this;
}

FileSystem::FileSystem() {
  File mf;
  mf.kind = FileKind::kMf;
  mf.fid = kMfFid;
  mf.name = "MF";
  files_.push_back(std::move(mf));
}

codec::Result<FileRef> FileSystem::Add(FileRef parent, FileSpec spec) {
  File f = std::move(spec.file);
  const std::string where =
      (Valid(parent) ? PathOf(parent) : std::string("?")) + "/" + Hex16(f.fid);
  if (!Valid(parent) || !at(parent).IsDf())
    return codec::PathError("parent is not a DF", where, kRuleFileId);
  if (f.kind == FileKind::kMf)
    return codec::PathError("only one MF may exist", where, kRuleFileId);
  if (f.fid == kMfFid || f.fid == kCurrentAdfFid || f.fid == 0xFFFF)
    return codec::PathError("FID " + Hex16(f.fid) + " is reserved", where,
                            kRuleFileId);
  if (f.kind == FileKind::kAdf) {
    if (parent != mf())
      return codec::PathError("an ADF must sit directly under the MF", where,
                              "ETSI TS 102 221 §8.1");
    if (f.aid.empty())
      return codec::PathError("an ADF needs an AID", where, kRuleAid);
  } else if (FindChild(parent, f.fid) != kNoFile) {
    return codec::PathError("duplicate FID " + Hex16(f.fid) + " in DF", where,
                            kRuleFileId);
  }
  if (f.aid.size() > 16)
    return codec::PathError("AID of " + std::to_string(f.aid.size()) + " bytes",
                            where, kRuleAid);
  if (f.sfi != 0) {
    if (f.IsDf() || f.sfi > 30)
      return codec::PathError(
          "SFI " + std::to_string(f.sfi) + " not allowed here", where,
          kRuleSfi);
    if (FindBySfi(parent, f.sfi) != kNoFile)
      return codec::PathError("duplicate SFI " + std::to_string(f.sfi), where,
                              kRuleSfi);
  }
  if (f.IsRecordEf()) {
    if (f.record_size < 1 || f.record_size > 255)
      return codec::PathError(
          "record size " + std::to_string(f.record_size) + " outside 1..255",
          where, kRuleRecord);
    if (f.records.empty() || f.records.size() > 254)
      return codec::PathError("record count " +
                                  std::to_string(f.records.size()) +
                                  " outside 1..254",
                              where, kRuleRecord);
    for (std::size_t i = 0; i < f.records.size(); ++i)
      if (f.records[i].size() != f.record_size)
        return codec::PathError("record " + std::to_string(i + 1) + " has " +
                                    std::to_string(f.records[i].size()) +
                                    " bytes, record size is " +
                                    std::to_string(f.record_size),
                                where, kRuleRecord);
  }
  if (f.kind == FileKind::kTransparent && f.data.size() > 0x7FFF)
    return codec::PathError("transparent EF larger than 32767 bytes", where,
                            "ETSI TS 102 221 §11.1.3 (15-bit offset)");
  f.parent = parent;
  f.children.clear();
  const FileRef ref = static_cast<FileRef>(files_.size());
  files_.push_back(std::move(f));
  files_[parent].children.push_back(ref);
  return ref;
}

codec::Result<FileRef> FileSystem::AddEfDir(std::size_t record_size) {
  std::vector<Bytes> records;
  std::size_t longest = 0;
  for (FileRef adf : Applications()) {
    records.push_back(EfDirRecord(at(adf).aid, at(adf).name));
    longest = std::max(longest, records.back().size());
  }
  if (records.empty())
    return codec::PathError("EF.DIR needs at least one ADF", "3F00/2F00",
                            "ETSI TS 102 221 §13.1");
  if (record_size == 0) record_size = longest;
  if (longest > record_size)
    return codec::PathError("EF.DIR record of " + std::to_string(longest) +
                                " bytes exceeds record size " +
                                std::to_string(record_size),
                            "3F00/2F00", "ETSI TS 102 221 §13.1");
  return Add(mf(), FileSpec::LinearFixed(kEfDirFid, record_size, records.size(),
                                         std::move(records))
                       .WithSfi(kEfDirSfi)
                       .WithName("EF.DIR"));
}

FileRef FileSystem::FindChild(FileRef df, std::uint16_t fid) const {
  if (!Valid(df)) return kNoFile;
  for (FileRef c : at(df).children)
    if (at(c).fid == fid && at(c).kind != FileKind::kAdf) return c;
  return kNoFile;
}

FileRef FileSystem::FindBySfi(FileRef df, std::uint8_t sfi) const {
  if (!Valid(df) || sfi == 0) return kNoFile;
  for (FileRef c : at(df).children)
    if (at(c).IsEf() && at(c).sfi == sfi) return c;
  return kNoFile;
}

std::vector<FileRef> FileSystem::FindByDfName(ByteView prefix) const {
  std::vector<FileRef> out;
  if (prefix.empty()) return out;
  for (FileRef r = 0; r < files_.size(); ++r) {
    const File& f = files_[r];
    if (f.IsDf() && f.aid.size() >= prefix.size() &&
        std::equal(prefix.begin(), prefix.end(), f.aid.begin()))
      out.push_back(r);
  }
  return out;
}

std::vector<FileRef> FileSystem::Applications() const {
  std::vector<FileRef> out;
  for (FileRef c : at(mf()).children)
    if (at(c).kind == FileKind::kAdf) out.push_back(c);
  return out;
}

std::string FileSystem::PathOf(FileRef ref) const {
  if (!Valid(ref)) return "?";
  std::vector<FileRef> chain;
  for (FileRef r = ref; r != kNoFile; r = at(r).parent) chain.push_back(r);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!out.empty()) out += "/";
    const File& f = at(*it);
    out += f.kind == FileKind::kAdf ? "ADF(" + codec::ToHex(f.aid) + ")"
                                    : Hex16(f.fid);
  }
  return out;
}

Bytes EfDirRecord(ByteView aid, std::string_view label) {
  Bytes inner;
  internal::AppendTlv(inner, 0x4F, aid);
  if (!label.empty()) internal::AppendTlv(inner, 0x50, codec::AsBytes(label));
  Bytes out;
  internal::AppendTlv(out, 0x61, inner);
  return out;
}

}  // namespace omaiop::sim::uicc
