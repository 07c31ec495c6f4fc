#include "sim/uicc/state_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace omaiop::sim::uicc {
namespace {

constexpr char kMagic[] = "omaiop-uicc-state";
constexpr char kRuleFormat[] = "omaiop UICC state file format v1";
constexpr char kChecksumPrefix[] = "sha256 ";

std::string Sha256Hex(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
  return codec::ToHex(ByteView(md, len));
}

std::string_view KindToken(FileKind kind) {
  switch (kind) {
    case FileKind::kLinearFixed:
      return "linear-fixed";
    case FileKind::kCyclic:
      return "cyclic";
    default:
      return "transparent";
  }
}

bool KindFromToken(std::string_view t, FileKind* kind) {
  if (t == "transparent")
    *kind = FileKind::kTransparent;
  else if (t == "linear-fixed")
    *kind = FileKind::kLinearFixed;
  else if (t == "cyclic")
    *kind = FileKind::kCyclic;
  else
    return false;
  return true;
}

bool LifeCycleFromByte(int v, LifeCycle* lcs) {
  switch (v) {
    case 0x01:
    case 0x03:
    case 0x04:
    case 0x05:
    case 0x0C:
      *lcs = static_cast<LifeCycle>(v);
      return true;
  }
  return false;
}

bool ParseInt(std::string_view s, int base, int* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == s.npos ? s.npos : p - start));
    if (p == s.npos) break;
    start = p + 1;
  }
  return out;
}

// "key=value" tokens after the fixed positional ones.
struct Fields {
  std::vector<std::pair<std::string_view, std::string_view>> kv;
  const std::string_view* Get(std::string_view key) const {
    for (const auto& [k, v] : kv)
      if (k == key) return &v;
    return nullptr;
  }
};

bool ParseFields(const std::vector<std::string_view>& tokens, std::size_t from,
                 Fields* out) {
  for (std::size_t i = from; i < tokens.size(); ++i) {
    const std::size_t eq = tokens[i].find('=');
    if (eq == std::string_view::npos) return false;
    const std::string_view key = tokens[i].substr(0, eq);
    if (out->Get(key)) return false;  // duplicate key
    out->kv.emplace_back(key, tokens[i].substr(eq + 1));
  }
  return true;
}

codec::Result<SavedEf> ParseEfLine(const std::vector<std::string_view>& t,
                                   std::size_t offset) {
  auto bad = [&](std::string what) {
    return codec::Error("ef line: " + what, offset, kRuleFormat);
  };
  if (t.size() < 3) return bad("expected 'ef PATH KIND key=value...'");
  SavedEf ef;
  ef.path = std::string(t[1]);
  if (!KindFromToken(t[2], &ef.kind))
    return bad("unknown EF structure '" + std::string(t[2]) + "'");
  Fields f;
  if (!ParseFields(t, 3, &f)) return bad("malformed or repeated key=value");
  int lcs = 0;
  const std::string_view* v = f.Get("lcs");
  if (!v || !ParseInt(*v, 16, &lcs) || !LifeCycleFromByte(lcs, &ef.lcs))
    return bad("missing or invalid lcs (01/03/04/05/0C)");
  if (ef.kind == FileKind::kTransparent) {
    v = f.Get("data");
    if (!v || f.kv.size() != 2) return bad("transparent EF needs lcs, data");
    auto data = codec::ParseHex(*v);
    if (!data.ok()) return bad("data: " + data.error().what);
    ef.data = std::move(*data);
    return ef;
  }
  int size = 0;
  v = f.Get("size");
  if (!v || !ParseInt(*v, 10, &size) || size < 1 || size > 255)
    return bad("record EF needs size=1..255");
  ef.record_size = static_cast<std::size_t>(size);
  v = f.Get("records");
  if (!v || f.kv.size() != 3) return bad("record EF needs lcs, size, records");
  for (std::string_view hex : Split(*v, ',')) {
    auto rec = codec::ParseHex(hex);
    if (!rec.ok()) return bad("records: " + rec.error().what);
    if (rec->size() != ef.record_size)
      return bad("record " + std::to_string(ef.records.size() + 1) + " has " +
                 std::to_string(rec->size()) + " bytes, size is " +
                 std::to_string(size));
    ef.records.push_back(std::move(*rec));
  }
  if (ef.records.size() > 254) return bad("more than 254 records");
  return ef;
}

