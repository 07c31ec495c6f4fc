#include "sim/handset/dm/fumo.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "codec/dm_auth.h"
#include "sim/network/url.h"

namespace omaiop::sim::handset::dm {

namespace {

constexpr char kRuleExec[] = "dm.md §4: FUMO Exec -> 202, then Generic Alert";
constexpr char kRuleState[] = "dm.md §4: FUMO State values";
constexpr char kRuleAuth[] =
    "dm.md §1.4 FUMO authorisation via card (OUR DESIGN, "
    "docs/dm-smartcard.md): SHA-256 of the package on EF.FUMO-Auth";
constexpr char kRulePolicy[] =
    "FumoOptions::require_card_authorisation = false (device policy)";
constexpr char kRuleCard[] =
    "docs/dm-smartcard.md: EF.FUMO-Auth 3F00/7F66/6F10, 32-octet records";
constexpr char kRuleDownload[] = "dm.md §4: Download/PkgURL (HTTP GET)";
constexpr char kRuleResult[] = "dm.md §4: FUMO ResultCodes";

std::string_view KindName(FumoOperation::Kind k) {
  switch (k) {
    case FumoOperation::Kind::kDownload:
      return "Download";
    case FumoOperation::Kind::kUpdate:
      return "Update";
    case FumoOperation::Kind::kDownloadAndUpdate:
      return "DownloadAndUpdate";
  }
  return "?";
}

const char* AlertType(FumoOperation::Kind k) {
  switch (k) {
    case FumoOperation::Kind::kDownload:
      return kFumoTypeDownload;
    case FumoOperation::Kind::kUpdate:
      return kFumoTypeUpdate;
    case FumoOperation::Kind::kDownloadAndUpdate:
      return kFumoTypeDownloadAndUpdate;
  }
  return kFumoTypeUpdate;
}

bool AllFf(const codec::Bytes& b) {
  return std::all_of(b.begin(), b.end(),
                     [](std::uint8_t x) { return x == 0xFF; });
}

// CardSession reports a PIN problem only in its text (SatisfySecurity /
// VerifyPin1 diagnostics all name PIN1).
bool IsPinProblem(const codec::Diagnostic& d) {
  return d.what.find("PIN1") != std::string::npos ||
         d.what.find("tries left") != std::string::npos ||
         d.what.find("blocked") != std::string::npos;
}

}  // namespace

codec::Bytes Sha256(codec::ByteView data) {
  codec::Bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_sha256(),
                 nullptr) != 1)
    return {};
  out.resize(n);
  return out;
}

std::string_view CardAuthListStatusName(CardAuthList::Status s) {
  switch (s) {
    case CardAuthList::Status::kOk:
      return "ok";
    case CardAuthList::Status::kNoCard:
      return "no-card";
    case CardAuthList::Status::kPinUnavailable:
      return "pin1-unavailable";
    case CardAuthList::Status::kUnreadable:
      return "unreadable";
  }
  return "?";
}

CardAuthList ReadFumoAuthList(card::CardSession& session,
                              const FumoCardOptions& options) {
  CardAuthList out;
  if (!session.is_open()) {
    out.status = CardAuthList::Status::kNoCard;
    out.detail = "no open card session";
    return out;
  }
  auto ef = session.SelectPath(options.ef_path, "EF.FUMO-Auth");
  if (!ef.ok()) {
    out.status = IsPinProblem(ef.error())
                     ? CardAuthList::Status::kPinUnavailable
                     : CardAuthList::Status::kUnreadable;
    out.detail = ef.error().ToString();
    return out;
  }
  if (ef->transparent || ef->is_df) {
    out.status = CardAuthList::Status::kUnreadable;
    out.detail = "EF.FUMO-Auth (" + codec::ToHex(options.ef_path) +
                 ") is not a record EF";
    return out;
  }
  auto recs = session.ReadRecords(*ef);
  if (!recs.ok()) {
    out.status = IsPinProblem(recs.error())
                     ? CardAuthList::Status::kPinUnavailable
                     : CardAuthList::Status::kUnreadable;
    out.detail = recs.error().ToString();
    return out;
  }
  for (const auto& r : *recs) {
    if (AllFf(r)) {
      ++out.free_records;
    } else if (r.size() < options.digest_size) {
      ++out.bad_records;
    } else {
      // A record longer than a digest: the digest is its first octets and
      // the rest must be FF padding (OUR DESIGN).
      codec::Bytes tail(r.begin() + static_cast<long>(options.digest_size),
                        r.end());
      if (!AllFf(tail)) {
        ++out.bad_records;
        continue;
      }
      out.digests.emplace_back(
          r.begin(), r.begin() + static_cast<long>(options.digest_size));
    }
  }
  out.detail = std::to_string(recs->size()) +
               " record(s): " + std::to_string(out.digests.size()) +
               " digest(s), " + std::to_string(out.free_records) + " free, " +
               std::to_string(out.bad_records) + " malformed";
  return out;
}

