#include "sim/handset/handset.h"

#include <cctype>
#include <utility>

#include "codec/dm_notification.h"
#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/xml.h"
#include "sim/network/http_message.h"

namespace omaiop::sim::handset {

using codec::Bytes;
using codec::ByteView;
using codec::Error;
using codec::Result;
using codec::Status;

namespace {

constexpr char kRuleProvSc[] = "cp.md §3 (ProvSC, MEMORY)";
constexpr char kRuleNetwPin[] = "cp.md §2.1 (NETWPIN key = IMSI)";
constexpr char kRuleChv1[] = "ETSI TS 102 221 §9.5.1 / GSM 11.11 §9.4.5";
constexpr char kRuleDmCard[] =
    "dm.md §1.2 (DM_Bootstrap §3.1.4.6: card bootstrap at power-on)";
constexpr char kRuleDmCardGone[] =
    "dm.md §1.2 (DM_Bootstrap §3.1.4.6: delete accounts no longer on the "
    "card)";
constexpr char kRuleScmo[] =
    "RD 1.4.3.2-7 detection of the card's DM structure (dm.md §1.1; DM_SC "
    "seed 'Smart Card MOs' §1.4, our DF 7F66)";
constexpr char kRuleDmPkg0[] = "dm.md §3.2 row 0, §3.8 (package 0)";
constexpr char kRuleSimLock[] =
    "dm.md §1.2 (DM_Bootstrap §3.1.4.6: a rejected card, e.g. SIM lock, is "
    "not read)";

// `a` is `b`, or one is an ancestor of the other in URI terms.
bool UriOverlaps(std::string_view a, std::string_view b) {
  auto under = [](std::string_view x, std::string_view y) {
    return x.size() > y.size() && x.substr(0, y.size()) == y &&
           x[y.size()] == '/';
  };
  return a == b || under(a, b) || under(b, a);
}

std::string JoinUris(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& u : v) s += (s.empty() ? "" : ", ") + u;
  return s.empty() ? "none" : s;
}

// The short ProvSC file name the CP client records (DocumentSource::file).
const char* FileName(card::CardDocumentKind kind) {
  switch (kind) {
    case card::CardDocumentKind::kBootstrap:
      return "Bootstrap";
    case card::CardDocumentKind::kConfig1:
      return "Config1";
    case card::CardDocumentKind::kConfig2:
      return "Config2";
    case card::CardDocumentKind::kDmBootstrap:
      break;
  }
  return "DM_Bootstrap";
}

// CardSession reports a file it could not read for want of PIN1 (no PIN
// known, or one rejected earlier) with "needs PIN1" in the text
// (CardSession::SatisfySecurity); that is the cue to ask the user.
bool NeedsPin1(const codec::Diagnostic& d) {
  return d.what.find("needs PIN1") != std::string::npos;
}

nlohmann::json CardDocumentJson(const card::CardDocument& d) {
  return {{"kind", card::CardDocumentKindName(d.kind)},
          {"path", codec::ToHex(d.path)},
          {"oid", d.oid},
          {"label", d.label},
          {"found_by_label", d.found_by_label},
          {"private", d.is_private},
          {"size", d.bytes.size()},
          {"ef_size", d.ef_size},
          {"padding", d.padding},
          {"origin", d.origin}};
}

}  // namespace

std::string_view CardChangeName(CardChange c) {
  switch (c) {
    case CardChange::kNone:
      return "none";
    case CardChange::kRemoved:
      return "removed";
    case CardChange::kInserted:
      return "inserted";
    case CardChange::kChanged:
      return "changed";
  }
  return "?";
}

