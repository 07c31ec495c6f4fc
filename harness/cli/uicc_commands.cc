// `omaiop uicc serve` (the virtual UICC as a card in pcscd's "Virtual PCD"
// reader, through vsmartcard's vpcd) and `omaiop uicc apdu` (APDUs to any
// PC/SC reader, responses with decoded status words).
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <mutex>
#include <thread>

#include "codec/bytes.h"
#include "harness/cli/card_source.h"
#include "harness/cli/commands.h"
#include "sim/reader/pcsc_reader.h"
#include "sim/uicc/apdu.h"
#include "sim/uicc/profile_dump.h"
#include "sim/uicc/vpcd_link.h"

namespace omaiop::cli {

namespace {

using codec::Bytes;

struct ServeArgs {
  std::string profile = "sample";
  std::string state;
  std::string vpcd = "127.0.0.1:35963";
};

int Serve(const ServeArgs& args) {
  sim::uicc::VpcdLinkOptions options;
  auto colon = args.vpcd.rfind(':');
  try {
    if (colon == std::string::npos) throw std::invalid_argument("no colon");
    options.host = args.vpcd.substr(0, colon);
    unsigned long port = std::stoul(args.vpcd.substr(colon + 1));
    if (port == 0 || port > 0xFFFF) throw std::out_of_range("port");
    options.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    std::cerr << "omaiop uicc serve: --vpcd wants HOST:PORT (e.g. "
                 "127.0.0.1:35963), got '"
              << args.vpcd << "'\n";
    return kExitToolFailure;
  }
  auto loaded = LoadPersistentCard(args.profile, args.state);
  if (!loaded.ok()) {
    std::cerr << "omaiop uicc serve: " << loaded.error().ToString() << "\n";
    return kExitToolFailure;
  }
  for (const auto& w : loaded->warnings)
    std::cerr << "omaiop uicc serve: state not applied: " << w.ToString()
              << "\n";
  if (loaded->store)
    std::cout << "uicc serve: state " << args.state
              << (loaded->restored ? " restored" : " (new)") << std::endl;
  std::unique_ptr<sim::uicc::Card>& card = loaded->card;

  // Signals are taken by sigwait() on this thread only: block them before
  // the link thread starts so it inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  std::mutex out_mu;
  auto say = [&out_mu](const std::string& line) {
    std::lock_guard<std::mutex> lock(out_mu);
    std::cout << "uicc serve: " << line << std::endl;
  };
  sim::uicc::VpcdLink link(sim::uicc::VpcdCard::ForCard(*card), options);
  link.set_event_handler([&say](const sim::uicc::VpcdEvent& e) {
    std::string line(sim::uicc::VpcdEventName(e.kind));
    if (!e.detail.empty()) line += " (" + e.detail + ")";
    say(line);
  });
  say("profile '" + args.profile + "' on vpcd " + args.vpcd + ", ATR " +
      codec::ToHex(sim::uicc::Card::Atr()) +
      "; SIGUSR1 toggles removal/insertion, SIGINT/SIGTERM stop");
  std::thread runner([&link] { link.Run(); });
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGUSR1) {
      if (link.inserted()) {
        say("SIGUSR1: removing the card");
        link.Remove();
      } else {
        say("SIGUSR1: inserting the card");
        link.Insert();
      }
      continue;
    }
    say(std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
    link.Stop();
    break;
  }
  runner.join();
  sim::uicc::VpcdStats s = link.stats();
  say("summary: " + std::to_string(s.connects) + " connects, " +
      std::to_string(s.apdus) + " APDUs, " + std::to_string(s.power_ons) +
      " power-ons, " + std::to_string(s.power_offs) + " power-offs, " +
      std::to_string(s.resets) + " resets, " + std::to_string(s.atr_requests) +
      " ATR requests");
  return kExitOk;
}

int Apdu(const std::string& reader_name, const std::vector<std::string>& hex) {
  std::vector<Bytes> apdus;
  for (std::size_t i = 0; i < hex.size(); ++i) {
    auto b = codec::ParseHex(hex[i]);
    if (!b.ok() || b->size() < 4) {
      std::cerr << "omaiop uicc apdu: argument " << i + 1 << " '" << hex[i]
                << "' is not a command APDU in hex (at least CLA INS P1 P2)\n";
      return kExitToolFailure;
    }
    apdus.push_back(*b);
  }
  auto reader = sim::reader::PcscReader::Open(reader_name);
  if (!reader.ok()) {
    std::cerr << "omaiop uicc apdu: " << reader.error().what << "\n";
    return kExitToolFailure;
  }
  auto atr = (*reader)->Connect();
  if (!atr.ok()) {
    std::cerr << "omaiop uicc apdu: " << atr.error().what << "\n";
    return kExitToolFailure;
  }
  std::cout << "reader: " << (*reader)->name() << "\n"
            << "ATR: " << codec::ToHex(*atr) << "\n";
  for (const Bytes& c : apdus) {
    std::cout << "> " << codec::ToHex(c) << "\n";
    auto r = (*reader)->Transmit(c);
    if (!r.ok()) {
      std::cerr << "omaiop uicc apdu: " << r.error().what << "\n";
      return kExitToolFailure;
    }
    if (r->size() < 2) {
      std::cout << "< " << codec::ToHex(*r) << "  (no status word)\n";
      continue;
    }
    std::uint16_t sw = static_cast<std::uint16_t>((*r)[r->size() - 2] << 8 |
                                                  (*r)[r->size() - 1]);
    Bytes data(r->begin(), r->end() - 2);
    std::cout << "< " << (data.empty() ? "" : codec::ToHex(data) + " ")
              << codec::ToHex(Bytes(r->end() - 2, r->end())) << "  "
              << sim::uicc::DescribeStatusWord(sw) << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterUiccCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* uicc = app.add_subcommand(
      "uicc", "the virtual UICC: serve it through pcscd + vpcd, talk PC/SC");
  uicc->require_subcommand(1);

  auto serve_args = std::make_shared<ServeArgs>();
  CLI::App* serve = uicc->add_subcommand(
      "serve",
      "serve the virtual UICC as a card in pcscd's 'Virtual PCD 00 00' reader "
      "(vsmartcard-vpcd; start pcscd first, e.g. `pcscd -f`). Runs until "
      "SIGINT/SIGTERM. Hot-plug: `kill -USR1 <pid>` toggles card removal / "
      "insertion. Prints a line per connect/power/reset and a summary at "
      "exit.");
  serve
      ->add_option("--profile", serve_args->profile,
                   "card profile: an XML profile file, the name of a shipped "
                   "one (sim-2g, uicc-3g, ruim, csim: fixtures/uicc/), or "
                   "'sample' (built-in demo tree)")
      ->capture_default_str();
  serve->add_option("--state", serve_args->state,
                    "card state file: writable content (EFs, PIN counters and "
                    "values) persists across runs; every write is atomic");
  serve
      ->add_option("--vpcd", serve_args->vpcd,
                   "vpcd HOST:PORT (35963 = reader 'Virtual PCD 00 00', "
                   "35964 = '... 00 01')")
      ->capture_default_str();
  serve->callback([serve_args, &ctx] { ctx.exit_code = Serve(*serve_args); });

  auto reader = std::make_shared<std::string>();
  auto hex = std::make_shared<std::vector<std::string>>();
  CLI::App* apdu = uicc->add_subcommand(
      "apdu",
      "send command APDUs (hex) through PC/SC and print each response with "
      "its decoded status word");
  apdu->add_option("--reader", *reader,
                   "reader name substring or index (default: the first)");
  apdu->add_option("apdus", *hex, "command APDUs in hex, e.g. 00A4000C022FE2")
      ->required();
  apdu->callback([reader, hex, &ctx] { ctx.exit_code = Apdu(*reader, *hex); });

  auto dump_profile = std::make_shared<std::string>();
  auto dump_hex_only = std::make_shared<bool>(false);
  CLI::App* dump = uicc->add_subcommand(
      "dump",
      "load a card profile (validated against fixtures/uicc/profile.xsd) and "
      "print its file tree: FIDs, types, sizes, SFIs, access conditions and "
      "decoded contents (IMSI, ICCID, EF.DIR, PKCS#15 ODF/DODF/TokenInfo, "
      "WBXML documents as XML)");
  dump->add_option("PROFILE", *dump_profile,
                   "XML profile file or shipped profile name")
      ->required();
  dump->add_flag("--hex", *dump_hex_only,
                 "show contents as hex only, without decoding WBXML");
  dump->callback([dump_profile, dump_hex_only, &ctx] {
    auto profile = LoadNamedProfile(*dump_profile);
    if (!profile.ok()) {
      std::cerr << "omaiop uicc dump: " << profile.error().ToString() << "\n";
      ctx.exit_code = kExitToolFailure;
      return;
    }
    sim::uicc::DumpOptions options;
    options.decode_wbxml = !*dump_hex_only;
    std::cout << sim::uicc::DumpProfile(*profile, options);
    ctx.exit_code = kExitOk;
  });
}

}  // namespace omaiop::cli