CardAuthListSource CardSessionAuthSource(card::CardSession* session,
                                         FumoCardOptions options) {
  return [session, options]() {
    if (!session || !session->is_open()) {
      CardAuthList l;
      l.status = CardAuthList::Status::kNoCard;
      l.detail = session ? "card session closed" : "no card";
      return l;
    }
    return ReadFumoAuthList(*session, options);
  };
}

// --- agent
// ---------------------------------------------------------------------

FumoAgent::FumoAgent(Tree& tree, FumoOptions options, CardAuthListSource card)
    : tree_(tree), options_(std::move(options)), card_(std::move(card)) {}

std::string FumoAgent::Uri(std::string_view leaf) const {
  return JoinUri(options_.fumo_uri, leaf);
}

OpResult FumoAgent::Install() {
  using K = FumoOperation::Kind;
  for (K k : {K::kDownload, K::kUpdate, K::kDownloadAndUpdate}) {
    std::string uri = Uri(KindName(k));
    if (!tree_.Find(uri))
      return OpResult{status::kNotFound, uri + " does not exist", {}};
    tree_.RegisterExec(
        uri, [this, k](const ExecRequest& r) { return OnExec(k, r); });
  }
  return OpResult{status::kOk, "FUMO Exec handlers installed", {}};
}

int FumoAgent::state() const {
  const Node* n = tree_.Find(Uri("State"));
  if (!n) return 0;
  try {
    return std::stoi(n->value);
  } catch (...) {
    return 0;
  }
}

void FumoAgent::SetState(FumoState s, const std::string& why) {
  int old = state();
  tree_.DeviceSet(Uri("State"), std::to_string(static_cast<int>(s)));
  trace_.Add(DmEventKind::kFumoStateChanged, kRuleState,
             std::to_string(old) + " -> " +
                 std::to_string(static_cast<int>(s)) + " (" +
                 std::string(FumoStateName(s)) + "): " + why);
}

OpResult FumoAgent::OnExec(FumoOperation::Kind kind, const ExecRequest& r) {
  FumoOperation op{kind, r.uri, r.correlator, r.caller.server_id};
  std::string who = std::string(KindName(kind)) + " on " + r.uri +
                    (r.correlator.empty() ? "" : " correlator " + r.correlator);
  if (kind == FumoOperation::Kind::kUpdate) {
    const Node* pkg = tree_.Find(Uri("Update/PkgData"));
    bool have = (pkg && !pkg->value.empty()) || downloaded_.has_value();
    if (!have) {
      // Nothing to update with: refused at once, no alert (there is no
      // operation to report on).
      trace_.Add(DmEventKind::kFumoExec, kRuleExec,
                 who +
                     " -> 405: no package (Update/PkgData empty, nothing "
                     "downloaded)");
      return OpResult{status::kNotAllowed,
                      "FUMO Update without a package (PkgData empty, no "
                      "Download done)",
                      {}};
    }
    SetState(FumoState::kReadyToUpdate, "package present, Update accepted");
  }
  pending_.push_back(op);
  trace_.Add(DmEventKind::kFumoExec, kRuleExec,
             who + " -> 202 accepted; result reported " +
                 (options_.report == FumoReportTiming::kSameSession
                      ? "in this session's next client message"
                      : "in package 1 of the next session"));
  return OpResult{status::kAccepted,
                  "FUMO " + std::string(KindName(kind)) +
                      " accepted, result follows in Generic Alert 1226",
                  {}};
}