Handset::Handset(reader::CardReader& reader, HandsetOptions options)
    : reader_(reader), options_(std::move(options)), client_(options_.cp) {
  pin1_ = options_.card.pin1;
  dm::OpResult built = dm::BuildStandardObjects(dm_tree_, options_.dm_device);
  if (!built.ok())
    Event(
        "dm_bootstrap_failed", "dm.md §3.6",
        "standard objects: " + std::to_string(built.code) + " " + built.reason);
  // NETWPIN / USERNETWPIN keys come from the card's IMSI (cp.md §2.1).
  client_.SetImsiProvider([this]() { return Imsi(); });
  if (options_.accept_dm_bootstrap_push)
    client_.SetDmBootstrapHandler([this](ByteView wbxml, std::string* detail) {
      dm::BootstrapOptions o = options_.dm_bootstrap;
      o.origin = "ota";
      auto report = dm::ApplyBootstrapWbxml(dm_tree_, wbxml, o);
      if (!report.ok()) {
        *detail = report.error().what;
        return false;
      }
      *detail = std::to_string(report->items.size()) + " item(s), accounts " +
                JoinUris(report->accounts);
      Event("dm_bootstrap_push_applied", "dm.md §2.1-§2.3", *detail);
      return true;
    });
  // Package 0 by SMS: kept for the DM client (dm.md §3.2 row 0).
  client_.SetDmNotificationHandler([this](ByteView pkg0, std::string* detail) {
    auto n = codec::ParseDmNotification(pkg0);
    if (!n.ok()) {
      *detail = n.error().what;
      Event("dm_notification", kRuleDmPkg0,
            "undecodable package 0: " + n.error().what);
      return false;
    }
    dm_notifications_.emplace_back(pkg0.begin(), pkg0.end());
    *detail = "package 0 from " + n->server_id + ", session " +
              std::to_string(n->session_id);
    Event("dm_notification", kRuleDmPkg0, *detail);
    return true;
  });
}

Handset::~Handset() { CloseSession(); }

void Handset::SetUserAgent(cp::UserAgent* user) {
  user_ = user;
  client_.SetUserAgent(user);
}

void Handset::Event(std::string kind, std::string rule, std::string detail) {
  events_.push_back({std::move(kind), std::move(rule), std::move(detail)});
}

std::size_t Handset::CountEvents(std::string_view kind) const {
  std::size_t n = 0;
  for (const auto& e : events_)
    if (e.kind == kind) ++n;
  return n;
}

std::string Handset::card_origin() const {
  return loaded_iccid_.empty() ? std::string() : "card:" + loaded_iccid_;
}

Status Handset::PowerOn() {
  if (powered_) return codec::OkStatus();
  powered_ = true;
  Event("power_on", "", reader_.name());
  if (!reader_.CardPresent()) {
    Unload("no card at power-on");
    Event("card_absent", kRuleProvSc, "no card in " + reader_.name());
    return codec::OkStatus();
  }
  return Load();
}

void Handset::PowerOff() {
  if (!powered_) return;
  CloseSession();
  powered_ = false;
  pin1_ = options_.card.pin1;  // a PIN the user typed is not remembered
  Event("power_off", "", "settings kept; the card is re-read at power-on");
}

void Handset::CloseSession() {
  // The binding must not outlive the session it reads through.
  if (card_mo_) card_mo_->Detach();
  if (session_) session_->Close();
  session_.reset();
  imsi_.reset();
}

void Handset::OnCardRemoved() {
  CloseSession();
  Unload("card removed");
}

Status Handset::OnCardInserted() {
  Event("card_inserted", kRuleProvSc, reader_.name());
  return Load();
}

void Handset::Unload(std::string_view why, bool keep_dm) {
  if (loaded_iccid_.empty()) return;
  const std::string origin = card_origin();
  const std::size_t n = client_.RemoveOrigin(origin);
  Event("card_removed", kRuleProvSc,
        std::string(why) + ": " + std::to_string(n) +
            " setting(s) and the contexts of " + origin + " removed");
  if (!keep_dm) {
    // DM_Bootstrap §3.1.3.5.1 / §3.1.4.6: MOs that came from the card go
    // with it: the card-resident ones first (their removal is not a write
    // to the card), then what the bootstrap brought.
    if (card_mo_) card_mo_->Unmount(why);
    auto removed = dm::RemoveAccountsOfOrigin(dm_tree_, origin);
    if (!removed.empty())
      Event("dm_accounts_removed", kRuleDmCardGone,
            std::string(why) + ": " + JoinUris(removed));
    dm_report_.reset();
  }
  loaded_iccid_.clear();
  documents_.clear();
  dm_bootstrap_.reset();
}

