// `omaiop smsc serve`: our SMPP SMSC (sim/smsc) on a TCP port, for push
// servers under test (Kannel, a PPG, `omaiop cp push`). Every push that
// arrives is reassembled per destination and printed decoded (sender,
// destination, SMPP details, the decode tree as `omaiop decode` prints it,
// the MAC check) with the per-push verdict (push_verdict.h); with --json one
// JSON object per line per push.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "codec/bytes.h"
#include "harness/cli/commands.h"
#include "harness/cli/push_verdict.h"
#include "harness/cli/render.h"
#include "sim/smsc/push_collector.h"
#include "sim/smsc/smpp_smsc.h"

namespace omaiop::cli {

namespace {

using nlohmann::json;
namespace smsc = sim::smsc;

struct ServeArgs {
  std::string bind = "127.0.0.1", system_id = "omaiop", password = "omaiop",
              imsi;
  std::vector<std::string> pins;
  unsigned port = 2775;
  std::size_t count = 0;  // 0 = until a signal
  double timeout = 0;     // 0 = none
  bool json = false, trace = false;
};

json SmppJson(const smsc::ArrivedPush& p) {
  const auto& first = p.segments.front();
  char dcs[8], pid[8];
  std::snprintf(dcs, sizeof dcs, "0x%02x", first.data_coding);
  std::snprintf(pid, sizeof pid, "0x%02x", first.protocol_id);
  json j;
  j["esme_system_id"] = p.esme_system_id;
  j["connection"] = first.connection;
  j["message_ids"] = p.message_ids();
  j["data_coding"] = dcs;
  j["protocol_id"] = pid;
  j["segments"] = p.segments.size();
  j["complete"] = p.complete;
  return j;
}

// Prints one push; called on the SMSC thread (and at the end for flushed
// incomplete pushes), serialised by `mu`.
class PushPrinter {
 public:
  PushPrinter(const ServeArgs& a)
      : args_(a),
        options_{
            a.imsi.empty() ? std::nullopt : std::optional<std::string>(a.imsi),
            a.pins},
        verdicts_(MakePushVerdictSource(options_)) {}

  void Print(const smsc::ArrivedPush& p) {
    std::lock_guard lock(mu_);
    const codec::Dissection d = DissectPush(p, options_);
    json verdict = verdicts_->Verdict(p, d);
    ++printed_;
    if (args_.json) {
      json j = verdict;
      j["push"] = printed_.load();
      j["smpp"] = SmppJson(p);
      auto& segs = j["segments"] = json::array();
      for (const auto& s : p.segments)
        segs.push_back(codec::ToHex(s.user_data));
      j["decode"] = DissectionJson(d);
      std::cout << j.dump() << std::endl;
      return;
    }
    const json s = SmppJson(p);
    std::cout << "=== push " << printed_ << ": from '" << p.source_addr
              << "' to '" << p.destination_addr << "' (ESME '"
              << p.esme_system_id << "', connection "
              << s["connection"].get<std::uint64_t>() << ")\n"
              << "SMPP: " << p.segments.size() << " segment(s)"
              << (p.complete ? "" : " INCOMPLETE") << ", message id(s)";
    for (const auto& id : p.message_ids()) std::cout << " " << id;
    std::cout << ", data_coding " << s["data_coding"].get<std::string>()
              << ", protocol_id " << s["protocol_id"].get<std::string>()
              << "\n";
    for (const auto& seg : p.segments)
      std::cout << "  " << codec::ToHex(seg.user_data) << "\n";
    std::cout << RenderDissectionText(d);
    std::cout << "Verdict (" << verdict["verdict_source"].get<std::string>()
              << "): SEC " << verdict["sec_method"].get<std::string>()
              << ", MAC " << verdict["mac_check"].get<std::string>() << ", "
              << (verdict["accepted"].get<bool>() ? "accepted" : "REJECTED");
    if (!verdict["rule"].is_null())
      std::cout << " (" << verdict["rule"].get<std::string>() << ")";
    std::cout << "\n";
    if (verdict["settings_applied"].is_array()) {
      std::cout << "Settings applied:";
      if (verdict["settings_applied"].empty()) std::cout << " none";
      for (const auto& item : verdict["settings_applied"])
        std::cout << " " << item.get<std::string>();
      std::cout << "\n";
    }
    // The handset's decisions, each naming its rule (cp.md §1.2, §2).
    if (verdict.contains("handset"))
      for (const auto& e : verdict["handset"]["events"])
        std::cout << "  " << e.value("kind", "") << " " << e.value("path", "")
                  << ": " << e.value("detail", "") << " ["
                  << e.value("rule", "") << "]\n";
    std::cout << std::endl;
  }
  std::size_t printed() const { return printed_; }

 private:
  const ServeArgs& args_;
  PushVerdictOptions options_;
  std::unique_ptr<PushVerdictSource> verdicts_;
  std::mutex mu_;
  std::atomic<std::size_t> printed_{0};
};

int RunServe(const ServeArgs& a) {
  // SIGINT/SIGTERM are taken synchronously by sigtimedwait below; blocked
  // before the SMSC thread starts so that it inherits the mask.
  sigset_t stop_signals, old_mask;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);