void FumoAgent::RunPending() {
  auto ops = std::move(pending_);
  pending_.clear();
  for (const auto& op : ops) Run(op);
}

std::optional<codec::Bytes> FumoAgent::Download(const FumoOperation& op,
                                                int* code) {
  std::string url_uri = Uri(std::string(KindName(op.kind)) + "/PkgURL");
  const Node* n = tree_.Find(url_uri);
  std::string url = n ? n->value : "";
  SetState(FumoState::kDownloadProgressing, "GET " + url);
  auto fail = [&](int c, std::string why) -> std::optional<codec::Bytes> {
    *code = c;
    trace_.Add(DmEventKind::kFumoDownload, kRuleDownload,
               "failed -> ResultCode " + std::to_string(c) + ": " + why);
    SetState(FumoState::kDownloadFailed, why);
    return std::nullopt;
  };
  auto parsed = network::ParseUrl(url);
  if (url.empty() || !parsed.ok())
    return fail(fumo_result::kBadUrl,
                url_uri + " '" + url + "' is not an http(s) URL" +
                    (parsed.ok() ? "" : ": " + parsed.error().what));
  network::HttpRequest req;
  req.method = "GET";
  req.url = url;
  auto resp = network::HttpFetch(req, options_.http);
  if (!resp.ok())
    return fail(fumo_result::kDownloadNetwork,
                "transport: " + resp.error().what);
  if (resp->status != 200)
    return fail(options_.code_download_http_error,
                "HTTP status " + std::to_string(resp->status));
  if (resp->body.empty())
    return fail(fumo_result::kCorruptedPackage, "empty body");
  trace_.Add(DmEventKind::kFumoDownload, kRuleDownload,
             std::to_string(resp->body.size()) + " octets from " + url);
  SetState(FumoState::kDownloadComplete, "package downloaded");
  return codec::Bytes(resp->body.begin(), resp->body.end());
}

int FumoAgent::Update(const FumoOperation& op, const codec::Bytes& pkg) {
  const std::string digest = codec::ToHex(Sha256(pkg));
  const std::string what =
      std::to_string(pkg.size()) + "-octet package, SHA-256 " + digest;
  auto refuse = [&](int code, bool keep, std::string why) {
    trace_.Add(
        DmEventKind::kFumoRefused, kRuleAuth,
        what + " refused -> ResultCode " + std::to_string(code) + ": " + why);
    if (!keep) {
      tree_.DeviceSet(Uri("Update/PkgData"), "");
      downloaded_.reset();
    }
    SetState(keep ? FumoState::kUpdateFailedHaveData
                  : FumoState::kUpdateFailedNoData,
             keep ? "update refused, package kept"
                  : "update refused, "
                    "package discarded");
    return code;
  };
  if (!options_.require_card_authorisation) {
    trace_.Add(DmEventKind::kFumoAuthorised, kRulePolicy,
               what + " accepted without the card");
  } else {
    CardAuthList list;
    if (card_) {
      list = card_();
    } else {
      list.status = CardAuthList::Status::kNoCard;
      list.detail = "no card source";
    }
    trace_.Add(
        DmEventKind::kFumoCardRead, kRuleCard,
        std::string(CardAuthListStatusName(list.status)) + ": " + list.detail);
    if (list.status != CardAuthList::Status::kOk)
      return refuse(options_.code_card_unavailable,
                    options_.keep_package_when_card_unavailable,
                    "the card could not be consulted (" +
                        std::string(CardAuthListStatusName(list.status)) +
                        ": " + list.detail + ")");
    std::size_t match = 0;
    for (std::size_t i = 0; i < list.digests.size() && !match; ++i)
      if (codec::ToHex(list.digests[i]) == digest) match = i + 1;
    if (!match)
      return refuse(options_.code_no_match, false,
                    "SHA-256 is on none of the " +
                        std::to_string(list.digests.size()) +
                        " EF.FUMO-Auth digest(s)");
    trace_.Add(DmEventKind::kFumoAuthorised, kRuleAuth,
               what + " matches EF.FUMO-Auth digest " + std::to_string(match) +
                   " of " + std::to_string(list.digests.size()));
  }
  SetState(FumoState::kUpdateProgressing, "installing");
  std::string version;
  if (const Node* v = tree_.Find(Uri("PkgVersion"))) version = v->value;
  if (!version.empty() && !options_.fw_version_uri.empty() &&
      tree_.Find(options_.fw_version_uri))
    tree_.DeviceSet(options_.fw_version_uri, version);
  installed_ = digest;
  tree_.DeviceSet(Uri("Update/PkgData"), "");
  downloaded_.reset();
  SetState(FumoState::kUpdateSuccessfulNoData,
           "installed" + (version.empty() ? std::string()
                                          : ", firmware version " + version));
  return fumo_result::kSuccess;
}