void Handset::SyncW7Accounts() {
  if (!options_.cp_w7_to_dmacc) return;
  for (const cp::DmAccount& a : client_.store().dm_accounts()) {
    bool present = false;
    for (const auto& uri : dm::FindDmAccounts(dm_tree_)) {
      const dm::Node* id = dm_tree_.Find(uri + "/ServerID");
      present |= id && id->value == a.server_id;
    }
    if (present) continue;
    std::string created;
    dm::OpResult r = dm::AddW7Account(dm_tree_, a, &created);
    if (r.ok())
      Event("dm_w7_account_added", "dm.md §2.1 (CP profile: w7 -> DMAcc)",
            created + " for " + a.server_id + " from " + a.origin);
    else
      Event("dm_w7_account_skipped", "dm.md §2.1 (CP profile: w7 -> DMAcc)",
            a.server_id + ": " + std::to_string(r.code) + " " + r.reason);
  }
}

std::vector<codec::Bytes> Handset::TakeDmNotifications() {
  return std::exchange(dm_notifications_, {});
}

Result<dm::DmSessionOutcome> Handset::RunDmSession(std::string_view account_uri,
                                                   dm::DmClientOptions options,
                                                   std::string server_url) {
  OMAIOP_ASSIGN_OR_RETURN(dm::DmAccount account,
                          dm::AccountFromTree(dm_tree_, account_uri));
  if (!server_url.empty()) account.server_url = std::move(server_url);
  options.account_uri = std::string(account_uri);
  dm::DmClient client(dm_tree_, std::move(account), std::move(options));
  // Card MOs are re-synchronised at session start (card_mo.h).
  client.set_card_mo(card_mo_.get());
  dm::DmSessionOutcome out = client.RunSession(dm::SessionTrigger::Client());
  Event("dm_session", "dm.md §3.2",
        std::string(account_uri) + ": " +
            (out.ok()    ? "completed"
             : out.error ? out.error->what
                         : std::string("failed")));
  return out;
}

Result<dm::DmSessionOutcome> Handset::RunDmSessionForPackage0(
    ByteView pkg0, dm::DmClientOptions options, std::string server_url) {
  OMAIOP_ASSIGN_OR_RETURN(codec::DmNotification n,
                          codec::ParseDmNotification(pkg0));
  for (const auto& uri : dm_accounts()) {
    auto account = dm::AccountFromTree(dm_tree_, uri);
    if (!account.ok() || account->server_id != n.server_id) continue;
    if (!server_url.empty()) account->server_url = std::move(server_url);
    options.account_uri = uri;
    dm::DmClient client(dm_tree_, std::move(*account), std::move(options));
    client.set_card_mo(card_mo_.get());
    dm::DmSessionOutcome out = client.OnPackage0(pkg0);
    Event("dm_session", kRuleDmPkg0,
          uri + " (server-initiated, session " + std::to_string(n.session_id) +
              "): " +
              (out.ok()    ? "completed"
               : out.error ? out.error->what
                           : std::string("failed")));
    return out;
  }
  return Error("package 0 names server '" + n.server_id +
                   "', for which the handset has no DM account",
               codec::Diagnostic::kNoOffset, kRuleDmPkg0);
}

std::vector<std::string> Handset::dm_accounts() const {
  return dm::FindDmAccounts(dm_tree_);
}

std::vector<std::string> Handset::card_dm_accounts() const {
  std::vector<std::string> out;
  if (loaded_iccid_.empty()) return out;
  const auto mine = dm_tree_.UrisOfOrigin(card_origin());
  for (const auto& acc : dm::FindDmAccounts(dm_tree_))
    for (const auto& u : mine)
      if (UriOverlaps(acc, u)) {
        out.push_back(acc);
        break;
      }
  return out;
}

