#include "harness/adapters/http_dm_server/http_dm_server_adapter.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness/adapters/dm_handset/dm_handset_session.h"
#include "sim/network/http_client.h"
#include "sim/process/child_process.h"

namespace omaiop::harness::adapters {

namespace {

namespace fs = std::filesystem;
namespace dm = sim::handset::dm;
namespace servers = sim::servers;

constexpr char kLoadTrigger[] = "load-commands";

class HttpDmServerPeer : public DmServerPeer {
 public:
  HttpDmServerPeer(script::TestCase tc, AdapterConfig config, std::string url)
      : tc_(std::move(tc)), config_(std::move(config)), url_(std::move(url)) {}
  ~HttpDmServerPeer() override {
    for (const auto& f : temp_files_) {
      std::error_code ec;
      fs::remove(f, ec);
    }
  }

  codec::Result<Prepared> Prepare(const std::vector<servers::ScriptPackage>&,
                                  const std::vector<std::string>& sources,
                                  const dm::DmAccount&) override {
    const script::IutTrigger* t = config_.iut.FindTrigger(kLoadTrigger);
    for (const auto& text : sources) {
      if (!t)  // Open() refuses such cases; kept as a guard
        return Prepared{url_, StepOutcome{reports::Verdict::kNone,
                                          "the IUT has no load-commands "
                                          "trigger",
                                          {}}};
      OMAIOP_RETURN_IF_ERROR(RunTrigger(*t, text));
    }
    return Prepared{url_, std::nullopt};
  }

  codec::Result<codec::Bytes> Package0(const dm::DmAccount&,
                                       std::uint16_t) override {
    return codec::Error(
        "a real DM server sends package 0 by its own means (WAP push); the "
        "http_dm_server adapter cannot make it",
        0, kRuleNotSupported);
  }

  std::vector<DmPeerEvent> Collect() override { return {}; }
  std::string name() const override { return "DM server " + url_; }

 private:
  codec::Status RunTrigger(const script::IutTrigger& t,
                           const std::string& text) {
    const std::string file =
        (fs::temp_directory_path() /
         ("omaiop-dm-commands-" + std::to_string(::getpid()) + "-" +
          std::to_string(temp_files_.size()) + ".xml"))
            .string();
    {
      std::ofstream out(file, std::ios::binary);
      out << text;
      if (!out) return codec::Error("cannot write " + file, 0, "omaiop");
    }
    temp_files_.push_back(file);
    script::VariableMap vars = script::IutVariables(config_.iut);
    for (const auto& v : tc_.variables) vars.emplace(v.name, v.value);
    vars["COMMANDS_FILE"] = file;
    const auto timeout = t.timeout.value_or(std::chrono::seconds(30));
    if (t.kind == script::IutTrigger::Kind::kUrl) {
      OMAIOP_ASSIGN_OR_RETURN(std::string url,
                              script::ExpandUrlTrigger(t, vars));
      sim::network::HttpRequest req;
      req.method = t.method;
      req.url = url;
      if (t.method != "GET") req.body = text;
      sim::network::HttpClientOptions o;
      o.request_timeout = timeout;
      OMAIOP_ASSIGN_OR_RETURN(auto resp, sim::network::HttpFetch(req, o));
      if (resp.status / 100 != 2)
        return codec::Error("trigger load-commands: HTTP " +
                                std::to_string(resp.status) + " from " + url,
                            0, "IUT trigger");
      return codec::OkStatus();
    }
    OMAIOP_ASSIGN_OR_RETURN(auto argv, script::ExpandCommandTrigger(t, vars));
    OMAIOP_ASSIGN_OR_RETURN(
        pid_t pid, sim::process::SpawnProcess(argv, std::string("/dev/null")));
    auto status = sim::process::WaitProcess(
        pid, std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
    if (!status) {
      sim::process::StopProcess(pid);
      return codec::Error("trigger load-commands timed out", 0, "IUT trigger");
    }
    if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
      return codec::Error("trigger load-commands: " + argv[0] + " failed", 0,
                          "IUT trigger");
    return codec::OkStatus();
  }

  script::TestCase tc_;
  AdapterConfig config_;
  std::string url_;
  std::vector<std::string> temp_files_;
};

}  // namespace

codec::Result<std::shared_ptr<Session>> HttpDmServerAdapter::Open(
    const script::TestCase& tc, const AdapterConfig& config,
    std::shared_ptr<Recorder> recorder) {
  if (tc.header.role != script::Role::kDmClient)
    return codec::Error("adapter http_dm_server plays only role dm_client", 0,
                        kRuleNotApplicable);
  if (!config.faults.empty())
    return codec::Error("faults cannot be injected into a real DM server", 0,
                        kRuleNotApplicable);
  const script::IutAddress* a = config.iut.FindAddress("dm");
  if (!a || a->url.empty())
    return codec::Error(
        "the IUT file has no <address name=\"dm\" url=\"...\"/> (PIXIT)", 0,
        "IUT description");
  bool has_commands = false;
  for (const auto& s : tc.steps)
    has_commands |= std::holds_alternative<script::ServerCommandsStep>(s.body);
  if (has_commands && !config.iut.FindTrigger(kLoadTrigger))
    return codec::Error(
        "the case scripts the server's commands (<server-commands>) and the "
        "IUT file has no trigger \"load-commands\" to load them into the real "
        "server",
        0, kRuleNotApplicable);
  if (!tc.preconditions.server.empty())
    return codec::Error(
        "the case sets <server> options, which configure omaiop's simulated "
        "DM server only",
        0, kRuleNotApplicable);
  auto peer = std::make_unique<HttpDmServerPeer>(tc, config, a->url);
  return OpenDmHandsetSession(tc, config, std::move(recorder), std::move(peer));
}

}  // namespace omaiop::harness::adapters
