// The card the atomic-write kill test writes to (state_writer_tool.cc) and
// checks (state_store_test.cc): five EFs of the three structures, UPDATE
// ALW, every byte 00 (generation 0) at first. Each "unit" (a transparent
// body or one record) holds a generation number as repeated 32-bit
// big-endian groups; sizes are multiples of 4.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "sim/uicc/file_system.h"

namespace omaiop::sim::uicc {

struct KillTestEf {
  std::string path;           // FileSystem::PathOf, the state file's key
  codec::Bytes path_from_mf;  // SELECT by path (P1 = 08)
  FileKind kind;
  std::size_t unit_size;  // body or record size
  std::size_t units;      // 1, or the record count
};

inline std::vector<KillTestEf> KillTestEfs() {
  return {
      {"3F00/2F05", {0x2F, 0x05}, FileKind::kTransparent, 8, 1},
      {"3F00/7F10/6F01",
       {0x7F, 0x10, 0x6F, 0x01},
       FileKind::kTransparent,
       64,
       1},
      {"3F00/7F10/6F02",
       {0x7F, 0x10, 0x6F, 0x02},
       FileKind::kTransparent,
       200,
       1},
      {"3F00/7F10/6F40",
       {0x7F, 0x10, 0x6F, 0x40},
       FileKind::kLinearFixed,
       28,
       4},
      {"3F00/7F10/6F4F", {0x7F, 0x10, 0x6F, 0x4F}, FileKind::kCyclic, 16, 3},
  };
}

inline FileSystem KillTestFileSystem() {
  FileSystem fs;
  auto df = fs.Add(fs.mf(), FileSpec::Df(0x7F10, "DF.KILLTEST"));
  for (const KillTestEf& ef : KillTestEfs()) {
    const FileRef parent = ef.path_from_mf.size() == 2 ? fs.mf() : *df;
    const std::uint16_t fid = static_cast<std::uint16_t>(
        ef.path_from_mf[ef.path_from_mf.size() - 2] << 8 |
        ef.path_from_mf.back());
    FileSpec spec =
        ef.kind == FileKind::kTransparent
            ? FileSpec::Transparent(fid, codec::Bytes(ef.unit_size, 0))
        : ef.kind == FileKind::kLinearFixed
            ? FileSpec::LinearFixed(
                  fid, ef.unit_size, ef.units,
                  std::vector<codec::Bytes>(ef.units,
                                            codec::Bytes(ef.unit_size, 0)))
            : FileSpec::Cyclic(fid, ef.unit_size, ef.units,
                               std::vector<codec::Bytes>(
                                   ef.units, codec::Bytes(ef.unit_size, 0)));
    (void)fs.Add(parent, std::move(spec.WithUpdate(AccessCondition::kAlways)));
  }
  return fs;
}

// Every unit's 32-bit groups, in the order a generation writes them: EFs in
// KillTestEfs() order; linear fixed records 1..n; cyclic records 1..n
// (record 1 is the one written last, so a generation interrupted part-way
// leaves the newest values first there as well). Units of a file `fs`
// lacks are left out.
inline std::vector<std::vector<std::uint32_t>> KillTestUnits(
    const FileSystem& fs) {
  std::vector<std::vector<std::uint32_t>> out;
  auto groups = [](const codec::Bytes& b) {
    std::vector<std::uint32_t> g;
    for (std::size_t i = 0; i + 4 <= b.size(); i += 4)
      g.push_back(std::uint32_t{b[i]} << 24 | std::uint32_t{b[i + 1]} << 16 |
                  std::uint32_t{b[i + 2]} << 8 | b[i + 3]);
    return g;
  };
  for (const KillTestEf& ef : KillTestEfs()) {
    for (FileRef r = 0; r < fs.size(); ++r) {
      if (fs.PathOf(r) != ef.path) continue;
      const File& f = fs.at(r);
      if (f.IsRecordEf()) {
        for (const auto& rec : f.records) out.push_back(groups(rec));
      } else {
        out.push_back(groups(f.data));
      }
    }
  }
  return out;
}

}  // namespace omaiop::sim::uicc