void Handset::ApplyCardDmBootstrap(const card::CardDocument& d) {
  dm::BootstrapOptions o = options_.dm_bootstrap;
  o.origin = card_origin();
  auto report = dm::ApplyBootstrapWbxml(dm_tree_, d.bytes, o);
  if (!report.ok()) {
    Event("dm_bootstrap_failed", report.error().rule,
          "EF DM_Bootstrap: " + report.error().what);
    return;
  }
  std::string failed;
  for (const auto& i : report->items)
    if (i.code < 200 || i.code >= 300)
      failed += " " + i.cmd + " " + i.uri + " " + std::to_string(i.code);
  Event(failed.empty() ? "dm_bootstrap_applied" : "dm_bootstrap_failed",
        kRuleDmCard,
        std::to_string(report->items.size()) + " item(s), accounts " +
            JoinUris(card_dm_accounts()) +
            (failed.empty() ? "" : "; failed:" + failed));
  // Nodes of this card's origin that the card's bootstrap no longer
  // mentions belong to a server the card dropped: delete them. A TNDS
  // through ./Inbox names no real URIs: then nothing is judged stale.
  std::vector<std::string> stale;
  bool via_inbox = false;
  for (const auto& i : report->items)
    via_inbox |= UriOverlaps(i.uri, "./Inbox");
  for (const auto& u : dm_tree_.UrisOfOrigin(o.origin)) {
    bool covered = via_inbox;
    for (const auto& i : report->items) covered |= UriOverlaps(i.uri, u);
    if (!covered) stale.push_back(u);
  }
  std::vector<std::string> removed;
  for (const auto& u : stale)
    if (dm_tree_.Delete(dm::Caller::Device(), u).ok()) removed.push_back(u);
  if (!removed.empty())
    Event("dm_accounts_removed", kRuleDmCardGone,
          "no longer on the card: " + JoinUris(removed));
  dm_report_ = std::move(*report);
}

bool Handset::SimLockRejects(const Result<std::string>& imsi) {
  if (options_.sim_lock_plmns.empty()) return false;
  if (imsi.ok())
    for (const auto& plmn : options_.sim_lock_plmns)
      if (imsi->rfind(plmn, 0) == 0) return false;
  Event("card_rejected", kRuleSimLock,
        imsi.ok() ? "IMSI " + *imsi + " outside the SIM lock (" +
                        JoinUris(options_.sim_lock_plmns) + ")"
                  : "IMSI unreadable: " + imsi.error().what);
  return true;
}

bool Handset::AskPin1(const std::string& why) {
  if (!user_ || !session_) return false;
  std::string previous = why;
  while (pin1_asked_ < options_.max_pin1_attempts) {
    auto left = session_->Pin1TriesLeft();
    // -1: PIN1 verified or disabled (the count is not reported).
    if (left.ok() && *left >= 0 && *left <= 1) {
      Event("pin1_rejected", kRuleChv1,
            "not asking for PIN1: " + std::to_string(*left) +
                " tries left (the handset never blocks PIN1 by itself)");
      return false;
    }
    ++pin1_asked_;
    cp::PinRequest req;
    req.sender = "PIN1 card:" + session_->iccid();
    req.max_attempts = options_.max_pin1_attempts;
    req.previous_error = previous;
    Event("pin1_requested", kRuleChv1,
          "attempt " + std::to_string(pin1_asked_) + " of " +
              std::to_string(options_.max_pin1_attempts) + ": " + previous);
    std::optional<std::string> pin = user_->EnterPin(pin1_asked_, req);
    if (!pin) {
      Event("pin1_rejected", kRuleChv1, "the user cancelled PIN1 entry");
      return false;
    }
    Status st = session_->VerifyPin1(*pin);
    if (st.ok()) {
      pin1_ = *pin;
      Event("pin1_verified", kRuleChv1, "card:" + session_->iccid());
      return true;
    }
    previous = st.error().what;
    Event("pin1_rejected", st.error().rule, previous);
  }
  return false;
}

