// MakeAdapter: the simulated peers, a real SMPP push server, an IUT behind a
// command; the DM adapters (HTTP DM server/client) come later and say so.
#include <string>

#include "harness/adapters/adapter.h"
#include "harness/adapters/command/command_adapter.h"
#include "harness/adapters/dm_client/dm_client_adapter.h"
#include "harness/adapters/http_dm_server/http_dm_server_adapter.h"
#include "harness/adapters/simulated/simulated_adapter.h"
#include "harness/adapters/smpp_push_server/smpp_push_server_adapter.h"

namespace omaiop::harness::adapters {

namespace {

class NotImplementedAdapter : public Adapter {
 public:
  explicit NotImplementedAdapter(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  codec::Result<std::shared_ptr<Session>> Open(
      const script::TestCase&, const AdapterConfig&,
      std::shared_ptr<Recorder>) override {
    return codec::Error("adapter " + name_ + " not implemented yet", 0,
                        "omaiop: harness/adapters");
  }

 private:
  std::string name_;
};

}  // namespace

std::unique_ptr<Adapter> MakeAdapter(script::AdapterKind kind) {
  if (kind == script::AdapterKind::kSimulated)
    return std::make_unique<SimulatedAdapter>();
  if (kind == script::AdapterKind::kSmppPushServer)
    return std::make_unique<SmppPushServerAdapter>();
  if (kind == script::AdapterKind::kCommand)
    return std::make_unique<CommandAdapter>();
  if (kind == script::AdapterKind::kHttpDmServer)
    return std::make_unique<HttpDmServerAdapter>();
  if (kind == script::AdapterKind::kDmClient)
    return std::make_unique<DmClientAdapter>();
  return std::make_unique<NotImplementedAdapter>(
      std::string(script::AdapterName(kind)));
}

}  // namespace omaiop::harness::adapters
