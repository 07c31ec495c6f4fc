#include "sim/uicc/state_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "sim/uicc/card_test_util.h"
#include "sim/uicc/sample_profile.h"
#include "sim/uicc/tools/kill_test_profile.h"

namespace omaiop::sim::uicc {
namespace {

using ::testing::HasSubstr;
using testing::Send;
using testing::Sw;
namespace fs = std::filesystem;

constexpr char kUsimSelect[] = "00A4040C10A0000000871002FF49FF058900000000";

std::string S(std::string_view a, std::string_view b) {
  return std::string(a) + std::string(b);
}

// `body` followed by its SHA-256 line, computed here with OpenSSL directly.
std::string WithChecksum(const std::string& body) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), md, &len, EVP_sha256(), nullptr);
  return body + "sha256 " + codec::ToHex(ByteView(md, len)) + "\n";
}

// A fresh directory per test, removed afterwards.
class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "omaiop-state-XXXXXX");
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "card.state").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string ReadFile() const {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void WriteFile(const std::string& text) const {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << text;
  }

  // A sample-profile card with the state file overlaid and attached.
  std::unique_ptr<Card> Boot(
      StateStore& store, std::vector<codec::Diagnostic>* warnings = nullptr) {
    FileSystem fsys = SampleFileSystem();
    PinStore pins = PinStore::Default();
    auto loaded = store.Load(fsys, pins, warnings);
    EXPECT_TRUE(loaded.ok()) << loaded.error().ToString();
    auto card = std::make_unique<Card>(std::move(fsys), std::move(pins));
    store.Attach(*card);
    return card;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(StateStoreTest, FirstRunHasNoFileAndLoadsNothing) {
  StateStore store(path_);
  FileSystem fsys = SampleFileSystem();
  PinStore pins = PinStore::Default();
  auto loaded = store.Load(fsys, pins, nullptr);
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(*loaded);
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(StateStoreTest, WritesSurviveARestart) {
  {
    StateStore store(path_);
    auto card = Boot(store);
    ASSERT_EQ(Sw(*card, S("0020000108", testing::kPin1Ok)), "9000");
    ASSERT_EQ(Sw(*card, "00A4080C022F05"), "9000");
    ASSERT_EQ(Sw(*card, "00D6000003414243"), "9000");  // EF.PL "ABC..."
    ASSERT_EQ(Sw(*card, kUsimSelect), "9000");
    ASSERT_EQ(Sw(*card, "00A4000C026F39"), "9000");  // EF.ACM, cyclic
    ASSERT_EQ(Sw(*card, "00DC000303000005"), "9000");
    ASSERT_EQ(Sw(*card, "00A4000C026F42"), "9000");  // EF.SMSP record 2
    ASSERT_EQ(Sw(*card, S("00DC02041C", std::string(56, '7'))), "9000");
    EXPECT_FALSE(store.last_error().has_value());
  }
  StateStore store(path_);
  std::vector<codec::Diagnostic> warnings;
  auto card = Boot(store, &warnings);
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(Sw(*card, S("0020000108", testing::kPin1Ok)), "9000");
  ASSERT_EQ(Sw(*card, "00A4080C022F05"), "9000");
  EXPECT_EQ(Send(*card, "00B0000006"),
            "414243726465"
            "9000");
  ASSERT_EQ(Sw(*card, kUsimSelect), "9000");
  ASSERT_EQ(Sw(*card, "00A4000C026F39"), "9000");
  // The new record is record 1, the old record 1 moved to 2, the oldest
  // (000001) was overwritten.
  EXPECT_EQ(Send(*card, "00B2010403"), "0000059000");
  EXPECT_EQ(Send(*card, "00B2020403"), "0000049000");
  EXPECT_EQ(Send(*card, "00B2040403"), "0000029000");
  ASSERT_EQ(Sw(*card, "00A4000C026F42"), "9000");
  EXPECT_EQ(Send(*card, "00B202041C"), S(std::string(56, '7'), "9000"));
  EXPECT_EQ(Send(*card, "00B201041C"), S(std::string(56, 'F'), "9000"));
}

TEST_F(StateStoreTest, SerializeParseRoundTrip) {
  FileSystem fsys = SampleFileSystem();
  PinStore pins = PinStore::Default();
  fsys.at(1).data[0] = 0x00;
  const CardState state = CaptureState(fsys, pins);
  const std::string text = SerializeState(state);
  EXPECT_EQ(text.rfind("omaiop-uicc-state 1\n", 0), 0u);
  EXPECT_THAT(text, HasSubstr("\nef 3F00/7F20/6F07 transparent lcs=05 "
                              "data=080910101032547698\n"));
  EXPECT_THAT(text, HasSubstr("\npin 01 enabled=1 tries=3 puk-tries=10 "
                              "value=1234\n"));
  auto parsed = ParseState(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, state);
  EXPECT_EQ(SerializeState(*parsed), text);
}

TEST_F(StateStoreTest, CorruptFilesAreRefusedWithTheReason) {
  const std::string good =
      SerializeState(CaptureState(SampleFileSystem(), PinStore::Default()));
  // One flipped data digit: the checksum no longer matches.
  std::string flipped = good;
  const std::size_t at = flipped.find("data=0809") + 5;
  flipped[at] = '1';
  auto r = ParseState(flipped);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().what, HasSubstr("sha256"));
  EXPECT_THAT(r.error().what, HasSubstr("corrupt"));
  // Torn: cut anywhere before the end.
  for (std::size_t cut : {good.size() / 2, good.size() - 1, good.size() - 30}) {
    auto t = ParseState(std::string_view(good).substr(0, cut));
    ASSERT_FALSE(t.ok()) << cut;
    EXPECT_THAT(t.error().what, HasSubstr("truncated")) << cut;
  }
  auto v = ParseState("omaiop-uicc-state 7\nsha256 00\n");
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.error().what, HasSubstr("version"));
  auto junk = ParseState("hello\n");
  ASSERT_FALSE(junk.ok());
  EXPECT_THAT(junk.error().what, HasSubstr("not an omaiop UICC state file"));

  // Through the store: the load fails, names the file, and the card
  // content is left as the profile built it.
  WriteFile(flipped);
  StateStore store(path_);
  FileSystem fsys = SampleFileSystem();
  PinStore pins = PinStore::Default();
  auto loaded = store.Load(fsys, pins, nullptr);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.error().path, HasSubstr(path_));
  EXPECT_EQ(SerializeState(CaptureState(fsys, pins)), good);
}