template <typename Op>
auto Handset::WithPin1(Op op) -> decltype(op()) {
  auto r = op();
  while (!r.ok() && NeedsPin1(r.error()) && !options_.card.pin1 &&
         AskPin1(r.error().what))
    r = op();
  return r;
}

Result<std::string> Handset::Imsi() {
  if (imsi_) return *imsi_;
  if (!session_ || !session_->is_open())
    return Error("no card: the NETWPIN key needs the card's IMSI",
                 codec::Diagnostic::kNoOffset, kRuleNetwPin);
  auto r = WithPin1([this] { return session_->ReadImsi(); });
  if (r.ok()) imsi_ = *r;
  return r;
}

Status Handset::Load() {
  CloseSession();
  pin1_asked_ = 0;
  card::CardSessionOptions so = options_.card;
  so.pin1 = pin1_;
  session_ = std::make_unique<card::CardSession>(reader_, so);
  Status opened = session_->Open();
  if (!opened.ok()) {
    Event("card_error", opened.error().rule,
          "card in " + reader_.name() +
              " could not be opened: " + opened.error().what);
    CloseSession();
    Unload("card unreadable");
    return opened;
  }
  const std::string iccid = session_->iccid();
  if (!loaded_iccid_.empty()) {
    if (loaded_iccid_ != iccid) {
      Event("card_changed", kRuleProvSc,
            "ICCID " + loaded_iccid_ + " -> " + iccid);
      Unload("card changed");
    } else {
      // The same card again: what it holds now replaces what it held (a
      // re-bootstrap of a known PROVURL would otherwise be refused). Its DM
      // accounts are reconciled with the card's bootstrap instead.
      Unload("card re-read", /*keep_dm=*/options_.card_dm_bootstrap);
    }
  }
  Event("card_opened", "",
        std::string(card::CardKindName(session_->kind())) + " ICCID " + iccid +
            " ATR " + codec::ToHex(session_->atr()));
  loaded_iccid_ = iccid;

  auto imsi = Imsi();
  if (imsi.ok())
    Event("imsi_read", kRuleNetwPin, *imsi);
  else
    Event("imsi_unavailable", imsi.error().rule, imsi.error().what);
  if (SimLockRejects(imsi)) {
    // Nothing of a rejected card is applied; what a previous load of the
    // same card brought goes too.
    loaded_iccid_ = iccid;
    Unload("card rejected");
    CloseSession();
    return codec::OkStatus();
  }

  // Bootstrap first: it creates the card's context; Config1/Config2 then
  // add settings under the same origin (cp.md §3).
  std::vector<card::CardDocumentKind> kinds{card::CardDocumentKind::kBootstrap,
                                            card::CardDocumentKind::kConfig1};
  if (options_.apply_config2) kinds.push_back(card::CardDocumentKind::kConfig2);
  if (options_.card_dm_bootstrap) {
    kinds.push_back(card::CardDocumentKind::kDmBootstrap);
  } else {
    Event("dm_bootstrap_disabled", kRuleDmCard,
          "policy: card DM bootstrap disabled, EF DM_Bootstrap not read");
  }

  card::ProvScReader provsc(*session_, options_.provsc);
  Status first_error = codec::OkStatus();
  for (card::CardDocumentKind kind : kinds) {
    const std::string name(card::CardDocumentKindName(kind));
    auto doc = WithPin1([&] { return provsc.Read(kind); });
    if (!doc.ok()) {
      Event("card_error", doc.error().rule,
            name + " could not be read: " + doc.error().what);
      if (first_error.ok()) first_error = doc.error();
      continue;
    }
    if (!doc->has_value()) {
      Event("document_absent", kRuleProvSc, name);
      continue;
    }
    card::CardDocument& d = **doc;
    Event("document_read", kRuleProvSc,
          name + ": " + std::to_string(d.bytes.size()) + " bytes from " +
              codec::ToHex(d.path) + (d.label.empty() ? "" : " ") + d.label);
    if (kind == card::CardDocumentKind::kDmBootstrap) {
      Event("dm_bootstrap_kept", "dm.md §1.3",
            "applied to the DM tree, not by CP");
      ApplyCardDmBootstrap(d);
      dm_bootstrap_ = std::move(d);
      continue;
    }
    cp::PushOutcome out = client_.ApplyDocument(
        d.bytes, cp::DocumentSource::SmartCard(iccid, FileName(kind)));
    if (out.accepted)
      Event("document_applied", kRuleProvSc,
            name + ": " + std::to_string(out.settings_applied.size()) +
                " item(s) under " + out.origin.value_or("?"));
    else
      Event("document_rejected", out.reject_rule,
            name + ": " + out.reject_reason);
    documents_.push_back({std::move(d), std::move(out)});
  }
  AttachCardMo();
  SyncW7Accounts();  // after the DM-profile bootstrap: it takes precedence
  return first_error;
}