void FumoAgent::Run(const FumoOperation& op) {
  int code = fumo_result::kSuccess;
  switch (op.kind) {
    case FumoOperation::Kind::kDownload: {
      auto pkg = Download(op, &code);
      if (pkg) downloaded_ = std::move(*pkg);
      break;
    }
    case FumoOperation::Kind::kDownloadAndUpdate: {
      auto pkg = Download(op, &code);
      if (pkg) {
        SetState(FumoState::kReadyToUpdate, "downloaded, updating");
        code = Update(op, *pkg);
      }
      break;
    }
    case FumoOperation::Kind::kUpdate: {
      codec::Bytes pkg;
      const Node* n = tree_.Find(Uri("Update/PkgData"));
      if (n && !n->value.empty()) {
        if (n->format == Format::kB64) {
          // Replace with Meta Format b64 keeps the base64 text.
          auto raw = codec::Base64Decode(n->value);
          if (!raw.ok()) {
            trace_.Add(DmEventKind::kFumoRefused, kRuleResult,
                       "PkgData (b64) does not decode -> ResultCode 402");
            tree_.DeviceSet(Uri("Update/PkgData"), "");
            SetState(FumoState::kUpdateFailedNoData, "corrupted package");
            code = fumo_result::kCorruptedPackage;
            break;
          }
          pkg = std::move(*raw);
        } else {
          codec::ByteView v = codec::AsBytes(n->value);
          pkg.assign(v.begin(), v.end());
        }
      } else if (downloaded_) {
        pkg = *downloaded_;
      }
      code = Update(op, pkg);
      break;
    }
  }
  Report(op, code);
}

void FumoAgent::Report(const FumoOperation& op, int code) {
  codec::GenericAlert a;
  a.source_uri = op.uri;
  a.type = AlertType(op.kind);
  a.format = "int";
  bool ok = code >= 200 && code < 300;
  const std::string& mark = ok ? options_.success_mark : options_.failure_mark;
  if (!mark.empty()) a.mark = mark;
  a.data = std::to_string(code);
  // dm.md §4: Correlator echoed iff the Exec carried one.
  if (!op.correlator.empty()) a.correlator = op.correlator;
  trace_.Add(DmEventKind::kFumoResult, kRuleResult,
             std::string(KindName(op.kind)) + " on " + op.uri +
                 " ended: ResultCode " + a.data + ", Generic Alert 1226 " +
                 a.type + (a.correlator ? " correlator " + *a.correlator : "") +
                 (a.mark ? " mark " + *a.mark : ""));
  alerts_.push_back(std::move(a));
}

std::vector<codec::GenericAlert> FumoAgent::TakeAlerts() {
  auto out = std::move(alerts_);
  alerts_.clear();
  return out;
}

GenericAlertSource FumoAgent::AlertSource() {
  return [this](AlertPoint point) {
    bool now = point == AlertPoint::kPackage1 ||
               options_.report == FumoReportTiming::kSameSession;
    if (!now) return std::vector<codec::GenericAlert>{};
    RunPending();
    return TakeAlerts();
  };
}

}  // namespace omaiop::sim::handset::dm