TEST_F(StateStoreTest, ALineWithAValidChecksumIsStillChecked) {
  // Someone edited the file and recomputed the checksum: content errors
  // are reported with line and offset.
  std::string body =
      "omaiop-uicc-state 1\n"
      "ef 3F00/2F05 transparent lcs=05 data=41\n"
      "ef 3F00/7F10/6F3A linear-fixed lcs=05 size=2 records=0102,03\n";
  const std::string with_sum = WithChecksum(body);
  auto r = ParseState(with_sum);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().path, "line 3");
  EXPECT_EQ(r.error().offset, body.find("ef 3F00/7F10"));
  EXPECT_THAT(r.error().what, HasSubstr("record 2 has 1 bytes"));
}

TEST_F(StateStoreTest, DuplicateItemsAreRefused) {
  auto ef =
      ParseState(WithChecksum("omaiop-uicc-state 1\n"
                              "ef 3F00/2F05 transparent lcs=05 data=41\n"
                              "ef 3F00/2F05 transparent lcs=05 data=42\n"));
  ASSERT_FALSE(ef.ok());
  EXPECT_THAT(ef.error().what, HasSubstr("duplicate path 3F00/2F05"));
  auto pin = ParseState(
      WithChecksum("omaiop-uicc-state 1\n"
                   "pin 01 enabled=1 tries=3 puk-tries=10 value=1234\n"
                   "pin 01 enabled=1 tries=0 puk-tries=10 value=1234\n"));
  ASSERT_FALSE(pin.ok());
  EXPECT_THAT(pin.error().what, HasSubstr("duplicate pin 01"));
  EXPECT_EQ(pin.error().path, "line 3");
}

TEST_F(StateStoreTest, SavedPathsTheProfileNoLongerHasAreReported) {
  // State saved for another profile (the kill-test card): 2F05 exists in
  // both but with another size; the 7F10 files are gone or different.
  WriteFile(
      SerializeState(CaptureState(KillTestFileSystem(), PinStore::Default())));
  StateStore store(path_);
  FileSystem fsys = SampleFileSystem();
  PinStore pins = PinStore::Default();
  std::vector<codec::Diagnostic> warnings;
  auto loaded = store.Load(fsys, pins, &warnings);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_TRUE(*loaded);
  std::vector<std::string> paths;
  for (const auto& w : warnings) paths.push_back(w.path);
  EXPECT_THAT(paths, ::testing::UnorderedElementsAre(
                         "3F00/2F05", "3F00/7F10/6F01", "3F00/7F10/6F02",
                         "3F00/7F10/6F40", "3F00/7F10/6F4F"));
  for (const auto& w : warnings) {
    if (w.path == "3F00/2F05") {
      EXPECT_THAT(w.what, HasSubstr("saved 8 bytes, the profile's file has 6"));
    }
    if (w.path == "3F00/7F10/6F01") {
      EXPECT_THAT(w.what, HasSubstr("no longer exists"));
    }
  }
  // Nothing of it was applied: EF.PL is still "enfrde".
  const FileRef pl = fsys.FindChild(fsys.mf(), 0x2F05);
  EXPECT_EQ(codec::AsString(fsys.at(pl).data), "enfrde");
}

