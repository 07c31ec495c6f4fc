// The card's file system: MF, DFs, ADFs and elementary files (ETSI TS 102 221
// §8). A value type: the tree is a flat vector of File nodes addressed by
// FileRef (their index), so copying a FileSystem copies the whole card
// content. Profiles (XML, persistence) will build one of these through Add().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "codec/result.h"

namespace omaiop::sim::uicc {

using codec::Bytes;
using codec::ByteView;

enum class FileKind : std::uint8_t {
  kMf,
  kDf,
  kAdf,          // application DF, selected by AID (TS 102 221 §8.2)
  kTransparent,  // FDB 0x41
  kLinearFixed,  // FDB 0x42
  kCyclic,       // FDB 0x46
};
std::string_view FileKindName(FileKind kind);

// Who may perform an operation. The card evaluates these against the PIN
// verification state; TS 102 221 §9 expresses them through security
// attributes (see fcp.h for the compact 8C encoding we emit).
enum class AccessCondition : std::uint8_t {
  kAlways,  // ALW
  kPin1,    // application PIN, key reference 01
  kPin2,    // second application PIN, key reference 81
  kAdm,     // ADM1, key reference 0A
  kNever,   // NEV
};
std::string_view AccessConditionName(AccessCondition condition);

enum class Operation : std::uint8_t {
  kRead,  // READ BINARY/RECORD, SEARCH RECORD
  kUpdate,
  kIncrease,
  kDeactivate,
  kActivate,
  kTerminate,
  kDeleteFile,
};

struct AccessRules {
  AccessCondition read = AccessCondition::kAlways;
  AccessCondition update = AccessCondition::kAdm;
  AccessCondition increase = AccessCondition::kAdm;
  AccessCondition deactivate = AccessCondition::kAdm;
  AccessCondition activate = AccessCondition::kAdm;
  AccessCondition terminate = AccessCondition::kNever;
  AccessCondition delete_file = AccessCondition::kNever;

  AccessCondition For(Operation op) const;
  // READ and UPDATE given, the administrative operations ADM.
  static AccessRules ReadUpdate(AccessCondition read, AccessCondition update);
  friend bool operator==(const AccessRules&, const AccessRules&) = default;
};

// Life cycle status integer, TS 102 221 §11.1.1.4.9 (coded values).
enum class LifeCycle : std::uint8_t {
  kCreation = 0x01,
  kInitialisation = 0x03,
  kActivated = 0x05,    // operational state - activated
  kDeactivated = 0x04,  // operational state - deactivated
  kTerminated = 0x0C,
};

using FileRef = std::uint32_t;
inline constexpr FileRef kNoFile = 0xFFFFFFFF;

inline constexpr std::uint16_t kMfFid = 0x3F00;
inline constexpr std::uint16_t kCurrentAdfFid = 0x7FFF;  // TS 102 221 §8.3
inline constexpr std::uint16_t kEfDirFid = 0x2F00;
inline constexpr std::uint8_t kEfDirSfi = 0x1E;

struct File {
  FileKind kind = FileKind::kTransparent;
  std::uint16_t fid = 0;
  std::uint8_t sfi = 0;  // 1..30; 0 = no SFI
  Bytes aid;             // ADF AID / DF name (tag 84); empty if none
  std::string name;      // human label ("EF.IMSI"), EF.DIR label for ADFs
  LifeCycle lcs = LifeCycle::kActivated;
  AccessRules access;
  Bytes data;                  // transparent EF body
  std::vector<Bytes> records;  // record EFs; [0] is record 1 (cyclic: newest)
  std::size_t record_size = 0;
  FileRef parent = kNoFile;
  std::vector<FileRef> children;