  PushPrinter printer(a);
  smsc::PushCollector collector(
      [&printer](const smsc::ArrivedPush& p) { printer.Print(p); });
  smsc::SmscConfig cfg;
  cfg.bind_address = a.bind;
  cfg.port = static_cast<std::uint16_t>(a.port);
  cfg.system_id = a.system_id;
  cfg.password = a.password;
  smsc::SmppSmsc server(cfg);
  server.SetDefaultSink(collector.AsSink());
  if (a.trace) {
    server.SetTrace([](const smsc::SmscTraceEvent& e) {
      using D = smsc::SmscTraceEvent::Direction;
      const char* arrow = e.direction == D::kIn    ? "< "
                          : e.direction == D::kOut ? "> "
                                                   : "* ";
      std::cerr << "[" << e.connection << "] " << arrow << e.summary << "\n";
    });
  }
  if (auto s = server.Start(); !s.ok()) {
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    std::cerr << "omaiop: " << s.error().ToString() << "\n";
    return kExitToolFailure;
  }
  (a.json ? std::cerr : std::cout)
      << "listening on " << a.bind << ":" << server.port() << std::endl;

  using Clock = std::chrono::steady_clock;
  const auto deadline =
      a.timeout > 0
          ? Clock::now() +
                std::chrono::milliseconds(static_cast<long>(a.timeout * 1000))
          : Clock::time_point::max();
  int exit_code = kExitOk;
  for (;;) {
    if (a.count && printer.printed() >= a.count) break;
    if (Clock::now() >= deadline) {
      if (a.count) exit_code = kExitInconc;  // fewer pushes than asked for
      break;
    }
    timespec tick{0, 100 * 1000 * 1000};
    if (sigtimedwait(&stop_signals, nullptr, &tick) > 0) break;
  }
  // Let ESMEs read their last submit_sm_resp and unbind before closing
  // (one that stays bound, like Kannel, is cut after the grace period).
  const auto grace = Clock::now() + std::chrono::seconds(2);
  while (server.open_connections() > 0 && Clock::now() < grace)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  server.Stop();
  // Pushes still waiting for segments are reported as incomplete.
  if (!a.count || printer.printed() < a.count) collector.Flush();
  if (exit_code == kExitInconc && printer.printed() < a.count) {
    std::cerr << "omaiop: timed out after " << a.timeout << " s with "
              << printer.printed() << " of " << a.count << " push(es)\n";
  } else {
    exit_code = kExitOk;
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return exit_code;
}

}  // namespace

void RegisterSmscCommands(CLI::App& app, CommandContext& ctx) {
  auto* smsc_cmd = app.add_subcommand(
      "smsc", "The simulated SMSC: SMPP 3.4 for push servers under test");
  smsc_cmd->require_subcommand(1);
  auto a = std::make_shared<ServeArgs>();
  auto* serve = smsc_cmd->add_subcommand(
      "serve",
      "Run the SMPP SMSC; print every push that arrives, reassembled and "
      "decoded (sender, destination, SMPP details, every layer as `omaiop "
      "decode` prints it, the MAC check, and the simulated handset's verdict: "
      "accepted or the rule that rejected it, and the settings it stored)");
  serve->add_option("--bind", a->bind, "address to listen on (127.0.0.1)");
  serve->add_option("--port", a->port, "TCP port (2775; 0 = any free port)")
      ->check(CLI::Range(0, 65535));
  serve->add_option("--system-id", a->system_id,
                    "system_id ESMEs must bind with (default omaiop)");
  serve->add_option("--password", a->password,
                    "password ESMEs must bind with (default omaiop)");
  serve->add_option("--imsi", a->imsi,
                    "the simulated handset's IMSI (its card): the NETWPIN / "
                    "USERNETWPIN key");
  serve->add_option("--pin", a->pins,
                    "a PIN the handset's user types when asked (USERPIN, "
                    "USERNETWPIN, USERPINMAC); repeatable: typed in order, "
                    "one per attempt (the handset allows 3), then the user "
                    "cancels");
  serve->add_flag("--json", a->json,
                  "one JSON object per line per push (the listening line "
                  "goes to stderr)");
  serve->add_option("--count", a->count, "exit after N pushes");
  serve->add_option("--timeout", a->timeout, "exit after S seconds")
      ->check(CLI::NonNegativeNumber);
  serve->add_flag("--trace", a->trace,
                  "print every SMPP PDU in and out to stderr");
  serve->footer(
      "Prints \"listening on HOST:PORT\" first (the bound port when --port 0). "
      "Stops on SIGINT/SIGTERM, after --count pushes or --timeout seconds; "
      "pushes still missing segments are then printed as incomplete.\n"
      "Exit status: 0 stopped normally; 2 --timeout reached before --count "
      "pushes; 3 tool failure (cannot listen).");
  serve->callback([&ctx, a] { ctx.exit_code = RunServe(*a); });
}

}  // namespace omaiop::cli