TEST_F(StateStoreTest, BlockedPinStaysBlockedAcrossARestart) {
  {
    StateStore store(path_);
    auto card = Boot(store);
    EXPECT_EQ(Sw(*card, S("0020000108", testing::kPin1Wrong)), "63C2");
    EXPECT_EQ(Sw(*card, S("0020000108", testing::kPin1Wrong)), "63C1");
    EXPECT_EQ(Sw(*card, S("0020000108", testing::kPin1Wrong)), "63C0");
    EXPECT_EQ(store.writes(), 3u);
  }
  StateStore store(path_);
  auto card = Boot(store);
  EXPECT_EQ(Sw(*card, "0020000100"), "6983");
  EXPECT_EQ(Sw(*card, S("0020000108", testing::kPin1Ok)), "6983");
  // Unblock with the PUK and a new PIN; both persist.
  EXPECT_EQ(Sw(*card, S("002C000110", S(testing::kPuk1Ok, "39393939FFFFFFFF"))),
            "9000");
  StateStore again(path_);
  auto card2 = Boot(again);
  EXPECT_EQ(Sw(*card2, S("0020000108", testing::kPin1Ok)), "63C2");
  EXPECT_EQ(Sw(*card2,
               "0020000108"
               "39393939FFFFFFFF"),
            "9000");
}

TEST_F(StateStoreTest, ChangedAndDisabledPinPersist) {
  {
    StateStore store(path_);
    auto card = Boot(store);
    ASSERT_EQ(
        Sw(*card, S("0024000110", S(testing::kPin1Ok, "3432313037FFFFFF"))),
        "9000");
    ASSERT_EQ(Sw(*card,
                 "0026000108"
                 "3432313037FFFFFF"),
              "9000");
  }
  StateStore store(path_);
  auto card = Boot(store);
  // Disabled: PIN1-protected EF.IMSI is readable without VERIFY.
  ASSERT_EQ(Sw(*card, "00A4080C047F206F07"), "9000");
  EXPECT_EQ(Send(*card, "00B0000009"), "0809101010325476989000");
  EXPECT_EQ(Sw(*card,
               "0028000108"
               "3432313037FFFFFF"),
            "9000");
}

TEST_F(StateStoreTest, UnchangedStateIsNotRewritten) {
  StateStore store(path_);
  auto card = Boot(store);
  ASSERT_EQ(Sw(*card, S("0020000108", testing::kPin1Ok)), "9000");
  EXPECT_EQ(store.writes(), 0u);  // counters already at their maximum
  ASSERT_EQ(Sw(*card, "00A4080C022F05"), "9000");
  ASSERT_EQ(Sw(*card, "00D6000001FF"), "9000");
  EXPECT_EQ(store.writes(), 1u);
  ASSERT_EQ(Sw(*card, "00B0000001"), "9000");  // reads write nothing
  EXPECT_EQ(store.writes(), 1u);
}

TEST_F(StateStoreTest, AFailedWriteAnswersMemoryProblem) {
  StateStore store((dir_ / "no-such-dir" / "card.state").string());
  auto card = Boot(store);
  ASSERT_EQ(Sw(*card, S("0020000108", testing::kPin1Ok)), "9000");
  ASSERT_EQ(Sw(*card, "00A4080C022F05"), "9000");
  EXPECT_EQ(Sw(*card, "00D6000001FF"), "6581");
  ASSERT_TRUE(store.last_error().has_value());
  EXPECT_THAT(store.last_error()->what, HasSubstr("cannot create"));
}

TEST_F(StateStoreTest, AtomicWriteReplacesAndLeavesNoTemporary) {
  ASSERT_TRUE(WriteFileAtomically(path_, "old\n").ok());
  ASSERT_TRUE(WriteFileAtomically(path_, "new\n").ok());
  EXPECT_EQ(ReadFile(), "new\n");
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), {}), 1);
}