codec::Result<SavedPin> ParsePinLine(const std::vector<std::string_view>& t,
                                     std::size_t offset) {
  auto bad = [&](std::string what) {
    return codec::Error("pin line: " + what, offset, kRuleFormat);
  };
  SavedPin pin;
  int ref = 0;
  if (t.size() != 6 || !ParseInt(t[1], 16, &ref) || ref < 0 || ref > 0xFF)
    return bad("expected 'pin KEYREF enabled= tries= puk-tries= value='");
  pin.key_ref = static_cast<std::uint8_t>(ref);
  Fields f;
  if (!ParseFields(t, 2, &f)) return bad("malformed or repeated key=value");
  const auto* enabled = f.Get("enabled");
  const auto* tries = f.Get("tries");
  const auto* puk = f.Get("puk-tries");
  const auto* value = f.Get("value");
  if (!enabled || (*enabled != "0" && *enabled != "1"))
    return bad("enabled must be 0 or 1");
  pin.enabled = *enabled == "1";
  if (!tries || !ParseInt(*tries, 10, &pin.tries_left) || pin.tries_left < 0)
    return bad("tries must be a count");
  if (!puk || !ParseInt(*puk, 10, &pin.puk_tries_left) ||
      pin.puk_tries_left < 0)
    return bad("puk-tries must be a count");
  if (!value) return bad("value missing");
  pin.value = std::string(*value);
  return pin;
}

}  // namespace

CardState CaptureState(const FileSystem& fs, const PinStore& pins) {
  CardState s;
  for (FileRef r = 0; r < fs.size(); ++r) {
    const File& f = fs.at(r);
    if (!f.IsEf()) continue;
    SavedEf ef;
    ef.path = fs.PathOf(r);
    ef.kind = f.kind;
    ef.lcs = f.lcs;
    if (f.IsRecordEf()) {
      ef.record_size = f.record_size;
      ef.records = f.records;
    } else {
      ef.data = f.data;
    }
    s.efs.push_back(std::move(ef));
  }
  for (std::uint8_t ref : pins.KeyRefs()) {
    const PinState* p = pins.Find(ref);
    s.pins.push_back({ref, p->config.pin, p->config.enabled, p->tries_left,
                      p->puk_tries_left});
  }
  return s;
}

std::string SerializeState(const CardState& state) {
  std::string out =
      std::string(kMagic) + " " + std::to_string(kStateFormatVersion) + "\n";
  auto hex2 = [](unsigned v) {
    static constexpr char d[] = "0123456789ABCDEF";
    return std::string{d[(v >> 4) & 15], d[v & 15]};
  };
  for (const SavedEf& ef : state.efs) {
    out += "ef " + ef.path + " " + std::string(KindToken(ef.kind)) +
           " lcs=" + hex2(static_cast<unsigned>(ef.lcs));
    if (ef.kind == FileKind::kTransparent) {
      out += " data=" + codec::ToHex(ef.data);
    } else {
      out += " size=" + std::to_string(ef.record_size) + " records=";
      for (std::size_t i = 0; i < ef.records.size(); ++i) {
        if (i) out += ",";
        out += codec::ToHex(ef.records[i]);
      }
    }
    out += "\n";
  }
  for (const SavedPin& p : state.pins) {
    out += "pin " + hex2(p.key_ref) + " enabled=" + (p.enabled ? "1" : "0") +
           " tries=" + std::to_string(p.tries_left) +
           " puk-tries=" + std::to_string(p.puk_tries_left) +
           " value=" + p.value + "\n";
  }
  out += kChecksumPrefix + Sha256Hex(out) + "\n";
  return out;
}