void Handset::AttachCardMo() {
  const dm::CardMoOptions& o = options_.scmo;
  if (!o.enabled || o.files.empty() || !session_) return;
  // The DF holding the first MO file (DF.DM-SC 7F66) says whether this
  // card has MOs at all (RD 1.4.3.2-7: efficient detection).
  const codec::Bytes& p = o.files.front().path;
  const codec::Bytes df(p.begin(),
                        p.end() - std::min<std::size_t>(2, p.size()));
  auto sel = session_->SelectPath(df, "DF.DM-SC");
  if (!sel.ok() || !sel->is_df) {
    Event("scmo_not_on_card", kRuleScmo,
          "no DF " + codec::ToHex(df) + " on card " + session_->iccid() +
              (sel.ok() ? ": not a DF" : ": " + sel.error().what));
    if (card_mo_) card_mo_->Unmount("has no card MOs");
    return;
  }
  if (!card_mo_) {
    card_mo_ = std::make_unique<dm::CardMoBinding>(dm_tree_, o);
    card_mo_->AddSink(
        [this](const dm::CardMoEvent& e) { Event(e.name, e.rule, e.detail); });
  }
  Status st = card_mo_->Attach(*session_);
  // PIN1 unknown to the handset: ask the user once, as for the ProvSC files.
  if (st.ok() && card_mo_->locked() && !options_.card.pin1 &&
      AskPin1("the card's MO files need PIN1"))
    st = card_mo_->Resync();
  if (!st.ok())
    Event("card_error", st.error().rule, "card MOs: " + st.error().what);
}

Result<CardChange> Handset::PollCard(std::chrono::milliseconds timeout) {
  OMAIOP_ASSIGN_OR_RETURN(bool present, reader_.WaitForChange(timeout));
  const bool loaded = !loaded_iccid_.empty() || session_ != nullptr;
  if (!present) {
    if (!loaded) return CardChange::kNone;
    OnCardRemoved();
    return CardChange::kRemoved;
  }
  if (!loaded) {
    OMAIOP_RETURN_IF_ERROR(OnCardInserted());
    return CardChange::kInserted;
  }
  // A card is present and one was loaded: the same one, still in session?
  if (session_ && session_->is_open()) {
    auto iccid = session_->ReadIccid();
    if (iccid.ok() && *iccid == loaded_iccid_) return CardChange::kNone;
  }
  const std::string before = loaded_iccid_;
  OMAIOP_RETURN_IF_ERROR(OnCardInserted());
  return loaded_iccid_ == before ? CardChange::kInserted : CardChange::kChanged;
}