// The change hook of Card (apdu_engine.h): fired for successful writes and
// PIN commands only, before the response; false turns it into 6581.
TEST(CardChangeListener, FiresForWritesAndPinCommandsOnly) {
  Card card(SampleFileSystem());
  std::vector<CardChange> seen;
  bool accept = true;
  card.SetChangeListener([&](const Card& c, const CardChange& change) {
    EXPECT_EQ(&c, &card);
    seen.push_back(change);
    return accept;
  });
  ASSERT_EQ(Sw(card, "00A4080C022F05"), "9000");
  EXPECT_EQ(Sw(card, "00D6000001FF"), "6982");  // PIN1 not verified
  EXPECT_EQ(Sw(card, "00B0000001"), "9000");
  EXPECT_TRUE(seen.empty());
  ASSERT_EQ(Sw(card, S("0020000108", testing::kPin1Ok)), "9000");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].pins);
  EXPECT_EQ(seen[0].file, kNoFile);
  EXPECT_EQ(Sw(card, "00D6000001FF"), "9000");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[1].pins);
  EXPECT_EQ(card.file_system().PathOf(seen[1].file), "3F00/2F05");
  accept = false;
  EXPECT_EQ(Send(card, "00D6000001EE"), "6581");
  EXPECT_EQ(seen.size(), 3u);
}

TEST(CardChangeListener, GsmClassAnswersGsmMemoryProblem) {
  CardOptions o;
  o.gsm_cla = true;
  Card card(SampleFileSystem(), PinStore::Default(), o);
  card.SetChangeListener([](const Card&, const CardChange&) { return false; });
  EXPECT_EQ(Sw(card, S("A020000108", testing::kPin1Ok)), "9240");
}

// ------------------------------------------------------------- kill test

struct Child {
  pid_t pid = -1;
  int out = -1;  // its stdout
};

Child Spawn(const std::string& state) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execl(OMAIOP_STATE_WRITER_TOOL, "state_writer_tool", state.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

// Reads "gen N" lines until `want` of them arrived; returns the last N, or
// -1 on EOF / timeout.
long ReadGenerations(int fd, int want, std::string* log) {
  std::string buf;
  long last = -1;
  int got = 0;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (got < want) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return -1;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return -1;
    char chunk[256];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return -1;
    buf.append(chunk, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      const std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      *log += line + "\n";
      if (line.rfind("gen ", 0) == 0) {
        last = std::stol(line.substr(4));
        ++got;
      }
    }
  }
  return last;
}

TEST_F(StateStoreTest, KillNineTwentyTimesNeverLeavesAMixedFile) {
  std::mt19937 rng(std::random_device{}());
  long previous_max = 0;
  int torn_generations = 0;  // kills that landed between two writes
  for (int cycle = 0; cycle < 20; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle));
    Child child = Spawn(path_);
    ASSERT_GT(child.pid, 0);
    std::string log;
    const long acked = ReadGenerations(
        child.out, std::uniform_int_distribution<int>(1, 4)(rng), &log);
    // Kill at a random moment, in the middle of a later generation's writes
    // as often as not.
    ::usleep(std::uniform_int_distribution<int>(0, 20000)(rng));
    ::kill(child.pid, SIGKILL);
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    ::close(child.out);
    ASSERT_GE(acked, 1) << "the writer made no progress:\n" << log;
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer exited by itself (status " << status << "):\n"
        << log;

    // The file parses (checksum intact) and fits the writer's profile.
    const std::string text = ReadFile();
    auto state = ParseState(text);
    ASSERT_TRUE(state.ok()) << state.error().ToString();
    FileSystem fsys = KillTestFileSystem();
    PinStore pins = PinStore::Default();
    ASSERT_TRUE(ApplyState(*state, fsys, pins).empty());
    const auto units = KillTestUnits(fsys);
    ASSERT_EQ(units.size(), 1u + 1 + 1 + 4 + 3);
    // Every unit uniform: one generation, never a mix of two.
    std::vector<long> gens;
    for (std::size_t u = 0; u < units.size(); ++u) {
      ASSERT_FALSE(units[u].empty());
      for (std::uint32_t v : units[u])
        ASSERT_EQ(v, units[u][0]) << "unit " << u << " mixes generations";
      gens.push_back(units[u][0]);
    }
    // In write order: newest first, at most one generation apart (the one
    // in progress when the kill came, and the one before it).
    for (std::size_t i = 1; i < gens.size(); ++i)
      ASSERT_LE(gens[i], gens[i - 1]) << "unit " << i;
    ASSERT_LE(gens.front() - gens.back(), 1);
    torn_generations += gens.front() != gens.back();
    // Everything acknowledged is on disk; nothing goes backwards.
    ASSERT_GE(gens.back(), acked);
    ASSERT_GE(gens.front(), previous_max);
    previous_max = gens.front();
  }
  // Informational: how often the kill interrupted a generation part-way.
  RecordProperty("torn_generations", torn_generations);
  std::printf("kills inside a generation: %d of 20\n", torn_generations);
}

}  // namespace
}  // namespace omaiop::sim::uicc