codec::Result<CardState> ParseState(std::string_view text) {
  // Integrity first: a file cut short by a crash or damaged on disk must be
  // refused as a whole, not half-applied.
  const std::string header =
      std::string(kMagic) + " " + std::to_string(kStateFormatVersion) + "\n";
  if (text.substr(0, sizeof kMagic - 1) != kMagic)
    return codec::Error("not an omaiop UICC state file (no '" +
                            std::string(kMagic) + "' header)",
                        0, kRuleFormat);
  if (text.substr(0, header.size()) != header)
    return codec::Error("unsupported state file version (this build reads " +
                            std::to_string(kStateFormatVersion) + ")",
                        sizeof kMagic, kRuleFormat);
  if (text.empty() || text.back() != '\n')
    return codec::Error(
        "state file truncated: does not end with a newline (torn write?)",
        text.size(), kRuleFormat);
  const std::size_t last = text.rfind('\n', text.size() - 2);
  const std::size_t sum_at = last == text.npos ? 0 : last + 1;
  const std::string_view sum_line =
      text.substr(sum_at, text.size() - 1 - sum_at);
  if (sum_at < header.size() || sum_line.substr(0, 7) != kChecksumPrefix)
    return codec::Error(
        "state file truncated or corrupt: last line is not the sha256 "
        "checksum",
        sum_at, kRuleFormat);
  const std::string_view body = text.substr(0, sum_at);
  const std::string want = Sha256Hex(body);
  if (sum_line.substr(7) != want)
    return codec::Error("state file corrupt: sha256 of bytes 0.." +
                            std::to_string(sum_at) + " is " + want +
                            ", the file says " +
                            std::string(sum_line.substr(7)),
                        sum_at + 7, kRuleFormat);

  CardState state;
  std::size_t pos = header.size();
  int line_no = 1;
  while (pos < body.size()) {
    ++line_no;
    const std::size_t nl = body.find('\n', pos);
    const std::string_view line = body.substr(pos, nl - pos);
    const auto tokens = Split(line, ' ');
    auto where = [&](codec::Diagnostic d) {
      d.path = "line " + std::to_string(line_no);
      return d;
    };
    if (tokens[0] == "ef") {
      auto ef = ParseEfLine(tokens, pos);
      if (!ef.ok()) return where(ef.error());
      for (const SavedEf& other : state.efs)
        if (other.path == ef->path)
          return where(
              codec::Error("duplicate path " + ef->path, pos, kRuleFormat));
      state.efs.push_back(std::move(*ef));
    } else if (tokens[0] == "pin") {
      auto pin = ParsePinLine(tokens, pos);
      if (!pin.ok()) return where(pin.error());
      for (const SavedPin& other : state.pins)
        if (other.key_ref == pin->key_ref)
          return where(codec::Error("duplicate pin " + std::string(tokens[1]),
                                    pos, kRuleFormat));
      state.pins.push_back(std::move(*pin));
    } else {
      return where(
          codec::Error("unknown line kind '" + std::string(tokens[0]) + "'",
                       pos, kRuleFormat));
    }
    pos = nl + 1;
  }
  return state;
}

std::vector<codec::Diagnostic> ApplyState(const CardState& state,
                                          FileSystem& fs, PinStore& pins) {
  std::vector<codec::Diagnostic> skipped;
  auto skip = [&](std::string what, const std::string& path) {
    skipped.push_back(codec::PathError(what + "; saved content not applied",
                                       path, kRuleFormat));
  };
  // Path -> file of the profile as built now.
  std::vector<std::pair<std::string, FileRef>> index;
  for (FileRef r = 0; r < fs.size(); ++r)
    if (fs.at(r).IsEf()) index.emplace_back(fs.PathOf(r), r);
  for (const SavedEf& ef : state.efs) {
    FileRef ref = kNoFile;
    for (const auto& [p, r] : index)
      if (p == ef.path) ref = r;
    if (ref == kNoFile) {
      skip("saved file no longer exists in the profile", ef.path);
      continue;
    }
    File& f = fs.at(ref);
    if (f.kind != ef.kind) {
      skip("saved as " + std::string(KindToken(ef.kind)) +
               ", the profile now has a " + std::string(FileKindName(f.kind)),
           ef.path);
      continue;
    }
    if (ef.kind == FileKind::kTransparent) {
      if (ef.data.size() != f.data.size()) {
        skip("saved " + std::to_string(ef.data.size()) +
                 " bytes, the profile's file has " +
                 std::to_string(f.data.size()),
             ef.path);
        continue;
      }
      f.data = ef.data;
    } else {
      if (ef.record_size != f.record_size ||
          ef.records.size() != f.records.size()) {
        skip("saved " + std::to_string(ef.records.size()) + " records of " +
                 std::to_string(ef.record_size) + " bytes, the profile has " +
                 std::to_string(f.records.size()) + " of " +
                 std::to_string(f.record_size),
             ef.path);
        continue;
      }
      f.records = ef.records;
    }
    f.lcs = ef.lcs;
  }
  for (const SavedPin& p : state.pins) {
    auto s = pins.Restore(p.key_ref, p.value, p.enabled, p.tries_left,
                          p.puk_tries_left);
    if (!s.ok()) skip(s.error().what, s.error().path);
  }
  return skipped;
}