  bool IsDf() const {
    return kind == FileKind::kMf || kind == FileKind::kDf ||
           kind == FileKind::kAdf;
  }
  bool IsEf() const { return !IsDf(); }
  bool IsRecordEf() const {
    return kind == FileKind::kLinearFixed || kind == FileKind::kCyclic;
  }
  // EF body size in bytes (record EFs: record size x count); 0 for DFs.
  std::size_t Size() const;
};

// What to add to a tree; build with the factories and chain the setters:
//   fs.Add(mf, FileSpec::Transparent(0x2FE2, iccid).WithSfi(2))
struct FileSpec {
  File file;

  static FileSpec Df(std::uint16_t fid, std::string name = "");
  static FileSpec Adf(std::uint16_t fid, Bytes aid, std::string label);
  // Body of `size` bytes; `contents` (if shorter) is padded with FF.
  static FileSpec Transparent(std::uint16_t fid, std::size_t size,
                              ByteView contents = {});
  static FileSpec Transparent(std::uint16_t fid, ByteView contents);
  // `record_count` records of `record_size` bytes; given records are padded
  // with FF, missing ones are all FF.
  static FileSpec LinearFixed(std::uint16_t fid, std::size_t record_size,
                              std::size_t record_count,
                              std::vector<Bytes> records = {});
  static FileSpec Cyclic(std::uint16_t fid, std::size_t record_size,
                         std::size_t record_count,
                         std::vector<Bytes> records = {});

  FileSpec& WithSfi(std::uint8_t sfi);
  FileSpec& WithName(std::string name);
  FileSpec& WithAccess(AccessRules rules);
  FileSpec& WithRead(AccessCondition c);
  FileSpec& WithUpdate(AccessCondition c);
  FileSpec& WithLifeCycle(LifeCycle lcs);
  FileSpec& WithDfName(Bytes df_name);  // DF selectable by name (P1=04)
};

class FileSystem {
 public:
  // An MF (3F00) with READ ALW, admin operations ADM.
  FileSystem();

  FileRef mf() const { return 0; }
  const File& at(FileRef ref) const { return files_[ref]; }
  File& at(FileRef ref) { return files_[ref]; }
  std::size_t size() const { return files_.size(); }
  bool Valid(FileRef ref) const { return ref < files_.size(); }

  // Adds `spec` under the DF `parent`. Rejects (with a diagnostic naming the
  // path and TS 102 221 rule): a non-DF parent, a reserved or duplicate FID,
  // a duplicate or out-of-range SFI, an ADF not directly under the MF, an AID
  // outside 1..16 bytes, record sizes outside 1..255 / counts outside 1..254,
  // contents larger than the file.
  codec::Result<FileRef> Add(FileRef parent, FileSpec spec);

  // Creates EF.DIR (2F00, linear fixed, SFI 1E) under the MF with one record
  // `61 { 4F AID, 50 label }` per ADF, in the order the ADFs were added
  // (TS 102 221 §13.1). Records are padded with FF to `record_size` (0 =
  // the longest record). Call after all ADFs have been added.
  codec::Result<FileRef> AddEfDir(std::size_t record_size = 0);

  // The child of `df` with `fid` (EF, DF; ADFs are not children by FID), or
  // kNoFile.
  FileRef FindChild(FileRef df, std::uint16_t fid) const;
  // The EF directly under `df` with short file identifier `sfi`, or kNoFile.
  FileRef FindBySfi(FileRef df, std::uint8_t sfi) const;
  // Every DF/ADF whose DF name starts with `prefix` (partial AID selection,
  // TS 102 221 §8.4.2), in tree order.
  std::vector<FileRef> FindByDfName(ByteView prefix) const;
  // ADFs in the order they were added.
  std::vector<FileRef> Applications() const;

  // "3F00/7FFF(A0000000871002)/6F07", for diagnostics.
  std::string PathOf(FileRef ref) const;

 private:
  std::vector<File> files_;
};

// One EF.DIR application template: 61 L { 4F L AID, 50 L label }.
Bytes EfDirRecord(ByteView aid, std::string_view label);

}  // namespace omaiop::sim::uicc
