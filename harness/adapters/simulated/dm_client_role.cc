#include "harness/adapters/simulated/dm_client_role.h"

#include <algorithm>

#include "codec/bytes.h"
#include "harness/adapters/dm_handset/dm_handset_session.h"
#include "sim/servers/dm_faults.h"
#include "sim/servers/dm_server.h"

namespace omaiop::harness::adapters {

namespace {

namespace dm = sim::handset::dm;
namespace servers = sim::servers;

std::optional<servers::DmAuthMode> ModeOf(dm::DmAuthScheme s) {
  switch (s) {
    case dm::DmAuthScheme::kNone:
      return servers::DmAuthMode::kNone;
    case dm::DmAuthScheme::kBasic:
      return servers::DmAuthMode::kBasic;
    case dm::DmAuthScheme::kMd5:
      return servers::DmAuthMode::kDigest;
    case dm::DmAuthScheme::kHmac:
      return servers::DmAuthMode::kHmac;
  }
  return std::nullopt;
}

codec::DmAuthType CredOf(dm::DmAuthScheme s) {
  if (s == dm::DmAuthScheme::kBasic) return codec::DmAuthType::kBasic;
  if (s == dm::DmAuthScheme::kHmac) return codec::DmAuthType::kHmac;
  return codec::DmAuthType::kMd5;
}

class SimulatedDmServerPeer : public DmServerPeer {
 public:
  SimulatedDmServerPeer(script::TestCase tc, AdapterConfig config)
      : tc_(std::move(tc)), config_(std::move(config)) {}
  ~SimulatedDmServerPeer() override {
    if (server_) server_->Stop();
  }

  codec::Status CheckOptions() {
    static const char* kKnown[] = {
        "server-id",    "auth",        "username",        "password",
        "client-nonce", "server-cred", "server-password", "server-nonce",
        "max-msg-size", "fault"};
    for (const auto& o : tc_.preconditions.server)
      if (std::none_of(std::begin(kKnown), std::end(kKnown),
                       [&](const char* k) { return o.name == k; }))
        return codec::Error("server option " + o.name +
                                " not supported by the simulated DM server",
                            0, "test case <server>");
    for (const auto& o : tc_.preconditions.server)
      if (o.name == "fault" && !servers::DmFaultByName(o.value))
        return codec::Error(
            "unknown DM fault '" + o.value + "' (see `omaiop dm faults`)", 0,
            "test case <server>");
    return codec::OkStatus();
  }

  codec::Result<Prepared> Prepare(
      const std::vector<servers::ScriptPackage>& packages,
      const std::vector<std::string>&, const dm::DmAccount& account) override {
    if (server_) {
      Collect();
      server_->Stop();
      server_.reset();
    }
    servers::DmServerConfig c;
    c.http.bind_address = "127.0.0.1";
    c.http.port = 0;
    c.server_id = Opt("server-id", account.server_id);
    c.client_auth = *ModeOf(account.client_auth);
    if (auto a = Opt("auth"); !a.empty()) {
      auto m = servers::DmAuthModeByName(a);
      if (!m)
        return codec::Error("server option auth=" + a, 0, "test case <server>");
      c.client_auth = *m;
    }
    c.username = Opt("username", account.client_name);
    c.password = Opt("password", account.client_secret);
    OMAIOP_ASSIGN_OR_RETURN(c.client_nonce,
                            Hex("client-nonce", account.client_nonce));
    if (account.check_server_cred) c.server_cred = CredOf(account.server_auth);
    if (auto sc = Opt("server-cred"); !sc.empty()) {
      if (sc == "none")
        c.server_cred.reset();
      else if (sc == "basic")
        c.server_cred = codec::DmAuthType::kBasic;
      else if (sc == "digest")
        c.server_cred = codec::DmAuthType::kMd5;
      else if (sc == "hmac")
        c.server_cred = codec::DmAuthType::kHmac;
      else
        return codec::Error("server option server-cred=" + sc, 0,
                            "test case <server>");
    }
    c.server_password = Opt("server-password", account.server_secret);
    OMAIOP_ASSIGN_OR_RETURN(c.server_nonce,
                            Hex("server-nonce", account.server_nonce));
    if (auto m = Opt("max-msg-size"); !m.empty())
      c.max_msg_size = static_cast<std::size_t>(std::stoul(m));
    for (const auto& name : Faults())
      if (auto id = servers::DmFaultByName(name);
          id &&
          std::find(c.faults.begin(), c.faults.end(), *id) == c.faults.end())
        c.faults.push_back(*id);
    c.script.packages = packages;
    // Reproducible nonces: the same campaign gives the same trace.
    c.nonce_source = [n = std::uint8_t{0}]() mutable {
      return codec::Bytes(16, ++n);
    };
    server_id_ = c.server_id;
    server_password_ = c.server_password;
    server_nonce_ = c.server_nonce;
    server_ = std::make_unique<servers::DmServer>(std::move(c));
    OMAIOP_RETURN_IF_ERROR(server_->Start());
    seen_ = 0;
    std::string shown = "http://simulated.invalid/dm";
    for (const auto& a : config_.iut.addresses)
      if (a.name == "dm" && !a.url.empty()) shown = a.url;
    return Prepared{server_->BaseUrl(), std::nullopt, shown,
                    /*deterministic_nonces=*/true};
  }