// Atomic replacement on POSIX:
//  1. write the new content to a temporary file in the SAME directory (so
//     rename() stays within one file system) and fsync() it: its data
//     blocks are on disk before any name refers to it (without this, ext4
//     and others may commit the rename before the data after a power cut,
//     leaving an empty or partial file under the final name);
//  2. rename(tmp, path): POSIX requires rename() to replace the target
//     atomically: every observer sees either the old file or the new one,
//     never a missing or mixed one. A process killed (even SIGKILL) before
//     this point leaves the old file untouched; killed after, the new one
//     is complete. Only a stale tmp file may remain; it is overwritten next
//     time and never read;
//  3. fsync() the directory, which makes the rename itself durable (the
//     directory entry is metadata of the directory, not of the file).
// kill -9 alone is covered by step 2 (the page cache survives the
// process); steps 1 and 3 extend the guarantee to power loss.
codec::Status WriteFileAtomically(const std::string& path,
                                  std::string_view content) {
  auto fail = [&](std::string what) {
    return codec::PathError(what + ": " + std::strerror(errno), path,
                            "POSIX rename(2), fsync(2)");
  };
  // One writer per state file is assumed (one `serve` process): a fixed
  // temporary name means a crash leaves at most one stale file behind.
  const std::string tmp = path + ".tmp";
  // 0600: the file holds PIN values in clear.
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail("cannot create " + tmp);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const auto d = fail("cannot write " + tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return d;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const auto d = fail("cannot fsync " + tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return d;
  }
  if (::close(fd) != 0) return fail("cannot close " + tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const auto d = fail("cannot rename " + tmp + " over the state file");
    ::unlink(tmp.c_str());
    return d;
  }
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return fail("cannot open directory " + dir);
  const int rc = ::fsync(dfd);
  ::close(dfd);
  // Some file systems refuse fsync on a directory (EINVAL); the rename is
  // then as durable as they can make it.
  if (rc != 0 && errno != EINVAL) return fail("cannot fsync directory " + dir);
  return codec::OkStatus();
}

codec::Result<bool> StateStore::Load(FileSystem& fs, PinStore& pins,
                                     std::vector<codec::Diagnostic>* warnings) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {  // first run: nothing saved yet
      // Written at the first change, not before.
      last_text_ = SerializeState(CaptureState(fs, pins));
      return false;
    }
    return codec::PathError(
        std::string("cannot open state file: ") + std::strerror(errno), path_,
        kRuleFormat);
  }
  std::string text;
  char chunk[16384];
  while (true) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return codec::PathError(
          std::string("cannot read state file: ") + std::strerror(err), path_,
          kRuleFormat);
    }
    if (n == 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  auto state = ParseState(text);
  if (!state.ok()) {
    codec::Diagnostic d = state.error();
    d.path = path_ + (d.path.empty() ? "" : ": " + d.path);
    return d;
  }
  auto skipped = ApplyState(*state, fs, pins);
  if (warnings)
    warnings->insert(warnings->end(), skipped.begin(), skipped.end());
  // What the card now holds; saved items that did not fit are dropped from
  // the file at the next change (they were reported above).
  last_text_ = SerializeState(CaptureState(fs, pins));
  return true;
}

codec::Status StateStore::Save(const FileSystem& fs, const PinStore& pins) {
  std::string text = SerializeState(CaptureState(fs, pins));
  if (text == last_text_) return codec::OkStatus();
  OMAIOP_RETURN_IF_ERROR(WriteFileAtomically(path_, text));
  last_text_ = std::move(text);
  ++writes_;
  return codec::OkStatus();
}

void StateStore::Attach(Card& card) {
  card.SetChangeListener([this](const Card& c, const CardChange&) {
    auto s = Save(c.file_system(), c.pins());
    if (s.ok()) return true;
    last_error_ = s.error();
    return false;
  });
}

}  // namespace omaiop::sim::uicc