Result<cp::PushOutcome> Handset::WriteConfig2(ByteView doc,
                                              std::string_view pin) {
  if (!session_ || !session_->is_open())
    return Error("Config2 write-back needs a card",
                 codec::Diagnostic::kNoOffset, kRuleProvSc);
  Bytes wbxml;
  if (!doc.empty() && doc[0] >= 0x01 && doc[0] <= 0x03) {
    wbxml.assign(doc.begin(), doc.end());
  } else {
    OMAIOP_ASSIGN_OR_RETURN(codec::XmlDoc xml,
                            codec::ParseXml(codec::AsString(doc), "Config2"));
    OMAIOP_ASSIGN_OR_RETURN(
        wbxml, codec::EncodeWbxml(
                   xml.get(), codec::ProvLanguage(codec::ProvVersion::k11)));
  }
  card::ProvScReader provsc(*session_, options_.provsc);
  Status st = provsc.WriteConfig2(wbxml, pin);
  if (!st.ok()) {
    Event("config2_write_failed", st.error().rule, st.error().what);
    return st.error();
  }
  pin1_ = std::string(pin);  // verified by the write
  Event("config2_written", kRuleProvSc,
        std::to_string(wbxml.size()) + " bytes of WBXML");
  OMAIOP_RETURN_IF_ERROR(Load());
  for (const auto& d : documents_)
    if (d.document.kind == card::CardDocumentKind::kConfig2 && d.outcome)
      return *d.outcome;
  return Error("Config2 was written but not read back at the re-load",
               codec::Diagnostic::kNoOffset, kRuleProvSc);
}

namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i])
      return false;
  return true;
}

// The media type of a Content-Type value, lower-case, parameters cut.
std::string MediaType(std::string_view v) {
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  std::string out(v);
  for (char& c : out) c = static_cast<char>(std::tolower(c));
  return out;
}

constexpr char kRuleFetch[] =
    "cp.md §2.4 (fetched from PROVURL: CP 1.2 trusted HTTP)";

}  // namespace

Result<cp::PushOutcome> Handset::FetchFromProvUrl(
    std::string_view context_or_url, const network::TlsClientConfig& tls) {
  std::string url;
  if (const cp::Context* c = client_.contexts().Find(context_or_url)) {
    url = c->provurl;
  } else if (context_or_url.find("://") != std::string_view::npos) {
    url = std::string(context_or_url);
  } else {
    return Error("no context " + std::string(context_or_url) +
                     " (and not a URL) to fetch from",
                 codec::Diagnostic::kNoOffset, kRuleFetch);
  }
  const bool https = StartsWithNoCase(url, "https://");
  if (!https && StartsWithNoCase(url, "http://") &&
      !options_.trust_plain_http_provurl) {
    // Not fetched: the CP client records why (fetch_rejected).
    Event("fetch_rejected", kRuleFetch, url + ": plain http, not fetched");
    return client_.ApplyDocument(
        {}, cp::DocumentSource::HttpFetch(
                url, false,
                "plain http:// PROVURL: no TLS, the server is not "
                "authenticated (option trust_plain_http_provurl is off)"));
  }
  if (!https && !StartsWithNoCase(url, "http://"))
    return Error("PROVURL " + url + ": only http(s) can be fetched",
                 codec::Diagnostic::kNoOffset, kRuleFetch);

  network::HttpClientOptions http = options_.http;
  http.tls = tls;
  network::HttpRequest req;
  req.url = url;
  req.headers.push_back({"Accept",
                         "application/vnd.wap.connectivity-wbxml, "
                         "text/vnd.wap.connectivity-xml"});
  Event("fetch", kRuleFetch, "GET " + url);
  auto resp = network::HttpFetch(req, http);
  if (!resp.ok()) {
    const std::string& rule = resp.error().rule;
    if (rule.starts_with("net.tls.") && rule != network::rules::kTlsConfig) {
      // The server could not be authenticated: the CP client decides (and
      // records fetch_rejected with the reason).
      Event("fetch_rejected", rule, url + ": " + resp.error().what);
      return client_.ApplyDocument(
          {}, cp::DocumentSource::HttpFetch(url, false,
                                            rule + ": " + resp.error().what));
    }
    Event("fetch_failed", rule, url + ": " + resp.error().what);
    return resp.error();
  }
  const network::ConnectionInfo& conn = resp->connection;
  if (resp->status != 200) {
    Event("fetch_failed", "RFC 9110 §15",
          url + ": HTTP " + std::to_string(resp->status));
    return Error("GET " + url + ": HTTP " + std::to_string(resp->status) + " " +
                     resp->reason,
                 codec::Diagnostic::kNoOffset, kRuleFetch);
  }
  const std::string type = MediaType(
      network::FindHeader(resp->headers, "Content-Type").value_or(""));
  if (options_.require_cp_content_type &&
      type != "application/vnd.wap.connectivity-wbxml" &&
      type != "text/vnd.wap.connectivity-xml") {
    Event("fetch_failed", "cp.md §0 (CP MIME types)",
          url + ": Content-Type '" + type + "'");
    return Error("GET " + url + ": Content-Type '" + type +
                     "' is not a CP document type",
                 codec::Diagnostic::kNoOffset, "cp.md §0 (CP MIME types)");
  }
  // https: the TLS verdict of the connection (verify_peer may be off, then
  // the handshake went ahead and tls_verified says whether it would have
  // passed). http: only reached when trust_plain_http_provurl is set.
  const bool verified = https ? conn.tls_verified : true;
  std::string why = https ? conn.tls_verify_error : std::string();
  if (https && !verified && why.empty()) why = "certificate not verified";
  cp::PushOutcome out =
      client_.ApplyDocument(codec::AsBytes(resp->body),
                            cp::DocumentSource::HttpFetch(url, verified, why));
  if (out.accepted)
    Event("fetch_applied", kRuleFetch,
          url + ": " + std::to_string(out.settings_applied.size()) +
              " item(s) under " + out.origin.value_or("?"));
  else
    Event("fetch_rejected", out.reject_rule, url + ": " + out.reject_reason);
  return out;
}