  codec::Result<codec::Bytes> Package0(const dm::DmAccount& account,
                                       std::uint16_t session_id) override {
    if (!server_) return codec::Error("no server running", 0, "omaiop");
    servers::Package0Options o;
    o.server_id = server_id_;
    o.server_password = server_password_;
    o.nonce = server_nonce_;
    o.session_id = session_id;
    return server_->NotifySession(o, {});
  }

  std::vector<DmPeerEvent> Collect() override {
    std::vector<DmPeerEvent> out;
    if (!server_) return out;
    auto sessions = server_->Sessions();
    for (const auto& s : sessions) {
      for (const auto& m : s.messages)
        for (const auto& f : m.applied_faults)
          if (auto id = servers::DmFaultByName(f))
            out.push_back({"fault_applied",
                           std::string(servers::InfoOf(*id).rule),
                           f + " in server message " + m.msg_id});
      for (const auto& v : s.violations)
        out.push_back({"violation", v.rule + " (" + v.spec_ref + ")",
                       "MsgID " + v.msg_id + ": " + v.evidence});
    }
    // Each call reports what is new since the last one.
    std::vector<DmPeerEvent> fresh(out.begin() + std::min(seen_, out.size()),
                                   out.end());
    seen_ = out.size();
    return fresh;
  }

  std::string name() const override { return "simulated DM server"; }

 private:
  std::string Opt(std::string_view name, std::string def = {}) const {
    for (const auto& o : tc_.preconditions.server)
      if (o.name == name) return o.value;
    return def;
  }
  std::vector<std::string> Faults() const {
    std::vector<std::string> f = config_.faults;
    f.insert(f.end(), tc_.preconditions.faults.begin(),
             tc_.preconditions.faults.end());
    for (const auto& o : tc_.preconditions.server)
      if (o.name == "fault") f.push_back(o.value);
    // CP fault names target the push server, not this peer.
    std::erase_if(
        f, [](const std::string& n) { return !servers::DmFaultByName(n); });
    return f;
  }
  codec::Result<codec::Bytes> Hex(std::string_view name,
                                  const codec::Bytes& def) const {
    const std::string v = Opt(name);
    if (v.empty()) return def;
    auto b = codec::ParseHex(v);
    if (!b.ok())
      return codec::Error("server option " + std::string(name) + " must be hex",
                          0, "test case <server>");
    return *b;
  }

  script::TestCase tc_;
  AdapterConfig config_;
  std::unique_ptr<servers::DmServer> server_;
  std::string server_id_, server_password_;
  codec::Bytes server_nonce_;
  std::size_t seen_ = 0;
};

}  // namespace

codec::Result<std::shared_ptr<Session>> OpenSimulatedDmClientRole(
    const script::TestCase& tc, const AdapterConfig& config,
    std::shared_ptr<Recorder> recorder) {
  auto peer = std::make_unique<SimulatedDmServerPeer>(tc, config);
  OMAIOP_RETURN_IF_ERROR(peer->CheckOptions());
  return OpenDmHandsetSession(tc, config, std::move(recorder), std::move(peer));
}

}  // namespace omaiop::harness::adapters
