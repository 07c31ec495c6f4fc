// Configuration contexts (ProvBoot; cp.md §2.4): a BOOTSTRAP with PROVURL
// creates a context whose Trusted Provisioning Server (TPS) is identified by
// that PROVURL; later documents are trusted only when they come from it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/result.h"
#include "sim/handset/cp/document.h"
#include "sim/handset/cp/trace.h"

namespace omaiop::sim::handset::cp {

struct ContextPolicy {
  // (MEMORY, cp.md §2.4) a further bootstrap is refused unless every
  // existing context's CONTEXT-ALLOW permits one more context.
  bool enforce_context_allow = true;
  // CONTEXT-ALLOW when the BOOTSTRAP omits it. Not stated in cp.md
  // (UNCERTAIN); nullopt = no limit.
  std::optional<int> absent_context_allow = std::nullopt;
  // (MEMORY, cp.md §3) a smart-card bootstrap (origin "card:...") takes
  // precedence: it is not limited by OTA contexts' CONTEXT-ALLOW.
  bool card_bypasses_context_allow = true;
  // How X-Wap-Initiator-URI must match PROVURL: exact string (default) or
  // PROVURL as a prefix of the initiator URI. The spec wording could not be
  // re-read (cp.md §2.4, UNCERTAIN).
  bool provurl_prefix_match = false;
};

struct Context {
  std::string id;       // "ctx:<n>"
  std::string name;     // BOOTSTRAP NAME (user-visible)
  std::string provurl;  // TPS identity, unique per device (B-C-008)
  std::optional<int> context_allow;
  std::vector<std::string> proxy_ids;  // BOOTSTRAP PROXY-ID: reach the TPS
  std::string origin;                  // "ota", "card:<ICCID>", "factory"
  std::string source_path;
};

class ContextManager {
 public:
  explicit ContextManager(ContextPolicy policy = {}) : policy_(policy) {}

  // Processes the BOOTSTRAP of a validated document. Returns the id of the
  // context created, nullopt when the document has no BOOTSTRAP with PROVURL
  // (no context), or a Diagnostic (and a context_rejected event) when the
  // bootstrap must be refused: PROVURL already known (ProvBoot B-C-008) or
  // CONTEXT-ALLOW exhausted.
  codec::Result<std::optional<std::string>> Bootstrap(const Document& doc,
                                                      std::string_view origin,
                                                      EventSink* sink);

  // Continuous provisioning (cp.md §2.4): trusted only when the push was
  // flagged "initiator authenticated" and X-Wap-Initiator-URI matches a
  // context's PROVURL. Returns that context's id.
  std::optional<std::string> IsTrustedSource(
      bool push_flag_initiator_authenticated, std::string_view initiator_uri,
      EventSink* sink = nullptr) const;

  // A TPS modifies only its own context: may `context_id` change an item of
  // `item_origin`?
  static bool CanModify(std::string_view context_id,
                        std::string_view item_origin) {
    return context_id == item_origin;
  }

  bool Remove(std::string_view id);
  std::size_t RemoveOrigin(std::string_view origin);
  const std::vector<Context>& contexts() const { return contexts_; }
  const Context* Find(std::string_view id) const;
  nlohmann::json ToJson() const;

 private:
  ContextPolicy policy_;
  std::vector<Context> contexts_;
  int next_id_ = 1;
};

}  // namespace omaiop::sim::handset::cp