std::optional<cp::PushOutcome> Handset::OnSmsSegment(ByteView tp_user_data,
                                                     const cp::SmsMeta& meta) {
  auto out = client_.OnSmsSegment(tp_user_data, meta);
  if (out && out->accepted) SyncW7Accounts();
  return out;
}

nlohmann::json Handset::StateJson() const {
  nlohmann::json j;
  j["powered"] = powered_;
  j["reader"] = reader_.name();
  if (session_ || !loaded_iccid_.empty()) {
    nlohmann::json c;
    c["iccid"] = loaded_iccid_;
    c["origin"] = card_origin();
    c["kind"] =
        session_ ? std::string(card::CardKindName(session_->kind())) : "";
    c["session_open"] = session_ && session_->is_open();
    c["imsi"] = imsi_ ? nlohmann::json(*imsi_) : nlohmann::json(nullptr);
    c["dm_bootstrap"] = dm_bootstrap_ ? CardDocumentJson(*dm_bootstrap_)
                                      : nlohmann::json(nullptr);
    j["card"] = c;
  } else {
    j["card"] = nullptr;
  }
  j["documents"] = nlohmann::json::array();
  for (const auto& d : documents_) {
    nlohmann::json e = CardDocumentJson(d.document);
    e["outcome"] = d.outcome ? d.outcome->ToJson() : nlohmann::json(nullptr);
    j["documents"].push_back(e);
  }
  j["events"] = nlohmann::json::array();
  for (const auto& e : events_)
    j["events"].push_back(
        {{"kind", e.kind}, {"rule", e.rule}, {"detail", e.detail}});
  j["cp"] = client_.StateJson();
  j["dm"] = {{"accounts", dm_accounts()},
             {"card_accounts", card_dm_accounts()},
             {"tree", dm_tree_.ToJson(/*redact_secrets=*/true)}};
  if (card_mo_)
    j["dm"]["card_mo"] = {{"mount", card_mo_->options().mount_uri},
                          {"mounted", card_mo_->mounted()},
                          {"attached", card_mo_->attached()},
                          {"locked", card_mo_->locked()}};
  return j;
}

}  // namespace omaiop::sim::handset
