#include "sim/handset/cp/context.h"

#include <algorithm>
#include <charconv>

namespace omaiop::sim::handset::cp {
namespace {

constexpr char kRuleUnique[] = "ProvBoot B-C-008 PROVURL unique / cp.md §2.4";
constexpr char kRuleAllow[] = "ProvBoot CONTEXT-ALLOW (MEMORY) / cp.md §2.4";
constexpr char kRuleTrust[] =
    "ProvBoot continuous provisioning: Push-Flag + X-Wap-Initiator-URI = "
    "PROVURL / cp.md §2.4";

std::optional<int> ParseAllow(const Characteristic& b) {
  if (!b.Has("CONTEXT-ALLOW")) return std::nullopt;
  std::string v = b.Value("CONTEXT-ALLOW");
  int n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < 0 || n > 255)
    return std::nullopt;  // the validator already drops such values
  return n;
}

}  // namespace

codec::Result<std::optional<std::string>> ContextManager::Bootstrap(
    const Document& doc, std::string_view origin, EventSink* sink) {
  auto emit = [&](EventKind k, const char* rule, const std::string& path,
                  std::string detail) {
    if (sink) sink->Add(k, rule, path, std::move(detail));
  };
  const Characteristic* boot = nullptr;
  for (const auto* b : doc.All("BOOTSTRAP"))
    if (b->Has("PROVURL")) {
      boot = b;
      break;
    }
  if (!boot) return std::optional<std::string>();
  std::string url = boot->Value("PROVURL");
  for (const auto& c : contexts_) {
    if (c.provurl == url) {
      std::string what = "PROVURL " + url + " already identifies " + c.id;
      emit(EventKind::kContextRejected, kRuleUnique, boot->path, what);
      return codec::PathError(what, boot->path, kRuleUnique);
    }
  }
  bool card = origin.starts_with("card:");
  if (policy_.enforce_context_allow &&
      !(card && policy_.card_bypasses_context_allow)) {
    for (const auto& c : contexts_) {
      std::optional<int> allow =
          c.context_allow ? c.context_allow : policy_.absent_context_allow;
      if (!allow) continue;
      int others = static_cast<int>(contexts_.size()) - 1;
      if (others >= *allow) {
        std::string what = c.id + " (PROVURL " + c.provurl + ") allows " +
                           std::to_string(*allow) + " further context(s); " +
                           std::to_string(others) + " already exist";
        emit(EventKind::kContextRejected, kRuleAllow, boot->path, what);
        return codec::PathError(what, boot->path, kRuleAllow);
      }
    }
  }
  Context ctx;
  ctx.id = "ctx:" + std::to_string(next_id_++);
  ctx.name = boot->Value("NAME");
  ctx.provurl = url;
  ctx.context_allow = ParseAllow(*boot);
  ctx.proxy_ids = boot->Values("PROXY-ID");
  ctx.origin = std::string(origin);
  ctx.source_path = boot->path;
  emit(EventKind::kContextCreated, "ProvBoot bootstrap / cp.md §2.4",
       boot->path,
       ctx.id + " PROVURL=" + url + " CONTEXT-ALLOW=" +
           (ctx.context_allow ? std::to_string(*ctx.context_allow)
                              : std::string("absent")) +
           " origin=" + ctx.origin);
  contexts_.push_back(ctx);
  return std::optional<std::string>(ctx.id);
}

std::optional<std::string> ContextManager::IsTrustedSource(
    bool authenticated, std::string_view initiator_uri, EventSink* sink) const {
  auto emit = [&](EventKind k, std::string detail) {
    if (sink)
      sink->Add(k, kRuleTrust, "X-Wap-Initiator-URI", std::move(detail));
  };
  std::string uri(initiator_uri);
  if (!authenticated) {
    emit(EventKind::kSourceUntrusted,
         "Push-Flag initiator-authenticated bit not set (" + uri + ")");
    return std::nullopt;
  }
  for (const auto& c : contexts_) {
    bool match = policy_.provurl_prefix_match
                     ? initiator_uri.starts_with(c.provurl)
                     : initiator_uri == c.provurl;
    if (match) {
      emit(EventKind::kSourceTrusted, uri + " is the TPS of " + c.id);
      return c.id;
    }
  }
  emit(EventKind::kSourceUntrusted, uri + " matches no context's PROVURL");
  return std::nullopt;
}

bool ContextManager::Remove(std::string_view id) {
  return std::erase_if(contexts_,
                       [&](const Context& c) { return c.id == id; }) > 0;
}

std::size_t ContextManager::RemoveOrigin(std::string_view origin) {
  return std::erase_if(contexts_,
                       [&](const Context& c) { return c.origin == origin; });
}

const Context* ContextManager::Find(std::string_view id) const {
  for (const auto& c : contexts_)
    if (c.id == id) return &c;
  return nullptr;
}

nlohmann::json ContextManager::ToJson() const {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& c : contexts_) {
    nlohmann::json cj = {
        {"id", c.id},           {"name", c.name},
        {"provurl", c.provurl}, {"proxy_ids", c.proxy_ids},
        {"origin", c.origin},   {"source_path", c.source_path}};
    cj["context_allow"] = c.context_allow ? nlohmann::json(*c.context_allow)
                                          : nlohmann::json(nullptr);
    j.push_back(std::move(cj));
  }
  return j;
}

}  // namespace omaiop::sim::handset::cp
